"""Per-session attendance and the training hours it earns, from presence intervals.

An attendee attended a session for the minutes their presence in its room overlaps the session. The hours
rule (default: present for at least 75% of the session) decides whether the session's hours are earned.
"""

from __future__ import annotations

from bisect import bisect_left
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, tzinfo
from typing import Any, NamedTuple

from sqlalchemy import Connection, String, or_, select, type_coerce

from checkin.occupancy.policy import load_policy
from checkin.occupancy.presence import Interval
from checkin.occupancy.tracking import paused_gc, stored_moment
from checkin.rules.local_time import local_moment
from checkin.store.models import ConferenceSession, PresenceInterval, Room, SessionRegistration


@dataclass(frozen=True)
class HoursRule:
    share: float = 0.75  # of the session's length, present at least this much to earn its hours


@dataclass(frozen=True)
class SessionFacts:
    id: str
    title: str
    room_id: str
    room: str
    starts_at: datetime
    ends_at: datetime
    hours: float
    prereg_required: bool

    @property
    def minutes(self) -> float:
        return (self.ends_at - self.starts_at).total_seconds() / 60


class Attended(NamedTuple):  # a conference has tens of thousands: a frozen dataclass is 5x slower to make
    session: SessionFacts
    attendee_id: str
    minutes: float
    hours: float  # earned: the session's hours, or 0


def attendance(
    intervals: Iterable[Interval], sessions: Sequence[SessionFacts], now: datetime, rule: HoursRule = HoursRule()
) -> list[Attended]:
    """Everyone who spent any time in each session's room during it, with minutes and hours earned."""
    listed: dict[str, list[tuple[datetime, datetime, str]]] = defaultdict(list)
    for session in sorted(sessions, key=lambda s: s.starts_at):
        listed[session.room_id].append((session.starts_at, session.ends_at, session.id))
    by_room = {room: (slots, [slot[0] for slot in slots]) for room, slots in listed.items()}
    seconds: dict[tuple[str, str], float] = defaultdict(float)
    # Interval.ends() and minutes_within() written out, min() and max() as comparisons: this loop runs for
    # every interval of a conference.
    for attendee_id, room_id, _door, start, _event, end, auto_end in intervals:
        room = by_room.get(room_id)
        if room is None:
            continue
        slots, starts = room
        ends = auto_end if end is None else end if auto_end is None or end < auto_end else auto_end
        if ends is None or ends > now:
            ends = now
        # Only sessions starting before the interval ends can overlap it; walk back from there until one
        # ended before it began (a room holds one session at a time, so earlier ones did too).
        index = bisect_left(starts, ends) - 1
        while index >= 0:
            starts_at, ends_at, session_id = slots[index]
            if ends_at <= start:
                break
            overlap = (
                (ends if ends < ends_at else ends_at) - (start if start > starts_at else starts_at)
            ).total_seconds()
            if overlap > 0:
                seconds[session_id, attendee_id] += overlap
            index -= 1
    needed = {session.id: (session, rule.share * session.minutes if session.minutes else None) for session in sessions}
    found = []
    for (session_id, attendee_id), spent_s in seconds.items():
        session, enough = needed[session_id]
        spent = spent_s / 60
        earned = session.hours if enough is not None and spent >= enough else 0.0
        found.append(Attended(session, attendee_id, round(spent, 1), earned))
    return found


def load_sessions(connection: Connection, room_id: str | None = None) -> list[SessionFacts]:
    """The schedule, or one room's part of it."""
    stmt = (
        select(
            ConferenceSession.id,
            ConferenceSession.title,
            ConferenceSession.room_id,
            Room.name,
            ConferenceSession.starts_at,
            ConferenceSession.ends_at,
            ConferenceSession.hours,
            ConferenceSession.prereg_required,
        )
        .join(Room, Room.id == ConferenceSession.room_id)
        .order_by(ConferenceSession.starts_at, Room.name)
    )
    if room_id is not None:
        stmt = stmt.where(ConferenceSession.room_id == room_id)
    return [SessionFacts(*row) for row in connection.execute(stmt)]


def what_is_next(sessions: Iterable[SessionFacts], now: datetime, zone: tzinfo, with_room: bool = True) -> str:
    """The first session to start after ``now``, in words ("Threat Assessment, Thu 08:00 in 201A, and 3 more
    at the same time"); empty when the schedule has nothing left."""
    coming = sorted((s for s in sessions if s.starts_at > now), key=lambda s: (s.starts_at, s.room))
    if not coming:
        return ""
    first = coming[0]
    words = f"{first.title}, {local_moment(first.starts_at, zone, now)}" + (f" in {first.room}" if with_room else "")
    together = sum(1 for s in coming if s.starts_at == first.starts_at) - 1
    return words + (f", and {together} more at the same time" if together else "")


def load_intervals(
    connection: Connection, attendee_id: str | None = None, overlapping: tuple[datetime, datetime] | None = None
) -> list[Interval]:
    """Stored presence: everyone's, one attendee's, or only the stretches overlapping a window of time."""
    # Times as text, parsed here: SQLAlchemy's per-value datetime processing triples the cost of 100,000 rows.
    columns = [
        PresenceInterval.attendee_id,
        PresenceInterval.room_id,
        PresenceInterval.door,
        type_coerce(PresenceInterval.started_at, String),
        PresenceInterval.start_event,
        type_coerce(PresenceInterval.ended_at, String),
        type_coerce(PresenceInterval.auto_end, String),
    ]
    stmt = select(*columns)
    if attendee_id is not None:
        stmt = stmt.where(PresenceInterval.attendee_id == attendee_id)
    if overlapping is not None:
        start, end = overlapping
        stmt = stmt.where(
            PresenceInterval.started_at < end,
            or_(PresenceInterval.open_until.is_(None), PresenceInterval.open_until > start),
        )
    moment = stored_moment
    rows: list[Any] = list(connection.execute(stmt))
    return [
        Interval(a, room, door, moment(start), event, moment(end) if end else None, moment(auto) if auto else None)
        for a, room, door, start, event, end, auto in rows
    ]


def all_attendance(connection: Connection, now: datetime, rule: HoursRule | None = None) -> list[Attended]:
    rule = rule or HoursRule(load_policy(connection).hours_share)
    with paused_gc():
        return attendance(load_intervals(connection), load_sessions(connection), now, rule)


def no_shows(connection: Connection, session: SessionFacts, attended: Iterable[Attended]) -> list[str]:
    """Attendee ids registered beforehand for ``session`` who never came in."""
    came = {a.attendee_id for a in attended if a.session.id == session.id}
    registered = connection.execute(
        select(SessionRegistration.attendee_id).where(SessionRegistration.session_id == session.id)
    ).scalars()
    return [attendee_id for attendee_id in registered if attendee_id not in came]
