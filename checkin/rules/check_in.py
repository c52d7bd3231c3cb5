"""Whether a person may be checked in: the one answer a desk, a door, a kiosk and the CLI give."""

from __future__ import annotations

from datetime import datetime, tzinfo

from checkin.domain import AttendeeView, Status, Tone, Verdict, VerdictCode
from checkin.rules.local_time import local_moment


def decide_check_in(attendee: AttendeeView | None, zone: tzinfo, now: datetime) -> Verdict:
    """The desk's answer for checking in ``attendee``; records nothing."""
    if attendee is None:
        return Verdict(VerdictCode.UNKNOWN, Tone.BAD, "No such registration.")
    name = attendee.full_name
    if attendee.checked_in_at is not None:
        when = local_moment(attendee.checked_in_at, zone, now)
        return Verdict(
            VerdictCode.ALREADY_CHECKED_IN,
            Tone.WARN,
            f"{name} already checked in at {when} by {attendee.checked_in_station}.",
            attendee,
        )
    if attendee.status is Status.CANCELLED:
        reason = f" ({attendee.status_reason})" if attendee.status_reason else ""
        return Verdict(VerdictCode.CANCELLED, Tone.BAD, f"{name}: registration cancelled{reason}.", attendee)
    if attendee.status is Status.UNPAID:
        return Verdict(
            VerdictCode.UNPAID,
            Tone.BAD,
            f"{name}: registration not paid. Take payment, mark it paid, then check in.",
            attendee,
        )
    return Verdict(VerdictCode.ACCEPTED, Tone.GOOD, f"Welcome, {name}! Checked in.", attendee)
