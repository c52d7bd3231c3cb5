"""Type-ahead search over attendees: every typed word must begin a word of the attendee's record."""

from __future__ import annotations

import re

from sqlalchemy import ColumnElement, and_, exists, func, select
from sqlalchemy.orm import Session, aliased

from checkin.attendees import attendee_view_query, to_view
from checkin.domain import AttendeeView
from checkin.store.models import Attendee, SearchToken
from checkin.text import fold, prefix_upper_bound, words


def search(session: Session, query: str, limit: int = 50) -> list[AttendeeView]:
    """Attendees matching ``query`` (name, organization, email, registration id or ticket code).

    "mull" finds Müller, "o'br" finds O'Brien, "smi jo" finds John Smith; an exact ticket code or
    registration id matches too. People whose surname begins with what was typed come first, by name: a
    volunteer who types "smi" wants the Smiths, not Sandra Miller of smiller@… Then everyone else, ordered
    by the word that matched, then by last and first name: "mull" lists every Müller before the Mullins.
    """
    typed = list(dict.fromkeys(words(query)))
    if not typed:
        return []
    surnamed = _surname_first(session, query, limit)
    ids = list(dict.fromkeys(surnamed + _by_matched_word(session, typed, limit + len(surnamed))))[:limit]
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


def _by_matched_word(session: Session, typed: list[str], limit: int) -> list[str]:
    # The longest word drives a range over the covering (token, sort_key, attendee_id) index, read in
    # index order so LIMIT stops early; sorting by name alone would sort every match (30k rows for "s").
    driver = max(typed, key=len)
    ranked = select(SearchToken.attendee_id).where(_prefix(driver))
    for other in typed:
        if other != driver:
            also = aliased(SearchToken)
            ranked = ranked.where(exists().where(also.attendee_id == SearchToken.attendee_id, _prefix(other, also)))
    ranked = ranked.order_by(SearchToken.token, SearchToken.sort_key, SearchToken.attendee_id)
    window = limit * 4
    while True:  # an attendee may own several matching tokens: widen until `limit` people or no more rows
        hits = session.scalars(ranked.limit(window)).all()
        ids = list(dict.fromkeys(hits))
        if len(ids) >= limit or len(hits) < window:
            break
        window *= 8
    return ids[:limit]


def count_matches(session: Session, query: str) -> int:
    typed = list(dict.fromkeys(words(query)))
    if not typed:
        return 0
    matching = select(SearchToken.attendee_id).where(_prefix(typed[0]))
    for other in typed[1:]:
        matching = matching.where(SearchToken.attendee_id.in_(select(SearchToken.attendee_id).where(_prefix(other))))
    return session.scalar(select(func.count()).select_from(matching.distinct().subquery())) or 0


def _prefix(word: str, table: type[SearchToken] = SearchToken) -> ColumnElement[bool]:
    return and_(table.token >= word, table.token < prefix_upper_bound(word))
