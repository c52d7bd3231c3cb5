"""Who was in which room when: presence intervals from one attendee's door scans. Pure functions, no database.

Each attendee's intervals depend only on their own door events (in id order, which is the order of the
stations' clocks) and the schedule, so a new or late-arriving event is folded in by recomputing just that
attendee, and a full rebuild is the same computation for everyone.

Rules:
- entering the room you are in changes nothing (a repeated scan never counts twice);
- entering another room ends presence in the previous one (an inferred exit);
- an exit ends presence in that room; an exit from a room you are not in changes nothing;
- presence ends by itself when the session it started in ends (``Schedule.closes_at``), unless the room's
  next session follows back to back and the policy keeps people through it.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import NamedTuple

ENTERED = "entered"
EXITED = "exited"


class DoorEvent(NamedTuple):  # NamedTuples: a rebuild makes 250,000 of these, 5x faster than frozen dataclasses
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
    _by_room: dict[str, list[Slot]] = field(default_factory=dict, init=False, repr=False)
    _starts: dict[str, list[datetime]] = field(default_factory=dict, init=False, repr=False)

    def __post_init__(self) -> None:
        for slot in sorted(self.slots, key=lambda s: s.starts_at):
            self._by_room.setdefault(slot.room_id, []).append(slot)
        self._starts = {room: [s.starts_at for s in slots] for room, slots in self._by_room.items()}

    def session_at(self, room_id: str, moment: datetime) -> Slot | None:
        """The session a person arriving at ``moment`` comes for: running now, or starting within ``early``."""
        slots = self._by_room.get(room_id)
        if not slots:
            return None
        index = bisect_right(self._starts[room_id], moment + self.early) - 1
        # Arrival windows can overlap (arriving early for the next while the last runs): the later one wins.
        for candidate in (index, index - 1):
            if candidate >= 0 and moment < slots[candidate].ends_at:
                return slots[candidate]
        return None

    def closes_at(self, room_id: str, moment: datetime) -> datetime | None:
        slot = self.session_at(room_id, moment)
        if slot is None:
            return None  # the room is used outside the schedule: presence lasts until an exit
        end = slot.ends_at
        if self.keep_back_to_back:
            for following in self._by_room[room_id]:
                if end <= following.starts_at <= end + self.gap:
                    end = following.ends_at
        return end

    def ends_in(self, room_id: str) -> list[datetime]:
        return [slot.ends_at for slot in self._by_room.get(room_id, [])]


def step(current: Interval | None, event: DoorEvent, schedule: Schedule) -> tuple[list[Interval], Interval | None]:
    """Apply one door event to the attendee's open interval: the intervals it finished, and the open one after."""
    finished: list[Interval] = []
    if current is not None and not current.present_at(event.at):
        finished.append(current)  # the session it started in ended it by itself
        current = None
    if event.kind == ENTERED:
        if current is not None and current.room_id == event.room_id:
            return finished, current  # already inside: a second scan changes nothing
        if current is not None:
            finished.append(_ended(current, event.at))  # entering elsewhere ends presence here
        current = Interval(event.attendee_id, event.room_id, event.door, event.at, event.id, None,
                           schedule.closes_at(event.room_id, event.at))
    elif event.kind == EXITED and current is not None and current.room_id == event.room_id:
        finished.append(_ended(current, event.at))
        current = None
    return finished, current


def intervals_for(events: Iterable[DoorEvent], schedule: Schedule) -> list[Interval]:
    """One attendee's presence intervals from their door events (any order; they are sorted by id)."""
    done: list[Interval] = []
    current: Interval | None = None
    for event in sorted(events, key=lambda e: e.id):
        finished, current = step(current, event, schedule)
        done.extend(finished)
    if current is not None:
        done.append(current)
    return done


def _ended(interval: Interval, at: datetime) -> Interval:
    return Interval(interval.attendee_id, interval.room_id, interval.door, interval.start, interval.start_event,
                    at, interval.auto_end)


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
