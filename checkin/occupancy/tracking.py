"""Presence kept in the store: folded in per door event, rebuilt from the log, counted per room and door."""

from __future__ import annotations

import functools
import gc
from collections import defaultdict
from collections.abc import Collection, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import (
    Connection,
    and_,
    bindparam,
    delete,
    func,
    insert,
    literal_column,
    or_,
    select,
    union_all,
    update,
)

from checkin.domain import EventKind
from checkin.occupancy.policy import PREFIX, Policy, load_policy
from checkin.occupancy.presence import (
    Adjustment,
    DoorEvent,
    Interval,
    Schedule,
    Slot,
    intervals_from,
    manual_count,
)
from checkin.store import direct
from checkin.store.models import (
    Conference,
    ConferenceSession,
    Event,
    PresenceDirty,
    PresenceInterval,
    Room,
    Setting,
    table,
)

DOOR_KINDS = (EventKind.ENTERED.value, EventKind.EXITED.value)
# Written into the SQL, not bound: only then can SQLite use the partial index of door events (ix_event_door);
# with bound kinds the same lookup reads the attendee's other events too (0.2 ms instead of 0.01 ms).
_IS_DOOR_KIND = Event.kind.in_([literal_column(f"'{kind}'") for kind in DOOR_KINDS])
_configs: dict[tuple[Any, ...], tuple[Schedule, Policy]] = {}


def schedule_on(connection: Connection) -> Schedule:
    """The schedule as this database holds it; reloaded only when the sessions or the policy change."""
    return config_on(connection)[0]


def config_on(connection: Connection) -> tuple[Schedule, Policy]:
    """The schedule and the room policy as this database holds them now. One query tells whether either
    changed (a door scan asks for every decision: `checkin policy` and schedule edits apply at once)."""
    stamp = tuple(direct.execute(connection, _config_stamp(connection.dialect.name)).one())
    key = (str(connection.engine.url), *stamp)
    found = _configs.get(key)
    if found is None:
        policy = load_policy(connection)
        zone = stamp[-1]
        rows = connection.execute(
            select(
                ConferenceSession.id, ConferenceSession.room_id, ConferenceSession.starts_at, ConferenceSession.ends_at
            )
        )
        schedule = Schedule(
            [Slot(*row) for row in rows],
            early=timedelta(minutes=policy.early_minutes),
            keep_back_to_back=policy.keep_back_to_back,
            zone=ZoneInfo(zone) if zone else UTC,
            day_ends=time(policy.day_ends_hour),
        )
        found = _configs[key] = (schedule, policy)
    return found


@functools.cache
def _config_stamp(dialect_name: str) -> Any:
    # Constants written into the SQL: SQLite prepares a statement again each time it runs with a bound LIKE
    # pattern, which cost a door scan 60 µs here, twice.
    setting = Setting.key + literal_column("'='") + Setting.value
    separator: Any = literal_column("';'")
    joined = (
        func.string_agg(setting, separator) if dialect_name == "postgresql" else func.group_concat(setting, separator)
    )
    # Sessions added or removed change the count or the newest id; a session changed in place (synced from
    # the hub, where a trigger numbers every change) changes the newest ref_version. Each is one index read.
    parts = (
        select(func.count()).select_from(ConferenceSession),
        select(func.max(ConferenceSession.ref_version)),
        select(func.max(ConferenceSession.id)),
        select(joined).where(Setting.key.like(literal_column(f"'{PREFIX}%'"))),
        select(Conference.timezone).limit(1),
    )
    return select(*(part.scalar_subquery() for part in parts))


