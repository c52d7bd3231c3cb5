"""Self-service kiosk: an attendee scans the code from their confirmation email and their badge prints.

A kiosk stands unattended, so it answers attendees, not staff: plain words, no names but their own, and
everything it cannot do (a payment due, a lost badge, a cancelled registration) goes to the registration
desk. It takes only codes that are secret: a signed badge, or the registration system's ticket code
from the confirmation email. A registration number alone (R100042) is printed on lists and easy to
guess, so it would let anyone print somebody else's badge; the desk takes those.
"""

from __future__ import annotations

from datetime import datetime

from checkin import keys, scanning
from checkin.domain import Verdict
from checkin.rules.kiosk import KioskAnswer, answer, decide_kiosk
from checkin.store import Store


def kiosk_scan(
    store: Store, text: str, now: datetime, recent: scanning.RecentScans | None = None
) -> tuple[Verdict, KioskAnswer]:
    """Check the scan in as the desk would (committed before this returns), and say what to tell the attendee."""
    presented = scanning.read(text, keys.store_keyring(store))
    verdict = scanning.scan(store, presented, now, recent, where="kiosk", decide=decide_kiosk)
    return verdict, answer(verdict, badge=presented.badge is not None)  # a badge scanned: nothing to print
