"""Opening a station's database: engine setup, durability pragmas, migrations, local identity."""

from __future__ import annotations

import contextlib
import socket
import sqlite3
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Engine, create_engine, event, func, select
from sqlalchemy.exc import DatabaseError
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.pool import NullPool

from checkin.clock import OFFSET_SETTING, StationClock
from checkin.domain import StationContext
from checkin.ids import new_id
from checkin.paths import is_url, make_private_file
from checkin.rules.station import BadStationName, readable_name
from checkin.store import direct
from checkin.store.migrate import upgrade
from checkin.store.models import Event, Setting, Station
from checkin.store.problems import storage_problem


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    # WAL lets the dashboard read while a scan commits; FULL fsyncs the WAL on every commit,
    # so a check-in reported as accepted survives a power cut (NORMAL would not).
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=FULL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=5000")
    # A week's log is a few hundred thousand events indexed by attendee: inserts land all over those
    # indexes, and the default 2 MB page cache makes a sync pull reread the same pages again and again.
    cursor.execute("PRAGMA cache_size=-32000")
    cursor.close()


CHECKPOINT_EVERY_S = 1.0
CHECKPOINT_QUIET_S = 0.02
CHECKPOINT_LATEST_S = 1.5
# Connections of ``Store.writing`` leave the copying to the Checkpointer: SQLite would otherwise do it inside
# the scan whose commit takes the log past 1,000 pages (a few milliseconds, far more on a slow disk), and a
# door scan writes about 20 pages. This bound (80 MB of log) only matters if the thread falls behind.
SCAN_CHECKPOINT_PAGES = 20_000


def checkpoint_wait(now: float, last_write: float, last_copy: float) -> float:
    """Seconds until the log should be copied (times on one monotonic clock): CHECKPOINT_EVERY_S after the
    last copy, in the first pause of CHECKPOINT_QUIET_S between writes; at CHECKPOINT_LATEST_S if writes
    never pause."""
    since_copy, quiet = now - last_copy, now - last_write
    if since_copy < CHECKPOINT_EVERY_S:
        return CHECKPOINT_EVERY_S - since_copy
    if quiet >= CHECKPOINT_QUIET_S or since_copy >= CHECKPOINT_LATEST_S:
        return 0.0
    return min(CHECKPOINT_QUIET_S - quiet, CHECKPOINT_LATEST_S - since_copy)


class Checkpointer:
    """Copies the write-ahead log into the database file on a thread of its own, in a pause between writes.

    SQLite does it inside whichever commit takes the log past 1,000 pages, and that scan waits for the
    copy and its fsync (5-8 ms on a fast disk, far more on a cheap laptop's). So what writes through
    ``Store.writing`` (scans, and the sync thread's rounds) leaves it to this thread, up to
    SCAN_CHECKPOINT_PAGES; ORM sessions (an import, an edit) keep SQLite's own 1,000 pages. A copy that
    overlaps a commit slows that commit's fsync, so the thread waits for a pause (a door's next scan is a
    person away). Not after every write: the first commit after a complete copy starts the log afresh and
    syncs its header too, a second fsync, so copying after each scan would make every scan pay it. A PASSIVE
    checkpoint neither waits for nor blocks readers and writers.
    """

    def __init__(self, path: Path) -> None:
        self._path = path
        self._stop = threading.Event()
        self._last_write = time.monotonic()
        self._thread = threading.Thread(target=self._run, name="muster-checkpoint", daemon=True)
        self._thread.start()

    def wrote(self) -> None:
        """A write through ``Store.writing`` committed just now."""
        self._last_write = time.monotonic()

    def _run(self) -> None:
        connection = sqlite3.connect(self._path)
        last_copy = time.monotonic()
        try:
            while not self._stop.is_set():
                while wait := checkpoint_wait(time.monotonic(), self._last_write, last_copy):
                    if self._stop.wait(wait):
                        return
                with contextlib.suppress(sqlite3.Error):  # e.g. the disk is busy: the next round tries again
                    connection.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchall()
                last_copy = time.monotonic()
        finally:
            connection.close()

    def stop(self) -> None:
        self._stop.set()
        self._thread.join()


