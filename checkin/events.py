"""The append-only event log: recording an event (idempotently) and reading it back."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import insert, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from checkin import projection
from checkin.domain import EventKind, StationContext
from checkin.ids import new_id
from checkin.store.models import Event


@dataclass(frozen=True)
class NewEvent:
    kind: EventKind
    station: StationContext
    at: datetime
    attendee_id: str | None = None
    payload: dict[str, Any] = field(default_factory=dict)
    id: str = field(default_factory=new_id)

    def row(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "kind": self.kind.value,
            "station_id": self.station.id,
            "station_time": self.at,
            "attendee_id": self.attendee_id,
            "payload": {"station_name": self.station.name, **self.payload},
        }


def record(session: Session, event: NewEvent) -> bool:
    """Append ``event`` and update derived state. Returns False (and changes nothing) if its id exists."""
    return record_row(session, event.row())


def record_row(session: Session, row: dict[str, Any]) -> bool:
    dialect = session.get_bind().dialect.name
    stmt_factory = postgresql.insert if dialect == "postgresql" else sqlite.insert
    stmt = stmt_factory(Event).values(**row).on_conflict_do_nothing(index_elements=["id"])
    inserted = session.execute(stmt).rowcount == 1
    if inserted:
        projection.apply(session, session.get_one(Event, row["id"]))
    return inserted


def bulk_append(session: Session, rows: list[dict[str, Any]]) -> None:
    """Insert many new events without projecting them (callers rebuild afterwards). For demos and benchmarks."""
    if rows:
        session.execute(insert(Event), rows)


def events_for(session: Session, attendee_id: str) -> list[Event]:
    return list(session.scalars(select(Event).where(Event.attendee_id == attendee_id).order_by(Event.id)))