def fold(connection: Connection, event: DoorEvent) -> None:
    """Fold a newly recorded door event into the attendee's presence.

    A live scan is the attendee's newest event, so only their latest interval can change. An older event
    (synced late from another station) changes history: then their presence is recomputed in full.
    """
    if direct.execute(connection, _later_door_event(), {"attendee_id": event.attendee_id, "id": event.id}).first():
        refresh_attendees(connection, [event.attendee_id])
        return
    row = direct.execute(connection, _latest_interval(), {"attendee_id": event.attendee_id}).first()
    latest = (
        Interval(row.attendee_id, row.room_id, row.door, row.started_at, row.start_event, row.ended_at, row.auto_end)
        if row
        else None
    )
    carried = latest if latest is not None and latest.end is None else None
    for interval in intervals_from([event], schedule_on(connection), carried):
        if latest is None or interval.start_event != latest.start_event:
            direct.execute(connection, _insert_interval(), _row(interval))
        elif interval != latest:
            ended = {"ended_at": interval.end, "open_until": interval.ends(), "interval": interval.start_event}
            direct.execute(connection, _end_interval(), ended)


@functools.cache
def _insert_interval() -> Any:
    return insert(PresenceInterval)


@functools.cache
def _end_interval() -> Any:
    return update(PresenceInterval).where(PresenceInterval.start_event == bindparam("interval"))


@functools.cache
def _later_door_event() -> Any:
    # One seek in ix_event_door (attendee, id): a max() over the attendee's other events read them all.
    return (
        select(Event.id)
        .where(Event.attendee_id == bindparam("attendee_id"), _IS_DOOR_KIND, Event.id > bindparam("id"))
        .limit(1)
    )


@functools.cache
def _latest_interval() -> Any:
    return (
        select(PresenceInterval)
        .where(PresenceInterval.attendee_id == bindparam("attendee_id"))
        .order_by(PresenceInterval.start_event.desc())
        .limit(1)
    )


def _row(interval: Interval) -> dict[str, Any]:
    return {
        "start_event": interval.start_event,
        "attendee_id": interval.attendee_id,
        "room_id": interval.room_id,
        "door": interval.door,
        "started_at": interval.start,
        "ended_at": interval.end,
        "auto_end": interval.auto_end,
        "open_until": interval.ends(),
    }


def replay(connection: Connection, only: Collection[str] | None = None) -> list[Interval]:
    """Presence intervals computed from the log alone (everyone's, or only the ``only`` attendees'):
    nothing is read from or written to the derived tables."""
    wanted = None if only is None else list(set(only))
    with paused_gc():
        schedule = schedule_on(connection)
        if connection.dialect.name == "sqlite":
            return intervals_from(_sqlite_door_rows(connection, wanted), schedule, moment=datetime.fromisoformat)
        stmt = (
            select(
                Event.id,
                Event.kind,
                Event.attendee_id,
                func.coalesce(Event.room_id, ""),
                Event.station_time,
                func.coalesce(Event.door, ""),
            )
            .where(_DOOR_EVENT)
            .order_by(Event.attendee_id, Event.id)
        )
        rows = (
            connection.execute(stmt).all()
            if wanted is None
            else [
                row
                for start in range(0, len(wanted), 500)
                for row in connection.execute(stmt.where(Event.attendee_id.in_(wanted[start : start + 500])))
            ]
        )
        return intervals_from(rows, schedule)


_DOOR_EVENT = and_(_IS_DOOR_KIND, Event.attendee_id.is_not(None))
# Answered from the index ix_event_door alone, already in order: no table lookups, no JSON, no sort.
_DOOR_ROWS = (
    "SELECT id, kind, attendee_id, coalesce(room_id, ''), station_time || '+00:00', coalesce(door, '') "
    "FROM event WHERE kind IN ('entered', 'exited') AND attendee_id IS NOT NULL"
)


def _sqlite_door_rows(connection: Connection, wanted: list[str] | None) -> Iterator[Any]:
    """Plain tuples straight from the driver (SQLAlchemy's rows cost more than the replay that reads them),
    streamed: the replay consumes each row as it comes, so 250,000 of them are never all alive at once."""
    driver = connection.connection.driver_connection
    assert driver is not None
    if wanted is None:
        yield from driver.execute(f"{_DOOR_ROWS} ORDER BY attendee_id, id")
        return
    for start in range(0, len(wanted), 500):  # each chunk in order, and chunks never share an attendee
        chunk = wanted[start : start + 500]
        yield from driver.execute(
            f"{_DOOR_ROWS} AND attendee_id IN ({', '.join('?' * len(chunk))}) ORDER BY attendee_id, id", chunk
        )


