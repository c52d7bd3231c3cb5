"""What goes on printed badges: attendees from the store, chosen and sorted for the pick-up tables."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, tzinfo

from sqlalchemy import exists, select
from sqlalchemy.orm import Session

from checkin.badges import Signer
from checkin.conference import entitlements
from checkin.domain import EventKind, Status
from checkin.occupancy.attendance import all_attendance
from checkin.printing.badge_pdf import BadgeData
from checkin.printing.documents import AttendedItem, CertificateData, SessionInfo
from checkin.store.models import Attendee, BadgeState, ConferenceSession, Event, Room, SessionRegistration


@dataclass(frozen=True)
class Selection:
    """Which badges to print. Empty means everyone not cancelled."""

    attendee_ids: Sequence[str] = ()
    registration_type: str | None = None
    not_printed: bool = False


def select_badges(session: Session, selection: Selection) -> list[BadgeData]:
    """Badge data for the selection, sorted by last name then first name (the order of pick-up tables)."""
    stmt = (
        select(Attendee, BadgeState.revision)
        .outerjoin(BadgeState, BadgeState.attendee_id == Attendee.id)
        .where(Attendee.status != Status.CANCELLED.value)
        .order_by(Attendee.sort_key, Attendee.external_id)
    )
    if selection.attendee_ids:
        stmt = stmt.where(Attendee.id.in_(list(selection.attendee_ids)))
    if selection.registration_type:
        stmt = stmt.where(Attendee.registration_type == selection.registration_type)
    if selection.not_printed:
        printed = exists().where(Event.attendee_id == Attendee.id, Event.kind == EventKind.BADGE_PRINTED.value)
        stmt = stmt.where(~printed)
    signer = Signer(session)
    items = entitlements(session)
    found = []
    for attendee, revision in session.execute(stmt):
        revision = revision or 1
        marks = tuple(e.code.capitalize() for e in items if e.allows(attendee.registration_type))
        found.append(
            BadgeData(
                attendee_id=attendee.id,
                external_id=attendee.external_id,
                first_name=attendee.first_name,
                last_name=attendee.last_name,
                organization=attendee.organization,
                city=attendee.city,
                region=attendee.region,
                registration_type=attendee.registration_type,
                code=signer.code(attendee.id, revision),
                revision=revision,
                marks=marks,
            )
        )
    return found


def select_passes(
    session: Session,
    selection: Selection,
    session_ids: Sequence[str] = (),
    day: date | None = None,
    zone: tzinfo = UTC,
) -> list[tuple[SessionInfo, BadgeData]]:
    """One pass per registration for sessions that need pre-registration, by session time, then name: the
    sessions ``session_ids`` if given, those on ``day`` (the conference's date, in ``zone``) if given."""
    badges = {badge.attendee_id: badge for badge in select_badges(session, selection)}
    stmt = (
        select(ConferenceSession, Room.name, SessionRegistration.attendee_id)
        .join(SessionRegistration, SessionRegistration.session_id == ConferenceSession.id)
        .join(Room, Room.id == ConferenceSession.room_id)
        .where(ConferenceSession.prereg_required)
        .order_by(ConferenceSession.starts_at, ConferenceSession.title)
    )
    if session_ids:
        stmt = stmt.where(ConferenceSession.id.in_(list(session_ids)))
    passes = []
    for item, room, attendee_id in session.execute(stmt):
        if day is not None and item.starts_at.astimezone(zone).date() != day:
            continue
        badge = badges.get(attendee_id)
        if badge is not None:
            passes.append((SessionInfo(item.title, room, item.starts_at, item.ends_at), badge))
    return passes


def select_certificates(
    session: Session,
    selection: Selection,
    zone: tzinfo,
    now: datetime | None = None,
    attendance_only: bool = False,
) -> list[CertificateData]:
    """What each attendee attended: the sessions their door scans put them in, with the hours earned. Only
    those who earned training hours get one, unless ``attendance_only``: then everyone who came does, and
    someone never scanned at a room's door gets the days they checked in or were served at a desk."""
    badges = select_badges(session, selection)
    attended = all_attendance(session.connection(), now or datetime.now(UTC))
    sessions: dict[str, list[AttendedItem]] = {}
    for item in sorted(attended, key=lambda a: a.session.starts_at):
        sessions.setdefault(item.attendee_id, []).append(
            AttendedItem(
                item.session.starts_at.astimezone(zone).date(),
                f"{item.session.title} ({item.minutes:g} min)",
                item.hours,
            )
        )
    seen: dict[str, set[date]] = {}
    kinds = (EventKind.CHECKED_IN.value, EventKind.ENTITLEMENT_GIVEN.value)
    for attendee_id, at in session.execute(
        select(Event.attendee_id, Event.station_time).where(Event.kind.in_(kinds), Event.attendee_id.is_not(None))
    ):
        if attendee_id is not None:  # filtered out by the query; the type does not know
            seen.setdefault(attendee_id, set()).add(at.astimezone(zone).date())
    found = []
    for badge in badges:
        if badge.attendee_id in sessions:
            certificate = CertificateData(badge, sessions[badge.attendee_id])
            if attendance_only or certificate.total_hours:
                found.append(certificate)
        elif not attendance_only:
            continue
        elif badge.attendee_id in seen:
            found.append(
                CertificateData(
                    badge,
                    [AttendedItem(day, "Conference day (checked in)", None) for day in sorted(seen[badge.attendee_id])],
                )
            )
    return found
