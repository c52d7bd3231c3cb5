"""Room counts and attendance at conference scale: a full rebuild from the log, and the cost per door scan.

Builds the demo conference with 2,500 attendees and five days of door scans (~250,000 entered/exited events
following the schedule), then times: rebuilding every presence interval from the log; computing all room
counts; computing attendance and hours for every session; and door scans through the whole verdict path
(verify, look up, room state, decide, commit, refold that attendee), next to a bare INSERT+COMMIT, back to
back and then at a door's pace (each pause followed by a bare commit or a scan, so both meet an idle disk).
Run by hand:

    .venv/bin/python benchmarks/occupancy.py [--attendees 2500] [--events 250000]
"""

from __future__ import annotations

import os

# A machine without a system keyring seals the demo's badge keys with a passphrase (see checkin.vault).
os.environ.setdefault("MUSTER_BADGE_KEYS_PASSPHRASE", "benchmark passphrase")

import argparse
import gc
import json
import random
import shutil
import sqlite3
import statistics
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path

from sqlalchemy import select

sys.path.insert(0, str(Path(__file__).parent))
from desk import BareCommit, percentile, report

from checkin.badges import Signer
from checkin.demo import build_demo
from checkin.events import bulk_append
from checkin.ids import new_id
from checkin.occupancy import tracking
from checkin.occupancy.attendance import all_attendance, attendance, load_sessions
from checkin.occupancy.door import door_scan
from checkin.rules.door import Door
from checkin.store import open_store
from checkin.store.models import Attendee, ConferenceSession, Room

WARM_UP = 10  # scans before the timed ones (each with a bare commit and a floor commit)
PACE_S = 0.05  # the pause before each paced bare commit and each paced scan: ten scans a second at one door


class SameWrites:
    """The floor under a door scan: the rows an entry writes (its event and its presence interval, with every
    index they carry), inserted and committed by bare sqlite3, with nothing decided.

    Into a copy of the door's database, not the database itself: SQLite empties a connection's page cache
    whenever another connection has written to the file since its last transaction, so a floor writing
    between scans would make every scan reread its pages, which a door station (one writer) never does."""

    def __init__(self, path: Path, room_id: str) -> None:
        self.connection = sqlite3.connect(path, isolation_level=None)
        self.connection.execute("PRAGMA journal_mode=WAL")
        self.connection.execute("PRAGMA synchronous=FULL")
        self.room_id = room_id

    def time_one(self, n: int) -> float:
        """Milliseconds for one entry's rows + commit."""
        event_id, someone = new_id(), f"floor-{n}"
        payload = json.dumps({"room_id": self.room_id, "door": "Main", "station_name": "Bench door"})
        started = time.perf_counter()
        self.connection.execute("BEGIN IMMEDIATE")
        self.connection.execute(
            "INSERT INTO event (id, kind, station_id, station_time, attendee_id, payload) VALUES (?, ?, ?, ?, ?, ?)",
            (event_id, "entered", "bench", "2027-06-29 13:00:00.000000", someone, payload),
        )
        self.connection.execute(
            "INSERT INTO presence_interval (start_event, attendee_id, room_id, door, started_at, ended_at, "
            "auto_end, open_until) VALUES (?, ?, ?, 'Main', '2027-06-29 13:00:00.000000', NULL, NULL, NULL)",
            (event_id, someone, self.room_id),
        )
        self.connection.execute("COMMIT")
        return (time.perf_counter() - started) * 1000

    def close(self) -> None:
        self.connection.close()


def build(path: Path, attendees: int, events: int) -> None:
    store = open_store(path, "Bench door")
    with store.unit_of_work() as session:
        build_demo(session, attendees=attendees)
        people = list(session.scalars(select(Attendee.id).where(Attendee.status == "paid")))
        slots = session.execute(
            select(ConferenceSession.room_id, ConferenceSession.starts_at, ConferenceSession.ends_at)
        ).all()
    rng = random.Random(4)
    rows = []
    station = store.station.id
    while len(rows) < events:
        room_id, starts, ends = rng.choice(slots)
        person = rng.choice(people)
        arrive = starts - timedelta(minutes=rng.randint(0, 20))
        rows.append(_row("entered", station, arrive, person, room_id))
        if rng.random() < 0.8:
            leave = ends - timedelta(minutes=rng.randint(0, 30))
            rows.append(_row("exited", station, leave, person, room_id))
    rows.sort(key=lambda r: r["station_time"])
    for row in rows:
        row["id"] = new_id()  # ids in time order, as stations make them
    with store.unit_of_work() as session:
        for start in range(0, len(rows), 20_000):
            bulk_append(session, rows[start : start + 20_000])
    store.close()