def mark_everyone_dirty(connection: Connection) -> None:
    """Queue every attendee with door events for a presence recompute (see sync.station.refresh_presence)."""
    connection.execute(delete(PresenceDirty))
    connection.execute(
        insert(PresenceDirty).from_select(["attendee_id"], select(Event.attendee_id).where(_DOOR_EVENT).distinct())
    )


def refresh_attendees(connection: Connection, attendee_ids: Collection[str]) -> None:
    """Recompute these attendees' stored presence from all their door events (late events change history)."""
    wanted = list(set(attendee_ids))
    if not wanted:
        return
    intervals = replay(connection, wanted)
    for start in range(0, len(wanted), 500):
        connection.execute(
            delete(PresenceInterval).where(PresenceInterval.attendee_id.in_(wanted[start : start + 500]))
        )
    insert_intervals(connection, intervals)


def stored_moment(value: str | datetime) -> datetime:
    """A stored time as an aware UTC datetime (SQLite hands back text here, PostgreSQL a datetime)."""
    if isinstance(value, str):
        return datetime.fromisoformat(value + "+00:00")  # stored as naive UTC text
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


@contextmanager
def paused_gc() -> Iterator[None]:
    """Hold off the cycle collector while building hundreds of thousands of small tuples that hold no cycles:
    otherwise it rescans the growing heap again and again, doubling the time of a rebuild."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def rebuild_presence(connection: Connection) -> int:
    """Replace the stored presence with a replay of the whole log; returns the number of intervals."""
    intervals = replay(connection)
    connection.execute(delete(PresenceInterval))
    connection.execute(delete(PresenceDirty))  # a full replay covers whatever a pull left to recompute
    insert_intervals(connection, intervals, rebuild_indexes=True)
    return len(intervals)


def insert_intervals(connection: Connection, intervals: list[Interval], rebuild_indexes: bool = False) -> None:
    if not intervals:
        return
    if connection.dialect.name != "sqlite":
        connection.execute(insert(PresenceInterval), [_row(i) for i in intervals])
        return
    # Through the driver directly: SQLAlchemy's per-row parameter processing would triple the time.
    # For a full rebuild the secondary indexes are built once at the end (a sort) instead of row by row.
    indexes = list(table(PresenceInterval).indexes) if rebuild_indexes else []
    for index in indexes:
        index.drop(connection)
    with paused_gc():
        rows = [
            (
                i.start_event,
                i.attendee_id,
                i.room_id,
                i.door,
                stored_text(i.start),
                stored_text(i.end),
                stored_text(i.auto_end),
                stored_text(i.ends()),
            )
            for i in intervals
        ]
    connection.exec_driver_sql(
        "INSERT INTO presence_interval (start_event, attendee_id, room_id, door, started_at, ended_at, auto_end,"
        " open_until) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        rows,
    )
    for index in indexes:
        index.create(connection)


def stored_text(moment: datetime | None) -> str | None:
    """A time as SQLAlchemy stores a DateTime in SQLite: naive UTC text, always with microseconds
    (isoformat: three times faster than strftime, which shows in a 45,000-event pull)."""
    if moment is None:
        return None
    return (moment if moment.tzinfo is UTC else moment.astimezone(UTC)).isoformat(" ", "microseconds")[:-6]


def _present_now(now: Any) -> Any:
    return and_(
        or_(PresenceInterval.open_until.is_(None), PresenceInterval.open_until > now),
        PresenceInterval.started_at <= now,
    )


def present_in(connection: Connection, room_id: str, now: datetime) -> int:
    return int(direct.execute(connection, _present_in(), {"room_id": room_id, "now": now}).scalar_one())


@functools.cache
def _present_in() -> Any:
    # Two index ranges (still open later, open without end) rather than an OR, which SQLite would answer
    # by reading every interval the room ever had. Each selects a constant, so the index (room, open until,
    # start) answers alone: selecting a column it lacks read every open interval's row too, twice the time.
    # Built once: building it costs more than running it.
    now = bindparam("now", type_=PresenceInterval.started_at.type)
    started = PresenceInterval.started_at <= now
    in_room = PresenceInterval.room_id == bindparam("room_id")
    one: Any = literal_column("1")
    later = select(one).where(in_room, PresenceInterval.open_until > now, started)
    endless = select(one).where(in_room, PresenceInterval.open_until.is_(None), started)
    return select(func.count()).select_from(union_all(later, endless).subquery())


def where_is(connection: Connection, attendee_id: str, now: datetime) -> str | None:
    """The room the attendee is in now, if any."""
    room_id: str | None = direct.execute(connection, _where_is(), {"attendee_id": attendee_id, "now": now}).scalar()
    return room_id


@functools.cache
def _where_is() -> Any:
    return (
        select(PresenceInterval.room_id)
        .where(
            PresenceInterval.attendee_id == bindparam("attendee_id"),
            _present_now(bindparam("now", type_=PresenceInterval.started_at.type)),
        )
        .limit(1)
    )


def _adjustments_by_room(connection: Connection) -> dict[str, list[Adjustment]]:
    found: dict[str, list[Adjustment]] = defaultdict(list)
    for row in connection.execute(_adjustments()):
        room = str(row.payload.get("room_id", ""))
        found[room].append(Adjustment(row.id, room, row.station_time, int(row.payload.get("delta", 0))))
    return found


@functools.cache
def _adjustments() -> Any:
    # attendee_id IS NULL lets the (attendee_id, kind) index find the few counter events among 500,000.
    return select(Event.id, Event.station_time, Event.payload).where(
        Event.attendee_id.is_(None), Event.kind == EventKind.COUNTER_ADJUSTED.value
    )


def _room_adjustments(connection: Connection, room_id: str) -> list[Adjustment]:
    """One room's hand counts: the room column the database copies out of the payload picks them, so the
    payloads of every other room's counts are never read (a door reads these after every scan)."""
    return [
        Adjustment(row.id, room_id, row.station_time, int(row.payload.get("delta", 0)))
        for row in direct.execute(connection, _room_adjustments_query(), {"room_id": room_id})
    ]


