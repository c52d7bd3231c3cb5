"""What a scan presented, and the answer to it: a badge that does not verify, one from another conference, a
replaced one, a code nobody has, or the check-in decision for the person it names."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, tzinfo
from enum import StrEnum

from checkin import codes
from checkin.domain import AttendeeView, Tone, Verdict, VerdictCode
from checkin.rules.check_in import decide_check_in


class Matched(StrEnum):
    """Which symbol named the attendee: stations differ in which they take, never in how a code is read."""

    BADGE = "badge"  # the signed QR
    BADGE_NUMBER = "badge_number"  # a badge's Code 128: registration id and badge revision
    TICKET_CODE = "ticket_code"  # the registration system's code from the confirmation email
    REGISTRATION_ID = "registration_id"  # a bare registration id: printed on lists, so only staff act on it


@dataclass(frozen=True)
class Presented:
    """What a scan put in front of the station: the text, cleaned, what checking it as a badge found, and
    (after the lookup) which symbol it matched and the badge revision it carries."""

    raw: str
    text: str
    checked: codes.Checked
    matched: Matched | None = None
    printed_revision: int | None = None

    @property
    def badge(self) -> codes.BadgeCode | None:
        return self.checked.badge


# Worded for the desk, which can look the person up and reprint; a door sends them to the desk (rules/door.py).
REFUSALS = {
    codes.Check.FORGED: (
        VerdictCode.FORGED,
        "This badge does not verify: forged, altered or damaged. Check photo ID, then find the person by name "
        "and reprint their badge.",
    ),
    codes.Check.WRONG_CONFERENCE: (VerdictCode.WRONG_CONFERENCE, "This badge is from another conference."),
    codes.Check.UNKNOWN_KEY: (
        VerdictCode.UNKNOWN_KEY,
        "This badge was signed with a key this station does not have yet. Sync or import the public keys; "
        "meanwhile find the person by name.",
    ),
    codes.Check.REVOKED_KEY: (
        VerdictCode.REVOKED_KEY,
        "This badge was signed with a withdrawn key. Find the person by name and reprint their badge.",
    ),
}


def decide_scan(presented: Presented, attendee: AttendeeView | None, zone: tzinfo, now: datetime) -> Verdict:
    """The answer to a scan at a desk (a door and a kiosk start from it); records nothing."""
    if not presented.text:
        return Verdict(VerdictCode.UNREADABLE, Tone.BAD, "Nothing readable was scanned. Scan again.")
    refusal = REFUSALS.get(presented.checked.check)
    if refusal is not None:
        return Verdict(refusal[0], Tone.BAD, refusal[1], attendee)
    if attendee is None:
        return Verdict(VerdictCode.UNKNOWN, Tone.BAD, "No registration matches this code. Search by name instead.")
    if presented.printed_revision is not None and presented.printed_revision < attendee.badge_revision:
        return Verdict(
            VerdictCode.REPLACED_BADGE,
            Tone.BAD,
            "Replaced badge: this one was reprinted and is void. Ask for the new badge or check photo ID.",
            attendee,
        )
    return decide_check_in(attendee, zone, now)
