"""Hand-outs a conference sets up itself: the coin, the bag, a certificate, and which registration types get each.

The items live with the conference's reference data, so the hub sends them to every station (`checkin hub init`
again after a change). An item already handed to someone cannot be removed: the record of who got it stays.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from checkin.conference import entitlements, set_entitlements
from checkin.domain import Entitlement, RegistrationType
from checkin.store.models import EntitlementGiven
from checkin.text import counted

_CODE = re.compile(r"^[a-z0-9][a-z0-9-]{0,39}$")


class HandoutProblem(ValueError):
    """An item that cannot be added or removed as asked, in words."""


def add_handout(session: Session, code: str, name: str, for_types: Sequence[str] = ()) -> Entitlement:
    """Add the item ``code`` (or change its name and who gets it); no types: everyone who came gets it."""
    code = code.strip().lower()
    if not _CODE.match(code):
        raise HandoutProblem(f"'{code}' cannot be an item's code: a short word such as coin, bag or lunch-tue")
    if not name.strip() or len(name.strip()) > 100:
        raise HandoutProblem("an item needs a name people read (at most 100 characters), such as 'Conference coin'")
    known = {t.value.casefold(): t.value for t in RegistrationType}
    unknown = [t for t in for_types if t.strip().casefold() not in known]
    if unknown:
        raise HandoutProblem(
            f"no registration type called {', '.join(repr(t) for t in unknown)}; types: "
            + ", ".join(t.value for t in RegistrationType)
        )
    item = Entitlement(code, name.strip(), tuple(dict.fromkeys(known[t.strip().casefold()] for t in for_types)))
    items = entitlements(session)
    at = next((n for n, e in enumerate(items) if e.code == code), len(items))
    set_entitlements(session, [*items[:at], item, *items[at + 1 :]])
    return item


def remove_handout(session: Session, code: str) -> None:
    items = entitlements(session)
    if not any(e.code == code for e in items):
        raise HandoutProblem(f"no hand-out with the code '{code}'")
    given = session.scalar(select(func.count()).where(EntitlementGiven.entitlement == code)) or 0
    if given:
        raise HandoutProblem(
            f"'{code}' was already handed to {counted(given, 'person', 'people')}: it stays, so that record does too"
        )
    set_entitlements(session, [e for e in items if e.code != code])
