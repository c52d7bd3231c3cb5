"""The station's side of a sync round: push what the hub lacks, pull what this station lacks.

Exactly once, whatever fails where:
- an event is pushed with INSERT ... ON CONFLICT DO NOTHING and marked sent (its ``hub_seq`` set)
  only after the hub committed it; dying in between just pushes it again, and the hub keeps the first;
- pulled events are inserted by id, so one that is already here is never doubled, and the cursor moves
  in the same local transaction as the events it covers.
"""

from __future__ import annotations

import contextlib
import functools
import json
import socket
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from typing import Any, NamedTuple

from sqlalchemy import Connection, Engine, bindparam, delete, func, insert, select, update
from sqlalchemy.orm import Session

from checkin import projection
from checkin.clock import OFFSET_SETTING
from checkin.occupancy import tracking
from checkin.store import Store
from checkin.store.dialect import insert_for
from checkin.store.migrate import head_revision, known_revisions
from checkin.store.models import Conference, Event, PresenceDirty, SyncStation, table
from checkin.store.settings import set_setting, setting_text
from checkin.sync import hub, reference, roles

CURSOR = "sync.cursor"  # highest hub_seq applied here
REF_CURSOR = "sync.reference"  # highest reference version applied here
HUB = "sync.hub"  # the identity of the hub those two count on
PUSH_BATCH = 2000
PULL_BATCH = 5000


class CatchUp(NamedTuple):
    """How far a long pull has got: ``done`` of the ``total`` events the hub held past the cursor."""

    done: int
    total: int


@dataclass(frozen=True)
class RoundReport:
    pushed: int  # events the hub took from this station this round
    pulled: int  # events from other stations applied here
    reference_rows: int
    backlog: int  # events still waiting to be pushed
    clock_offset_s: float  # hub clock minus this station's clock
    finished_at: datetime
    started_over: bool = False  # the hub's log was not the one this station last saw: it was sent everything


def backlog(connection: Connection, station_id: str) -> int:
    """How many of this station's own events the hub has not confirmed yet (what it alone can send)."""
    return int(connection.execute(_backlog(), {"station": station_id}).scalar_one())


@functools.cache
def _backlog() -> Any:
    return (
        select(func.count()).select_from(Event).where(Event.hub_seq.is_(None), Event.station_id == bindparam("station"))
    )


def unsent(
    connection: Connection, limit: int, only_station: str | None = None
) -> list[tuple[str, str, str, str, str | None, str]]:
    """The oldest events the hub has not confirmed, as ``hub.push`` takes them (times as UTC text); with
    ``only_station``, that station's alone (an enrolled station's login may add no other station's)."""
    mine = "AND station_id = ? " if only_station is not None else ""
    rows = connection.exec_driver_sql(
        f"SELECT id, kind, station_id, station_time, attendee_id, payload FROM event WHERE hub_seq IS NULL {mine}"
        "ORDER BY id LIMIT ?",
        (only_station, limit) if only_station is not None else (limit,),
    )
    return [(i, kind, station, f"{at}+00:00", attendee, payload) for i, kind, station, at, attendee, payload in rows]


@functools.cache
def _mark() -> Any:
    return (
        update(table(Event))
        .where(Event.__table__.c.id == bindparam("event_id"))
        .values(hub_seq=bindparam("seq"), received_at=bindparam("received"))
    )


def mark_sent(connection: Connection, numbers: list[tuple[str, int, datetime]]) -> None:
    if numbers:
        connection.execute(_mark(), [{"event_id": i, "seq": s, "received": r} for i, s, r in numbers])


def setting(connection: Connection, key: str, default: int = 0) -> int:
    value = setting_text(connection, key)
    return int(value) if value is not None else default


def follow_hub(store: Store, remote: Connection) -> bool:
    """Make sure this station's cursors still count on the hub's log; start over if they do not.

    A hub built anew after the old one died (another identity), or restored from a backup (the event with
    the highest number this station knows is gone, or another one has its number), numbers events afresh:
    with its old cursors the station would skip the new numbers, and the hub would never get the events it
    lost. So the station sends it every event it holds (the hub ignores those it has, by id) and pulls
    everything again.
    Returns whether it started over.
    """
    here = hub.identity(remote)
    with store.writing() as connection:
        known = setting_text(connection, HUB)
        # The highest number this station knows, pulled or given to its own events when the hub took them.
        last = connection.exec_driver_sql(
            "SELECT id, hub_seq FROM event WHERE hub_seq = (SELECT max(hub_seq) FROM event)"
        ).first()
    start_over = (here is not None and known is not None and here != known) or (
        last is not None and hub.event_at(remote, last[1]) != last[0]
    )
    remote.rollback()
    new_identity = here is not None and here != known  # a hub without one (older Muster) changes nothing here
    if start_over or new_identity:
        with store.writing() as connection:
            if start_over:
                connection.execute(update(table(Event)).values(hub_seq=None))
                set_setting(connection, CURSOR, 0)
                set_setting(connection, REF_CURSOR, 0)
            if new_identity and here is not None:
                set_setting(connection, HUB, here)
    return start_over


