"""Identifiers made on the station: UUIDv7 (RFC 9562), so ids sort by creation time across stations.

Written out here rather than taken from a library: the one we used loaded importlib.metadata at import, a
twentieth of a second of every `checkin` command's start, for a few lines of arithmetic.
"""

import os
import threading
import time
import uuid

_COUNTER_LIMIT = 1 << 12  # the 12 "rand_a" bits after the version carry a counter within one millisecond


def uuid7(milliseconds: int, rand_a: int) -> str:
    """A UUIDv7 for ``milliseconds`` since 1970; ``rand_a`` fills its 12 bits after the version (a counter),
    the last 62 bits are random."""
    random_bits = int.from_bytes(os.urandom(8)) & ((1 << 62) - 1)
    value = (milliseconds << 80) | (0x7 << 76) | (rand_a << 64) | (0b10 << 62) | random_bits
    return str(uuid.UUID(int=value))


class _Sequence:
    """Ids made in this process sort in the order they were made, within one millisecond too (RFC 9562's
    method 1: a counter in rand_a); a clock set back never makes an id sort before an earlier one."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._ms = 0
        self._counter = 0

    def next(self) -> str:
        with self._lock:
            now = time.time_ns() // 1_000_000
            if now > self._ms:
                self._ms, self._counter = now, 0
            else:
                self._counter += 1
                if self._counter == _COUNTER_LIMIT:
                    self._ms, self._counter = self._ms + 1, 0
            return uuid7(self._ms, self._counter)


_sequence = _Sequence()


def new_id() -> str:
    return _sequence.next()
