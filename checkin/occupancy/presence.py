"""Who was in which room when: presence intervals from one attendee's door scans. Pure functions, no database.

Each attendee's intervals depend only on their own door events (in id order, which is the order of the
stations' clocks) and the schedule, so a new or late-arriving event is folded in by recomputing just that
attendee, and a full rebuild is the same computation for everyone.

Rules:
- entering the room you are in changes nothing (a repeated scan never counts twice);
- entering another room ends presence in the previous one (an inferred exit);
- an exit ends presence in that room; an exit from a room you are not in changes nothing;
- presence ends by itself when the session it started in ends (``Schedule.closes_at``), unless the room's
  next session follows back to back and the policy keeps people through it;
- presence begun outside any session (a speaker ready room, an exhibit hall) ends at the end of the conference
  day (the policy's hour, in the conference's time zone), so nobody "stays" in a room overnight and on the next
  morning's evacuation roster.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, time, timedelta, tzinfo
from typing import Any, NamedTuple

ENTERED = "entered"
EXITED = "exited"


class DoorEvent(NamedTuple):
    id: str
    kind: str  # ENTERED or EXITED
    attendee_id: str
    room_id: str
    at: datetime
    door: str = ""


class Interval(NamedTuple):
    attendee_id: str
    room_id: str
    door: str
    start: datetime
    start_event: str
    end: datetime | None  # when an exit (or entering elsewhere) ended it
    auto_end: datetime | None  # when the session it started in ends it by itself

    def ends(self) -> datetime | None:
        if self.end is None:
            return self.auto_end
        return self.end if self.auto_end is None else min(self.end, self.auto_end)

    def present_at(self, moment: datetime) -> bool:
        ends = self.ends()
        return self.start <= moment and (ends is None or moment < ends)

    def minutes_within(self, start: datetime, end: datetime, now: datetime) -> float:
        ends = self.ends() or now
        overlap = min(ends, end, now) - max(self.start, start)
        return max(0.0, overlap.total_seconds() / 60)


@dataclass(frozen=True)
class Slot:
    session_id: str
    room_id: str
    starts_at: datetime
    ends_at: datetime


@dataclass
class Schedule:
    """The sessions per room, and the policy that closes presence when they end."""

    slots: Sequence[Slot]
    early: timedelta = timedelta(minutes=30)  # arriving this early counts for the coming session
    keep_back_to_back: bool = False  # people stay counted through a session that follows within ``gap``
    gap: timedelta = timedelta(minutes=15)
    zone: tzinfo = UTC  # the conference's: where its days end
    day_ends: time = time(22, 0)  # presence begun outside a session ends at the next such time of day
    _by_room: dict[str, list[Slot]] = field(default_factory=dict, init=False, repr=False)
    _arrivals: dict[str, list[datetime]] = field(default_factory=dict, init=False, repr=False)
    _closing: dict[str, list[datetime]] = field(default_factory=dict, init=False, repr=False)

    def __post_init__(self) -> None:
        for slot in sorted(self.slots, key=lambda s: s.starts_at):
            self._by_room.setdefault(slot.room_id, []).append(slot)
        # Precomputed per slot: when arrivals start counting for it, and when presence begun in it ends.
        self._arrivals = {room: [s.starts_at - self.early for s in slots] for room, slots in self._by_room.items()}
        self._closing = {room: [self._closing_of(slots, s) for s in slots] for room, slots in self._by_room.items()}

    def _closing_of(self, slots: list[Slot], slot: Slot) -> datetime:
        end = slot.ends_at
        if self.keep_back_to_back:
            for following in slots:
                if end <= following.starts_at <= end + self.gap:
                    end = following.ends_at
        return end

    def _slot_index(self, room_id: str, moment: datetime) -> int | None:
        slots = self._by_room.get(room_id)
        if not slots:
            return None
        index = bisect_right(self._arrivals[room_id], moment) - 1
        # Arrival windows can overlap (arriving early for the next while the last runs): the later one wins.
        if index >= 0 and moment < slots[index].ends_at:
            return index
        if index >= 1 and moment < slots[index - 1].ends_at:
            return index - 1
        return None

    def session_at(self, room_id: str, moment: datetime) -> Slot | None:
        """The session a person arriving at ``moment`` comes for: running now, or starting within ``early``."""
        index = self._slot_index(room_id, moment)
        return None if index is None else self._by_room[room_id][index]

    def closes_at(self, room_id: str, moment: datetime) -> datetime:
        """When presence begun at ``moment`` ends by itself: when its session ends, or, in a room used outside
        the schedule, at the end of the conference day."""
        index = self._slot_index(room_id, moment)
        return self._end_of_day(moment) if index is None else self._closing[room_id][index]

    def _end_of_day(self, moment: datetime) -> datetime:
        local = moment.astimezone(self.zone)
        end = datetime.combine(local.date(), self.day_ends, tzinfo=self.zone)
        if end <= local:
            end = datetime.combine(local.date() + timedelta(days=1), self.day_ends, tzinfo=self.zone)
        return end.astimezone(UTC)

    def ends_in(self, room_id: str) -> list[datetime]:
        return [slot.ends_at for slot in self._by_room.get(room_id, [])]


def intervals_from(
    events: Iterable[Sequence[Any]],
    schedule: Schedule,
    carried: Interval | None = None,
    moment: Callable[[Any], datetime] = lambda at: at,
) -> list[Interval]:
    """Presence intervals from door events sorted by attendee, then id: ``DoorEvent``s, or rows in their
    field order whose time ``moment`` turns into an aware datetime. ``carried`` is the attendee's interval
    still open before these events (a live scan folds into it); it comes back, ended or not, with the rest.

    One flat loop over plain tuples: a full rebuild runs it for 250,000 events, and a call per event
    (let alone an object) would cost more than everything else the rebuild does.
    """
    done: list[Interval] = []
    add = done.append
    closes_at = schedule.closes_at
    who: Any = None  # Any: the loop takes plain tuples as they come, checked by the rules above, not per field
    room: Any = None  # the open interval, if any: room, door, start, start_event, auto_end
    door = start_event = ""
    start: Any = None
    auto: Any = None
    if carried is not None:
        who, room, door, start, start_event, auto = (
            carried.attendee_id,
            carried.room_id,
            carried.door,
            carried.start,
            carried.start_event,
            carried.auto_end,
        )
    for event_id, kind, attendee_id, room_id, at, event_door in events:
        at = moment(at)
        if attendee_id != who:
            if room is not None:
                add(Interval(who, room, door, start, start_event, None, auto))
            who, room = attendee_id, None
        if room is not None and not (start <= at and (auto is None or at < auto)):
            add(Interval(who, room, door, start, start_event, None, auto))  # the session ended it by itself
            room = None
        if kind == ENTERED:
            if room == room_id:
                continue  # already inside: a second scan changes nothing
            if room is not None:
                add(Interval(who, room, door, start, start_event, at, auto))  # entering elsewhere ends it
            room, door, start, start_event, auto = room_id, event_door, at, event_id, closes_at(room_id, at)
        elif room == room_id:  # an exit from the room they are in (from any other room changes nothing)
            add(Interval(who, room, door, start, start_event, at, auto))
            room = None
    if room is not None:
        add(Interval(who, room, door, start, start_event, None, auto))
    return done


def intervals_for(events: Iterable[DoorEvent], schedule: Schedule) -> list[Interval]:
    """One attendee's presence intervals from their door events, in any order."""
    ordered: list[DoorEvent] = sorted(events, key=lambda e: e.id)
    return intervals_from(ordered, schedule)


@dataclass(frozen=True)
class Adjustment:
    id: str
    room_id: str
    at: datetime
    delta: int


def manual_count(adjustments: Iterable[Adjustment], session_ends: Sequence[datetime], now: datetime) -> int:
    """People counted by hand (no badge) in one room: never below zero, back to zero when a session ends."""
    ends = sorted(end for end in session_ends if end <= now)
    count, epoch = 0, -1  # epoch: the last session end already applied
    for adjustment in sorted(adjustments, key=lambda a: a.id):
        if adjustment.at > now:
            continue
        index = bisect_right(ends, adjustment.at) - 1
        if index > epoch:
            count, epoch = 0, index
        count = max(0, count + adjustment.delta)
    return 0 if bisect_right(ends, now) - 1 > epoch else count
