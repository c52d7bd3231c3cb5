"""SQLAlchemy 2 models: reference data, the append-only event log, and state derived from it.

Three groups of tables:
- reference data (conference, attendee, room, conference_session, entitlement, station) is imported
  or created locally and replicated;
- ``event`` is the immutable log of what happened on the floor (one row per UUIDv7 id);
- ``attendee_state``, ``badge_state``, ``entitlement_given`` and ``search_entry`` are projections that
  ``checkin.projection.rebuild`` can recreate from the rest at any time.
Attendee rows carry both ``base`` (the fields as imported or registered) and the effective
columns (base with corrections from the log applied), so a rebuild can restore them.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any, ClassVar, cast

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Computed,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Table,
    Text,
    TypeDecorator,
    UniqueConstraint,
    text,
)
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

ID = String(36)


class UTCDateTime(TypeDecorator[datetime]):
    """Stores UTC; always hands back timezone-aware datetimes, on SQLite too."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to the store; pass an aware UTC datetime")
        return value.astimezone(UTC).replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


class Base(DeclarativeBase):
    type_annotation_map: ClassVar[dict[Any, Any]] = {dict[str, Any]: JSON, datetime: UTCDateTime, date: Date}


def table(model: type[Base]) -> Table:
    """A model's table, typed as the Table it is (SQLAlchemy's stubs say only FromClause), for Core statements."""
    return cast(Table, model.__table__)


class Conference(Base):
    __tablename__ = "conference"

    id: Mapped[str] = mapped_column(ID, primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    timezone: Mapped[str] = mapped_column(String(64), default="UTC")
    starts_on: Mapped[date | None]
    ends_on: Mapped[date | None]
    ref_version: Mapped[int | None] = mapped_column(BigInteger, index=True)


class Station(Base):
    __tablename__ = "station"

    id: Mapped[str] = mapped_column(ID, primary_key=True)
    name: Mapped[str] = mapped_column(String(100))
    kind: Mapped[str] = mapped_column(String(20), default="desk")


class Attendee(Base):
    __tablename__ = "attendee"
    __table_args__ = (UniqueConstraint("conference_id", "external_id"),)

    id: Mapped[str] = mapped_column(ID, primary_key=True)
    conference_id: Mapped[str] = mapped_column(ForeignKey("conference.id"))
    external_id: Mapped[str] = mapped_column(String(100), index=True)  # scans look it up alone
    ticket_code: Mapped[str | None] = mapped_column(String(200), index=True)
    first_name: Mapped[str] = mapped_column(String(200), default="")
    last_name: Mapped[str] = mapped_column(String(200), default="")
    email: Mapped[str] = mapped_column(String(320), default="")
    organization: Mapped[str] = mapped_column(String(300), default="")
    city: Mapped[str] = mapped_column(String(200), default="")
    region: Mapped[str] = mapped_column(String(100), default="")
    registration_type: Mapped[str] = mapped_column(String(100), default="")
    ticket: Mapped[str] = mapped_column(String(300), default="")
    status: Mapped[str] = mapped_column(String(20), default="paid")
    status_reason: Mapped[str] = mapped_column(String(300), default="")
    source: Mapped[str] = mapped_column(String(20), default="import")
    base: Mapped[dict[str, Any]] = mapped_column(default=dict)
    sort_key: Mapped[str] = mapped_column(String(400), default="", index=True)
    email_key: Mapped[str] = mapped_column(String(320), default="", index=True)
    ref_version: Mapped[int | None] = mapped_column(BigInteger, index=True)  # hub-assigned (see sync)


class SearchEntry(Base):
    """Derived: one attendee's search words (folded name, organization, email and ids, space-separated) and
    their sort key, so matches come back in name order. The full-text index over ``words`` is the database's
    own and not a model: FTS5 on SQLite, a GIN index on PostgreSQL (see checkin.store.search_index)."""

    __tablename__ = "search_entry"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)  # on SQLite the row id, which FTS5 keys on
    attendee_id: Mapped[str] = mapped_column(ID, unique=True)
    sort_key: Mapped[str] = mapped_column(String(400))
    words: Mapped[str] = mapped_column(Text)
    __table_args__ = (Index("ix_search_entry_sort", "sort_key", "attendee_id"),)


