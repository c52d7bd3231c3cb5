"""Station <-> hub sync against a real PostgreSQL: exactly once under faults, convergence, conflicts."""

from __future__ import annotations

import sqlite3
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import Engine, create_engine, delete, func, select, text
from sqlalchemy.exc import DBAPIError, OperationalError

from checkin.clock import StationClock
from checkin.conference import stats
from checkin.desk import WalkIn, check_in, correct, register_walk_in, undo_check_in
from checkin.domain import Status, VerdictCode
from checkin.keys import revoke
from checkin.occupancy.tracking import room_counts
from checkin.store import Store, open_store
from checkin.store.engine import create_hub_engine
from checkin.store.models import Attendee, BadgeKey, SessionRegistration
from checkin.sync import admin, conflicts
from checkin.sync.hub import HubProblem
from checkin.sync.station import backlog, sync_round
from tests.conftest import wait_until
from tests.sync.conftest import Hub

STATION = Path(__file__).with_name("station_process.py")
ROOT = Path(__file__).parents[2]
NOW = datetime(2027, 6, 28, 15, 0, tzinfo=UTC)
DERIVED = ("attendee_state", "entitlement_given", "badge_state", "presence_interval")


def derived_state(path: Path) -> dict[str, list[tuple[object, ...]]]:
    """What a station shows people: check-ins, entitlements, badges, presence and attendee records."""
    with sqlite3.connect(path) as connection:
        state = {table: sorted(connection.execute(f"SELECT * FROM {table}").fetchall()) for table in DERIVED}
        state["attendee"] = sorted(
            connection.execute(
                "SELECT id, first_name, last_name, email, organization, status, status_reason, source FROM attendee"
            )
        )
        state["events"] = sorted(connection.execute("SELECT id, hub_seq FROM event"))
    return state


def station(tmp_path: Path, name: str) -> Store:
    return open_store(tmp_path / f"{name}.sqlite", name)


def hub_events(url: str) -> list[tuple[str, int]]:
    engine = create_engine(url)
    with engine.connect() as connection:
        rows = connection.execute(text("SELECT id, hub_seq FROM event ORDER BY hub_seq")).all()
    engine.dispose()
    return [(r.id, r.hub_seq) for r in rows]


def local_events(path: Path) -> list[tuple[str, int | None]]:
    with sqlite3.connect(path) as connection:
        return connection.execute("SELECT id, hub_seq FROM event ORDER BY hub_seq, id").fetchall()


def hub_count(url: str) -> int:
    engine = create_engine(url)
    with engine.connect() as connection:
        count = int(connection.execute(text("SELECT count(*) FROM event")).scalar_one())
    engine.dispose()
    return count


def run_station(db: Path, url: str, *action: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, str(STATION), str(db), url, *action], capture_output=True, text=True, timeout=300, cwd=ROOT
    )


def paid_ids(store: Store, count: int) -> list[str]:
    with store.reading() as session:
        return list(
            session.scalars(
                select(Attendee.id).where(Attendee.status == Status.PAID.value).order_by(Attendee.id).limit(count)
            )
        )


# --- the happy path -----------------------------------------------------------------------------------------


def test_a_new_station_gets_the_conference_and_everyones_events(
    tmp_path: Path, hub_url: str, admin_store: Store
) -> None:
    engine = create_hub_engine(hub_url)
    a, b = station(tmp_path, "a"), station(tmp_path, "b")
    sync_round(a, engine)
    people = paid_ids(a, 3)
    for person in people:
        assert check_in(a, person, NOW).code is VerdictCode.ACCEPTED
    report = sync_round(a, engine)
    assert (report.pushed, report.backlog) == (3, 0)

    joined = sync_round(b, engine)  # joins mid-conference: snapshot plus the log so far
    assert joined.pulled == 3 and joined.reference_rows > 120
    with b.reading() as session, admin_store.reading() as original:
        assert stats(session).checked_in == 3
        assert session.scalar(select(func.count()).select_from(SessionRegistration)) == original.scalar(
            select(func.count()).select_from(SessionRegistration)
        )
    assert check_in(b, people[0], NOW).code is VerdictCode.ALREADY_CHECKED_IN
    sync_round(a, engine)
    assert derived_state(tmp_path / "a.sqlite") == derived_state(tmp_path / "b.sqlite")
    engine.dispose()


