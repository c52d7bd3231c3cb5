"""Writing validated registrant records: insert new, update changed, leave unchanged alone."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from sqlalchemy import bindparam, select, update
from sqlalchemy.orm import Session

from checkin.attendees import RECORD_FIELDS, record_columns, search_entry
from checkin.conference import current_conference
from checkin.domain import Status
from checkin.ids import new_id
from checkin.projection import edited_attendees, recompute_fields
from checkin.store import search_index
from checkin.store.bulk import insert_many
from checkin.store.models import Attendee, table
from checkin.text import counted

if TYPE_CHECKING:
    from checkin.importers.registrants import Record


@dataclass(frozen=True)
class ImportReport:
    format: str
    added: int
    updated: int
    unchanged: int
    cancelled: int  # registrations this import newly marks cancelled
    missing: list[str] = field(default_factory=list)  # previously imported ids absent from this file
    formulas: list[str] = field(default_factory=list)  # "line 3, First name": values a spreadsheet would run

    @property
    def total(self) -> int:
        return self.added + self.updated + self.unchanged

    def summary(self) -> str:
        text = (
            f"{counted(self.total, 'registrant')} ({self.format}): {self.added:,} added, {self.updated:,} updated, "
            f"{self.unchanged:,} unchanged, {self.cancelled:,} newly cancelled"
        )
        if self.missing:
            text += (
                f"; {counted(len(self.missing), 'earlier registrant is', 'earlier registrants are')} not in this "
                "file (left as they were)"
            )
        if self.formulas:
            shown = "; ".join(self.formulas[:5]) + ("; …" if len(self.formulas) > 5 else "")
            text += (
                f"; {counted(len(self.formulas), 'value looks', 'values look')} like a spreadsheet formula ({shown}): "
                "kept as plain text, and exports write it so no spreadsheet runs it"
            )
        return text


# The attendee columns an import writes, in the order of its rows.
_COLUMNS = ("id", "conference_id", "external_id", "source", *RECORD_FIELDS, "base", "sort_key", "email_key")


@dataclass(frozen=True)
class _Known:
    id: str
    base: dict[str, str]
    source: str


def write_records(
    session: Session,
    records: Sequence[Record],
    source_format: str,
    progress: Callable[[int, int], None] | None = None,
) -> ImportReport:
    conference = current_conference(session)
    attendees = table(Attendee)
    connection = session.connection()
    existing = {
        row.external_id: _Known(row.id, row.base, row.source)
        for row in connection.execute(
            select(attendees.c.external_id, attendees.c.id, attendees.c.base, attendees.c.source).where(
                attendees.c.conference_id == conference.id
            )
        )
    }
    corrected = edited_attendees(session)
    new: list[tuple[str, Record]] = []
    changed: list[tuple[str, Record]] = []
    cancelled = 0
    for record in records:
        old = existing.get(record.external_id)
        if old is not None and old.base == record.fields:
            continue
        if record.fields["status"] == Status.CANCELLED.value and (
            old is None or old.base.get("status") != Status.CANCELLED.value
        ):
            cancelled += 1
        if old is None:
            new.append((new_id(), record))
        else:
            changed.append((old.id, record))
    insert_many(
        connection,
        attendees,
        _COLUMNS,
        (_new_row(attendee_id, conference.id, record) for attendee_id, record in new),
    )
    if changed:
        connection.execute(
            update(attendees).where(attendees.c.id == bindparam("row_id")),
            [{**record_columns(r.external_id, r.fields), "row_id": attendee_id} for attendee_id, r in changed],
        )
        search_index.remove(connection, [attendee_id for attendee_id, _ in changed])
    search_index.add(connection, (search_entry(i, r.external_id, r.fields) for i, r in [*new, *changed]))
    for attendee_id, _ in changed:
        if attendee_id in corrected:
            recompute_fields(session, attendee_id)
    if progress:
        progress(len(records), len(records))
    seen = {r.external_id for r in records}
    missing = sorted(ext for ext, a in existing.items() if a.source == "import" and ext not in seen)
    unchanged = len(records) - len(new) - len(changed)
    return ImportReport(source_format, len(new), len(changed), unchanged, cancelled, missing)


def _new_row(attendee_id: str, conference_id: str, record: Record) -> tuple[object, ...]:
    row = record_columns(record.external_id, record.fields)
    row.update(id=attendee_id, conference_id=conference_id, external_id=record.external_id, source="import")
    return tuple(row[c] for c in _COLUMNS)
