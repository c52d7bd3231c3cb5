"""The append-only event log: recording an event (idempotently) and reading it back."""

from __future__ import annotations

import functools
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, insert
from sqlalchemy.orm import Session

from checkin import projection
from checkin.domain import EventKind, StationContext
from checkin.store import direct
from checkin.store.dialect import insert_for
from checkin.store.models import Event


@dataclass(frozen=True)
class NewEvent:
    kind: EventKind
    station: StationContext
    at: datetime
    attendee_id: str | None = None
    payload: dict[str, Any] = field(default_factory=dict)
    id: str = ""  # made from the station's clock: sorts by true time, after every event the station has seen

    def __post_init__(self) -> None:
        if not self.id:
            object.__setattr__(self, "id", self.station.clock.event_id(self.at))

    def row(self) -> dict[str, Any]:
        payload = {"station_name": self.station.name, **self.payload}
        if self.station.clock.offset_s:  # ``at`` is on the hub's clock; keep what this station's own said
            payload["own_time"] = self.station.clock.own_time(self.at).isoformat()
        return {
            "id": self.id,
            "kind": self.kind.value,
            "station_id": self.station.id,
            "station_time": self.at,
            "attendee_id": self.attendee_id,
            "payload": payload,
        }


def record(session: Session, event: NewEvent) -> bool:
    """Append ``event`` and update derived state. Returns False (and changes nothing) if its id exists."""
    return record_row(session, event.row())


def record_row(session: Session, row: dict[str, Any]) -> bool:
    # Core on the session's connection (same transaction): the ORM layer would double the cost of a scan.
    inserted = _insert(session.connection(), row)
    if inserted:
        projection.apply(session, projection.LoggedEvent.from_row(row))
    return inserted


def append(connection: Connection, event: NewEvent) -> bool:
    """``record`` for the scan hot path: no ORM session, for kinds whose projection is plain Core."""
    if event.kind not in projection.CONNECTION_KINDS:
        raise ValueError(f"{event.kind} events need an ORM session; use record()")
    row = event.row()
    inserted = _insert(connection, row)
    if inserted:
        projection.apply_on(connection, projection.LoggedEvent.from_row(row))
    return inserted


def _insert(connection: Connection, row: dict[str, Any]) -> bool:
    return direct.execute(connection, _insert_statement(connection.dialect.name), row).rowcount == 1


@functools.cache
def _insert_statement(dialect_name: str) -> Any:
    return insert_for(dialect_name, Event.__table__).on_conflict_do_nothing(index_elements=["id"])


def bulk_append(session: Session, rows: list[dict[str, Any]]) -> None:
    """Insert many new events without projecting them (callers rebuild afterwards). For demos and benchmarks."""
    if rows:
        session.execute(insert(Event), rows)
