"""Ten stations catching up with the hub at once, next to a bare COPY / executemany of the same rows.

Ten station databases each hold 5,000 events recorded while the hub was down (check-ins and door scans
of the 2,400-attendee demo conference). Ten station processes run the real sync worker, failing against
the dead hub; then the hub starts, and the clock runs until every station holds all 50,000 events with
nothing left to push. Then one station catches up again alone, as a venue laptop does on its own CPU. Run by
hand:

    .venv/bin/python benchmarks/sync.py [--stations 10] [--events 5000]
"""

from __future__ import annotations

import os

# A machine without a system keyring seals the demo's badge keys with a passphrase (see checkin.vault).
os.environ.setdefault("MUSTER_BADGE_KEYS_PASSPHRASE", "benchmark passphrase")

import argparse
import contextlib
import os
import random
import resource
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import create_engine, select, text

from checkin.demo import build_demo
from checkin.events import bulk_append
from checkin.ids import new_id
from checkin.projection import rebuild
from checkin.store import Store, open_store
from checkin.store.engine import create_hub_engine
from checkin.store.models import Attendee, Room
from checkin.sync import admin, enrollment, roles, server, tls
from checkin.sync.station import sync_round

ROOT = Path(__file__).resolve().parents[1]
PASSWORD = "bench"
DAY = datetime(2027, 6, 28, 13, 0, tzinfo=UTC)


def station_rows(
    station_id: str, name: str, people: list[str], rooms: list[str], count: int, seed: int
) -> list[dict[str, object]]:
    rng = random.Random(seed)
    rows: list[dict[str, object]] = []
    for number in range(count):
        at = DAY + timedelta(seconds=number * 2 + rng.random())
        person = rng.choice(people)
        if number % 4 == 0:
            kind, payload = "checked_in", {}
        else:
            kind = "exited" if number % 9 == 0 else "entered"
            payload = {"room_id": rng.choice(rooms), "door": "Main"}
        rows.append(
            {
                "id": new_id(),
                "kind": kind,
                "station_id": station_id,
                "station_time": at,
                "attendee_id": person,
                "payload": {"station_name": name, **payload},
            }
        )
    return rows


class Hub:
    """The hub's PostgreSQL and, with ``secure``, the TLS front stations reach it through (as `hub serve`)."""

    def __init__(self, data: Path, secure: bool) -> None:
        self.data, self.port = data, server.free_port()
        self.running = server.start(data, "127.0.0.1", self.port)
        self.front: tls.Front | None = None
        if secure:
            self.certificate = tls.hub_certificate(data.parent / "tls")
            self.tls_port = server.free_port()
            self.front = tls.Front(self.certificate, "127.0.0.1", self.tls_port, server.socket_path(data, self.port))
            self.front.start()

    def stop(self) -> None:
        self.running.stop()

    def start_again(self) -> None:
        self.running = server.start(self.data, "127.0.0.1", self.port)

    def close(self) -> None:
        self.running.stop()
        if self.front is not None:
            self.front.stop()

    def station_url(self, admin_url: str, store: Store) -> str:
        """An enrolled station's own login through the TLS front, or (plain) the organiser's URL."""
        if self.front is None:
            return admin_url
        engine = create_engine(admin_url)
        with engine.begin() as connection:
            made = roles.enroll(connection, store.station.name, "door", timedelta(hours=1))
        engine.dispose()
        ticket = enrollment.read_code(
            enrollment.code_for("127.0.0.1", self.tls_port, "muster", made, self.certificate.fingerprint())
        )
        certificate = tls.pin(tls.fetch_certificate("127.0.0.1", self.tls_port), ticket.fingerprint, self.data.parent)
        password = roles.random_text(32)
        engine = create_engine(ticket.url(certificate))
        with engine.begin() as connection:
            roles.join(connection, store.station.id, password)
        engine.dispose()
        return ticket.url(certificate, password)


