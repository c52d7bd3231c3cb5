"""Type-ahead search over attendees: every typed word must begin a word of the attendee's record."""

from __future__ import annotations

import re

from sqlalchemy import and_, select
from sqlalchemy.orm import Session

from checkin.attendees import attendee_view_query, to_view
from checkin.domain import AttendeeView
from checkin.store import search_index
from checkin.store.models import Attendee
from checkin.text import fold, prefix_upper_bound, words


def search(session: Session, query: str, limit: int = 50) -> list[AttendeeView]:
    """Attendees matching ``query`` (name, organization, email, registration id or ticket code).

    "mull" finds Müller, "o'br" finds O'Brien, "smi jo" finds John Smith; an exact ticket code or
    registration id matches too. People whose surname begins with what was typed come first, by name: a
    volunteer who types "smi" wants the Smiths, not Sandra Miller of smiller@… Then everyone else, by last and
    first name.
    """
    typed = list(dict.fromkeys(words(query)))
    if not typed:
        return []
    surnamed = _surname_first(session, query, limit)
    others = search_index.matching(session.connection(), typed, limit + len(surnamed)) if len(surnamed) < limit else []
    ids = list(dict.fromkeys(surnamed + others))[:limit]
    if not ids:
        return []
    views = {row.id: to_view(row) for row in session.execute(attendee_view_query().where(Attendee.id.in_(ids)))}
    return [views[i] for i in ids if i in views]


_EDGES = re.compile(r"^[^a-z0-9]+|[^a-z0-9]+$")


def _surname_first(session: Session, query: str, limit: int) -> list[str]:
    """Attendees whose folded surname begins with what was typed ("smi", "o'br", "van d"), by name: one range
    of the attendee sort key (surname first), read in index order so LIMIT stops early."""
    typed = _EDGES.sub("", " ".join(fold(query).split()))  # "smi," and "m%" start "smi" and "m"
    if not typed:
        return []
    starts = and_(Attendee.sort_key >= typed, Attendee.sort_key < prefix_upper_bound(typed))
    return list(session.scalars(select(Attendee.id).where(starts).order_by(Attendee.sort_key).limit(limit)))


def count_matches(session: Session, query: str) -> int:
    typed = list(dict.fromkeys(words(query)))
    return search_index.count(session.connection(), typed) if typed else 0
