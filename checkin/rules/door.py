"""A session-room door's answer to a scan: welcome, goodbye, already inside, room full, not registered, not
checked in, or a registration number that alone opens no door; and which of those staff may overrule."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime, tzinfo
from enum import StrEnum

from checkin.domain import AttendeeView, Status, Tone, Verdict, VerdictCode
from checkin.rules.capacity import Fill, fill_tone
from checkin.rules.scan import Matched, Presented, decide_scan


class Mode(StrEnum):
    ENTRY = "entry"
    EXIT = "exit"


class NotCheckedIn(StrEnum):
    ADMIT = "admit"  # check them in at the door and let them in
    DESK = "desk"  # send them to the registration desk first


SENT_TO_DESK = {
    VerdictCode.UNKNOWN: "No registration matches this code. Send the person to the registration desk.",
    VerdictCode.FORGED: "This badge does not verify: forged, altered or damaged. Check photo ID and send the person "
    "to the registration desk.",
    VerdictCode.UNKNOWN_KEY: "This badge was signed with a key this door does not have yet (sync, or import the "
    "public keys). Send the person to the registration desk.",
    VerdictCode.REVOKED_KEY: "This badge was signed with a withdrawn key. Send the person to the registration desk "
    "for a new one.",
}

# Refusals door staff may overrule with a reason (F8, `checkin door --override`); the reason is recorded.
OVERRIDABLE = (VerdictCode.ROOM_FULL, VerdictCode.NOT_REGISTERED, VerdictCode.NOT_CHECKED_IN, VerdictCode.NUMBER_ONLY)


@dataclass(frozen=True)
class Door:
    """Which door this station is. The room's capacity and the warning level are not kept here: they are read
    at every decision, so a change made anywhere (`checkin rooms`, `checkin policy`, the hub) applies at once."""

    room_id: str
    room_name: str
    name: str = "Main door"
    mode: Mode = Mode.ENTRY
    not_checked_in: NotCheckedIn = NotCheckedIn.ADMIT


@dataclass(frozen=True)
class RoomNow:
    """What the door needs to know about its room at the moment of a scan."""

    count: int
    capacity: int
    warn_at: float
    session_id: str | None = None
    session_title: str = ""
    prereg_required: bool = False
    registered: bool = True  # the attendee is on the session's list (or none is needed)
    inside: str | None = None  # the room the attendee is in now


def decide_door(
    presented: Presented, attendee: AttendeeView | None, door: Door, room: RoomNow, zone: tzinfo, now: datetime
) -> Verdict:
    """The door's answer; records nothing."""
    verdict = decide_scan(presented, attendee, zone, now)
    if verdict.code in SENT_TO_DESK:  # a door has no search box and prints nothing: the desk does both
        return replace(verdict, message=SENT_TO_DESK[verdict.code])
    if attendee is None or verdict.code not in (
        VerdictCode.ACCEPTED,
        VerdictCode.ALREADY_CHECKED_IN,
        VerdictCode.UNPAID,
    ):
        return verdict  # unreadable, forged, replaced, cancelled, unknown...
    name = attendee.full_name
    if door.mode is Mode.ENTRY and presented.matched is Matched.REGISTRATION_ID:
        return Verdict(
            VerdictCode.NUMBER_ONLY,
            Tone.BAD,
            f"{name}: a registration number alone does not open the door (it is on every list, and a replaced "
            "badge still carries it). Check photo ID; staff may let them in with a reason (F8).",
            attendee,
        )
    if door.mode is Mode.EXIT:
        if room.inside == door.room_id:
            return Verdict(
                VerdictCode.EXITED, Tone.GOOD, f"Goodbye, {name}. {count_words(room.count - 1, room)}", attendee
            )
        return Verdict(VerdictCode.NOT_INSIDE, Tone.WARN, f"{name} was not scanned in here; exit recorded.", attendee)
    if attendee.status is Status.UNPAID:
        return verdict
    if room.inside == door.room_id:
        return Verdict(
            VerdictCode.ALREADY_INSIDE,
            Tone.WARN,
            f"{name} is already inside. {count_words(room.count, room)}",
            attendee,
        )
    if room.prereg_required and not room.registered:
        return Verdict(
            VerdictCode.NOT_REGISTERED,
            Tone.BAD,
            f"{name} is not registered for {room.session_title}. Staff may override with a reason.",
            attendee,
        )
    if room.count >= room.capacity:
        return Verdict(
            VerdictCode.ROOM_FULL,
            Tone.BAD,
            f"Room full ({room.count}/{room.capacity}). Hold the door; staff may override with a reason.",
            attendee,
        )
    if not attendee.checked_in and door.not_checked_in is NotCheckedIn.DESK:
        return Verdict(
            VerdictCode.NOT_CHECKED_IN,
            Tone.BAD,
            f"{name} has not checked in yet: please go to the registration desk first.",
            attendee,
        )
    after = room.count + 1
    tone = Tone.GOOD if fill_tone(after, room.capacity, room.warn_at) is Tone.GOOD else Tone.WARN
    return Verdict(VerdictCode.ACCEPTED, tone, f"Welcome, {name}! {count_words(after, room)}", attendee)


def count_words(count: int, room: RoomNow) -> str:
    """ "12 of 40 in the room", with the share when it matters."""
    return Fill(count, room.capacity, room.warn_at).words()