def prepare(
    folder: Path, stations: int, events: int, secure: bool
) -> tuple[Hub, str, list[tuple[Path, str]], list[dict]]:
    data = folder / "hub"
    if os.geteuid() == 0:  # the hub's PostgreSQL runs as its own user, which must walk down to its data
        folder.chmod(0o711)
    server.init_cluster(data, PASSWORD)
    hub = Hub(data, secure)
    url = server.hub_url("127.0.0.1", hub.port, PASSWORD)
    admin_store = open_store(folder / "admin.sqlite", "Admin")
    with admin_store.unit_of_work() as session:
        build_demo(session, attendees=2400)
        people = list(session.scalars(select(Attendee.id).where(Attendee.status == "paid")))
        rooms = list(session.scalars(select(Room.id)))
    admin.init_hub(url, admin_store)
    admin_store.close()
    paths, all_rows = [], []
    for number in range(stations):
        path = folder / f"station{number}.sqlite"
        store = open_store(path, f"Door {number}")
        station_url = hub.station_url(url, store)
        engine = create_hub_engine(station_url)
        sync_round(store, engine)  # each joined before the outage: it has the conference
        engine.dispose()
        rows = station_rows(store.station.id, store.station.name, people, rooms, events, number)
        with store.unit_of_work() as session:
            bulk_append(session, rows)
            rebuild(session)
        store.close()
        paths.append((path, station_url))
        all_rows.extend(rows)
    return hub, url, paths, all_rows


def run_station(db: str, url: str, expected: int) -> None:
    """A station process: the real worker, until this station holds every event and owes the hub none.

    Prints "offline" after each failed round, then "done <time> <rounds> <cpu> <knock>": when it converged,
    the rounds that reached the hub, the CPU it used since its last failed round, and when it knocked again.
    """
    from checkin.sync.worker import State, SyncStatus, SyncWorker

    store = open_store(Path(db))
    done = threading.Event()
    rounds = 0
    offline_cpu = knock = 0.0

    def check(status: SyncStatus) -> None:
        nonlocal rounds, offline_cpu, knock
        if status.state == State.CATCHING_UP:  # a round under way
            return
        if status.state == State.OFFLINE:
            offline_cpu, knock = time.process_time(), time.time() + (status.retry_in_s or 0)
            print("offline", flush=True)
        else:
            rounds += 1
        with sqlite3.connect(db) as connection:
            total, waiting = connection.execute("SELECT count(*), sum(hub_seq IS NULL) FROM event").fetchone()
        if total == expected and waiting == 0:
            done.set()

    worker = SyncWorker(store, url, check)
    worker.start()
    done.wait()
    print(f"done {time.time():.3f} {rounds} {time.process_time() - offline_cpu:.3f} {knock:.3f}", flush=True)
    worker.stop()


def hub_cpu_s(data_dir: Path) -> float:
    """CPU used so far by the hub's PostgreSQL: the postmaster, its live children and those it has reaped
    (each station round has its own backend). Linux only; 0 elsewhere."""
    pid = (data_dir / "postmaster.pid").read_text().split()[0]
    if not Path(f"/proc/{pid}/stat").exists():
        return 0.0
    ticks = 0
    for number in [pid, *Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]:
        with contextlib.suppress(OSError):  # a backend that exited meanwhile
            fields = Path(f"/proc/{number}/stat").read_text().rsplit(")", 1)[1].split()
            ticks += sum(int(f) for f in fields[11 : 15 if number == pid else 13])  # utime stime (cutime cstime)
    return ticks / os.sysconf("SC_CLK_TCK")


def baselines(url: str, rows: list[dict]) -> tuple[float, float]:
    """The same rows into a trigger-less copy of the event table: COPY, then executemany."""
    import json

    engine = create_engine(url)
    with engine.begin() as connection:
        for name in ("bench_copy", "bench_many"):
            connection.execute(text(f"DROP TABLE IF EXISTS {name}"))
            connection.execute(text(f"CREATE TABLE {name} (LIKE event INCLUDING DEFAULTS INCLUDING INDEXES)"))
    raw = engine.raw_connection()
    try:
        cursor = raw.cursor()
        started = time.perf_counter()
        with cursor.copy(
            "COPY bench_copy (id, kind, station_id, station_time, attendee_id, payload) FROM STDIN"
        ) as copy:
            for r in rows:
                copy.write_row(
                    (r["id"], r["kind"], r["station_id"], r["station_time"], r["attendee_id"], json.dumps(r["payload"]))
                )
        raw.commit()
        copy_s = time.perf_counter() - started
        started = time.perf_counter()
        cursor.executemany(
            "INSERT INTO bench_many (id, kind, station_id, station_time, attendee_id, payload) "
            "VALUES (%s, %s, %s, %s, %s, %s) ON CONFLICT DO NOTHING",
            [
                (r["id"], r["kind"], r["station_id"], r["station_time"], r["attendee_id"], json.dumps(r["payload"]))
                for r in rows
            ],
        )
        raw.commit()
        many_s = time.perf_counter() - started
    finally:
        raw.close()
        engine.dispose()
    return copy_s, many_s


