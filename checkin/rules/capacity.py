"""How full a room is, in the colours every screen uses: one rule for the door, the dashboard and the CLI.

Green below the policy's warning level (`checkin policy --warn-at`), amber from it, red at capacity. The
levels are read when a screen draws or a door decides, never kept from when a window opened.
"""

from __future__ import annotations

from dataclasses import dataclass

from checkin.domain import Tone


def fill_tone(count: int, capacity: int, warn_at: float) -> Tone:
    """The colour of `count` people in a room for `capacity`; a room with no capacity set is never full."""
    if capacity <= 0:
        return Tone.GOOD
    share = count / capacity
    if share >= 1:
        return Tone.BAD
    return Tone.WARN if share >= warn_at else Tone.GOOD


@dataclass(frozen=True)
class Fill:
    """A room's headcount against its capacity and the warning level in force."""

    count: int
    capacity: int
    warn_at: float

    @property
    def share(self) -> float:
        return self.count / self.capacity if self.capacity > 0 else 0.0

    @property
    def tone(self) -> Tone:
        return fill_tone(self.count, self.capacity, self.warn_at)

    def words(self) -> str:
        """'7 of 40 in the room (18%).'"""
        share = f" ({100 * self.share:.0f}%)" if self.capacity > 0 else ""
        return f"{max(0, self.count)} of {self.capacity} in the room{share}."
