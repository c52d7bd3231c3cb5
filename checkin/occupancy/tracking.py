"""Presence kept in the store: folded in per door event, rebuilt from the log, counted per room and door."""

from __future__ import annotations

import functools
from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, and_, bindparam, delete, func, insert, or_, select

from checkin.domain import EventKind
from checkin.occupancy.presence import (
    Adjustment,
    DoorEvent,
    Interval,
    Schedule,
    Slot,
    intervals_for,
    manual_count,
)
from checkin.store.models import ConferenceSession, Event, PresenceInterval, Room

DOOR_KINDS = (EventKind.ENTERED.value, EventKind.EXITED.value)
_schedules: dict[tuple[Any, ...], Schedule] = {}


def schedule_on(connection: Connection) -> Schedule:
    """The schedule as this database holds it; reloaded only when the sessions change."""
    stamp = connection.execute(
        select(func.count(), func.max(ConferenceSession.ends_at), func.max(ConferenceSession.id))
    ).one()
    key = (str(connection.engine.url), *stamp)
    found = _schedules.get(key)
    if found is None:
        rows = connection.execute(select(ConferenceSession.id, ConferenceSession.room_id,
                                         ConferenceSession.starts_at, ConferenceSession.ends_at))
        found = _schedules[key] = Schedule([Slot(*row) for row in rows])
    return found


def door_events_on(connection: Connection, attendee_id: str) -> list[DoorEvent]:
    rows = connection.execute(_door_events_of(), {"attendee_id": attendee_id})
    return [_door_event(row) for row in rows]


@functools.cache
def _door_events_of() -> Any:
    return (select(Event.id, Event.kind, Event.attendee_id, Event.payload, Event.station_time)
            .where(Event.attendee_id == bindparam("attendee_id"), Event.kind.in_(DOOR_KINDS)))


def _door_event(row: Any) -> DoorEvent:
    payload = row.payload or {}
    return DoorEvent(row.id, row.kind, row.attendee_id, str(payload.get("room_id", "")), row.station_time,
                     str(payload.get("door", "")))


def refresh_attendee(connection: Connection, attendee_id: str) -> list[Interval]:
    """Recompute one attendee's presence from all their door events (order of arrival does not matter)."""
    intervals = intervals_for(door_events_on(connection, attendee_id), schedule_on(connection))
    connection.execute(delete(PresenceInterval).where(PresenceInterval.attendee_id == attendee_id))
    if intervals:
        connection.execute(insert(PresenceInterval), [_row(i) for i in intervals])
    return intervals


def _row(interval: Interval) -> dict[str, Any]:
    return {"start_event": interval.start_event, "attendee_id": interval.attendee_id, "room_id": interval.room_id,
            "door": interval.door, "started_at": interval.start, "ended_at": interval.end,
            "auto_end": interval.auto_end}


def rebuild_presence(connection: Connection) -> int:
    """Every attendee's presence from the whole log; returns the number of intervals."""
    schedule = schedule_on(connection)
    connection.execute(delete(PresenceInterval))
    by_attendee: dict[str, list[DoorEvent]] = defaultdict(list)
    rows = connection.execute(select(Event.id, Event.kind, Event.attendee_id, Event.payload, Event.station_time)
                              .where(Event.kind.in_(DOOR_KINDS), Event.attendee_id.is_not(None)))
    for row in rows:
        by_attendee[row.attendee_id].append(_door_event(row))
    batch: list[dict[str, Any]] = []
    total = 0
    for events in by_attendee.values():
        for interval in intervals_for(events, schedule):
            batch.append(_row(interval))
        if len(batch) >= 20_000:
            connection.execute(insert(PresenceInterval), batch)
            total += len(batch)
            batch = []
    if batch:
        connection.execute(insert(PresenceInterval), batch)
        total += len(batch)
    return total


def _present_now(now: datetime) -> Any:
    return and_(PresenceInterval.started_at <= now,
                or_(PresenceInterval.ended_at.is_(None), PresenceInterval.ended_at > now),
                or_(PresenceInterval.auto_end.is_(None), PresenceInterval.auto_end > now))


def present_in(connection: Connection, room_id: str, now: datetime) -> int:
    return connection.execute(select(func.count()).select_from(PresenceInterval)
                              .where(PresenceInterval.room_id == room_id, _present_now(now))).scalar_one()


def where_is(connection: Connection, attendee_id: str, now: datetime) -> str | None:
    """The room the attendee is in now, if any."""
    return connection.execute(select(PresenceInterval.room_id)
                              .where(PresenceInterval.attendee_id == attendee_id, _present_now(now))
                              .limit(1)).scalar()


def manual_in(connection: Connection, room_id: str, now: datetime) -> int:
    rows = connection.execute(select(Event.id, Event.station_time, Event.payload)
                              .where(Event.kind == EventKind.COUNTER_ADJUSTED.value))
    adjustments = [Adjustment(row.id, room_id, row.station_time, int(row.payload.get("delta", 0)))
                   for row in rows if row.payload.get("room_id") == room_id]
    return manual_count(adjustments, schedule_on(connection).ends_in(room_id), now)


@dataclass(frozen=True)
class RoomCount:
    room_id: str
    name: str
    capacity: int
    badges: int  # people present by badge scans
    manual: int  # people counted by hand
    doors: dict[str, int]
    parent_id: str | None = None

    @property
    def count(self) -> int:
        return self.badges + self.manual

    @property
    def share(self) -> float:
        return self.count / self.capacity if self.capacity else 0.0


def room_counts(connection: Connection, now: datetime) -> list[RoomCount]:
    """Every room's headcount now, with the split per door."""
    doors: dict[str, dict[str, int]] = defaultdict(dict)
    for room_id, door, count in connection.execute(
        select(PresenceInterval.room_id, PresenceInterval.door, func.count())
        .where(_present_now(now)).group_by(PresenceInterval.room_id, PresenceInterval.door)
    ):
        doors[room_id][door or "door"] = count
    adjustments: dict[str, list[Adjustment]] = defaultdict(list)
    for row in connection.execute(select(Event.id, Event.station_time, Event.payload)
                                  .where(Event.kind == EventKind.COUNTER_ADJUSTED.value)):
        room = str(row.payload.get("room_id", ""))
        adjustments[room].append(Adjustment(row.id, room, row.station_time, int(row.payload.get("delta", 0))))
    schedule = schedule_on(connection)
    found = []
    for room in connection.execute(select(Room.id, Room.name, Room.capacity, Room.parent_id).order_by(Room.name)):
        manual = manual_count(adjustments.get(room.id, []), schedule.ends_in(room.id), now)
        found.append(RoomCount(room.id, room.name, room.capacity, sum(doors[room.id].values()), manual,
                               dict(doors[room.id]), room.parent_id))
    return found