def bare_writes(before: Path, after: Path) -> tuple[float, int, int]:
    """CPU that SQLite alone takes to make one station's catch-up writes: on a copy of the station as it was
    before, the events it pulled and all its presence intervals anew, in transactions of the same size, with
    the same schema and pragmas, and none of Muster's own work (no hub, no replay, no check-in fold).
    The floor under what a station's catch-up can cost, whatever the Python above it does."""
    from checkin.store.engine import create_sqlite_engine
    from checkin.sync.station import PULL_BATCH, REFRESH_BATCH

    with contextlib.closing(sqlite3.connect(after)) as source:
        source.execute("ATTACH ? AS before", (str(before),))
        events = source.execute(
            "SELECT id, kind, station_id, station_time, attendee_id, payload, hub_seq, received_at FROM main.event "
            "WHERE id NOT IN (SELECT id FROM before.event) ORDER BY attendee_id, id"
        ).fetchall()
        intervals = source.execute(
            "SELECT start_event, attendee_id, room_id, door, started_at, ended_at, auto_end, open_until "
            "FROM main.presence_interval ORDER BY attendee_id, start_event"
        ).fetchall()
    by_person: dict[str, list[tuple]] = {}
    for row in intervals:
        by_person.setdefault(row[1], []).append(row)
    people = sorted(by_person)
    engine = create_sqlite_engine(before)  # the app's own pragmas
    raw = engine.raw_connection()
    try:
        started = time.process_time()
        for start in range(0, len(events), PULL_BATCH):
            raw.executemany(
                "INSERT INTO event (id, kind, station_id, station_time, attendee_id, payload, hub_seq, "
                "received_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                events[start : start + PULL_BATCH],
            )
            raw.commit()
        for start in range(0, len(people), REFRESH_BATCH):
            group = people[start : start + REFRESH_BATCH]
            raw.execute(f"DELETE FROM presence_interval WHERE attendee_id IN ({', '.join('?' * len(group))})", group)
            raw.executemany(
                "INSERT INTO presence_interval (start_event, attendee_id, room_id, door, started_at, "
                "ended_at, auto_end, open_until) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                [row for person in group for row in by_person[person]],
            )
            raw.commit()
        return time.process_time() - started, len(events), len(intervals)
    finally:
        raw.close()
        engine.dispose()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--stations", type=int, default=10)
    parser.add_argument("--events", type=int, default=5000)
    parser.add_argument("--station", nargs=3, metavar=("DB", "URL", "EXPECTED"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.station:
        run_station(args.station[0], args.station[1], int(args.station[2]))
        return
    plain = measure(args, secure=False)
    secure = measure(args, secure=True)
    print("\nSame run, enrolled stations through the TLS front vs the organiser's login in plaintext:")
    for name, value in plain.items():
        print(f"  {name:<32} {value:6.2f} s plain  {secure[name]:6.2f} s secure  x{secure[name] / value:.2f}")


def measure(args: argparse.Namespace, secure: bool) -> dict[str, float]:
    with tempfile.TemporaryDirectory() as folder_name:
        folder = Path(folder_name)
        how = "enrolled stations through the TLS front" if secure else "the organiser's login, plaintext"
        print(f"\nPreparing a hub and {args.stations} stations with {args.events:,} offline events each ({how}) …")
        hub, url, paths, rows = prepare(folder, args.stations, args.events, secure)
        total = len(rows)
        hub.stop()  # the outage
        shutil.copy(paths[0][0], folder / "before.sqlite")
        processes = [
            subprocess.Popen(
                [sys.executable, __file__, "--station", str(p), station_url, str(total)],
                stdout=subprocess.PIPE,
                text=True,
                cwd=ROOT,
            )
            for p, station_url in paths
        ]
        for process in processes:  # every station running, and failing against the dead hub
            assert process.stdout is not None
            while process.stdout.readline().strip() != "offline":
                pass
        hub.start_again()
        back = time.time()
        hub_cpu_before = hub_cpu_s(folder / "hub")
        engine = create_engine(url)
        with engine.connect() as connection:  # watch the hub fill up (a poll is fine in a benchmark)
            while connection.execute(text("SELECT count(*) FROM event")).scalar_one() < total:
                connection.rollback()
                time.sleep(0.05)
        pushed_s = time.time() - back
        engine.dispose()
        finished, rounds, race_cpu, knocked = [], [], [], []
        for process in processes:
            assert process.stdout is not None
            line = process.stdout.readline().split()
            while line[0] != "done":  # a station may still fail a round while the hub starts up
                line = process.stdout.readline().split()
            finished.append(float(line[1]))
            rounds.append(int(line[2]))
            race_cpu.append(float(line[3]))
            knocked.append(float(line[4]) - back)
            process.wait()
        converged_s = max(finished) - back
        hub_cpu = hub_cpu_s(folder / "hub") - hub_cpu_before
        usage = resource.getrusage(resource.RUSAGE_CHILDREN)  # the station processes (and nothing else yet)
        station_cpu_s = usage.ru_utime + usage.ru_stime
        joiner = open_store(folder / "new.sqlite", "New door")
        engine = create_hub_engine(hub.station_url(url, joiner))
        started = time.perf_counter()
        sync_round(joiner, engine)  # a station joining now: snapshot plus the whole log, nothing else running
        join_s = time.perf_counter() - started
        # What one venue laptop, on its own CPU, takes to converge once the hub is back: the first station
        # as it was during the outage, catching up alone with a hub that holds everyone's events.
        shutil.copy(folder / "before.sqlite", folder / "alone.sqlite")
        alone = open_store(folder / "alone.sqlite")
        engine.dispose()
        engine = create_hub_engine(paths[0][1])  # as the first station, with its own login
        started, cpu = time.perf_counter(), time.process_time()
        sync_round(alone, engine)
        alone_s, alone_cpu = time.perf_counter() - started, time.process_time() - cpu
        alone.close()
        engine.dispose()
        copy_s, many_s = baselines(url, rows)
        hub.close()
        bare_s, bare_events, bare_intervals = bare_writes(folder / "before.sqlite", paths[0][0])
    print(f"\n{args.stations} stations x {args.events:,} events = {total:,} events")
    print(f"  all pushed into the hub      {pushed_s:6.2f} s after it came back  ({total / pushed_s:,.0f} events/s)")
    print(f"  all stations converged       {converged_s:6.2f} s after it came back  (target <= 5 s)")
    print(
        f"  CPU used by the {args.stations} station processes: {station_cpu_s:.1f} s "
        f"({station_cpu_s / args.stations:.2f} s each) on {os.cpu_count()} cores; "
        f"after the hub came back {sum(race_cpu):.1f} s, in {min(rounds)}-{max(rounds)} rounds per station"
    )
    print(f"  CPU used by the hub's PostgreSQL meanwhile: {hub_cpu:.1f} s")
    print(
        f"  stations first knocked again {min(knocked):.2f}-{max(knocked):.2f} s after the hub came back, "
        f"converged at {', '.join(f'{f - back:.1f}' for f in sorted(finished))} s"
    )
    print(
        f"  one station catching up alone {alone_s:5.2f} s  ({alone_cpu:.2f} s CPU: each venue laptop, on its own CPU)"
    )
    print(
        f"  a new station joining alone  {join_s:6.2f} s  (2,400 attendees and all {total:,} events; "
        f"{total / join_s:,.0f} events/s applied)"
    )
    print(f"  baseline COPY, one client    {copy_s:6.2f} s  ({total / copy_s:,.0f} rows/s)")
    print(f"  baseline executemany         {many_s:6.2f} s  ({total / many_s:,.0f} rows/s)")
    print(
        f"  one station's catch-up writes made by SQLite alone ({bare_events:,} events, {bare_intervals:,} "
        f"presence intervals): {bare_s:.2f} s CPU, {args.stations * bare_s / (os.cpu_count() or 1):.1f} s "
        f"for {args.stations} stations on {os.cpu_count()} cores before any other work"
    )
    print(f"  push phase vs COPY: {pushed_s / copy_s:.1f}x; vs executemany: {pushed_s / many_s:.1f}x")
    return {
        "all pushed into the hub": pushed_s,
        "all stations converged": converged_s,
        "one station catching up alone": alone_s,
        "a new station joining": join_s,
    }


if __name__ == "__main__":
    main()
