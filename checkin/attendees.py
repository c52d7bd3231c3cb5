"""Attendee records: reading them as views, writing their effective fields and search index."""

from __future__ import annotations

import functools
from collections.abc import Mapping
from typing import Any

from sqlalchemy import Connection, Select, bindparam, or_, select
from sqlalchemy.orm import Session

from checkin.domain import AttendeeView, Status
from checkin.store import direct, search_index
from checkin.store.models import Attendee, AttendeeState, BadgeState, table
from checkin.text import fold, search_tokens

# The fields that make up an attendee's record, as imported or registered (``Attendee.base``).
RECORD_FIELDS = (
    "first_name",
    "last_name",
    "email",
    "organization",
    "city",
    "region",
    "registration_type",
    "ticket",
    "status",
    "status_reason",
    "ticket_code",
)


# Record fields in the words of a message to a volunteer.
FIELD_NAMES = {
    "first_name": "first name",
    "last_name": "last name",
    "email": "email",
    "organization": "organization",
    "city": "city",
    "region": "state or region",
    "registration_type": "registration type",
    "status": "payment status",
}


@functools.cache
def longest(field: str) -> int:
    """The most characters a record field holds: the column's own limit, which PostgreSQL enforces and SQLite
    does not, so a record a station accepts can be written on the hub too."""
    length = getattr(Attendee.__table__.c[field].type, "length", None)
    assert length is not None
    return int(length)


def too_long(fields: Mapping[str, str]) -> dict[str, str]:
    """Field -> what is wrong, for each value longer than its field holds."""
    return {
        name: f"{FIELD_NAMES.get(name, name).capitalize()} is too long ({len(value):,} characters; at most "
        f"{longest(name)})."
        for name, value in fields.items()
        if len(value) > longest(name)
    }


VIEW_COLUMNS = (
    Attendee.id,
    Attendee.external_id,
    Attendee.first_name,
    Attendee.last_name,
    Attendee.email,
    Attendee.organization,
    Attendee.city,
    Attendee.region,
    Attendee.registration_type,
    Attendee.ticket,
    Attendee.status,
    Attendee.status_reason,
    Attendee.source,
    AttendeeState.checked_in_at,
    AttendeeState.checked_in_station,
    BadgeState.revision.label("badge_revision"),
)


def attendee_view_query() -> Select[*tuple[Any, ...]]:
    """Plain columns, not ORM entities: the desk builds views on every keystroke."""
    query: Select[*tuple[Any, ...]] = (
        select(*VIEW_COLUMNS)
        .outerjoin(AttendeeState, AttendeeState.attendee_id == Attendee.id)
        .outerjoin(BadgeState, BadgeState.attendee_id == Attendee.id)
    )
    return query


def to_view(row: Any) -> AttendeeView:
    """A view from a row of ``attendee_view_query`` (SQLAlchemy's, or one read by checkin.store.direct)."""
    return AttendeeView(
        id=row.id,
        external_id=row.external_id,
        first_name=row.first_name,
        last_name=row.last_name,
        email=row.email,
        organization=row.organization,
        city=row.city,
        region=row.region,
        registration_type=row.registration_type,
        ticket=row.ticket,
        status=Status(row.status),
        status_reason=row.status_reason,
        source=row.source,
        checked_in_at=row.checked_in_at,
        checked_in_station=row.checked_in_station,
        badge_revision=row.badge_revision or 1,
    )


def get_view(session: Session, attendee_id: str) -> AttendeeView | None:
    return view_on(session.connection(), attendee_id)


def view_on(connection: Connection, attendee_id: str) -> AttendeeView | None:
    row = direct.execute(connection, _view_by_id(), {"id": attendee_id}).first()
    return to_view(row) if row else None


@functools.cache
def _view_by_id() -> Select[Any]:
    # Built once: constructing a statement per scan costs about as much as running it.
    return attendee_view_query().where(Attendee.id == bindparam("id"))


def find_by_code(session: Session, text: str) -> AttendeeView | None:
    """The attendee whose internal id, registration id or ticket code (e.g. an Eventbrite barcode) is ``text``."""
    code = text.strip()
    if not code:
        return None
    row = session.execute(
        attendee_view_query()
        .where(or_(Attendee.external_id == code, Attendee.ticket_code == code, Attendee.id == code))
        .limit(1)
    ).first()
    return to_view(row) if row else None


def apply_fields(session: Session, attendee: Attendee, fields: Mapping[str, Any]) -> None:
    """Set the effective record fields and keep the sort key and search tokens in step."""
    for name in RECORD_FIELDS:
        if name in fields:
            setattr(attendee, name, fields[name] if fields[name] is not None else "")
    attendee.ticket_code = attendee.ticket_code or None
    for name, value in derived_columns(attendee.external_id, fields_of(attendee)).items():
        setattr(attendee, name, value)
    session.flush()
    search_index.replace(session.connection(), [search_entry(attendee.id, attendee.external_id, fields_of(attendee))])


def fields_of(attendee: Attendee) -> dict[str, Any]:
    return {name: getattr(attendee, name) for name in RECORD_FIELDS}


def sort_key(external_id: str, fields: Mapping[str, Any]) -> str:
    """Lists sort by folded last name, then first name, then registration id."""
    return fold(f"{fields.get('last_name', '')}\x01{fields.get('first_name', '')}\x01{external_id}")


def derived_columns(external_id: str, fields: Mapping[str, Any]) -> dict[str, str]:
    """The attendee columns computed from its record: the name sort key and the folded email."""
    return {"sort_key": sort_key(external_id, fields), "email_key": fold(str(fields.get("email", "")).strip())}


def record_columns(external_id: str, fields: Mapping[str, Any]) -> dict[str, Any]:
    """The attendee columns a record (as imported or registered) sets: its fields, kept as ``base`` too,
    and the columns derived from them."""
    return {
        **fields,
        "ticket_code": fields["ticket_code"] or None,
        "base": dict(fields),
        **derived_columns(external_id, fields),
    }


def search_entry(attendee_id: str, external_id: str, fields: Mapping[str, Any]) -> search_index.Entry:
    """An attendee's row of the search index: every word of their name, organization, email and ids."""
    words = search_tokens(
        str(fields.get("first_name") or ""),
        str(fields.get("last_name") or ""),
        str(fields.get("organization") or ""),
        str(fields.get("email") or ""),
        external_id,
        str(fields.get("ticket_code") or ""),
    )
    return attendee_id, sort_key(external_id, fields), " ".join(sorted(words))


def reindex_everyone(connection: Connection) -> None:
    """Rebuild the search index from every attendee's effective fields."""
    columns = [table(Attendee).c[name] for name in ("id", "external_id", *RECORD_FIELDS)]
    rows = connection.execute(select(*columns)).all()
    search_index.refill(connection, (search_entry(row.id, row.external_id, dict(row._mapping)) for row in rows))


def likely_duplicates(session: Session, email: str, first_name: str, last_name: str) -> list[AttendeeView]:
    """Attendees with the same email, or the same folded first and last name."""
    conditions = []
    if email.strip():
        conditions.append(Attendee.email_key == fold(email.strip()))
    if first_name.strip() and last_name.strip():
        prefix = fold(f"{last_name.strip()}\x01{first_name.strip()}\x01")
        conditions.append(Attendee.sort_key.startswith(prefix, autoescape=True))
    if not conditions:
        return []
    rows = session.execute(attendee_view_query().where(or_(*conditions)).order_by(Attendee.sort_key).limit(20))
    return [to_view(row) for row in rows]