@functools.cache
def _room_adjustments_query() -> Any:
    return _adjustments().where(Event.room_id == bindparam("room_id"))


def manual_in(connection: Connection, room_id: str, now: datetime, schedule: Schedule | None = None) -> int:
    adjustments = _room_adjustments(connection, room_id)
    return manual_count(adjustments, (schedule or schedule_on(connection)).ends_in(room_id), now)


def headcount(connection: Connection, room_id: str, now: datetime, schedule: Schedule | None = None) -> int:
    """People in the room now: by badge scans, plus those counted by hand."""
    return present_in(connection, room_id, now) + manual_in(connection, room_id, now, schedule)


def arrivals(connection: Connection, room_id: str, since: datetime, now: datetime) -> int:
    """People who came into the room after ``since``: badge entries and those counted in by hand."""
    by_badge = connection.execute(
        select(func.count())
        .select_from(PresenceInterval)
        .where(
            PresenceInterval.room_id == room_id, PresenceInterval.started_at > since, PresenceInterval.started_at <= now
        )
    ).scalar_one()
    by_hand = sum(1 for a in _room_adjustments(connection, room_id) if a.delta > 0 and since < a.at <= now)
    return int(by_badge) + by_hand


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
        .where(_present_now(now))
        .group_by(PresenceInterval.room_id, PresenceInterval.door)
    ):
        doors[room_id][door or "door"] = count
    adjustments = _adjustments_by_room(connection)
    schedule = schedule_on(connection)
    found = []
    for room in connection.execute(select(Room.id, Room.name, Room.capacity, Room.parent_id).order_by(Room.name)):
        manual = manual_count(adjustments.get(room.id, []), schedule.ends_in(room.id), now)
        found.append(
            RoomCount(
                room.id,
                room.name,
                room.capacity,
                sum(doors[room.id].values()),
                manual,
                dict(doors[room.id]),
                room.parent_id,
            )
        )
    return found
