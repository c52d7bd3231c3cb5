"""Desk latencies at scale: type-ahead search and check-in (verdict + durable commit).

Builds a 20,000-attendee conference with a 500,000-event log, then prints medians and percentiles next to a
bare sqlite3 INSERT+COMMIT (WAL, synchronous=FULL) measured in the same run. Run by hand:

    .venv/bin/python benchmarks/desk.py [--attendees 20000] [--events 500000]
"""

from __future__ import annotations

import os

# A machine without a system keyring seals the demo's badge keys with a passphrase (see checkin.vault).
os.environ.setdefault("MUSTER_BADGE_KEYS_PASSPHRASE", "benchmark passphrase")

import argparse
import random
import sqlite3
import statistics
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import select

from checkin import desk
from checkin.demo import build_demo
from checkin.domain import EventKind
from checkin.events import bulk_append
from checkin.ids import new_id
from checkin.projection import rebuild
from checkin.search import search
from checkin.store import open_store
from checkin.store.models import Attendee, AttendeeState


def percentile(samples: list[float], share: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def report(label: str, samples_ms: list[float]) -> None:
    print(
        f"{label:<44} median {statistics.median(samples_ms):7.3f} ms   p95 {percentile(samples_ms, 0.95):7.3f} ms"
        f"   p99 {percentile(samples_ms, 0.99):7.3f} ms   (n={len(samples_ms)})"
    )


def build(path: Path, attendees: int, events: int) -> None:
    store = open_store(path, "Bench desk")
    started = time.perf_counter()
    with store.unit_of_work() as session:
        build_demo(session, attendees=attendees)
    print(f"demo with {attendees:,} attendees: {time.perf_counter() - started:.1f} s")
    started = time.perf_counter()
    with store.reading() as session:
        ids = list(session.scalars(select(Attendee.id)))
    rng = random.Random(1)
    base = datetime(2027, 6, 28, 12, 0, tzinfo=UTC)
    station = store.station
    rows = []
    checked = rng.sample(ids, len(ids) // 2)
    for n, attendee_id in enumerate(checked):
        rows.append(_row(EventKind.CHECKED_IN.value, station.id, base + timedelta(seconds=n), attendee_id, {}))
    # The rest of the log: door scans (entered/exited) as the rooms issue will record them.
    while len(rows) < events:
        attendee_id = rng.choice(checked)
        kind = rng.choice(("entered", "exited"))
        rows.append(_row(kind, station.id, base + timedelta(seconds=len(rows)), attendee_id, {"room": "201A"}))
    with store.unit_of_work() as session:
        for start in range(0, len(rows), 20_000):
            bulk_append(session, rows[start : start + 20_000])
        rebuild(session)
    print(f"{len(rows):,} events appended and projected: {time.perf_counter() - started:.1f} s")
    store.close()


def _row(kind: str, station_id: str, at: datetime, attendee_id: str, payload: dict) -> dict:
    return {
        "id": new_id(),
        "kind": kind,
        "station_id": station_id,
        "station_time": at,
        "attendee_id": attendee_id,
        "payload": {"station_name": "Bench desk", **payload},
    }


def bench_search(path: Path, rounds: int, column: Any) -> list[float]:
    """One query per keystroke of a value of ``column`` (up to five letters), as the desk searches."""
    store = open_store(path)
    with store.reading() as session:
        values = [v for v in session.scalars(select(column).limit(2000)) if v]
    rng = random.Random(2)
    samples = []
    with store.reading() as session:
        for _ in range(rounds):
            value = rng.choice(values)
            for length in range(1, min(len(value), 5) + 1):
                started = time.perf_counter()
                search(session, value[:length], limit=100)
                samples.append((time.perf_counter() - started) * 1000)
    store.close()
    return samples


class BareCommit:
    """The yardstick for durable writes: a bare sqlite3 INSERT+COMMIT (WAL, synchronous=FULL) in its own file."""

    def __init__(self, folder: Path) -> None:
        self.connection = sqlite3.connect(folder / "bare.sqlite", isolation_level=None)
        self.connection.execute("PRAGMA journal_mode=WAL")
        self.connection.execute("PRAGMA synchronous=FULL")
        self.connection.execute(
            "CREATE TABLE event (id TEXT PRIMARY KEY, kind TEXT, station_id TEXT, "
            "station_time TEXT, attendee_id TEXT, payload TEXT)"
        )

    def time_one(self, attendee_id: str) -> float:
        """Milliseconds for one insert + commit."""
        started = time.perf_counter()
        self.connection.execute("BEGIN")
        self.connection.execute(
            "INSERT INTO event VALUES (?, ?, ?, ?, ?, ?)",
            (new_id(), "checked_in", "s", "2027-06-29 13:00:00", attendee_id, "{}"),
        )
        self.connection.execute("COMMIT")
        return (time.perf_counter() - started) * 1000

    def close(self) -> None:
        self.connection.close()


def bench_check_in(path: Path, folder: Path, count: int) -> tuple[list[float], list[float]]:
    """Check-ins and bare sqlite3 INSERT+COMMITs, interleaved one by one so both see the same machine state."""
    store = open_store(path)
    with store.reading() as session:
        waiting = list(
            session.scalars(
                select(Attendee.id)
                .where(Attendee.status == "paid", Attendee.id.not_in(select(AttendeeState.attendee_id)))
                .limit(count)
            )
        )
    bare = BareCommit(folder)
    now = datetime(2027, 6, 29, 13, 0, tzinfo=UTC)
    check_in_ms, bare_ms = [], []
    for attendee_id in waiting:
        bare_ms.append(bare.time_one(attendee_id))
        started = time.perf_counter()
        verdict = desk.check_in(store, attendee_id, now)
        check_in_ms.append((time.perf_counter() - started) * 1000)
        assert verdict.accepted
    bare.close()
    store.close()
    return check_in_ms, bare_ms


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--attendees", type=int, default=20_000)
    parser.add_argument("--events", type=int, default=500_000)
    parser.add_argument("--checkins", type=int, default=1000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        path = folder / "bench.sqlite"
        build(path, args.attendees, args.events)
        search_ms = bench_search(path, 400, Attendee.last_name)
        other_ms = bench_search(path, 400, Attendee.first_name) + bench_search(path, 400, Attendee.organization)
        check_in_ms, bare_ms = bench_check_in(path, folder, args.checkins)
        print()
        report("type-ahead search by surname (per keystroke)", search_ms)
        report("type-ahead by first name or organization", other_ms)
        report("bare sqlite3 INSERT+COMMIT (WAL, FULL)", bare_ms)
        report("check-in: verdict + durable commit", check_in_ms)
        ratio50 = statistics.median(check_in_ms) / statistics.median(bare_ms)
        ratio99 = percentile(check_in_ms, 0.99) / percentile(bare_ms, 0.99)
        print(f"\ncheck-in / bare commit: median x{ratio50:.1f}, p99 x{ratio99:.1f}")
        print("targets: search p95 <= 10 ms; check-in p99 <= 15 ms and <= 2x the bare commit")


if __name__ == "__main__":
    main()
