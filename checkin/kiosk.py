"""Self-service kiosk: an attendee scans the code from their confirmation email and their badge prints.

A kiosk stands unattended, so it answers attendees, not staff: plain words, no names but their own, and
everything it cannot do (a payment due, a lost badge, a cancelled registration) goes to the registration
desk. It takes only codes that are secret: a signed badge, or the registration system's ticket code
from the confirmation email. A registration number alone (R100042) is printed on lists and easy to
guess, so it would let anyone print somebody else's badge; the desk takes those.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select

from checkin import codes, keys, scanning
from checkin.domain import Tone, Verdict, VerdictCode
from checkin.store import Store
from checkin.store.models import Attendee

DESK = "Please see the registration desk."


@dataclass(frozen=True)
class KioskAnswer:
    tone: Tone
    headline: str
    detail: str
    print_for: str | None = None  # the attendee whose badge to print now


def kiosk_scan(
    store: Store, text: str, now: datetime, recent: scanning.RecentScans | None = None
) -> tuple[Verdict, KioskAnswer]:
    """Check the scan in as the desk would (committed before this returns), and say what to tell the attendee."""
    presented = scanning.read(text, keys.store_keyring(store))
    if presented.checked.check is codes.Check.NOT_A_BADGE and presented.text and not _is_ticket_code(store, presented):
        refused = Verdict(
            VerdictCode.UNKNOWN, Tone.BAD, "Not a badge or ticket code (a kiosk takes no registration numbers)."
        )
        with store.writing() as connection:
            scanning.record_refusal(connection, store.station, presented.raw, refused, now, "kiosk")
        return refused, answer(refused, badge=False)
    verdict = scanning.scan(store, text, now, recent, where="kiosk")
    return verdict, answer(verdict, badge=presented.badge is not None)


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


def not_printed_here(answer: KioskAnswer) -> KioskAnswer:
    """A fresh check-in whose badge this kiosk cannot make (no signing key): it stands, the desk prints."""
    return KioskAnswer(Tone.WARN, answer.headline, f"You are checked in, but your badge cannot be printed here. {DESK}")


DID_NOT_PRINT = KioskAnswer(Tone.BAD, "Your badge did not print.", DESK)
# After a failed print the kiosk checks nobody else in until staff reopen it: each would only be sent on to
# the desk for a badge, and the desk could not tell them from people whose badge did print.
OUT_OF_ORDER = KioskAnswer(Tone.BAD, "This kiosk cannot print badges right now.", DESK)
SCAN_AGAIN = KioskAnswer(Tone.WARN, "Please scan your badge again.", "Hold the code steady under the scanner.")


def _is_ticket_code(store: Store, presented: scanning.Presented) -> bool:
    candidates = sorted({presented.raw, presented.text, presented.text.lower()})
    with store.reading() as session:
        return session.scalar(select(Attendee.id).where(Attendee.ticket_code.in_(candidates)).limit(1)) is not None
