"""The conference a database holds, its entitlements, and its headline numbers."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, tzinfo
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from checkin.domain import Entitlement, Status
from checkin.ids import new_id
from checkin.store.models import Attendee, AttendeeState, Conference, EntitlementGiven, EntitlementRow

if TYPE_CHECKING:
    from checkin.store import Store


class NoConference(LookupError):
    def __init__(self) -> None:
        super().__init__(
            "This database holds no conference yet. Import registrants with `checkin import FILE --conference "
            "NAME`, or try Muster on the demo conference with --demo (e.g. `checkin stats --demo`)."
        )


def current_conference(session: Session) -> Conference:
    conference = session.scalars(select(Conference).limit(1)).first()
    if conference is None:
        raise NoConference()
    return conference


def has_conference(session: Session) -> bool:
    return session.scalars(select(Conference.id).limit(1)).first() is not None


def create_conference(
    session: Session,
    name: str,
    timezone: str = "UTC",
    starts_on: date | None = None,
    ends_on: date | None = None,
) -> Conference:
    conference = Conference(id=new_id(), name=name, timezone=timezone, starts_on=starts_on, ends_on=ends_on)
    session.add(conference)
    session.flush()
    return conference


def ensure_conference(session: Session, name: str | None) -> Conference:
    """The database's conference, created with ``name`` if there is none yet."""
    if has_conference(session):
        return current_conference(session)
    return create_conference(session, name or "Conference")


def entitlements(session: Session) -> list[Entitlement]:
    rows = session.scalars(select(EntitlementRow).order_by(EntitlementRow.position, EntitlementRow.code))
    return [Entitlement(row.code, row.name, tuple(row.eligible_types)) for row in rows]


def set_entitlements(session: Session, items: Sequence[Entitlement]) -> None:
    session.execute(delete(EntitlementRow))
    for position, item in enumerate(items):
        session.add(
            EntitlementRow(code=item.code, name=item.name, eligible_types=list(item.eligible_types), position=position)
        )
    session.flush()


@dataclass(frozen=True)
class Stats:
    conference: str
    registered: int
    checked_in: int
    cancelled: int
    unpaid: int
    walk_ins: int
    by_type: dict[str, tuple[int, int]]
    entitlements_given: dict[str, int]

    @property
    def percent_checked_in(self) -> float:
        return 100.0 * self.checked_in / self.registered if self.registered else 0.0


def stats(session: Session) -> Stats:
    conference = current_conference(session)
    rows = session.execute(
        select(
            Attendee.registration_type,
            Attendee.status,
            Attendee.source,
            func.count(),
            func.count(AttendeeState.attendee_id),
        )
        .outerjoin(AttendeeState, AttendeeState.attendee_id == Attendee.id)
        .group_by(Attendee.registration_type, Attendee.status, Attendee.source)
    ).all()
    registered = checked_in = cancelled = unpaid = walk_ins = 0
    by_type: dict[str, tuple[int, int]] = {}
    for reg_type, status, source, total, arrived in rows:
        if source == "walk_in":
            walk_ins += total
        if status == Status.CANCELLED.value:
            cancelled += total
            continue
        if status == Status.UNPAID.value:
            unpaid += total
        registered += total
        checked_in += arrived
        seen = by_type.get(reg_type, (0, 0))
        by_type[reg_type] = (seen[0] + total, seen[1] + arrived)
    given = dict(
        session.execute(select(EntitlementGiven.entitlement, func.count()).group_by(EntitlementGiven.entitlement)).all()
    )
    return Stats(
        conference.name,
        registered,
        checked_in,
        cancelled,
        unpaid,
        walk_ins,
        dict(sorted(by_type.items())),
        {str(k): int(v) for k, v in given.items()},
    )


def checked_in_count(session: Session) -> tuple[int, int]:
    """(checked in, registered), cancelled registrations left out of both."""
    registered = (
        session.scalar(select(func.count()).select_from(Attendee).where(Attendee.status != Status.CANCELLED.value)) or 0
    )
    arrived = (
        session.scalar(
            select(func.count())
            .select_from(AttendeeState)
            .join(Attendee, Attendee.id == AttendeeState.attendee_id)
            .where(Attendee.status != Status.CANCELLED.value)
        )
        or 0
    )
    return arrived, registered


# The conference's clock: every station shows times in the conference's zone, whatever the laptop's is.


def conference_zone(session: Session) -> tzinfo:
    return ZoneInfo(current_conference(session).timezone)


def store_zone(store: Store) -> tzinfo:
    """The conference's time zone, looked up once per open store."""
    zone: tzinfo | None = store.memo.get("zone")
    if zone is None:
        with store.reading() as session:
            zone = store.memo["zone"] = conference_zone(session)
    return zone
