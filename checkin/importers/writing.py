"""Writing validated registrant records: insert new, update changed, leave unchanged alone."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from sqlalchemy import bindparam, insert, select, update
from sqlalchemy.orm import Session

from checkin.attendees import record_columns, replace_tokens, token_rows
from checkin.conference import current_conference
from checkin.domain import Status
from checkin.ids import new_id
from checkin.projection import edited_attendees, recompute_fields
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


def write_records(
    session: Session,
    records: Sequence[Record],
    source_format: str,
    progress: Callable[[int, int], None] | None = None,
) -> ImportReport:
    conference = current_conference(session)
    existing = {
        a.external_id: a for a in session.scalars(select(Attendee).where(Attendee.conference_id == conference.id))
    }
    corrected = edited_attendees(session)
    new_rows: list[dict[str, object]] = []
    changed_rows: list[dict[str, object]] = []
    tokens: dict[str, list[dict[str, str]]] = {}
    unchanged = cancelled = 0
    for record in records:
        fields = record.fields
        old = existing.get(record.external_id)
        if old is not None and old.base == fields:
            unchanged += 1
            continue
        attendee_id = old.id if old is not None else new_id()
        was_cancelled = old is not None and old.base.get("status") == Status.CANCELLED.value
        if fields["status"] == Status.CANCELLED.value and not was_cancelled:
            cancelled += 1
        row: dict[str, object] = record_columns(record.external_id, fields)
        if old is None:
            new_rows.append(
                {
                    **row,
                    "id": attendee_id,
                    "conference_id": conference.id,
                    "external_id": record.external_id,
                    "source": "import",
                }
            )
        else:
            changed_rows.append({**row, "id": attendee_id})
        tokens[attendee_id] = token_rows(attendee_id, record.external_id, fields)
    connection = session.connection()  # Core executemany: the ORM bulk path is 3x slower for 20k rows
    if new_rows:
        connection.execute(insert(table(Attendee)), new_rows)
    if changed_rows:
        attendees = table(Attendee)
        connection.execute(
            update(attendees).where(attendees.c.id == bindparam("row_id")),
            [{**{k: v for k, v in row.items() if k != "id"}, "row_id": row["id"]} for row in changed_rows],
        )
    replace_tokens(session, tokens)
    for row in changed_rows:
        if row["id"] in corrected:
            recompute_fields(session, str(row["id"]))
    if progress:
        progress(len(records), len(records))
    seen = {r.external_id for r in records}
    missing = sorted(ext for ext, a in existing.items() if a.source == "import" and ext not in seen)
    return ImportReport(source_format, len(new_rows), len(changed_rows), unchanged, cancelled, missing)