def test_an_undone_check_in_is_undone_on_every_station_and_on_one_that_joins_later(
    tmp_path: Path, hub_url: str
) -> None:
    engine = create_hub_engine(hub_url)
    a, b = station(tmp_path, "a"), station(tmp_path, "b")
    sync_round(a, engine)
    sync_round(b, engine)
    person = paid_ids(a, 1)[0]
    check_in(a, person, NOW)
    sync_round(a, engine)
    sync_round(b, engine)
    with b.reading() as session:
        assert stats(session).checked_in == 1
    assert undo_check_in(a, person, "wrong person selected", NOW + timedelta(minutes=1)).code is VerdictCode.UNDONE
    sync_round(a, engine)
    sync_round(b, engine)
    late = station(tmp_path, "c")
    sync_round(late, engine)  # the check-in and its undo arrive in one batch
    for store in (b, late):
        with store.reading() as session:
            assert stats(session).checked_in == 0
    assert derived_state(tmp_path / "a.sqlite") == derived_state(tmp_path / "b.sqlite")
    assert check_in(b, person, NOW + timedelta(minutes=2)).code is VerdictCode.ACCEPTED
    engine.dispose()


def test_the_hub_numbers_events_in_commit_order_and_keeps_station_and_hub_time(tmp_path: Path, hub_url: str) -> None:
    engine = create_hub_engine(hub_url)
    a = station(tmp_path, "a")
    sync_round(a, engine)
    skewed = datetime.now(UTC) - timedelta(hours=3)  # a station clock three hours behind
    check_in(a, paid_ids(a, 1)[0], skewed)
    sync_round(a, engine)
    with engine.connect() as connection:
        row = connection.execute(text("SELECT station_time, received_at, hub_seq FROM event")).one()
    assert row.hub_seq >= 1
    assert abs((row.received_at - row.station_time).total_seconds() - 3 * 3600) < 60
    engine.dispose()


# --- exactly once under faults ------------------------------------------------------------------------------


def test_exactly_once_when_the_station_is_killed_between_hub_commit_and_marking_sent(
    tmp_path: Path, hub_url: str
) -> None:
    db = tmp_path / "desk.sqlite"
    assert run_station(db, hub_url, "sync").returncode == 0
    assert run_station(db, hub_url, "scan", "300").returncode == 0
    recorded = local_events(db)

    died = run_station(db, hub_url, "sync-die")
    assert died.returncode == -9  # SIGKILL, right after the hub committed
    on_hub = hub_events(hub_url)
    assert len(on_hub) == len(recorded)  # the hub has them all ...
    assert all(seq is None for _, seq in local_events(db))  # ... and the station marked none of them

    again = run_station(db, hub_url, "sync")
    assert again.returncode == 0, again.stderr
    assert hub_events(hub_url) == on_hub  # nothing duplicated, numbers unchanged
    assert sorted(local_events(db)) == sorted(on_hub)  # every event marked with the hub's own number
    engine = create_engine(hub_url)
    with engine.connect() as connection:
        sent = connection.execute(text("SELECT sent FROM sync_station")).scalar_one()
    engine.dispose()
    assert sent == len(recorded)  # the retry sent them all again; the hub counts each once


