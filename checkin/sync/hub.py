"""The hub's side of the protocol: statements a station runs on the hub's PostgreSQL.

The hub is a log plus reference data. Pushed events get their ``hub_seq`` and ``received_at`` from a
trigger (migration 0005); reference rows get a ``ref_version`` the same way, and deleted ones leave a
tombstone. The hub derives nothing: every station folds the log into its own state.
"""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass
from datetime import datetime
from typing import Any, NamedTuple, cast

from sqlalchemy import Connection, Engine, create_engine, func, select, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import OperationalError, ProgrammingError

from checkin.ids import new_id
from checkin.store.dialect import insert_for
from checkin.store.migrate import upgrade
from checkin.store.models import Conference, RefTombstone, Setting, SyncStation
from checkin.sync import roles


class HubProblem(RuntimeError):
    """The hub is reachable but not usable as one (wrong database kind, another conference...)."""


IDENTITY = "hub.identity"  # made once per hub database: a hub built anew is another hub to its stations


def prepare(engine: Engine) -> None:
    """Create or upgrade the hub's schema and give it its identity (idempotent)."""
    if engine.dialect.name != "postgresql":
        raise HubProblem(f"a hub is a PostgreSQL database, not {engine.dialect.name}")
    upgrade(engine)
    with engine.begin() as connection:
        connection.execute(
            insert_for("postgresql", Setting.__table__).values(key=IDENTITY, value=new_id()).on_conflict_do_nothing()
        )
        try:
            roles.secure(connection)
        except ProgrammingError as error:  # insufficient privilege: a managed server's login without CREATEROLE
            raise HubProblem(
                f"this login cannot set up the stations' roles on the hub ({str(error.orig).strip()}); prepare "
                "the hub with a login that may create roles (the server's owner)"
            ) from error


def identity(connection: Connection) -> str | None:
    """The hub's identity; None for a hub prepared by a Muster that did not give hubs one."""
    return connection.execute(select(Setting.value).where(Setting.key == IDENTITY)).scalar()


def event_at(connection: Connection, number: int) -> str | None:
    """The id of the event the hub numbered ``number``, if it holds one."""
    return connection.exec_driver_sql("SELECT id FROM event WHERE hub_seq = %(number)s", {"number": number}).scalar()


