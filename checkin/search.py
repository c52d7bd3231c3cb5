"""Type-ahead search over attendees: every typed word must begin a word of the attendee's record."""

from __future__ import annotations

from sqlalchemy import Select, and_, func, select
from sqlalchemy.orm import Session

from checkin.attendees import attendee_view_query, to_view
from checkin.domain import AttendeeView
from checkin.store.models import Attendee, SearchToken
from checkin.text import prefix_upper_bound, words


def search(session: Session, query: str, limit: int = 50) -> list[AttendeeView]:
    """Attendees matching ``query`` (name, organization, email, registration id or ticket code).

    "mull" finds Müller, "o'br" finds O'Brien, "smi jo" finds John Smith; an exact ticket
    code or registration id matches too. Results are ordered by last name, first name.
    """
    typed = words(query)
    if not typed:
        return []
    ids = _matching_ids(typed)
    stmt = attendee_view_query().where(Attendee.id.in_(ids)).order_by(Attendee.sort_key).limit(limit)
    return [to_view(row) for row in session.execute(stmt)]


def count_matches(session: Session, query: str) -> int:
    typed = words(query)
    if not typed:
        return 0
    return session.scalar(select(func.count()).select_from(_matching_ids(typed).subquery())) or 0


def _matching_ids(typed: list[str]) -> Select[tuple[str]]:
    stmts = [
        select(SearchToken.attendee_id).where(
            and_(SearchToken.token >= word, SearchToken.token < prefix_upper_bound(word))
        )
        for word in dict.fromkeys(typed)
    ]
    matching = stmts[0]
    for other in stmts[1:]:
        matching = matching.where(SearchToken.attendee_id.in_(other))
    return matching.distinct()
