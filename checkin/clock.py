"""A station's clock: the hub's time as best this station knows it, and event ids that follow true order.

Every station orders events by id, and an id (UUIDv7) begins with its milliseconds. A laptop whose clock is an
hour slow would put its check-ins an hour early among everyone else's: after a sync its duplicate check-in would
count as the first one, and its door scans as moves made before the real ones. So:

- each sync round measures the hub's clock against this one; the station then reads the time as its own clock
  plus that offset (an offset under a second is measuring noise and is left alone);
- ids come from a hybrid logical clock: the event's time in milliseconds, but never before an id this station
  has made or seen, so an event made after seeing another always sorts after it, whatever the clocks say.

A station that has never reached the hub cannot know its offset; its events keep its own time until it syncs.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable
from datetime import UTC, datetime, timedelta

from checkin.ids import uuid7

OFFSET_SETTING = "clock.offset_s"  # the last measured offset, for every process that opens this database
NOISE_S = 1.0  # a measured offset below this is the network's jitter, not a wrong clock
SEEN_AHEAD_LIMIT = timedelta(minutes=10)  # an id seen further ahead than this is a wrong clock's: not followed
_COUNTER_LIMIT = 1 << 12  # UUIDv7's 12 "rand_a" bits carry the logical counter


def wall_clock() -> datetime:
    return datetime.now(UTC)


class StationClock:
    """The corrected time, and ids for events at a given time. Safe to share between threads."""

    def __init__(self, offset_s: float = 0.0, wall: Callable[[], datetime] = wall_clock) -> None:
        self._wall = wall
        self._offset = timedelta(0)
        self.follow_hub(offset_s)
        self._lock = threading.Lock()
        self._ms, self._counter = 0, 0

    @property
    def offset_s(self) -> float:
        """Seconds added to this station's own clock (the hub's clock minus it), 0 when within the noise."""
        return self._offset.total_seconds()

    def now(self) -> datetime:
        return self._wall() + self._offset

    def own_now(self) -> datetime:
        """The time by this station's own clock, uncorrected (what the hub's clock is measured against)."""
        return self._wall()

    def own_time(self, at: datetime) -> datetime:
        """What this station's own clock said at corrected time ``at``."""
        return at - self._offset

    def follow_hub(self, offset_s: float) -> None:
        """Use a newly measured offset (hub minus this station's clock) from now on."""
        self._offset = timedelta(seconds=offset_s if abs(offset_s) >= NOISE_S else 0.0)

    def event_id(self, at: datetime) -> str:
        """A new id for an event at ``at``: its milliseconds, or later than every id made or seen here."""
        wanted = _milliseconds(at)
        with self._lock:
            if wanted > self._ms:
                self._ms, self._counter = wanted, 0
            elif self._counter + 1 < _COUNTER_LIMIT:
                self._counter += 1
            else:
                self._ms, self._counter = self._ms + 1, 0
            return uuid7(self._ms, self._counter)

    def saw(self, event_ids: Iterable[str]) -> None:
        """Make later ids sort after ``event_ids`` (read from the log or pulled from the hub), except any so far
        ahead of the corrected time that only a wrong clock made it."""
        limit = _milliseconds(self.now() + SEEN_AHEAD_LIMIT)
        plausible = [i for i in event_ids if id_milliseconds(i) <= limit]
        if not plausible:
            return
        newest = max(plausible)  # UUIDv7 text sorts by milliseconds, then counter
        seen, counter = id_milliseconds(newest), _counter_of(newest)
        with self._lock:
            if (seen, counter) > (self._ms, self._counter):
                self._ms, self._counter = seen, counter


def id_milliseconds(event_id: str) -> int:
    """The milliseconds since 1970 at the start of a UUIDv7."""
    return int(event_id.replace("-", "")[:12], 16)


def _counter_of(event_id: str) -> int:
    return int(event_id.replace("-", "")[13:16], 16)


def _milliseconds(at: datetime) -> int:
    return int(at.timestamp() * 1000)