def ensure_database(url: str) -> None:
    """Create the URL's database if the server lacks it (a fresh `hub serve` has only 'postgres')."""
    target = make_url(url)
    probe = create_engine(target)
    try:
        with probe.connect():
            return  # there already (the usual case on a managed server, where 'postgres' may be off limits)
    except OperationalError as error:
        if "does not exist" not in str(error.orig):
            raise
    finally:
        probe.dispose()
    admin = create_engine(target.set(database="postgres"), isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as connection:
            exists = connection.execute(
                text("SELECT 1 FROM pg_database WHERE datname = :name"), {"name": target.database}
            ).first()
            if not exists:
                try:
                    connection.execute(text(f'CREATE DATABASE "{target.database}"'))
                except ProgrammingError as error:  # no CREATEDB right: an admin makes it, we fill it
                    raise HubProblem(
                        f"cannot create the database '{target.database}' ({error.orig}); have the "
                        "server's admin create it for this login, then run this again"
                    ) from error
    finally:
        admin.dispose()


def push(
    connection: Connection, rows: list[tuple[str, str, str, str, str | None, str]]
) -> list[tuple[str, int, datetime]]:
    """Insert events the hub may already hold; returns (id, hub_seq, received_at) for every one of them.

    ``rows`` are (id, kind, station_id, station_time as UTC text, attendee_id, payload as JSON text).
    They go by COPY into a temporary table and from there by one INSERT ... ON CONFLICT DO NOTHING.
    Rows the hub already had (a retry after a lost reply) keep their first number, so a retry never
    duplicates anything and still learns the number to mark the event sent with.
    """
    if not rows:
        return []
    connection.exec_driver_sql(
        "CREATE TEMPORARY TABLE IF NOT EXISTS push_batch (id varchar(36) PRIMARY KEY, kind varchar(40), "
        "station_id varchar(36), station_time timestamptz, attendee_id varchar(36), payload json) "
        "ON COMMIT DELETE ROWS"
    )
    raw = connection.connection.dbapi_connection
    assert raw is not None
    copy_in = "COPY push_batch (id, kind, station_id, station_time, attendee_id, payload) FROM STDIN"
    with raw.cursor() as cursor, cursor.copy(copy_in) as copy:  # type: ignore[attr-defined]
        for row in rows:
            copy.write_row(row)
    numbers: list[Any] = list(
        connection.exec_driver_sql(
            "INSERT INTO event (id, kind, station_id, station_time, attendee_id, payload) "
            "SELECT id, kind, station_id, station_time, attendee_id, payload FROM push_batch ORDER BY id "
            "ON CONFLICT (id) DO NOTHING RETURNING id, hub_seq, received_at"
        ).all()
    )
    _count_sent(connection, {row[0] for row in numbers}, rows)
    if len(numbers) < len(rows):  # a retry: look up, by primary key, the numbers the first push got
        taken = {row[0] for row in numbers}
        numbers += connection.exec_driver_sql(
            "SELECT id, hub_seq, received_at FROM event WHERE id = ANY(%(ids)s)",
            {"ids": [row[0] for row in rows if row[0] not in taken]},
        ).all()
    return [(row[0], row[1], row[2]) for row in numbers]


def _count_sent(connection: Connection, new: set[str], rows: list[tuple[Any, ...]]) -> None:
    """Add the events the hub took for the first time to each station's count, in the transaction that took
    them: a retry, or a station sending everything again to a rebuilt hub, counts each event once."""
    by_station = Counter(row[2] for row in rows if row[0] in new)
    names = {row[2]: json.loads(row[5]).get("station_name", "") for row in rows if row[0] in new}
    statement = insert_for("postgresql", SyncStation.__table__)
    for station_id, count in by_station.items():
        name = names[station_id]  # until the station reports itself
        connection.execute(
            statement.values(
                station_id=station_id, name=name, last_contact=func.clock_timestamp(), sent=count
            ).on_conflict_do_update(index_elements=["station_id"], set_={"sent": SyncStation.__table__.c.sent + count})
        )


class Pulled(NamedTuple):
    """An event as pulled, in the form a station stores it: times as naive UTC text, the payload as JSON text
    (most pulled events are door scans whose payload is never parsed on the way in)."""

    id: str
    kind: str
    station_id: str
    station_text: str
    attendee_id: str | None
    payload_json: str
    hub_seq: int
    received_text: str

    @property
    def station_time(self) -> datetime:
        return datetime.fromisoformat(self.station_text + "+00:00")

    @property
    def received_at(self) -> datetime:
        return datetime.fromisoformat(self.received_text + "+00:00")


_STORED = "'YYYY-MM-DD HH24:MI:SS.US'"  # SQLAlchemy's SQLite DateTime text, made by the hub for 50,000 rows


def pull(connection: Connection, cursor: int, limit: int) -> list[Pulled]:
    """Events past ``cursor`` in hub order (raw driver rows: 45,000 of them through SQLAlchemy's result
    processing would cost a station more than applying them)."""
    raw = connection.connection.dbapi_connection
    assert raw is not None
    with cast(Any, raw).cursor() as rows:  # psycopg's cursor closes itself; the DB-API's type says nothing of it
        # Read along the hub_seq index whatever the planner's statistics say: on a table not yet analyzed
        # (a new hub, or 50,000 events pushed since the last autovacuum) it would sort the whole rest of
        # the log for every batch instead, five times the hub's work for a catch-up.
        rows.execute("SET LOCAL enable_sort = off")
        rows.execute(
            f"SELECT id, kind, station_id, to_char(station_time AT TIME ZONE 'UTC', {_STORED}), attendee_id, "
            f"payload::text, hub_seq, to_char(received_at AT TIME ZONE 'UTC', {_STORED}) FROM station_event "
            "WHERE hub_seq > %(cursor)s ORDER BY hub_seq LIMIT %(limit)s",
            {"cursor": cursor, "limit": limit},
        )
        return list(map(Pulled._make, rows.fetchall()))


def past(connection: Connection, cursor: int) -> int:
    """How many events a pull from ``cursor`` has to fetch (counted: the numbers have gaps where a push
    was rolled back). A range of the hub_seq index, short unless the station is far behind."""
    return int(
        connection.exec_driver_sql(
            "SELECT count(*) FROM event WHERE hub_seq > %(cursor)s", {"cursor": cursor}
        ).scalar_one()
    )


def hub_clock(connection: Connection) -> datetime:
    now: datetime = connection.execute(text("SELECT clock_timestamp()")).scalar_one()
    return now


def schema_revision(connection: Connection) -> str | None:
    """The hub database's schema revision; None for a database never prepared as a hub."""
    if connection.exec_driver_sql("SELECT to_regclass('alembic_version')").scalar() is None:
        return None
    return connection.exec_driver_sql("SELECT version_num FROM alembic_version").scalar()


def hub_conference(connection: Connection) -> tuple[str, str] | None:
    row = connection.execute(select(Conference.id, Conference.name)).first()
    return (row.id, row.name) if row else None


@dataclass(frozen=True)
class StationReport:
    station_id: str
    name: str
    clock_offset_s: float
    backlog: int
    cursor: int


def report(connection: Connection, status: StationReport) -> None:
    """Record this station's contact (hub clock), backlog and clock offset for every dashboard to see."""
    statement = insert_for("postgresql", SyncStation.__table__)
    values = {
        "station_id": status.station_id,
        "name": status.name,
        "clock_offset_s": status.clock_offset_s,
        "backlog": status.backlog,
        "cursor": status.cursor,
    }
    connection.execute(
        statement.values(**values, last_contact=func.clock_timestamp()).on_conflict_do_update(
            index_elements=["station_id"], set_={**values, "last_contact": func.clock_timestamp()}
        )
    )


def stations(connection: Connection) -> list[dict[str, Any]]:
    return [dict(row._mapping) for row in connection.execute(select(SyncStation.__table__))]


def tombstones(connection: Connection, cursor: int) -> list[dict[str, Any]]:
    """Rows deleted on the hub since ``cursor``, as a station's kind may see them (see roles.STATION_VIEWS)."""
    rows = connection.execute(
        text("SELECT version, table_name, row FROM station_tombstone WHERE version > :cursor").columns(
            RefTombstone.version, RefTombstone.table_name, RefTombstone.row
        ),
        {"cursor": cursor},
    )
    return [dict(row._mapping) for row in rows]