HUB_TIMEOUT_S = 4  # a station must notice a dead hub in seconds, not minutes


def create_hub_engine(url: str, timeout_s: float = HUB_TIMEOUT_S) -> Engine:
    """An engine on the hub's PostgreSQL that gives up quickly when the network does.

    connect_timeout bounds the connect; tcp_user_timeout bounds a query whose packets go unanswered
    (Wi-Fi gone mid-push), which no server-side timeout can; statement_timeout bounds a stuck server.
    What none of these catch (a link that acknowledges and then says nothing) the sync round's
    watchdog does.
    """
    seconds = max(1, round(timeout_s))
    return create_engine(
        url,
        poolclass=NullPool,  # a fresh connection per sync round: nothing stale after the hub restarts
        connect_args={
            "connect_timeout": seconds,
            "tcp_user_timeout": seconds * 1000,
            "keepalives": 1,
            "keepalives_idle": seconds,
            "keepalives_interval": 1,
            "keepalives_count": 2,
            # idle_in_transaction_session_timeout: a station that vanishes mid-push (Wi-Fi gone, no RST)
            # would otherwise hold the hub's numbering lock, and stall every other station, for hours.
            "options": f"-c statement_timeout={seconds * 15_000} -c lock_timeout={seconds * 5_000} "
            f"-c idle_in_transaction_session_timeout={seconds * 5_000}",
            "application_name": "muster",
        },
    )


def create_sqlite_engine(path: Path) -> Engine:
    """An engine whose transactions start with BEGIN IMMEDIATE, unless read through `reading_only`.

    Python's sqlite3 module begins a transaction only at the first INSERT or UPDATE, so a scan's lookup ran
    before the transaction and two processes on one file could both find a person not checked in and both
    accept. Taking the write lock at BEGIN puts the lookup, the decision and the record in one transaction.
    """
    make_private_file(path)
    engine = create_engine(f"sqlite:///{path}")
    event.listen(engine, "connect", _sqlite_pragmas)
    event.listen(engine, "connect", _own_transactions)
    event.listen(engine, "begin", _begin)
    return engine


def reading_only(engine: Engine) -> Engine:
    """The same engine, beginning its transactions DEFERRED: reads that never wait for a writer (WAL)."""
    return engine.execution_options(sqlite_begin="DEFERRED")


def _own_transactions(dbapi_connection: Any, _record: Any) -> None:
    dbapi_connection.isolation_level = None  # sqlite3 stops issuing BEGIN itself; _begin does it


def _begin(connection: Connection) -> None:
    # Straight to the driver: through SQLAlchemy's execute the BEGIN cost a door scan 0.1 ms, six times itself.
    direct.run(connection, f"BEGIN {connection.get_execution_options().get('sqlite_begin', 'IMMEDIATE')}")