class Room(Base):
    __tablename__ = "room"

    id: Mapped[str] = mapped_column(ID, primary_key=True)
    conference_id: Mapped[str] = mapped_column(ForeignKey("conference.id"))
    name: Mapped[str] = mapped_column(String(200))
    capacity: Mapped[int] = mapped_column(Integer)
    setup: Mapped[str] = mapped_column(String(40), default="theater")
    capacities: Mapped[dict[str, Any]] = mapped_column(default=dict)
    parent_id: Mapped[str | None] = mapped_column(ForeignKey("room.id"))
    ref_version: Mapped[int | None] = mapped_column(BigInteger, index=True)  # hub-assigned (see sync)


class ConferenceSession(Base):
    __tablename__ = "conference_session"

    id: Mapped[str] = mapped_column(ID, primary_key=True)
    conference_id: Mapped[str] = mapped_column(ForeignKey("conference.id"))
    room_id: Mapped[str] = mapped_column(ForeignKey("room.id"), index=True)
    title: Mapped[str] = mapped_column(String(300))
    kind: Mapped[str] = mapped_column(String(40), default="breakout")
    track: Mapped[str] = mapped_column(String(100), default="")
    starts_at: Mapped[datetime]
    ends_at: Mapped[datetime]
    hours: Mapped[float] = mapped_column(Float, default=0.0)
    prereg_required: Mapped[bool] = mapped_column(Boolean, default=False)
    ref_version: Mapped[int | None] = mapped_column(BigInteger, index=True)  # hub-assigned (see sync)


class SessionRegistration(Base):
    """Reference data: who registered beforehand for a session that needs pre-registration."""

    __tablename__ = "session_registration"

    session_id: Mapped[str] = mapped_column(ForeignKey("conference_session.id", ondelete="CASCADE"), primary_key=True)
    attendee_id: Mapped[str] = mapped_column(
        ForeignKey("attendee.id", ondelete="CASCADE"), primary_key=True, index=True
    )
    ref_version: Mapped[int | None] = mapped_column(BigInteger, index=True)  # hub-assigned (see sync)


class EntitlementRow(Base):
    __tablename__ = "entitlement"

    code: Mapped[str] = mapped_column(String(40), primary_key=True)
    name: Mapped[str] = mapped_column(String(100))
    eligible_types: Mapped[list[str]] = mapped_column(JSON, default=list)
    position: Mapped[int] = mapped_column(Integer, default=0)
    ref_version: Mapped[int | None] = mapped_column(BigInteger, index=True)  # hub-assigned (see sync)


_DOOR_KINDS = "kind IN ('entered', 'exited')"


class Event(Base):
    """One immutable thing that happened at a station. Never updated, never deleted."""

    __tablename__ = "event"
    __table_args__ = (
        Index("ix_event_attendee_kind", "attendee_id", "kind"),
        # Everything a presence replay reads, in the order it reads it (see occupancy.tracking.door_rows).
        Index(
            "ix_event_door",
            "attendee_id",
            "id",
            "kind",
            "station_time",
            "room_id",
            "door",
            sqlite_where=text(_DOOR_KINDS),
            postgresql_where=text(_DOOR_KINDS),
        ),
    )

    id: Mapped[str] = mapped_column(ID, primary_key=True)
    kind: Mapped[str] = mapped_column(String(40))
    station_id: Mapped[str] = mapped_column(ID)
    station_time: Mapped[datetime]
    attendee_id: Mapped[str | None] = mapped_column(ID)
    payload: Mapped[dict[str, Any]] = mapped_column(default=dict)
    hub_seq: Mapped[int | None] = mapped_column(Integer, index=True)  # NULL: not yet accepted by the hub
    received_at: Mapped[datetime | None]  # the hub's clock when it accepted the event
    # A door event's room and door, copied out of the payload by the database as the event is written
    # (migration 0007 holds the PostgreSQL form of these expressions).
    room_id: Mapped[str | None] = mapped_column(ID, Computed("json_extract(payload, '$.room_id')", persisted=True))
    door: Mapped[str | None] = mapped_column(String(100), Computed("json_extract(payload, '$.door')", persisted=True))


class AttendeeState(Base):
    """Derived: whether and when an attendee checked in (the earliest check-in event wins)."""

    __tablename__ = "attendee_state"

    attendee_id: Mapped[str] = mapped_column(ID, primary_key=True)
    checked_in_event: Mapped[str] = mapped_column(ID)
    checked_in_at: Mapped[datetime]
    checked_in_station: Mapped[str] = mapped_column(String(100))


