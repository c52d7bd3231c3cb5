"""Whether a check-in may be undone: only a mistake just made, by the station that made it.

A desk that checked in the wrong person (the top row of a list, a neighbour's badge) undoes it at once, with a
reason; older check-ins, and another station's, are corrected by staff who can see both sides, not by Ctrl+Z.
"""

from __future__ import annotations

from datetime import datetime, timedelta

UNDO_WINDOW = timedelta(minutes=5)


def why_not_undo(
    checked_in_at: datetime | None, checked_in_by: str | None, this_station: str, now: datetime, reason: str
) -> str | None:
    """Why this station may not undo the attendee's check-in, in words; None when it may."""
    if checked_in_at is None or checked_in_by is None:
        return "is not checked in, so there is nothing to undo"
    if checked_in_by != this_station:
        return "was checked in at another station; only that station can undo it"
    if now - checked_in_at > UNDO_WINDOW:
        minutes = int(UNDO_WINDOW.total_seconds() // 60)
        return f"was checked in more than {minutes} minutes ago; a check-in can be undone only right after it"
    if not reason.strip():
        return "needs a reason for the undo (e.g. 'wrong person selected')"
    return None
