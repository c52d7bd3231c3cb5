"""What a kiosk tells the attendee in front of it: plain words, no names but their own, and everything it
cannot do sent to the registration desk."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, tzinfo

from checkin.domain import AttendeeView, Tone, Verdict, VerdictCode
from checkin.rules.scan import Matched, Presented, decide_scan

DESK = "Please see the registration desk."


def decide_kiosk(presented: Presented, attendee: AttendeeView | None, zone: tzinfo, now: datetime) -> Verdict:
    """A kiosk takes only codes that are secret: a signed badge, or the ticket code from the confirmation email.
    A registration number, bare or in a badge's barcode, is printed on lists and easy to guess: it would let
    anyone print somebody else's badge (the desk takes those)."""
    if presented.matched in (Matched.REGISTRATION_ID, Matched.BADGE_NUMBER):
        return Verdict(
            VerdictCode.UNKNOWN, Tone.BAD, "Not a badge or ticket code (a kiosk takes no registration numbers)."
        )
    return decide_scan(presented, attendee, zone, now)


@dataclass(frozen=True)
class KioskAnswer:
    tone: Tone
    headline: str
    detail: str
    print_for: str | None = None  # the attendee whose badge to print now


def answer(verdict: Verdict, badge: bool) -> KioskAnswer:
    """The words for the attendee; a fresh check-in from a ticket code also prints the badge."""
    first = verdict.attendee.first_name if verdict.attendee is not None else ""
    match verdict.code:
        case VerdictCode.ACCEPTED if badge:
            return KioskAnswer(Tone.GOOD, f"Welcome, {first}!", "You are checked in. Enjoy the conference.")
        case VerdictCode.ACCEPTED:
            assert verdict.attendee is not None
            return KioskAnswer(Tone.GOOD, f"Welcome, {first}!", "Your badge is printing below.", verdict.attendee.id)
        case VerdictCode.JUST_SCANNED:
            return KioskAnswer(Tone.GOOD, "Got it.", "You are checked in.")  # a second scan of the same code
        case VerdictCode.ALREADY_CHECKED_IN:
            return KioskAnswer(Tone.WARN, f"You are already checked in, {first}.", f"Lost your badge? {DESK}")
        case VerdictCode.UNPAID:
            return KioskAnswer(Tone.BAD, "Your registration has a payment due.", DESK)
        case VerdictCode.CANCELLED:
            return KioskAnswer(Tone.BAD, "This registration is cancelled.", DESK)
        case VerdictCode.UNREADABLE:
            return KioskAnswer(Tone.WARN, "That did not scan.", "Hold the code steady under the scanner and try again.")
        case _:  # unknown, forged, replaced, another conference's, a key not here yet
            return KioskAnswer(Tone.BAD, "We could not check you in here.", DESK)


def handed_out_by_staff(answer: KioskAnswer) -> KioskAnswer:
    """A fresh check-in whose badge went to a folder, not a printer: nothing prints here, staff hand it over."""
    return KioskAnswer(answer.tone, answer.headline, "You are checked in. Staff will hand you your badge.")


def not_printed_here(answer: KioskAnswer) -> KioskAnswer:
    """A fresh check-in whose badge this kiosk cannot make (no signing key): it stands, the desk prints."""
    return KioskAnswer(Tone.WARN, answer.headline, f"You are checked in, but your badge cannot be printed here. {DESK}")


DID_NOT_PRINT = KioskAnswer(Tone.BAD, "Your badge did not print.", DESK)
# After a failed print the kiosk checks nobody else in until staff reopen it: each would only be sent on to
# the desk for a badge, and the desk could not tell them from people whose badge did print.
OUT_OF_ORDER = KioskAnswer(Tone.BAD, "This kiosk cannot print badges right now.", DESK)
SCAN_AGAIN = KioskAnswer(Tone.WARN, "Please scan your badge again.", "Hold the code steady under the scanner.")
# A registration number (a Wild Apricot export's 5 digits) or another short code: no check-in code is that short,
# and a kiosk takes only codes nobody can guess from a list.
TOO_SHORT = KioskAnswer(
    Tone.WARN,
    "That code is not a check-in code.",
    "Scan the QR code from your confirmation email or badge. The registration desk can help.",
)
