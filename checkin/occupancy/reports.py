"""What the command post and the training boards need from the door data: the evacuation roster, per-session
attendance, per-attendee hours, room occupancy over time and the arrival curve. Plain data and CSV."""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta, tzinfo
from typing import TextIO

from sqlalchemy import Connection, select

from checkin.domain import Status
from checkin.exports import write_csv
from checkin.occupancy.attendance import Attended, load_intervals
from checkin.occupancy.presence import Interval
from checkin.store.models import Attendee, AttendeeState, Room
from checkin.text import fold

PEOPLE_PER_CROWD_MANAGER = 250  # NFPA 101: one trained crowd manager per 250 occupants


def crowd_managers(people: int) -> int:
    return -(-people // PEOPLE_PER_CROWD_MANAGER)


@dataclass(frozen=True)
class RosterLine:
    attendee_id: str
    external_id: str
    name: str
    organization: str
    registration_type: str
    room: str  # where they are (or were last seen); "" when never scanned at a door
    since: datetime | None  # entered that room at
    present: bool  # still inside now
    left_at: datetime | None
    checked_in_at: datetime | None


def roster(connection: Connection, now: datetime, room_id: str | None = None) -> list[RosterLine]:
    """Who was last seen where and when: everyone checked in (or only those last seen in ``room_id``),
    the people inside first, by room then name."""
    rooms = {r.id: r.name for r in connection.execute(select(Room.id, Room.name))}
    last: dict[str, Interval] = {}
    for interval in load_intervals(connection):
        seen = last.get(interval.attendee_id)
        if seen is None or interval.start > seen.start:
            last[interval.attendee_id] = interval
    people = connection.execute(
        select(
            Attendee.id,
            Attendee.external_id,
            Attendee.first_name,
            Attendee.last_name,
            Attendee.organization,
            Attendee.registration_type,
            AttendeeState.checked_in_at,
        )
        .outerjoin(AttendeeState, AttendeeState.attendee_id == Attendee.id)
        .where(Attendee.status != Status.CANCELLED.value)
    )
    lines = []
    by_name: dict[str, tuple[str, str]] = {}
    for person in people:
        seen_last = last.get(person.id)
        if seen_last is None and person.checked_in_at is None:
            continue  # not at the venue as far as anyone knows
        if room_id is not None and (seen_last is None or seen_last.room_id != room_id):
            continue
        present = seen_last is not None and seen_last.present_at(now)
        by_name[person.id] = (fold(person.last_name), fold(person.first_name))
        lines.append(
            RosterLine(
                person.id,
                person.external_id,
                f"{person.first_name} {person.last_name}".strip(),
                person.organization,
                person.registration_type,
                rooms.get(seen_last.room_id, "?") if seen_last else "",
                seen_last.start if seen_last else None,
                present,
                None if seen_last is None or present else seen_last.ends(),
                person.checked_in_at,
            )
        )
    # A fire marshal reads down a list by surname: by room (those inside first), then last name, then first.
    return sorted(lines, key=lambda r: (not r.present, r.room.casefold(), *by_name[r.attendee_id]))


def write_roster_csv(lines: Sequence[RosterLine], out: TextIO, zone: tzinfo) -> int:
    return write_csv(
        out,
        ["registration_id", "name", "organization", "type", "room", "inside_now", "entered", "left", "checked_in"],
        (
            [
                r.external_id,
                r.name,
                r.organization,
                r.registration_type,
                r.room or "(not seen at a door)",
                "yes" if r.present else "no",
                _local(r.since, zone),
                _local(r.left_at, zone),
                _local(r.checked_in_at, zone),
            ]
            for r in lines
        ),
    )


def write_attendance_csv(
    attended: Sequence[Attended], names: dict[str, tuple[str, str]], out: TextIO, zone: tzinfo
) -> int:
    rows = sorted(attended, key=lambda a: (a.session.starts_at, a.session.room, names.get(a.attendee_id, ("", ""))))
    return write_csv(
        out,
        ["session", "room", "starts", "ends", "registration_id", "name", "minutes", "hours_earned"],
        (
            [
                a.session.title,
                a.session.room,
                _local(a.session.starts_at, zone),
                _local(a.session.ends_at, zone),
                *names.get(a.attendee_id, ("?", "?")),
                f"{a.minutes:g}",
                f"{a.hours:g}",
            ]
            for a in rows
        ),
    )


@dataclass(frozen=True)
class HoursLine:
    attendee_id: str
    sessions: int
    hours: float


def hours_by_attendee(attended: Sequence[Attended]) -> dict[str, HoursLine]:
    sessions: dict[str, int] = defaultdict(int)
    hours: dict[str, float] = defaultdict(float)
    for item in attended:
        if item.hours > 0:
            sessions[item.attendee_id] += 1
            hours[item.attendee_id] += item.hours
    return {a: HoursLine(a, sessions[a], round(hours[a], 2)) for a in sessions}


def names_of(connection: Connection) -> dict[str, tuple[str, str]]:
    rows = connection.execute(select(Attendee.id, Attendee.external_id, Attendee.first_name, Attendee.last_name))
    return {r.id: (r.external_id, f"{r.first_name} {r.last_name}".strip()) for r in rows}


def peaks(
    intervals: Sequence[Interval], now: datetime, step: timedelta = timedelta(minutes=15)
) -> dict[str, dict[datetime, int]]:
    """For each room, the highest headcount within each ``step`` of time (badge scans only)."""
    changes: dict[str, list[tuple[datetime, int]]] = defaultdict(list)
    for interval in intervals:
        changes[interval.room_id].append((interval.start, 1))
        ends = interval.ends()
        if ends is not None and ends <= now:
            changes[interval.room_id].append((ends, -1))
    found: dict[str, dict[datetime, int]] = {}
    for room_id, moments in changes.items():
        moments.sort(key=lambda c: (c[0], c[1]))  # leaving before arriving at the same instant
        count, highest = 0, dict[datetime, int]()
        for moment, delta in moments:
            count += delta
            bucket = _bucket(moment, step)
            highest[bucket] = max(highest.get(bucket, 0), count)
        found[room_id] = highest
    return found


def arrivals(
    check_ins: Sequence[datetime], until: datetime | None = None, step: timedelta = timedelta(minutes=15)
) -> dict[datetime, int]:
    """Check-ins per ``step``, the arrival curve: every step from the first check-in's to the last one's (or
    to ``until``'s, when later), the quiet ones as 0, so that a lull and the time since the last arrival show
    as what they are rather than as the next busy quarter hour."""
    counts = Counter(_bucket(moment, step) for moment in check_ins)
    if not counts:
        return {}
    moment, last = min(counts), max(counts)
    if until is not None:
        last = max(last, _bucket(until, step))
    curve = {}
    while moment <= last:
        curve[moment] = counts.get(moment, 0)
        moment += step
    return curve


def _bucket(moment: datetime, step: timedelta) -> datetime:
    seconds = int(step.total_seconds())
    stamp = int(moment.timestamp())
    return datetime.fromtimestamp(stamp - stamp % seconds, tz=moment.tzinfo)


def _local(moment: datetime | None, zone: tzinfo) -> str:
    return "" if moment is None else moment.astimezone(zone).strftime("%Y-%m-%d %H:%M")
