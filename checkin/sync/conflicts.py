"""What two stations can do at once while cut off from each other, and how staff settle it.

- One attendee checked in at two desks: both events are kept, the earliest counts (the projection's
  rule), and every later check-in is flagged here as a duplicate badge until someone reviews it.
- One walk-in registered twice (same email): flagged for merge; a merge is an event that cancels the
  duplicate record and carries its check-in over, so every station ends the same way.
- Two stations editing one attendee need no review: see ``projection.recompute_fields`` for the rule.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import case, func, select
from sqlalchemy.orm import Session

from checkin.attendees import attendee_view_query, get_view, to_view
from checkin.domain import AttendeeView, EventKind, Status
from checkin.events import NewEvent, record
from checkin.projection import station_label
from checkin.store import Store
from checkin.store.models import Attendee, Event


class ConflictProblem(ValueError):
    pass


@dataclass(frozen=True)
class DuplicateBadge:
    attendee: AttendeeView
    event_id: str  # the later check-in, whose badge is the duplicate
    station: str
    at: datetime
    first_station: str
    first_at: datetime


def duplicate_badges(session: Session, attendee_id: str | None = None) -> list[DuplicateBadge]:
    """Check-ins after an attendee's first one (of everyone, or of one attendee), not yet reviewed, oldest first."""
    reviewed = {
        str(p.get("event_id"))
        for p in session.scalars(select(Event.payload).where(Event.kind == EventKind.CONFLICT_REVIEWED.value))
    }
    twice = (
        select(Event.attendee_id)
        .where(Event.kind == EventKind.CHECKED_IN.value)
        .group_by(Event.attendee_id)
        .having(func.count() > 1)
    )
    if attendee_id is not None:
        twice = twice.where(Event.attendee_id == attendee_id)
    rows = session.execute(
        select(Event.id, Event.attendee_id, Event.station_id, Event.station_time, Event.payload)
        .where(Event.kind == EventKind.CHECKED_IN.value, Event.attendee_id.in_(twice))
        .order_by(Event.attendee_id, Event.id)
    ).all()
    found: list[DuplicateBadge] = []
    first: dict[str, tuple[str, datetime]] = {}
    for event_id, attendee_id, station_id, at, payload in rows:
        where = station_label(payload, station_id)
        if attendee_id not in first:
            first[attendee_id] = (where, at)
            continue
        if event_id in reviewed:
            continue
        view = get_view(session, attendee_id)
        if view is not None:
            found.append(DuplicateBadge(view, event_id, where, at, *first[attendee_id]))
    return sorted(found, key=lambda d: d.event_id)


def review(store: Store, event_id: str, note: str, now: datetime) -> None:
    """Staff have looked at a flagged duplicate badge (and reprinted, or let it be)."""
    if not note.strip():
        raise ConflictProblem("say what was done, e.g. 'second badge collected'")
    wanted = event_id.strip().lower()
    with store.unit_of_work() as session:
        # The whole id or its last 12 characters or more (the random part: what the desk card shows).
        found = [
            d
            for d in duplicate_badges(session)
            if len(wanted) >= 12 and (d.event_id == wanted or d.event_id.endswith(wanted))
        ]
        if len(found) != 1:
            raise ConflictProblem(f"no unreviewed duplicate badge with event id {event_id}")
        record(
            session,
            NewEvent(
                EventKind.CONFLICT_REVIEWED,
                store.station,
                now,
                found[0].attendee.id,
                {"event_id": found[0].event_id, "note": note.strip()},
            ),
        )


def walk_in_duplicates(session: Session) -> list[list[AttendeeView]]:
    """Groups of live records sharing an email, at least one of them a walk-in (likely the same person)."""
    shared = (
        select(Attendee.email_key)
        .where(Attendee.email_key != "", Attendee.status != Status.CANCELLED.value)
        .group_by(Attendee.email_key)
        .having(func.count() > 1, func.sum(case((Attendee.source == "walk_in", 1), else_=0)) > 0)
    )
    rows = session.execute(
        attendee_view_query()
        .where(Attendee.email_key.in_(shared), Attendee.status != Status.CANCELLED.value)
        .order_by(Attendee.email_key, Attendee.id)
    )
    groups: dict[str, list[AttendeeView]] = {}
    for row in rows:
        view = to_view(row)
        groups.setdefault(view.email.strip().casefold(), []).append(view)
    return [group for group in groups.values() if len(group) > 1]


def record_to_keep(group: list[AttendeeView]) -> AttendeeView:
    """The record a group of likely duplicates is best merged into: the registration that came from the
    registration system (it carries the ticket and payment), else the first one made."""
    return next((view for view in group if view.source != "walk_in"), group[0])


def merge(store: Store, duplicate_id: str, into_id: str, now: datetime) -> AttendeeView:
    """Fold ``duplicate_id`` into ``into_id``: the duplicate is cancelled, its check-in carried over."""
    if duplicate_id == into_id:
        raise ConflictProblem("an attendee cannot be merged into itself")
    with store.unit_of_work() as session:
        duplicate, kept = get_view(session, duplicate_id), get_view(session, into_id)
        if duplicate is None or kept is None:
            raise ConflictProblem("both records must exist to merge them")
        if duplicate.status == Status.CANCELLED:
            raise ConflictProblem(f"{duplicate.full_name} ({duplicate.external_id}) is already cancelled or merged")
        changes = {
            "status": Status.CANCELLED.value,
            "status_reason": f"Merged into {kept.full_name} ({kept.external_id})",
        }
        record(
            session,
            NewEvent(
                EventKind.ATTENDEES_MERGED, store.station, now, duplicate_id, {"into": into_id, "changes": changes}
            ),
        )
        if duplicate.checked_in_at is not None and kept.checked_in_at is None:
            # At the duplicate's own arrival time, so the record shows when the person really came.
            record(
                session,
                NewEvent(
                    EventKind.CHECKED_IN, store.station, duplicate.checked_in_at, into_id, {"merged_from": duplicate_id}
                ),
            )
        merged = get_view(session, into_id)
    assert merged is not None
    return merged