class EntitlementGiven(Base):
    """Derived: who received which entitlement (the earliest hand-over event wins)."""

    __tablename__ = "entitlement_given"

    attendee_id: Mapped[str] = mapped_column(ID, primary_key=True)
    entitlement: Mapped[str] = mapped_column(String(40), primary_key=True)
    event_id: Mapped[str] = mapped_column(ID)
    given_at: Mapped[datetime]
    station: Mapped[str] = mapped_column(String(100))


class BadgeState(Base):
    """Derived: the newest badge revision issued to an attendee (the highest revision wins)."""

    __tablename__ = "badge_state"

    attendee_id: Mapped[str] = mapped_column(ID, primary_key=True)
    revision: Mapped[int] = mapped_column(Integer)
    event_id: Mapped[str] = mapped_column(ID)


class BadgeKey(Base):
    """A conference signing key. Door stations hold only the public half; desks that print hold both."""

    __tablename__ = "badge_key"

    number: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    conference_id: Mapped[str] = mapped_column(ForeignKey("conference.id"))
    public_key: Mapped[str] = mapped_column(String(64))  # hex of the raw 32 bytes
    private_key: Mapped[str | None] = mapped_column(String(64))
    created_at: Mapped[datetime]
    revoked_at: Mapped[datetime | None]
    ref_version: Mapped[int | None] = mapped_column(BigInteger, index=True)  # hub-assigned (see sync)


class PresenceInterval(Base):
    """Derived: a stretch of time an attendee spent in a room (see checkin.occupancy.presence)."""

    __tablename__ = "presence_interval"
    # Counting who is in a room now touches only the open intervals: open_until is NULL or in the future.
    # A door scan's fold reads the attendee's latest interval: by attendee, in start order.
    __table_args__ = (
        Index("ix_presence_room_open", "room_id", "open_until", "started_at"),
        Index("ix_presence_attendee_start", "attendee_id", "start_event"),
    )

    start_event: Mapped[str] = mapped_column(ID, primary_key=True)
    attendee_id: Mapped[str] = mapped_column(ID)
    room_id: Mapped[str] = mapped_column(ID)
    door: Mapped[str] = mapped_column(String(100), default="")
    started_at: Mapped[datetime]
    ended_at: Mapped[datetime | None]
    auto_end: Mapped[datetime | None]
    open_until: Mapped[datetime | None]  # the earlier of ended_at and auto_end


class Setting(Base):
    """Local settings of this database file (the station's identity among them)."""

    __tablename__ = "setting"

    key: Mapped[str] = mapped_column(String(100), primary_key=True)
    value: Mapped[str] = mapped_column(Text)
    ref_version: Mapped[int | None] = mapped_column(BigInteger, index=True)  # hub-assigned (see sync)


class RefTombstone(Base):
    """Hub: a deleted reference row (the old row as JSON), so stations delete it too."""

    __tablename__ = "ref_tombstone"

    version: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    table_name: Mapped[str] = mapped_column(String(60))
    row: Mapped[dict[str, Any]] = mapped_column(JSON)


class SyncStation(Base):
    """Every station the hub has heard from, as each reported at its last contact (copied to stations)."""

    __tablename__ = "sync_station"

    station_id: Mapped[str] = mapped_column(ID, primary_key=True)
    name: Mapped[str] = mapped_column(String(100))
    last_contact: Mapped[datetime]  # hub clock
    clock_offset_s: Mapped[float] = mapped_column(Float, default=0.0)  # hub clock minus station clock
    backlog: Mapped[int] = mapped_column(Integer, default=0)  # events it still had to push
    cursor: Mapped[int] = mapped_column(BigInteger, default=0)  # how far it has pulled
    sent: Mapped[int] = mapped_column(Integer, default=0)  # events it has pushed in all


class PresenceDirty(Base):
    """Derived, in waiting: attendees whose presence must be recomputed because synced door events arrived.

    A large pull inserts events in short transactions and marks their attendees here in the same ones;
    the presence is recomputed afterwards, once per attendee, so a door scan never waits long for the
    write lock. Marks survive a crash and are worked off at the next sync round.
    """

    __tablename__ = "presence_dirty"

    attendee_id: Mapped[str] = mapped_column(ID, primary_key=True)