def test_exactly_once_when_the_hub_stops_and_restarts_mid_push(
    tmp_path: Path, hub_server: Hub, hub_url: str, keyring_env: dict[str, str]
) -> None:
    db = tmp_path / "door.sqlite"
    assert run_station(db, hub_url, "sync").returncode == 0
    assert run_station(db, hub_url, "scan", "6000").returncode == 0
    recorded = {event_id for event_id, _ in local_events(db)}

    syncing = subprocess.Popen(
        [sys.executable, "-m", "checkin.cli", "sync", "--db", str(db), "--hub", hub_url],
        cwd=ROOT,
        env=keyring_env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        wait_until(lambda: hub_count(hub_url) > 0, 60, "the station never started pushing")
        hub_server.stop()  # the push is under way, not done
        hub_server.start()
        partial = hub_count(hub_url)
        wait_until(lambda: hub_count(hub_url) == len(recorded), 120, "the station did not catch up")
        wait_until(
            lambda: not any(seq is None for _, seq in local_events(db)), 60, "the station did not mark its events sent"
        )
    finally:
        syncing.terminate()
        output = syncing.communicate(timeout=30)[0]
    assert 0 < partial < len(recorded), f"the hub was not stopped mid-push ({partial} of {len(recorded)})"
    on_hub = hub_events(hub_url)
    assert {event_id for event_id, _ in on_hub} == recorded
    assert len(on_hub) == len(recorded)
    assert sorted(local_events(db)) == sorted(on_hub)
    assert "Offline" in output  # the station noticed, and said so


def test_a_timed_out_network_call_neither_hangs_nor_loses_or_doubles(
    tmp_path: Path, hub_server: Hub, hub_url: str
) -> None:
    from tests.sync.proxy import Proxy

    db = tmp_path / "desk.sqlite"
    assert run_station(db, hub_url, "sync").returncode == 0
    assert run_station(db, hub_url, "scan", "500").returncode == 0
    with Proxy("127.0.0.1", hub_server.port) as proxy:
        through = hub_url.replace(f":{hub_server.port}/", f":{proxy.port}/")
        store = open_store(db)
        engine = create_hub_engine(through, timeout_s=2)
        sync_round(store, engine)
        with store.writing() as connection:
            assert backlog(connection, store.station.id) == 0
        run_station(db, hub_url, "scan", "400")
        proxy.freeze_after(3000)  # mid-round: the connection is up, the push is on its way, then silence
        started = datetime.now()
        with pytest.raises(OperationalError):
            sync_round(store, engine, step_timeout_s=3)
        assert datetime.now() - started < timedelta(seconds=15)
        proxy.thaw()
        sync_round(store, engine)
        engine.dispose()
        store.close()
    on_hub = hub_events(hub_url)
    assert len(on_hub) == len({i for i, _ in on_hub}) == len(local_events(db))
    assert sorted(local_events(db)) == sorted(on_hub)


# --- convergence ---------------------------------------------------------------------------------------------


def two_stations_on(tmp_path: Path, url: str) -> tuple[Engine, Store, Store]:
    """Stations a and b, each with the hub's conference."""
    engine = create_hub_engine(url)
    a, b = station(tmp_path, "a"), station(tmp_path, "b")
    sync_round(a, engine)
    sync_round(b, engine)
    return engine, a, b


def rebuild_hub_database(hub_server: Hub, url: str) -> None:
    """What an admin does when the hub laptop dies: a new, empty database in its place."""
    name = url.rsplit("/", 1)[1]
    engine = create_engine(hub_server.url("postgres"), isolation_level="AUTOCOMMIT")
    with engine.connect() as connection:
        connection.execute(text(f'DROP DATABASE "{name}" WITH (FORCE)'))
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    engine.dispose()


def test_a_hub_built_anew_gets_every_event_back_from_the_stations(
    tmp_path: Path, hub_server: Hub, hub_url: str, admin_store: Store
) -> None:
    engine, a, b = two_stations_on(tmp_path, hub_url)
    people = paid_ids(a, 6)
    for person in people[:3]:
        check_in(a, person, NOW)
    for person in people[3:5]:
        check_in(b, person, NOW)
    for desk in (a, b, a):
        assert not sync_round(desk, engine).started_over
    engine.dispose()

    rebuild_hub_database(hub_server, hub_url)
    admin.init_hub(hub_url, admin_store)  # the conference again, but none of the events
    check_in(b, people[5], NOW)  # recorded while the hub was gone
    engine = create_hub_engine(hub_url)
    first = sync_round(a, engine)
    assert first.started_over and first.pushed == 5  # its own three and the two it had pulled from b
    second = sync_round(b, engine)
    assert second.started_over and second.pushed == 6
    c = station(tmp_path, "c")
    assert sync_round(c, engine).pulled == 6  # a station joining now gets everything the old hub had
    assert not sync_round(a, engine).started_over
    engine.dispose()
    assert len(hub_events(hub_url)) == 6
    with c.reading() as session:
        assert stats(session).checked_in == 6
    assert (
        derived_state(tmp_path / "a.sqlite")
        == derived_state(tmp_path / "b.sqlite")
        == derived_state(tmp_path / "c.sqlite")
    )


def test_a_hub_restored_from_an_earlier_backup_gets_back_what_it_lost(tmp_path: Path, hub_url: str) -> None:
    engine, a, b = two_stations_on(tmp_path, hub_url)
    people = paid_ids(a, 6)
    for person in people[:4]:
        check_in(a, person, NOW)
    sync_round(a, engine)
    sync_round(b, engine)
    with engine.begin() as connection:  # the backup was taken after the first two events
        connection.execute(text("DELETE FROM event WHERE hub_seq > 2"))
        connection.execute(text("SELECT setval('muster_event_seq', 2)"))
        connection.execute(text("UPDATE sync_station SET sent = 2 WHERE sent > 0"))  # what a had sent by then
    for person in people[4:]:
        check_in(b, person, NOW)  # the restored hub numbers these 3 and 4: numbers a and b have seen already
    assert sync_round(b, engine).started_over
    assert sync_round(a, engine).started_over
    sync_round(b, engine)
    with engine.connect() as connection:  # both sent all they held again; each event counts once, for its station
        sent = dict(connection.execute(text("SELECT name, sent FROM sync_station")).all())
    engine.dispose()
    assert sent == {"a": 4, "b": 2}
    assert len(hub_events(hub_url)) == 6
    assert derived_state(tmp_path / "a.sqlite") == derived_state(tmp_path / "b.sqlite")
    with a.reading() as session:
        assert stats(session).checked_in == 6


def test_stations_working_apart_converge_once_the_partition_heals(tmp_path: Path, hub_url: str) -> None:
    dbs = [tmp_path / f"station{n}.sqlite" for n in range(3)]
    for db in dbs:
        assert run_station(db, hub_url, "sync").returncode == 0
    scans = [
        subprocess.Popen([sys.executable, str(STATION), str(db), hub_url, "scan", "400"], cwd=ROOT) for db in dbs
    ]  # three stations at once, cut off from the hub
    assert [p.wait(timeout=300) for p in scans] == [0, 0, 0]
    for _ in range(2):  # the first round carries each station's events up, the second brings the others down
        for db in dbs:
            result = run_station(db, hub_url, "sync")
            assert result.returncode == 0, result.stderr
    states = [derived_state(db) for db in dbs]
    assert states[0] == states[1] == states[2]
    assert len(states[0]["events"]) == len(hub_events(hub_url))
    counts = []
    for db in dbs:
        store = open_store(db)
        with store.writing() as connection:
            counts.append([(c.room_id, c.count) for c in room_counts(connection, NOW)])
        store.close()
    assert counts[0] == counts[1] == counts[2] and any(n for _, n in counts[0])


# --- conflicts -----------------------------------------------------------------------------------------------


Desks = tuple[Engine, Store, Store]


@pytest.fixture
def two_desks(tmp_path: Path, hub_url: str) -> Iterator[Desks]:
    """Two desks that joined the hub, then lost it (each round is run by hand)."""
    engine = create_hub_engine(hub_url)
    a, b = station(tmp_path, "Desk A"), station(tmp_path, "Desk B")
    sync_round(a, engine), sync_round(b, engine)
    yield engine, a, b
    engine.dispose()


def test_one_attendee_checked_in_at_two_offline_desks_counts_once_and_flags_the_second_badge(
    tmp_path: Path, two_desks: Desks
) -> None:
    engine, a, b = two_desks
    person = paid_ids(a, 1)[0]
    assert check_in(a, person, NOW).accepted
    assert check_in(b, person, NOW + timedelta(minutes=2)).accepted  # b has not heard of a's yet
    for store in (a, b, a):
        sync_round(store, engine)
    for store in (a, b):
        with store.reading() as session:
            assert stats(session).checked_in == 1
            flagged = conflicts.duplicate_badges(session)
            assert [(d.attendee.id, d.station, d.first_station) for d in flagged] == [(person, "Desk B", "Desk A")]
    conflicts.review(b, flagged[0].event_id, "second badge taken back", NOW)
    with pytest.raises(conflicts.ConflictProblem):
        conflicts.review(b, flagged[0].event_id, "again", NOW)
    for store in (b, a):
        sync_round(store, engine)
    with a.reading() as session:
        assert conflicts.duplicate_badges(session) == []


def test_a_walk_in_registered_twice_is_flagged_and_the_merge_reaches_every_station(
    tmp_path: Path, two_desks: Desks
) -> None:
    engine, a, b = two_desks
    first = register_walk_in(
        a, WalkIn("Dana", "Whitfield", "dana.whitfield@district.k12.us", "District 9", status=Status.PAID), NOW
    )
    second = register_walk_in(
        b, WalkIn("Dana", "Whitfield", "Dana.Whitfield@District.k12.us", status=Status.PAID), NOW + timedelta(minutes=1)
    )
    check_in(b, second.id, NOW + timedelta(minutes=1))
    for store in (a, b, a):
        sync_round(store, engine)
    with a.reading() as session:
        groups = conflicts.walk_in_duplicates(session)
        before = stats(session)
    assert [{v.id for v in g} for g in groups] == [{first.id, second.id}]
    kept = conflicts.merge(a, second.id, first.id, NOW + timedelta(minutes=5))
    assert kept.checked_in_at == NOW + timedelta(minutes=1)  # the duplicate's arrival carried over
    for store in (a, b):
        sync_round(store, engine)
    for store in (a, b):
        with store.reading() as session:
            assert conflicts.walk_in_duplicates(session) == []
            after = stats(session)
            assert (after.registered, after.checked_in) == (before.registered - 1, before.checked_in)
            merged = session.get(Attendee, second.id)
            assert merged is not None and merged.status == Status.CANCELLED.value
            assert "Merged into Dana Whitfield" in merged.status_reason
    assert derived_state(tmp_path / "Desk A.sqlite") == derived_state(tmp_path / "Desk B.sqlite")


def test_edits_to_one_attendee_on_two_stations_resolve_the_same_way_everywhere(
    tmp_path: Path, two_desks: Desks
) -> None:
    engine, a, b = two_desks
    person = paid_ids(a, 1)[0]
    correct(a, person, {"organization": "Springfield PD", "email": "chief@springfield.example"}, NOW)
    correct(b, person, {"organization": "Shelbyville PD"}, NOW + timedelta(seconds=1))  # later by b's clock
    for store in (b, a, b):
        sync_round(store, engine)
    for store in (a, b):
        with store.reading() as session:
            row = session.get(Attendee, person)
            assert row is not None
            # Per field, the later edit wins: b's organization, a's email (b did not touch it).
            assert (row.organization, row.email) == ("Shelbyville PD", "chief@springfield.example")


# --- reference data and refusals -----------------------------------------------------------------------------


def test_changes_made_on_the_hub_reach_stations_including_deletions_and_key_revocations(
    tmp_path: Path, hub_url: str
) -> None:
    engine = create_hub_engine(hub_url)
    a = station(tmp_path, "Door 1")
    sync_round(a, engine)
    hub = open_store(hub_url, "Hub admin")
    with hub.unit_of_work() as session:
        registration = session.scalars(select(SessionRegistration)).first()
        assert registration is not None
        gone = (registration.session_id, registration.attendee_id)
        session.execute(
            delete(SessionRegistration).where(
                SessionRegistration.session_id == gone[0], SessionRegistration.attendee_id == gone[1]
            )
        )
        revoke(session, 1, NOW)
    report = sync_round(a, engine)
    assert report.reference_rows == 2
    with a.reading() as session:
        assert session.get(SessionRegistration, gone) is None
        key = session.get(BadgeKey, 1)
        assert key is not None and key.revoked_at is not None
        assert key.private_key is None  # stations never receive a signing key from the hub
    hub.close()
    engine.dispose()


def test_a_station_of_another_conference_is_refused_with_words(tmp_path: Path, hub_url: str) -> None:
    from checkin.demo import build_demo

    other = station(tmp_path, "other")
    with other.unit_of_work() as session:
        build_demo(session, attendees=10, seed=99)
        session.execute(text("UPDATE conference SET name = 'Regional Expo'"))
    with other.reading() as session, open_store(tmp_path / "admin.sqlite").reading() as ours:
        assert session.scalar(text("SELECT id FROM conference")) != ours.scalar(text("SELECT id FROM conference"))
    engine = create_hub_engine(hub_url)
    with pytest.raises(HubProblem, match="Regional Expo"):
        sync_round(other, engine)
    with pytest.raises(HubProblem, match="already holds"):
        admin.init_hub(hub_url, other)
    engine.dispose()


def test_an_unprepared_hub_is_refused_with_words(tmp_path: Path, hub_db: str) -> None:
    admin.init_hub(hub_db, None)  # schema only, no conference
    with pytest.raises(HubProblem, match="no conference"):
        sync_round(station(tmp_path, "a"), create_hub_engine(hub_db))


def test_an_empty_database_is_refused_as_unprepared_not_reported_as_a_hub_that_is_down(
    tmp_path: Path, hub_db: str
) -> None:
    from checkin.sync.worker import State, SyncWorker

    with pytest.raises(HubProblem, match="not been prepared as a hub; prepare it with `checkin hub init URL`"):
        sync_round(station(tmp_path, "a"), create_hub_engine(hub_db))
    reports: list[object] = []
    worker = SyncWorker(station(tmp_path, "b"), hub_db, reports.append, interval_s=0.1, ceiling_s=0.2)
    worker.start()
    wait_until(lambda: bool(reports), 30, "the worker never reported")
    worker.stop()
    assert reports[0].state is State.REFUSED  # type: ignore[attr-defined]  # a person must act: no retry helps


def test_a_hub_of_another_muster_version_is_refused_until_it_is_upgraded(
    tmp_path: Path, hub_db: str, admin_store: Store
) -> None:
    from checkin.store.migrate import head_revision, upgrade

    engine = create_hub_engine(hub_db)
    upgrade(engine, "0006")  # prepared by an older Muster
    desk = station(tmp_path, "desk")
    with pytest.raises(HubProblem, match=rf"older Muster \(schema 0006, this station {head_revision()}\); upgrade"):
        sync_round(desk, engine)
    admin.init_hub(hub_db, admin_store)  # what the message says to do: brings the hub to this version
    assert sync_round(desk, engine).reference_rows > 0

    with engine.begin() as connection:  # as a newer Muster would have left it
        connection.execute(text("UPDATE alembic_version SET version_num = '9999'"))
    with pytest.raises(HubProblem, match=r"newer Muster \(schema 9999\); update Muster on this station"):
        sync_round(desk, engine)
    engine.dispose()


def test_a_station_clock_five_minutes_slow_is_measured_and_flagged(tmp_path: Path, hub_url: str) -> None:
    from checkin.sync.station import stations_seen
    from checkin.sync.worker import State, SyncStatus

    engine = create_hub_engine(hub_url)
    slow, good = station(tmp_path, "Slow kiosk"), station(tmp_path, "Desk 1")
    slow.station = replace(slow.station, clock=StationClock(wall=lambda: datetime.now(UTC) - timedelta(minutes=5)))
    report = sync_round(slow, engine)
    assert 295 < report.clock_offset_s < 305
    sync_round(good, engine)
    with good.reading() as session:
        seen = {s.name: s for s in stations_seen(session, datetime.now(UTC))}
    assert seen["Slow kiosk"].clock_wrong and not seen["Desk 1"].clock_wrong
    line = SyncStatus(State.CONNECTED, "", 0, datetime.now(UTC), report.clock_offset_s).summary(datetime.now(UTC))
    assert "this clock is 5 min behind the hub" in line
    engine.dispose()


def test_clock_offsets_in_words() -> None:
    from checkin.sync.station import clock_against_hub, clock_words

    cases = {
        0.4: "in step",
        -1.4: "in step",
        12.3: "12 s behind",
        -45: "45 s ahead",
        300.2: "5 min behind",
        -3 * 3600 - 300: "3 h 5 min ahead",
    }
    assert {offset: clock_words(offset) for offset in cases} == cases
    assert [clock_against_hub(offset) for offset in (-600, 600, 0.2)] == [
        "10 min ahead of the hub",
        "10 min behind the hub",
        "in step with the hub",
    ]


def test_backoff_doubles_up_to_its_ceiling_with_jitter() -> None:
    from checkin.sync.worker import backoff

    for failures, most in ((1, 1.0), (2, 2.0), (3, 3.0), (10, 3.0)):
        waits = [backoff(failures, 1.0, 3.0) for _ in range(200)]
        assert max(waits) <= most and min(waits) >= 0.7 * most
        assert len(set(waits)) > 100  # jittered: thirty stations do not knock in step


def test_the_worker_reports_a_hub_it_cannot_use_and_keeps_trying(tmp_path: Path, hub_db: str) -> None:
    import threading

    from checkin.sync.worker import State, SyncWorker

    admin.init_hub(hub_db, None)  # reachable, but holds no conference
    reports: list[object] = []
    twice = threading.Event()

    def seen(status: object) -> None:
        reports.append(status)
        if len(reports) >= 2:
            twice.set()

    worker = SyncWorker(station(tmp_path, "a"), hub_db, seen, interval_s=0.1, ceiling_s=0.2)
    worker.start()
    assert twice.wait(30)
    worker.stop()
    assert all(r.state is State.REFUSED for r in reports)  # type: ignore[attr-defined]
    assert "no conference" in reports[0].summary(datetime.now(UTC))  # type: ignore[attr-defined]


def test_a_long_catch_up_reports_how_far_it_has_got_batch_by_batch(
    tmp_path: Path, hub_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    import threading

    from checkin.sync import station as station_module
    from checkin.sync.station import CatchUp
    from checkin.sync.worker import State, SyncWorker

    engine = create_hub_engine(hub_url)
    a = station(tmp_path, "a")
    sync_round(a, engine)
    for person in paid_ids(a, 12):
        check_in(a, person, NOW)
    sync_round(a, engine)
    monkeypatch.setattr(station_module, "PULL_BATCH", 5)

    b = station(tmp_path, "b")
    seen: list[CatchUp] = []
    sync_round(b, engine, on_progress=seen.append)
    assert seen == [CatchUp(5, 12), CatchUp(10, 12), CatchUp(12, 12)]
    check_in(a, paid_ids(a, 14)[-1], NOW)
    sync_round(a, engine)
    sync_round(b, engine, on_progress=seen.append)  # one batch is no long work: nothing to show
    assert len(seen) == 3
    engine.dispose()

    reports: list[object] = []
    done = threading.Event()

    def report(status: object) -> None:
        reports.append(status)
        if status.state is State.CONNECTED:  # type: ignore[attr-defined]
            done.set()

    worker = SyncWorker(station(tmp_path, "c"), hub_url, report)
    worker.start()
    assert done.wait(60)
    worker.stop()
    lines = [r.summary(datetime.now(UTC)) for r in reports]  # type: ignore[attr-defined]
    assert lines[:2] == ["Catching up with the hub: 5 of 13 events", "Catching up with the hub: 10 of 13 events"]
    assert lines[-1].startswith("Synced")
    assert reports[-1].progress is None  # type: ignore[attr-defined]


def test_a_schedule_change_on_the_hub_recomputes_presence_at_the_station(tmp_path: Path, hub_url: str) -> None:
    from checkin.occupancy import tracking
    from checkin.store.models import ConferenceSession, PresenceDirty, PresenceInterval

    db = tmp_path / "door.sqlite"
    assert run_station(db, hub_url, "sync").returncode == 0
    assert run_station(db, hub_url, "scan", "300").returncode == 0
    door = open_store(db)
    engine = create_hub_engine(hub_url)
    sync_round(door, engine)
    with door.writing() as connection:
        before = sorted(connection.execute(select(PresenceInterval.start_event, PresenceInterval.auto_end)).all())
    hub = open_store(hub_url, "Hub admin")
    with hub.unit_of_work() as session:  # every session of the scanned day ends half an hour early
        for item in session.scalars(select(ConferenceSession)):
            item.ends_at = item.ends_at - timedelta(minutes=30)
    hub.close()
    assert sync_round(door, engine).reference_rows > 0
    with door.writing() as connection:
        after = sorted(connection.execute(select(PresenceInterval.start_event, PresenceInterval.auto_end)).all())
        replayed = sorted((i.start_event, i.auto_end) for i in tracking.replay(connection))
        waiting = connection.execute(select(func.count()).select_from(PresenceDirty)).scalar_one()
    assert after == replayed and after != before and waiting == 0
    door.close()
    engine.dispose()


def test_a_station_that_vanishes_mid_push_does_not_stall_the_others(tmp_path: Path, hub_url: str) -> None:
    from checkin.sync import hub as hub_side
    from checkin.sync.station import unsent

    gone, alive = station(tmp_path, "Gone"), station(tmp_path, "Alive")
    for store in (gone, alive):
        sync_round(store, create_hub_engine(hub_url))
    check_in(gone, paid_ids(gone, 1)[0], NOW)
    check_in(alive, paid_ids(alive, 2)[1], NOW)
    vanishing = create_hub_engine(hub_url, timeout_s=1).connect()  # its sessions die 5 s idle in a transaction
    vanishing.begin()
    with gone.writing() as connection:
        hub_side.push(vanishing, unsent(connection, 10))  # holds the hub's numbering lock, then silence
    started = datetime.now()
    report = sync_round(alive, create_hub_engine(hub_url))
    waited = datetime.now() - started
    assert report.pushed == 1 and timedelta(seconds=3) < waited < timedelta(seconds=30)
    assert len(hub_events(hub_url)) == 1  # the vanished station's push was rolled back, not half kept
    with pytest.raises(DBAPIError, match="idle-in-transaction timeout"):
        vanishing.commit()
    assert sync_round(gone, create_hub_engine(hub_url)).pushed == 1  # and it goes through on its next round
