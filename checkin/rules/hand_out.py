"""Whether an item (the conference coin, the bag) may be handed to a person: once, only to those entitled,
only to someone who came; the same at the desk and in `checkin give`."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, tzinfo
from typing import Protocol

from checkin.domain import AttendeeView, Entitlement, Status, Tone, Verdict, VerdictCode
from checkin.rules.local_time import local_moment


class Given(Protocol):
    """An item already handed out: when, and by which station."""

    @property
    def given_at(self) -> datetime: ...

    @property
    def station(self) -> str: ...


def decide_entitlement(
    attendee: AttendeeView | None,
    entitlement: Entitlement | None,
    given: Given | None,
    zone: tzinfo,
    now: datetime,
    offered: Sequence[Entitlement] = (),
) -> Verdict:
    if attendee is None:
        return Verdict(VerdictCode.UNKNOWN, Tone.BAD, "No such registration.")
    if entitlement is None:
        items = ", ".join(f"{e.code} ({e.name})" for e in offered) or "none are set up for this conference"
        return Verdict(VerdictCode.UNKNOWN, Tone.BAD, f"No such item to hand out. Items: {items}.", attendee)
    if given is not None:
        when = local_moment(given.given_at, zone, now)
        return Verdict(
            VerdictCode.ALREADY_GIVEN,
            Tone.BAD,
            f"{entitlement.name} already given to {attendee.full_name} at {when} by {given.station}.",
            attendee,
        )
    if attendee.status is Status.CANCELLED:
        return Verdict(VerdictCode.CANCELLED, Tone.BAD, f"{attendee.full_name}: registration cancelled.", attendee)
    if attendee.status is Status.UNPAID:
        return Verdict(
            VerdictCode.UNPAID,
            Tone.BAD,
            f"{attendee.full_name}: take payment before handing out {entitlement.name.lower()}.",
            attendee,
        )
    if not entitlement.allows(attendee.registration_type):
        return Verdict(
            VerdictCode.NOT_ELIGIBLE,
            Tone.BAD,
            f"{entitlement.name} is not included for {attendee.registration_type or 'this registration'}.",
            attendee,
        )
    if not attendee.checked_in:  # a hand-out is proof of attendance: the coin only for someone who came
        return Verdict(
            VerdictCode.NOT_CHECKED_IN,
            Tone.WARN,
            f"{attendee.full_name} is not checked in yet: check them in first (Enter), then hand over "
            f"{entitlement.name.lower()}.",
            attendee,
        )
    return Verdict(VerdictCode.ACCEPTED, Tone.GOOD, f"{entitlement.name} given to {attendee.full_name}.", attendee)
