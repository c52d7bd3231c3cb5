"""State derived from the event log, kept up to date per event and rebuildable from scratch.

One rule makes the two agree whatever order events arrive in (a synced event may be older than
what a station already has): for each fact the event with the smallest id wins, and ids are
UUIDv7, so the smallest id is the earliest by its station's clock. Attendee fields are always
recomputed as base + every correction in id order.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, and_, delete, insert, or_, select
from sqlalchemy.orm import Session

from checkin.attendees import RECORD_FIELDS, apply_fields, reindex_everyone
from checkin.domain import EventKind
from checkin.occupancy import tracking
from checkin.occupancy.presence import DoorEvent
from checkin.store import direct
from checkin.store.dialect import insert_for
from checkin.store.models import Attendee, AttendeeState, BadgeState, EntitlementGiven, Event


@dataclass(frozen=True)
class LoggedEvent:
    """An event as stored, before (or without) loading it as an ORM object."""

    id: str
    kind: str
    station_id: str
    station_time: datetime
    attendee_id: str | None
    payload: dict[str, Any]

    @classmethod
    def from_row(cls, row: dict[str, Any]) -> LoggedEvent:
        return cls(
            row["id"],
            row["kind"],
            row["station_id"],
            row["station_time"],
            row.get("attendee_id"),
            row.get("payload") or {},
        )


EventLike = LoggedEvent | Event

# Kinds whose derived state is kept with plain Core statements on a connection (the scan hot path).
CONNECTION_KINDS = frozenset(
    {
        EventKind.CHECKED_IN,
        EventKind.ENTITLEMENT_GIVEN,
        EventKind.BADGE_REISSUED,
        EventKind.ENTERED,
        EventKind.EXITED,
        EventKind.COUNTER_ADJUSTED,
        EventKind.BADGE_PRINTED,
        EventKind.CHECK_IN_UNDONE,
        EventKind.SCAN_REFUSED,
    }
)


def apply(session: Session, event: EventLike) -> None:
    """Fold one newly recorded event into the derived tables."""
    if event.kind in CONNECTION_KINDS:
        apply_on(session.connection(), event)
    elif event.kind == EventKind.WALK_IN_REGISTERED:
        _apply_walk_in(session, event)
    elif event.kind in _FIELD_KINDS and event.attendee_id:
        recompute_fields(session, event.attendee_id)


def apply_on(connection: Connection, event: EventLike) -> None:
    """Fold an event of one of the ``CONNECTION_KINDS`` into the derived tables."""
    if event.attendee_id is None or event.kind in (
        EventKind.COUNTER_ADJUSTED,
        EventKind.BADGE_PRINTED,
        EventKind.SCAN_REFUSED,
    ):
        return  # counter adjustments, print logs and refusals derive nothing: they are read straight from the log
    if event.kind in (EventKind.ENTERED, EventKind.EXITED):
        payload = event.payload or {}
        tracking.fold(
            connection,
            DoorEvent(
                event.id,
                event.kind,
                event.attendee_id,
                str(payload.get("room_id", "")),
                event.station_time,
                str(payload.get("door", "")),
            ),
        )
        return
    params = _upsert_params(event)
    if params is not None:
        direct.execute(connection, _upserts(connection.dialect.name)[EventKind(event.kind)], params)
    if event.kind == EventKind.CHECK_IN_UNDONE:  # a live check-in needs no recheck: it is the newest there is
        recheck_undone(connection, [event.attendee_id])


def recheck_undone(connection: Connection, attendee_ids: Iterable[str]) -> None:
    """For those of ``attendee_ids`` with an undone check-in: their check-in is the earliest not undone, or none.

    The first-wins upsert alone would bring an undone check-in back when it arrives late (a sync pull)."""
    wanted = list(set(attendee_ids))
    for start in range(0, len(wanted), 500):
        chunk = wanted[start : start + 500]
        undone: dict[str, set[str]] = {}
        for attendee_id, payload in connection.execute(
            select(Event.attendee_id, Event.payload).where(
                Event.kind == EventKind.CHECK_IN_UNDONE.value, Event.attendee_id.in_(chunk)
            )
        ):
            undone.setdefault(attendee_id, set()).add(str(payload.get("undoes", "")))
        for attendee_id, taken_back in undone.items():
            _keep_first_check_in(connection, attendee_id, taken_back)


def _keep_first_check_in(connection: Connection, attendee_id: str, undone: set[str]) -> None:
    connection.execute(delete(AttendeeState).where(AttendeeState.attendee_id == attendee_id))
    for event_id, at, station_id, payload in connection.execute(
        select(Event.id, Event.station_time, Event.station_id, Event.payload)
        .where(Event.attendee_id == attendee_id, Event.kind == EventKind.CHECKED_IN.value)
        .order_by(Event.id)
    ):
        if event_id not in undone:
            connection.execute(
                insert(AttendeeState).values(
                    attendee_id=attendee_id,
                    checked_in_event=event_id,
                    checked_in_at=at,
                    checked_in_station=station_label(payload, station_id),
                )
            )
            return


def apply_many(session: Session, events: list[LoggedEvent]) -> None:
    """``apply`` for a batch of events (a sync pull): first-wins upserts go as one executemany per kind.

    Door events are left to the caller, which recomputes each attendee's presence once per batch.
    """
    batched: dict[EventKind, list[dict[str, Any]]] = {}
    check_ins = [e.attendee_id for e in events if e.kind in _CHECK_IN_KINDS and e.attendee_id]
    for event in sorted(events, key=lambda e: e.id):
        params = _upsert_params(event) if event.kind in CONNECTION_KINDS else None
        if params is not None:
            batched.setdefault(EventKind(event.kind), []).append(params)
        elif event.kind not in CONNECTION_KINDS:
            apply(session, event)
    statements = _upserts(session.connection().dialect.name)
    for kind, rows in batched.items():
        session.connection().execute(statements[kind], rows)
    recheck_undone(session.connection(), check_ins)


_CHECK_IN_KINDS = (EventKind.CHECKED_IN, EventKind.CHECK_IN_UNDONE)


def _upsert_params(event: EventLike) -> dict[str, Any] | None:
    if event.attendee_id is None:
        return None
    if event.kind == EventKind.CHECKED_IN:
        return {
            "attendee_id": event.attendee_id,
            "checked_in_event": event.id,
            "checked_in_at": event.station_time,
            "checked_in_station": _station_name(event),
        }
    if event.kind == EventKind.ENTITLEMENT_GIVEN:
        return {
            "attendee_id": event.attendee_id,
            "entitlement": str(event.payload.get("entitlement", "")),
            "event_id": event.id,
            "given_at": event.station_time,
            "station": _station_name(event),
        }
    if event.kind == EventKind.BADGE_REISSUED:
        return {
            "attendee_id": event.attendee_id,
            "revision": int(event.payload.get("revision", 1)),
            "event_id": event.id,
        }
    return None


@functools.cache
def _upserts(dialect_name: str) -> dict[EventKind, Any]:
    """Statements built once per dialect: constructing them per scan would cost more than the commit."""
    return {
        # Insert, or replace only if this event is earlier (smaller UUIDv7) than the kept one.
        EventKind.CHECKED_IN: _upsert(
            dialect_name,
            AttendeeState.__table__,
            ["attendee_id"],
            lambda new, old: new.checked_in_event < old.checked_in_event,
        ),
        EventKind.ENTITLEMENT_GIVEN: _upsert(
            dialect_name,
            EntitlementGiven.__table__,
            ["attendee_id", "entitlement"],
            lambda new, old: new.event_id < old.event_id,
        ),
        # The highest revision wins; between two reissues of the same revision, the earlier event.
        EventKind.BADGE_REISSUED: _upsert(
            dialect_name,
            BadgeState.__table__,
            ["attendee_id"],
            lambda new, old: or_(
                new.revision > old.revision, and_(new.revision == old.revision, new.event_id < old.event_id)
            ),
        ),
    }


def _upsert(dialect_name: str, table: Any, keys: list[str], wins: Any) -> Any:
    stmt = insert_for(dialect_name, table)
    updated = [c.name for c in table.columns if c.name not in keys]
    return stmt.on_conflict_do_update(
        index_elements=keys, set_={c: stmt.excluded[c] for c in updated}, where=wins(stmt.excluded, table.c)
    )


def _station_name(event: EventLike) -> str:
    return station_label(event.payload, event.station_id)


def station_label(payload: dict[str, Any], station_id: str) -> str:
    """The station name people see, as recorded in the event (old events may lack it)."""
    return str(payload.get("station_name") or station_id[:8])


def _apply_walk_in(session: Session, event: EventLike) -> None:
    if event.attendee_id is None or session.get(Attendee, event.attendee_id) is not None:
        return
    record = event.payload.get("attendee", {})
    attendee = Attendee(
        id=event.attendee_id,
        conference_id=event.payload["conference_id"],
        external_id=record.get("external_id") or f"W-{event.attendee_id[-12:].upper()}",
        source="walk_in",
        base={name: record.get(name, "") for name in RECORD_FIELDS},
    )
    session.add(attendee)
    session.flush()
    recompute_fields(session, attendee.id)


# Events that change an attendee's record: corrections, and merges (which cancel the duplicate).
_FIELD_KINDS = (EventKind.ATTENDEE_CORRECTED, EventKind.ATTENDEES_MERGED)


def edited_attendees(session: Session) -> set[str]:
    """Attendees whose record differs from its base because of corrections or merges."""
    return {
        a
        for a in session.scalars(
            select(Event.attendee_id).where(Event.kind.in_([k.value for k in _FIELD_KINDS])).distinct()
        )
        if a
    }


def recompute_fields(session: Session, attendee_id: str) -> None:
    """Effective fields = base, overlaid by every correction in id order (later corrections win).

    This is the rule for two stations editing the same attendee: per field, the edit with the larger
    event id wins. Ids are UUIDv7, so that is the later edit by its station's clock, ties broken by the
    rest of the id; every station applies the same edits in the same order and ends with the same record.
    """
    attendee = session.get(Attendee, attendee_id)
    if attendee is None:
        return
    fields: dict[str, Any] = dict(attendee.base)
    corrections = session.scalars(
        select(Event.payload)
        .where(Event.attendee_id == attendee_id, Event.kind.in_([k.value for k in _FIELD_KINDS]))
        .order_by(Event.id)
    )
    for payload in corrections:
        fields.update({k: v for k, v in payload.get("changes", {}).items() if k in RECORD_FIELDS})
    apply_fields(session, attendee, fields)


def rebuild(session: Session) -> None:
    """Recreate every derived table from reference data and the event log."""
    session.execute(delete(AttendeeState))
    session.execute(delete(EntitlementGiven))
    session.execute(delete(BadgeState))
    session.execute(delete(Attendee).where(Attendee.source == "walk_in"))
    _reset_to_base(session)
    for event in session.scalars(
        select(Event).where(Event.kind == EventKind.WALK_IN_REGISTERED.value).order_by(Event.id)
    ):
        _apply_walk_in(session, event)
    for attendee_id in edited_attendees(session):
        recompute_fields(session, attendee_id)
    _rebuild_first_wins(session)
    tracking.rebuild_presence(session.connection())
    reindex_everyone(session.connection())


def _reset_to_base(session: Session) -> None:
    for attendee in session.scalars(select(Attendee)):
        if any((getattr(attendee, f) or "") != (attendee.base.get(f) or "") for f in RECORD_FIELDS):
            apply_fields(session, attendee, attendee.base)


def _rebuild_first_wins(session: Session) -> None:
    check_ins: dict[str, dict[str, Any]] = {}
    given: dict[tuple[str, str], dict[str, Any]] = {}
    badges: dict[str, dict[str, Any]] = {}
    kinds = (EventKind.CHECKED_IN.value, EventKind.ENTITLEMENT_GIVEN.value, EventKind.BADGE_REISSUED.value)
    undone = {
        str(payload.get("undoes", ""))
        for payload in session.scalars(select(Event.payload).where(Event.kind == EventKind.CHECK_IN_UNDONE.value))
    }
    rows = session.execute(
        select(Event.id, Event.kind, Event.attendee_id, Event.station_time, Event.station_id, Event.payload)
        .where(Event.kind.in_(kinds), Event.attendee_id.is_not(None))
        .order_by(Event.id)
    )
    for event_id, kind, attendee_id, at, station_id, payload in rows:
        station = station_label(payload, station_id)
        if kind == EventKind.CHECKED_IN.value:
            if event_id in undone:
                continue
            check_ins.setdefault(
                attendee_id,
                {
                    "attendee_id": attendee_id,
                    "checked_in_event": event_id,
                    "checked_in_at": at,
                    "checked_in_station": station,
                },
            )
        elif kind == EventKind.BADGE_REISSUED.value:
            revision = int(payload.get("revision", 1))
            if attendee_id not in badges or revision > badges[attendee_id]["revision"]:
                badges[attendee_id] = {"attendee_id": attendee_id, "revision": revision, "event_id": event_id}
        else:
            code = str(payload.get("entitlement", ""))
            given.setdefault(
                (attendee_id, code),
                {
                    "attendee_id": attendee_id,
                    "entitlement": code,
                    "event_id": event_id,
                    "given_at": at,
                    "station": station,
                },
            )
    if check_ins:
        session.execute(insert(AttendeeState), list(check_ins.values()))
    if given:
        session.execute(insert(EntitlementGiven), list(given.values()))
    if badges:
        session.execute(insert(BadgeState), list(badges.values()))
    session.flush()
