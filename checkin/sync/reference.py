"""Reference data between hub and stations: the conference, attendees, rooms, sessions, registrations,
entitlements, the badge keys' public halves and the counting policy.

The hub is the authority. Each hub row carries a ``ref_version`` from one sequence, so a station asks
for everything newer than the highest version it has applied; deleted rows come as tombstones.
Attendee rows travel as their imported record (``base``): each station lays its own copy of the
correction events over it, so an edit made at a desk survives a later re-import on the hub.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import JSON, Column, Connection, MetaData, Table, Text, cast, false, func, or_, select, true
from sqlalchemy.orm import Session

from checkin.attendees import RECORD_FIELDS, record_columns, search_entry
from checkin.occupancy import tracking
from checkin.projection import edited_attendees, recompute_fields
from checkin.store import search_index
from checkin.store.dialect import insert_for
from checkin.store.models import (
    Attendee,
    BadgeKey,
    Conference,
    ConferenceSession,
    EntitlementRow,
    Room,
    SessionRegistration,
    Setting,
)
from checkin.sync import roles
from checkin.sync.hub import tombstones

POLICY_PREFIX = "policy."


@dataclass(frozen=True)
class Spec:
    table: Table
    columns: tuple[str, ...]  # what travels; never a private key, never derived columns

    @property
    def keys(self) -> list[str]:
        return [c.name for c in self.table.primary_key.columns]

    def where(self, read: Table | None = None) -> Any:
        """Which rows travel, on this spec's table or ``read`` (the view stations read it through)."""
        columns = (read if read is not None else self.table).c
        if self.table.name == "setting":
            return columns.key.startswith(POLICY_PREFIX)
        if self.table.name == "attendee":
            return columns.source != "walk_in"  # walk-ins travel as events
        return true()


def _spec(model: Any, *, without: Iterable[str] = ()) -> Spec:
    table: Table = model.__table__
    return Spec(table, tuple(c.name for c in table.columns if c.name not in set(without)))


_ATTENDEE_TRAVELS = ("id", "conference_id", "external_id", "source", "base", "ref_version")

# In foreign-key order: a row's parent always arrives before it (or in an earlier pull).
SPECS: tuple[Spec, ...] = (
    _spec(Conference),
    Spec(Attendee.__table__, _ATTENDEE_TRAVELS),  # type: ignore[arg-type]
    _spec(Room),
    _spec(ConferenceSession),
    _spec(SessionRegistration),
    _spec(EntitlementRow),
    _spec(BadgeKey, without=("private_key",)),
    _spec(Setting),
)
_BY_NAME = {spec.table.name: spec for spec in SPECS}


@dataclass
class ReferenceBatch:
    rows: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    tombstones: list[dict[str, Any]] = field(default_factory=list)
    version: int = 0

    @property
    def size(self) -> int:
        return sum(len(r) for r in self.rows.values()) + len(self.tombstones)


def pull(hub: Connection, cursor: int) -> ReferenceBatch:
    """Every reference row and tombstone newer than ``cursor``; run it in one REPEATABLE READ transaction."""
    batch = ReferenceBatch(version=cursor)
    for spec in SPECS:
        table = _as_stations_read(spec.table)
        rows = [
            dict(r._mapping)
            for r in hub.execute(
                select(*[table.c[c] for c in spec.columns]).where(table.c.ref_version > cursor, spec.where(table))
            )
        ]
        if rows:
            batch.rows[spec.table.name] = rows
            batch.version = max(batch.version, *(r["ref_version"] for r in rows))
    batch.tombstones = tombstones(hub, cursor)
    if batch.tombstones:
        batch.version = max(batch.version, *(t["version"] for t in batch.tombstones))
    return batch


_VIEWS = MetaData()


def _as_stations_read(table: Table) -> Table:
    """The hub's view of ``table`` that leaves out what a station's kind is not given (see sync.roles), or the
    table itself where stations read it whole."""
    view = roles.STATION_VIEWS.get(table.name)
    if view is None:
        return table
    if view not in _VIEWS.tables:
        Table(view, _VIEWS, *[Column(c.name, c.type) for c in table.columns])
    return _VIEWS.tables[view]


