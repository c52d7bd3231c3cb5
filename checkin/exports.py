"""CSV files written by Muster, safe to open in a spreadsheet."""

from __future__ import annotations

import csv
from collections.abc import Iterable, Sequence
from typing import TextIO
from zoneinfo import ZoneInfo

from sqlalchemy.orm import Session

from checkin.attendees import attendee_view_query, to_view
from checkin.conference import current_conference
from checkin.store.models import Attendee

_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "\n", "\uff1d", "\uff0b", "\uff0d", "\uff20")


def neutralise(cell: object) -> str:
    """A cell a spreadsheet will show as text, never run: a leading formula character gets a quote.

    Applied to every cell we write, so a name like '=HYPERLINK(...)' cannot become a link or a command
    (OWASP's CSV injection advice). Plain negative numbers are left alone.
    """
    text = "" if cell is None else str(cell)
    if text.lstrip(" \u00a0").startswith(_FORMULA_STARTS) and not _is_number(text):  # a space first still runs
        return "'" + text
    return text


def _is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


def write_csv(out: TextIO, header: Sequence[str], rows: Iterable[Sequence[object]]) -> int:
    writer = csv.writer(out)
    writer.writerow([neutralise(h) for h in header])
    count = 0
    for row in rows:
        writer.writerow([neutralise(cell) for cell in row])
        count += 1
    return count


ATTENDEE_COLUMNS = (
    "Registration ID",
    "First Name",
    "Last Name",
    "Email",
    "Organization",
    "City",
    "State",
    "Registration Type",
    "Ticket",
    "Status",
    "Checked In",
    "Checked In At",
    "Checked In By",
)


def export_attendees(session: Session, out: TextIO) -> int:
    """Every attendee with check-in status, sorted by name, as CSV. Returns the number of rows."""
    zone = ZoneInfo(current_conference(session).timezone)
    rows = (to_view(row) for row in session.execute(attendee_view_query().order_by(Attendee.sort_key)))
    return write_csv(
        out,
        ATTENDEE_COLUMNS,
        (
            (
                a.external_id,
                a.first_name,
                a.last_name,
                a.email,
                a.organization,
                a.city,
                a.region,
                a.registration_type,
                a.ticket,
                a.status.value,
                "yes" if a.checked_in else "no",
                a.checked_in_at.astimezone(zone).strftime("%Y-%m-%d %H:%M") if a.checked_in_at else "",
                a.checked_in_station or "",
            )
            for a in rows
        ),
    )