def apply_events(session: Session, pulled: list[hub.Pulled]) -> int:
    """Insert pulled events this station lacks and fold them into its derived state. Returns how many."""
    connection = session.connection()
    known = _known(connection, [event.id for event in pulled])
    new = [event for event in pulled if event.id not in known]
    _insert_pulled(connection, new)
    # Its own events come back marked already, unless the station died between the hub's commit and marking.
    mark_sent(connection, [(e.id, e.hub_seq, e.received_at) for e in pulled if e.id in known and known[e.id] is None])
    door_attendees = {e.attendee_id for e in new if e.kind in tracking.DOOR_KINDS and e.attendee_id}
    projection.apply_many(
        session,
        [
            projection.LoggedEvent(
                e.id, e.kind, e.station_id, e.station_time, e.attendee_id, json.loads(e.payload_json)
            )
            for e in new
            if e.kind not in tracking.DOOR_KINDS
        ],
    )
    if door_attendees:  # recomputed by refresh_presence, once per attendee however many batches touch them
        connection.execute(_mark_dirty(connection.dialect.name), [{"attendee_id": a} for a in door_attendees])
    return len(new)


def _known(connection: Connection, ids: list[str]) -> dict[str, int | None]:
    """id: hub_seq of those events this station already holds."""
    if connection.dialect.name == "sqlite":  # one query, not a hundred 500-item IN lists built by SQLAlchemy
        return dict(
            connection.exec_driver_sql(
                "SELECT id, hub_seq FROM event WHERE id IN (SELECT value FROM json_each(?))", (json.dumps(ids),)
            ).all()
        )
    known: dict[str, int | None] = {}
    for start in range(0, len(ids), 500):
        chunk = ids[start : start + 500]
        known.update(connection.execute(select(Event.id, Event.hub_seq).where(Event.id.in_(chunk))).all())
    return known


@functools.cache
def _mark_dirty(dialect_name: str) -> Any:
    return insert_for(dialect_name, PresenceDirty.__table__).on_conflict_do_nothing()


REFRESH_BATCH = 400  # attendees per transaction: a door scan waits at most a few tens of milliseconds


def refresh_presence(store: Store) -> int:
    """Recompute the presence of every attendee marked dirty by a pull, a few hundred per transaction."""
    done = 0
    while True:
        with store.writing() as connection:
            batch = list(connection.execute(select(PresenceDirty.attendee_id).limit(REFRESH_BATCH)).scalars())
            if not batch:
                return done
            tracking.refresh_attendees(connection, batch)
            connection.execute(delete(PresenceDirty).where(PresenceDirty.attendee_id.in_(batch)))
        done += len(batch)


def _insert_pulled(connection: Connection, events: list[hub.Pulled]) -> None:
    if not events:
        return
    if connection.dialect.name != "sqlite":
        connection.execute(
            insert(table(Event)),
            [
                {
                    **{
                        c: getattr(e, c)
                        for c in ("id", "kind", "station_id", "station_time", "attendee_id", "hub_seq", "received_at")
                    },
                    "payload": json.loads(e.payload_json),
                }
                for e in events
            ],
        )
        return
    # Straight through the driver, times as SQLAlchemy stores them: per-row type processing would be
    # most of the cost of a large pull. A Pulled is already the row, column for column. In attendee
    # order, the inserts into the attendee-keyed indexes touch each page once rather than at random.
    connection.exec_driver_sql(
        "INSERT INTO event (id, kind, station_id, station_time, attendee_id, payload, hub_seq, received_at) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        sorted(events, key=_by_attendee),
    )


def _by_attendee(event: hub.Pulled) -> tuple[str, str]:
    return event.attendee_id or "", event.id