@dataclass
class Store:
    """A migrated database and the station that writes to it."""

    engine: Engine
    station: StationContext
    _sessions: sessionmaker[Session]
    _reading_sessions: sessionmaker[Session]
    memo: dict[str, Any] = field(default_factory=dict)  # per-store values that never change while open

    @contextmanager
    def unit_of_work(self) -> Iterator[Session]:
        """A session that commits when the block ends cleanly and rolls back otherwise."""
        with self._sessions() as session:
            try:
                yield session
                session.commit()
            except BaseException:
                session.rollback()
                raise

    _hot: threading.local = field(default_factory=threading.local)
    _checkpointer: Checkpointer | None = None

    @contextmanager
    def writing(self) -> Iterator[Connection]:
        """A bare Core connection in a transaction: the scan hot path, where an ORM session costs too much.

        Each thread keeps its connection open between scans; checking one out of the pool per scan
        costs a third of a commit.
        """
        connection: Connection | None = getattr(self._hot, "connection", None)
        if connection is None or connection.closed:
            connection = self._hot.connection = self.engine.connect()
            if self._checkpointer is not None:
                direct.run(connection, f"PRAGMA wal_autocheckpoint={SCAN_CHECKPOINT_PAGES}")
        with connection.begin():
            yield connection
        if self._checkpointer is not None:
            self._checkpointer.wrote()

    @contextmanager
    def reading(self) -> Iterator[Session]:
        """A session for looking only: it never takes the write lock (on the hub, a plain session)."""
        with self._reading_sessions() as session:
            yield session

    def now(self) -> datetime:
        """The time on the hub's clock, as this station best knows it (see checkin.clock)."""
        return self.station.clock.now()

    def rename_station(self, wanted: str) -> None:
        """Call this station ``wanted`` from now on (BadStationName if people could not read it)."""
        name = readable_name(wanted)
        with self.unit_of_work() as session:
            station = session.get(Station, self.station.id)
            assert station is not None
            station.name = name
        self.station = replace(self.station, name=name)

    def close(self) -> None:
        if self._checkpointer is not None:
            self._checkpointer.stop()
        connection: Connection | None = getattr(self._hot, "connection", None)
        if connection is not None:
            connection.close()
        self.engine.dispose()


def open_store(target: Path | str, station_name: str | None = None) -> Store:
    """Open (creating and migrating as needed) the database file at ``target``, or the hub at a URL.

    The database's station identity is made once and kept; ``station_name`` renames it (BadStationName if
    people could not read it).
    """
    wanted = readable_name(station_name) if station_name is not None else None
    if is_url(target):
        engine = create_hub_engine(str(target))
        upgrade(engine)
    else:
        engine = _open_file(Path(target))
    sessions = sessionmaker(engine, expire_on_commit=False)
    with sessions() as session:
        station = _local_station(session, wanted)
        session.commit()
    if is_url(target):
        return Store(engine, station, sessions, sessions)
    readers = sessionmaker(reading_only(engine), expire_on_commit=False)
    return Store(engine, station, sessions, readers, _checkpointer=Checkpointer(Path(target)))


class NotADatabase(Exception):
    """The path names something SQLite cannot keep Muster's data in: a folder, another kind of file."""


def _open_file(path: Path) -> Engine:
    if path.is_dir():
        raise NotADatabase(f"{path} is a folder; name a database file in it (such as {path / 'muster.sqlite'})")
    engine = create_sqlite_engine(path)
    try:
        upgrade(engine)
    except DatabaseError as error:  # "file is not a database"; or the disk's doing: full, read-only, failing
        engine.dispose()
        if said := storage_problem(error):
            raise NotADatabase(f"{path}: {said}") from error
        raise NotADatabase(f"{path} cannot be Muster's database: SQLite says {str(error.orig).strip()}") from error
    return engine


def _host_name() -> str:
    """A new station's first name, until someone gives it one: the laptop's, if people could read it."""
    try:
        return readable_name(socket.gethostname())
    except BadStationName:
        return "Desk"


def _local_station(session: Session, wanted_name: str | None) -> StationContext:
    setting = session.get(Setting, "station_id")
    if setting is None:
        station = Station(id=new_id(), name=wanted_name or _host_name(), kind="desk")
        session.add(station)
        session.add(Setting(key="station_id", value=station.id))
    else:
        found = session.scalars(select(Station).where(Station.id == setting.value)).one()
        station = found
        if wanted_name and wanted_name != station.name:
            station.name = wanted_name
    session.flush()
    return StationContext(station.id, station.name, _station_clock(session))


def _station_clock(session: Session) -> StationClock:
    """The clock as the last sync round left it, and past every event this database already holds."""
    offset = session.get(Setting, OFFSET_SETTING)
    clock = StationClock(float(offset.value) if offset is not None else 0.0)
    newest = session.scalar(select(func.max(Event.id)))
    if newest is not None:
        clock.saw([newest])
    return clock