def _row(kind: str, station: str, at, attendee_id: str, room_id: str) -> dict:
    return {
        "id": "",
        "kind": kind,
        "station_id": station,
        "station_time": at,
        "attendee_id": attendee_id,
        "payload": {"station_name": "Bench door", "room_id": room_id, "door": "Main door"},
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--attendees", type=int, default=2500)
    parser.add_argument("--events", type=int, default=250_000)
    parser.add_argument("--scans", type=int, default=500)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        path = folder / "bench.sqlite"
        started = time.perf_counter()
        build(path, args.attendees, args.events)
        print(
            f"built {args.events:,} door events for {args.attendees:,} attendees in "
            f"{time.perf_counter() - started:.1f} s"
        )
        store = open_store(path)
        with store.unit_of_work() as session:
            last = session.scalars(
                select(ConferenceSession)
                .where(~ConferenceSession.prereg_required)
                .order_by(ConferenceSession.ends_at.desc())
            ).first()
            now = last.ends_at - timedelta(minutes=30)
            room = session.get(Room, last.room_id)
            room.capacity = 10**6  # every scan is admitted: the timing is of an entry, not of a refusal
            people = list(session.scalars(select(Attendee.id).where(Attendee.status == "paid")))
            signer = Signer(session)
            # Two sets (a second scan changes nothing), and a few people who come first: a door's first scans
            # prepare its statements, once per process (about 30 ms), which is not what a scan costs.
            chosen = random.Random(5).sample(people, 2 * args.scans + WARM_UP)
            codes = [signer.code(p, 1) for p in chosen]
            early, codes = codes[:WARM_UP], codes[WARM_UP:]
        replay_s, rebuild_s = [], []
        for _ in range(5):
            started = time.perf_counter()
            with store.writing() as connection:
                replayed = tracking.replay(connection)
                intervals = len(replayed)
                in_rooms = sum(1 for i in replayed if i.present_at(now))
                with tracking.paused_gc():
                    everyone = attendance(replayed, load_sessions(connection), now)
            replay_s.append(time.perf_counter() - started)
            attended_rows = len(everyone)
            del replayed, everyone  # freeing one run's 126,000 intervals is not part of the next run
        # After the replays: each rebuild rewrites 126,000 rows, and the WAL it leaves slows the next reads.
        for _ in range(3):
            started = time.perf_counter()
            with store.writing() as connection:
                tracking.rebuild_presence(connection)
            rebuild_s.append(time.perf_counter() - started)
        started = time.perf_counter()
        with store.writing() as connection:
            counts = tracking.room_counts(connection, now)
        counts_s = time.perf_counter() - started
        started = time.perf_counter()
        with store.writing() as connection:
            attended = all_attendance(connection, now)
        attendance_s = time.perf_counter() - started

        door = Door(room.id, room.name)
        gc.collect()
        gc.freeze()  # as checkin-app does once its window is up: what start-up made is not walked again
        bare = BareCommit(folder)
        store.close()  # copied whole (its log checkpointed into the file), then reopened as a door opens it
        copy = folder / "floor.sqlite"
        shutil.copyfile(path, copy)
        floor = SameWrites(copy, room.id)
        store = open_store(path)
        for n, code in enumerate(early):
            bare.time_one(f"early-{n}")
            floor.time_one(-1 - n)
            door_scan(store, door, code, now - timedelta(seconds=WARM_UP - n))
        scan_ms, bare_ms, floor_ms, paced_ms, paced_bare_ms = [], [], [], [], []
        for n, code in enumerate(codes[: args.scans]):
            bare_ms.append(bare.time_one(str(n)))
            floor_ms.append(floor.time_one(n))
            started = time.perf_counter()
            verdict = door_scan(store, door, code, now + timedelta(seconds=n))
            scan_ms.append((time.perf_counter() - started) * 1000)
            assert verdict.event_id or verdict.code.value == "already_inside", verdict
        floor.close()
        # The burst above left thousands of log pages for the checkpoint thread; a door that has been working at
        # its pace has none waiting, so the paced run starts with the log copied.
        with sqlite3.connect(path) as drained:
            drained.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchall()
        for n, code in enumerate(codes[args.scans :]):
            # People walking up, not a loop. An idle disk answers an fsync more slowly (on this kind of
            # machine, twice the median), so the yardstick at this pace is a bare commit after the same pause.
            time.sleep(PACE_S)
            paced_bare_ms.append(bare.time_one(str(n)))
            time.sleep(PACE_S)
            started = time.perf_counter()
            verdict = door_scan(store, door, code, now + timedelta(seconds=args.scans + n))
            paced_ms.append((time.perf_counter() - started) * 1000)
            assert verdict.event_id or verdict.code.value == "already_inside", verdict
        bare.close()
        store.close()
    print(
        f"\nfull recompute from the log: {intervals:,} presence intervals, {in_rooms:,} people in rooms and "
        f"{attended_rows:,} session attendances: median {statistics.median(replay_s):.2f} s "
        f"(runs: {', '.join(f'{s:.2f}' for s in replay_s)}); target <= 1 s"
    )
    print(f"stored presence rebuilt (recompute + write): median {statistics.median(rebuild_s):.2f} s")
    print(
        f"all room counts ({len(counts)} rooms): {counts_s * 1000:.0f} ms; "
        f"attendance for every session ({len(attended):,} rows): {attendance_s:.2f} s"
    )
    report("bare sqlite3 INSERT+COMMIT (WAL, FULL)", bare_ms)
    report("the same rows by bare sqlite3 (floor)", floor_ms)
    report("door scan, incremental (verdict + commit)", scan_ms)
    report(f"bare INSERT+COMMIT, one every {2 * PACE_S * 1000:.0f} ms", paced_bare_ms)
    report(f"door scan, one every {2 * PACE_S * 1000:.0f} ms", paced_ms)
    print(
        f"door scan / bare commit: median x{statistics.median(scan_ms) / statistics.median(bare_ms):.1f}, "
        f"p99 x{percentile(scan_ms, 0.99) / percentile(bare_ms, 0.99):.1f}; target <= 5 ms incremental per scan"
    )
    print(
        f"at a door's pace: median x{statistics.median(paced_ms) / statistics.median(paced_bare_ms):.1f}, "
        f"p99 x{percentile(paced_ms, 0.99) / percentile(paced_bare_ms, 0.99):.1f}"
    )
    print(
        "door scan / the same rows by bare sqlite3: "
        f"median x{statistics.median(scan_ms) / statistics.median(floor_ms):.1f}, "
        f"p99 x{percentile(scan_ms, 0.99) / percentile(floor_ms, 0.99):.1f}"
    )


if __name__ == "__main__":
    main()
