"""Identifiers made on the station: UUIDv7 (RFC 9562), so ids sort by creation time across stations.

Written out here rather than taken from a library: the one we used loaded importlib.metadata at import, a
twentieth of a second of every `checkin` command's start, for four lines of arithmetic.
"""

import os
import time
import uuid


def uuid7(milliseconds: int, rand_a: int) -> str:
    """A UUIDv7 for ``milliseconds`` since 1970; ``rand_a`` fills its 12 bits after the version (random, or
    the station clock's counter), the last 62 bits are random."""
    random_bits = int.from_bytes(os.urandom(8)) & ((1 << 62) - 1)
    value = (milliseconds << 80) | (0x7 << 76) | (rand_a << 64) | (0b10 << 62) | random_bits
    return str(uuid.UUID(int=value))


def new_id() -> str:
    return uuid7(time.time_ns() // 1_000_000, int.from_bytes(os.urandom(2)) & 0xFFF)