def check_hub(local: Session, hub_connection: Connection) -> None:
    """Refuse, with words, a hub this station cannot sync with: a database never prepared as a hub, one
    prepared by another version of Muster (its tables may differ from what this station reads and writes),
    or one of another conference (a station's file must be empty or belong to the hub's conference)."""
    revision = hub.schema_revision(hub_connection)
    if revision is None:
        raise hub.HubProblem(
            "this database has not been prepared as a hub; prepare it with `checkin hub init URL` "
            "from the laptop that has the conference"
        )
    if revision != head_revision():
        if revision in known_revisions():
            raise hub.HubProblem(
                f"the hub was prepared by an older Muster (schema {revision}, this station "
                f"{head_revision()}); upgrade it with `checkin hub init URL` from this version"
            )
        raise hub.HubProblem(
            f"the hub was prepared by a newer Muster (schema {revision}); update Muster on this "
            "station to the hub's version"
        )
    on_hub = hub.hub_conference(hub_connection)
    here = local.execute(select(Conference.id, Conference.name)).first()
    if on_hub is None:
        raise hub.HubProblem(
            "the hub holds no conference yet; prepare it with `checkin hub init URL` "
            "from the laptop that has the conference"
        )
    if here is not None and here.id != on_hub[0]:
        raise hub.HubProblem(
            f"this station's database holds '{here.name}', the hub '{on_hub[1]}'; "
            "start this station on a new database file to join the hub"
        )


STEP_TIMEOUT_S = 20.0  # one push or pull batch; far more than it takes, far less than a volunteer waits


class Watchdog:
    """Cuts the hub connection if one step of a round takes too long.

    A dead link that still acknowledges packets (a captive portal, a hung access point, a stuck hub)
    defeats TCP timeouts, and the driver has no client-side query timeout; shutting the socket down
    from a timer makes the blocked call fail at once with an OperationalError.
    """

    def __init__(self, connection: Connection) -> None:
        self._fileno = connection.connection.dbapi_connection.fileno()  # type: ignore[union-attr]

    @contextmanager
    def step(self, seconds: float) -> Iterator[None]:
        timer = threading.Timer(seconds, self._cut)
        timer.daemon = True
        timer.start()
        try:
            yield
        finally:
            timer.cancel()

    def _cut(self) -> None:
        with contextlib.suppress(OSError):
            link = socket.fromfd(self._fileno, socket.AF_INET, socket.SOCK_STREAM)  # a duplicate handle
            link.shutdown(socket.SHUT_RDWR)
            link.close()


def sync_round(
    store: Store,
    hub_engine: Engine,
    *,
    after_hub_commit: Callable[[], None] | None = None,
    step_timeout_s: float = STEP_TIMEOUT_S,
    on_progress: Callable[[CatchUp], None] | None = None,
) -> RoundReport:
    """One full round on one hub connection: check, measure the clock, push, pull reference data, pull
    events, report. Any step that outlives ``step_timeout_s`` fails the round with OperationalError.
    A pull longer than one batch calls ``on_progress`` after each batch it applied."""
    with hub_engine.connect() as remote:
        watchdog = Watchdog(remote)
        with watchdog.step(step_timeout_s), store.reading() as local:
            check_hub(local, remote)
            before = store.station.clock.own_now()
            hub_now = hub.hub_clock(remote)
            after = store.station.clock.own_now()
            remote.rollback()
        offset = (hub_now - (before + (after - before) / 2)).total_seconds()
        store.station.clock.follow_hub(offset)
        with store.writing() as connection:
            set_setting(connection, OFFSET_SETTING, str(store.station.clock.offset_s))

        with watchdog.step(step_timeout_s):
            started_over = follow_hub(store, remote)
        refresh_presence(store)  # left over by a round that died half-way
        pushed = _push(store, remote, watchdog, step_timeout_s, after_hub_commit)
        with watchdog.step(step_timeout_s):
            reference_rows = _pull_reference(store, remote)
        pulled = _pull_events(store, remote, watchdog, step_timeout_s, on_progress)
        refresh_presence(store)

        with store.writing() as connection:
            waiting = backlog(connection, store.station.id)
            cursor = setting(connection, CURSOR)
        with watchdog.step(step_timeout_s), remote.begin():
            hub.report(remote, hub.StationReport(store.station.id, store.station.name, offset, waiting, cursor))
            everyone = hub.stations(remote)
    with store.writing() as connection:
        connection.execute(delete(SyncStation))
        if everyone:
            connection.execute(insert(SyncStation), everyone)
    return RoundReport(pushed, pulled, reference_rows, waiting, offset, store.station.clock.now(), started_over)


