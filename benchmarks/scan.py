"""Scan -> verdict (durably committed) at scale, and camera decode time per frame.

Builds a 20,000-attendee conference with a 500,000-event log (as benchmarks/desk.py does), signs a badge
for each attendee still to arrive, then times scans through the whole verdict path (read, verify the
Ed25519 signature, look up, decide, commit) interleaved one by one with a bare sqlite3 INSERT+COMMIT
(WAL, synchronous=FULL). Then decodes 640x480 camera frames (QR, blurred, rotated, noisy) with zxing-cpp.
Run by hand:

    .venv/bin/python benchmarks/scan.py [--attendees 20000] [--events 500000] [--scans 1000]
"""

from __future__ import annotations

import os

# A machine without a system keyring seals the demo's badge keys with a passphrase (see checkin.vault).
os.environ.setdefault("MUSTER_BADGE_KEYS_PASSPHRASE", "benchmark passphrase")

import argparse
import random
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
import qrcode
from PIL import Image, ImageFilter
from sqlalchemy import select

sys.path.insert(0, str(Path(__file__).parent))
from desk import BareCommit, build, percentile, report

from checkin import badges, decoding, scanning
from checkin.store import open_store
from checkin.store.models import Attendee, AttendeeState


def bench_scans(path: Path, folder: Path, count: int) -> tuple[list[float], list[float]]:
    store = open_store(path)
    with store.reading() as session:
        waiting = list(
            session.scalars(
                select(Attendee.id)
                .where(Attendee.status == "paid", Attendee.id.not_in(select(AttendeeState.attendee_id)))
                .limit(count)
            )
        )
        codes = [badges.badge_code(session, attendee_id) for attendee_id in waiting]
    bare = BareCommit(folder)
    now = datetime(2027, 6, 29, 13, 0, tzinfo=UTC)
    recent = scanning.RecentScans()
    scan_ms, bare_ms = [], []
    for attendee_id, code in zip(waiting, codes, strict=True):
        bare_ms.append(bare.time_one(attendee_id))
        started = time.perf_counter()
        verdict = scanning.scan(store, code + "\r", now, recent)
        scan_ms.append((time.perf_counter() - started) * 1000)
        assert verdict.accepted, verdict
    bare.close()
    store.close()
    return scan_ms, bare_ms


def camera_frames(code: str, count: int) -> list[np.ndarray]:
    made = qrcode.QRCode(error_correction=qrcode.constants.ERROR_CORRECT_M, box_size=6, border=4)
    made.add_data(code)
    made.make(fit=True)
    qr = made.make_image().get_image().convert("L")
    rng = random.Random(3)
    frames = []
    for n in range(count):
        frame = Image.new("L", (640, 480), 190)
        size = rng.randint(200, 340)
        frame.paste(qr.resize((size, size)), (rng.randint(0, 640 - size), rng.randint(0, 480 - size)))
        frame = frame.rotate(rng.uniform(-30, 30), fillcolor=190).filter(ImageFilter.GaussianBlur(rng.uniform(0, 1.5)))
        noisy = np.asarray(frame).astype(np.int16) + np.random.default_rng(n).normal(0, 15, (480, 640))
        frames.append(np.clip(noisy, 0, 255).astype(np.uint8))
    return frames


def bench_decode(code: str, count: int) -> tuple[list[float], list[float], int]:
    frames = camera_frames(code, count)
    badge_ms, all_formats_ms, found = [], [], 0
    import zxingcpp

    for frame in frames:
        started = time.perf_counter()
        found += decoding.decode(frame) == [code]
        badge_ms.append((time.perf_counter() - started) * 1000)
        started = time.perf_counter()
        zxingcpp.read_barcodes(frame)  # baseline: every format, as zxing-cpp does by default
        all_formats_ms.append((time.perf_counter() - started) * 1000)
    return badge_ms, all_formats_ms, found


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--attendees", type=int, default=20_000)
    parser.add_argument("--events", type=int, default=500_000)
    parser.add_argument("--scans", type=int, default=1000)
    parser.add_argument("--frames", type=int, default=200)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        path = folder / "bench.sqlite"
        build(path, args.attendees, args.events)
        scan_ms, bare_ms = bench_scans(path, folder, args.scans)
        store = open_store(path)
        with store.reading() as session:
            code = badges.badge_code(session, session.scalars(select(Attendee.id).limit(1)).one())
        store.close()
    badge_ms, all_ms, found = bench_decode(code, args.frames)
    print()
    report("bare sqlite3 INSERT+COMMIT (WAL, FULL)", bare_ms)
    report("scan -> verdict, committed", scan_ms)
    print(
        f"\nscan / bare commit: median x{statistics.median(scan_ms) / statistics.median(bare_ms):.1f}, "
        f"p99 x{percentile(scan_ms, 0.99) / percentile(bare_ms, 0.99):.1f}"
    )
    print("target: p99 <= 15 ms and <= 3x the bare commit\n")
    report("camera decode, QR + Code 128 (640x480)", badge_ms)
    report("camera decode, all formats (baseline)", all_ms)
    print(f"decoded {found}/{len(badge_ms)} frames; target <= 20 ms median per frame")


if __name__ == "__main__":
    main()
