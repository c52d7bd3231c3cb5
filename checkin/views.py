"""Read models for the windows: plain dataclasses from the core, so the UI never builds a query of its own."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select

from checkin.conference import checked_in_count
from checkin.occupancy import tracking
from checkin.occupancy.attendance import SessionFacts, load_intervals, load_sessions
from checkin.occupancy.door import room_fill
from checkin.occupancy.presence import Interval
from checkin.rules.capacity import Fill
from checkin.rules.door import Door
from checkin.store import Store
from checkin.store.models import AttendeeState, ConferenceSession, Room


@dataclass(frozen=True)
class RoomRow:
    id: str
    name: str
    setup: str
    capacity: int
    capacities: dict[str, int]  # the posted capacity of each setup


@dataclass(frozen=True)
class SessionRow:
    id: str
    room_id: str
    title: str
    starts_at: datetime
    ends_at: datetime
    hours: float
    prereg_required: bool


def rooms(store: Store) -> list[RoomRow]:
    with store.reading() as session:
        return [
            RoomRow(r.id, r.name, r.setup, r.capacity, dict(r.capacities or {}))
            for r in session.scalars(select(Room).order_by(Room.name))
        ]


def sessions(store: Store) -> list[SessionRow]:
    with store.reading() as session:
        return [
            SessionRow(s.id, s.room_id, s.title, s.starts_at, s.ends_at, s.hours, s.prereg_required)
            for s in session.scalars(
                select(ConferenceSession).order_by(ConferenceSession.starts_at, ConferenceSession.id)
            )
        ]


@dataclass(frozen=True)
class DoorNow:
    fill: Fill
    session_title: str | None  # the session a person arriving now comes for
    arrivals: int  # entries in the last ``window``
    later_here: list[SessionFacts]  # the room's schedule, read only between sessions


def door_now(store: Store, door: Door, now: datetime, window: timedelta) -> DoorNow:
    with store.writing() as connection:  # counting folds in presence synced meanwhile
        fill = room_fill(connection, door.room_id, now)
        schedule = tracking.schedule_on(connection)
        slot = schedule.session_at(door.room_id, now)
        title = (
            connection.execute(select(ConferenceSession.title).where(ConferenceSession.id == slot.session_id)).scalar()
            if slot
            else None
        )
        arrivals = tracking.arrivals(connection, door.room_id, now - window, now)
        later_here = [] if title else load_sessions(connection, door.room_id)
    return DoorNow(fill, title, arrivals, later_here)


@dataclass(frozen=True)
class CommandPostNow:
    counts: list[tracking.RoomCount]
    warn_at: float  # read at every refresh: `checkin policy` applies at once
    sessions: list[SessionFacts]
    running: list[SessionFacts]
    intervals: list[Interval]  # only the presence that overlaps the sessions running now
    check_ins: list[datetime]
    arrived: int
    registered: int


def command_post_now(store: Store, now: datetime) -> CommandPostNow:
    with store.writing() as connection:
        counts = tracking.room_counts(connection, now)
        plan, policy = tracking.config_on(connection)  # "now" as the doors read it: early-open margin included
        warn_at = policy.warn_at
        schedule = load_sessions(connection)
        running = [s for s in schedule if (slot := plan.session_at(s.room_id, now)) and slot.session_id == s.id]
        # Only the presence that overlaps the sessions running now: the whole week's would stall the screen.
        window = (min((s.starts_at for s in running), default=now), now)
        intervals = load_intervals(connection, overlapping=window) if running else []
        check_ins = [row[0] for row in connection.execute(select(AttendeeState.checked_in_at))]
    with store.reading() as session:
        arrived, registered = checked_in_count(session)
    return CommandPostNow(counts, warn_at, schedule, running, intervals, check_ins, arrived, registered)