def apply(session: Session, batch: ReferenceBatch) -> None:
    """Bring this station's reference data up to the batch, in the caller's transaction."""
    connection = session.connection()
    for spec in SPECS:
        rows = batch.rows.get(spec.table.name)
        if not rows:
            continue
        if spec.table.name == "attendee":
            _apply_attendees(session, rows)
        else:
            if spec.table.name == "room":
                rows = sorted(rows, key=lambda r: r.get("parent_id") is not None)
            connection.execute(_local_upsert(connection, spec), rows)
    for tombstone in sorted(batch.tombstones, key=lambda t: -t["version"]):  # children before parents
        gone = _BY_NAME.get(tombstone["table_name"])
        if gone is None or (
            gone.table.name == "setting" and not str(tombstone["row"].get("key", "")).startswith(POLICY_PREFIX)
        ):
            continue
        old = tombstone["row"]
        connection.execute(gone.table.delete().where(*[gone.table.c[k] == old.get(k) for k in gone.keys]))
    touched = set(batch.rows) | {t["table_name"] for t in batch.tombstones}
    if touched & {"conference_session", "setting", "room"}:
        # Presence depends on the schedule and the policy: everyone's is recomputed, a few hundred attendees
        # per transaction after this one (station.refresh_presence), so door scans never wait seconds.
        tracking.mark_everyone_dirty(connection)


def _local_upsert(connection: Connection, spec: Spec) -> Any:
    statement = insert_for(connection.dialect.name, spec.table)
    return statement.on_conflict_do_update(
        index_elements=spec.keys,
        set_={c: statement.excluded[c] for c in spec.columns if c not in spec.keys},
    )


def _apply_attendees(session: Session, rows: list[dict[str, Any]]) -> None:
    connection = session.connection()
    table = Attendee.__table__
    ids = [r["id"] for r in rows]
    existing: dict[str, dict[str, Any]] = {}
    for start in range(0, len(ids), 500):
        chunk = ids[start : start + 500]
        existing.update(
            {r.id: r.base for r in connection.execute(select(table.c.id, table.c.base).where(table.c.id.in_(chunk)))}
        )
    corrected = edited_attendees(session)
    full: list[dict[str, Any]] = []
    entries: list[search_index.Entry] = []
    for row in rows:
        if row["id"] in existing and existing[row["id"]] == row["base"]:
            continue  # only its version moved
        fields = {name: row["base"].get(name, "") for name in RECORD_FIELDS}
        full.append({**row, **record_columns(row["external_id"], fields), "base": row["base"]})
        entries.append(search_entry(row["id"], row["external_id"], fields))
    if full:
        statement = insert_for(connection.dialect.name, table)
        columns = [c for c in full[0] if c != "id"]
        connection.execute(
            statement.on_conflict_do_update(index_elements=["id"], set_={c: statement.excluded[c] for c in columns}),
            full,
        )
        search_index.replace(connection, entries)
    versions_only = [r for r in rows if r["id"] in existing and existing[r["id"]] == r["base"]]
    if versions_only:
        connection.execute(_local_upsert(connection, _BY_NAME["attendee"]), versions_only)
    for row in full:
        if row["id"] in corrected:
            recompute_fields(session, row["id"])


def publish(local: Session, hub: Connection) -> dict[str, int]:
    """Copy this station's reference data up to the hub (first setup: the conference made on a laptop).

    Rows the hub already holds unchanged are left alone, so their versions do not move and no station
    downloads them again. Returns how many rows were new or changed per table.
    """
    changed: dict[str, int] = {}
    for spec in SPECS:
        columns = [c for c in spec.columns if c != "ref_version"]
        if spec.table.name == "attendee":
            columns = [c.name for c in spec.table.columns if c.name != "ref_version"]
        table = spec.table
        rows = [dict(r._mapping) for r in local.execute(select(*[table.c[c] for c in columns]).where(spec.where()))]
        if spec.table.name == "room":
            rows.sort(key=lambda r: r.get("parent_id") is not None)
        if not rows:
            continue
        statement = insert_for("postgresql", table)
        updated = [c for c in columns if c not in spec.keys]
        differs = or_(
            false(),
            *[
                (
                    cast(table.c[c], Text).is_distinct_from(cast(statement.excluded[c], Text))
                    if isinstance(table.c[c].type, JSON)
                    else table.c[c].is_distinct_from(statement.excluded[c])
                )
                for c in updated
            ],
        )
        upsert = (
            statement.on_conflict_do_update(
                index_elements=spec.keys, set_={c: statement.excluded[c] for c in updated}, where=differs
            )
            if updated
            else statement.on_conflict_do_nothing(index_elements=spec.keys)
        )
        before = _max_version(hub, table)
        hub.execute(upsert, rows)
        changed[table.name] = int(
            hub.execute(select(func.count()).select_from(table).where(table.c.ref_version > before)).scalar_one()
        )
    return changed


def _max_version(hub: Connection, table: Table) -> int:
    return int(hub.execute(select(func.coalesce(func.max(table.c.ref_version), 0))).scalar_one())