def _push(
    store: Store, remote: Connection, watchdog: Watchdog, timeout_s: float, after_hub_commit: Callable[[], None] | None
) -> int:
    pushed = 0
    # A station's own login may add only its own events; the organiser's also sends on what other
    # stations recorded (to a hub rebuilt after it lost them).
    only = store.station.id if roles.is_station_login(remote) else None
    remote.rollback()
    while True:
        with store.writing() as connection:
            rows = unsent(connection, PUSH_BATCH, only)
        if not rows:
            return pushed
        with watchdog.step(timeout_s), remote.begin():
            numbers = hub.push(remote, rows)
        if after_hub_commit is not None:
            after_hub_commit()
        with store.writing() as connection:
            mark_sent(connection, numbers)
        pushed += len(rows)


def _pull_reference(store: Store, remote: Connection) -> int:
    with store.writing() as connection:
        cursor = setting(connection, REF_CURSOR)
    with remote.begin():
        remote.exec_driver_sql("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ")  # one consistent snapshot
        batch = reference.pull(remote, cursor)
    if batch.version == cursor:
        return 0
    with store.unit_of_work() as session:
        reference.apply(session, batch)
        set_setting(session.connection(), REF_CURSOR, batch.version)
    return batch.size


def _pull_events(
    store: Store,
    remote: Connection,
    watchdog: Watchdog,
    timeout_s: float,
    on_progress: Callable[[CatchUp], None] | None,
) -> int:
    fetched = pulled = 0
    total: int | None = None
    while True:
        with store.writing() as connection:
            cursor = setting(connection, CURSOR)
        with watchdog.step(timeout_s), remote.begin():
            rows = hub.pull(remote, cursor, PULL_BATCH)
        if not rows:
            return pulled
        with store.unit_of_work() as session:
            pulled += apply_events(session, rows)
            set_setting(session.connection(), CURSOR, rows[-1].hub_seq)
        store.station.clock.saw(row.id for row in rows)  # what this station does next comes after all of it
        fetched += len(rows)
        more = len(rows) == PULL_BATCH
        if on_progress is not None and (more or total is not None):
            if total is None:  # more than one batch: long enough to show, so worth counting what is left
                with watchdog.step(timeout_s), remote.begin():
                    total = fetched + hub.past(remote, rows[-1].hub_seq)
            on_progress(CatchUp(fetched, max(total, fetched)))  # events pushed meanwhile may run past the total
        if not more:
            return pulled


CLOCK_WARNING_S = 60.0  # a station clock further off the hub's than this is shown as wrong


@dataclass(frozen=True)
class StationSeen:
    name: str
    station_id: str
    last_contact: datetime
    seconds_ago: int
    backlog: int
    clock_offset_s: float
    clock_wrong: bool
    sent: int  # events the hub took from it, each counted once


def stations_seen(session: Session, now: datetime) -> list[StationSeen]:
    """Every station the hub has heard from, as of this station's last sync (so it works offline too)."""
    rows = session.scalars(select(SyncStation).order_by(SyncStation.name)).all()
    return [
        StationSeen(
            r.name,
            r.station_id,
            r.last_contact,
            round((now - r.last_contact).total_seconds()),
            r.backlog,
            round(r.clock_offset_s, 1),
            abs(r.clock_offset_s) > CLOCK_WARNING_S,
            r.sent,
        )
        for r in rows
    ]


def clock_words(offset_s: float) -> str:
    """A station clock against the hub's, as a person says it: "in step", "12 s behind", "5 min ahead",
    "2 h 5 min ahead" (the offset is the hub's clock minus the station's: positive means behind)."""
    whole = round(abs(offset_s))
    if whole < 2:  # the measurement itself is only good to about a second on venue Wi-Fi
        return "in step"
    if whole < 120:
        amount = f"{whole} s"
    elif whole < 7200:
        amount = f"{round(whole / 60)} min"
    else:
        amount = f"{whole // 3600} h {whole % 3600 // 60} min"
    return f"{amount} {'behind' if offset_s > 0 else 'ahead'}"


def clock_against_hub(offset_s: float) -> str:
    """ "in step with the hub", "12 s behind the hub", "5 min ahead of the hub"."""
    words = clock_words(offset_s)
    if words == "in step":
        return f"{words} with the hub"
    return f"{words} the hub" if words.endswith("behind") else f"{words} of the hub"


def ago(seconds: float) -> str:
    """How long ago, as a person says it: "40 s ago", "12 min ago", "3 h 5 min ago"."""
    whole = max(0, int(seconds))
    if whole < 120:
        return f"{whole} s ago"
    if whole < 7200:
        return f"{whole // 60} min ago"
    return f"{whole // 3600} h {whole % 3600 // 60} min ago"
