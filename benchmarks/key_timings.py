"""Record a keyboard-wedge scanner's key timings on a loaded laptop, for tests/ui to replay.

Run by hand (needs Xvfb and xdotool): `python benchmarks/key_timings.py [--scans 30] [--out FILE]`.
A real X server stamps each key; xdotool types badge codes 4 ms apart (as a wedge scanner does) while both
cores spin and the window's own thread stalls for 20-90 ms at random (a search, a repaint, a sync), as a desk
laptop does at 8 am. The recorded gaps between keys are written as JSON: one list of gaps per scan.
"""

from __future__ import annotations

import argparse
import itertools
import json
import multiprocessing
import os
import random
import shutil
import subprocess
import sys
import time
from pathlib import Path

CODE = "MU1.7Q2B4XKZ8M3N5P6R7S9T2V4W6Y8A3C5E7G9J2L4N6Q8S1U3W5Y7B9D2F4H6K8M1P3R5T7V9X"
OUT = Path(__file__).parents[1] / "tests" / "data" / "key_timings" / "loaded-laptop.json"


def spin(stop_at: float) -> None:
    while time.monotonic() < stop_at:
        pass


def record(scans: int) -> list[list[float]]:
    from PySide6.QtCore import QEvent, QObject, QTimer
    from PySide6.QtWidgets import QApplication, QLineEdit

    app = QApplication(sys.argv[:1])
    field = QLineEdit()
    field.resize(600, 40)
    field.show()
    field.activateWindow()
    bursts: list[list[float]] = [[]]

    class Stamps(QObject):
        def eventFilter(self, watched: QObject, event: QEvent) -> bool:
            if watched is field and event.type() == QEvent.Type.KeyPress and not event.isAutoRepeat():
                if event.text() in ("\r", "\n"):
                    bursts.append([])
                elif event.text():
                    bursts[-1].append(float(event.timestamp()))
            return False

    stamps = Stamps()
    app.installEventFilter(stamps)

    def stall() -> None:  # the window's own thread busy now and then
        spin(time.monotonic() + random.uniform(0.02, 0.09))
        QTimer.singleShot(random.randint(30, 150), stall)

    QTimer.singleShot(50, stall)
    typist = subprocess.Popen(
        [
            "sh",
            "-c",
            f"sleep 1; for i in $(seq {scans}); do xdotool type --delay 4 '{CODE}'; "
            "xdotool key --delay 4 Return; sleep 0.7; done",
        ],
    )
    while typist.poll() is None:
        app.processEvents()
    app.processEvents()
    return [[b - a for a, b in itertools.pairwise(keys)] for keys in bursts if len(keys) > 1]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scans", type=int, default=30)
    parser.add_argument("--out", type=Path, default=OUT)
    parser.add_argument("--load", type=int, default=8, help="busy processes per core")
    args = parser.parse_args()
    if "DISPLAY" not in os.environ:
        if not (shutil.which("Xvfb") and shutil.which("xdotool")):
            print("needs Xvfb and xdotool (apt install xvfb xdotool)", file=sys.stderr)
            return 2
        display = ":97"
        server = subprocess.Popen(["Xvfb", display, "-screen", "0", "1366x768x24"], stderr=subprocess.DEVNULL)
        time.sleep(1)
        os.environ["DISPLAY"] = display
    else:
        server = None
    os.environ["QT_QPA_PLATFORM"] = "xcb"
    stop_at = time.monotonic() + 3600
    spinners = args.load * (os.cpu_count() or 2)
    load = [multiprocessing.Process(target=spin, args=(stop_at,), daemon=True) for _ in range(spinners)]
    for process in load:
        process.start()
    try:
        bursts = record(args.scans)
    finally:
        for process in load:
            process.terminate()
        if server is not None:
            server.terminate()
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps({"code_length": len(CODE), "scans": bursts}, indent=0) + "\n", encoding="utf-8")
    every = sorted(gap for burst in bursts for gap in burst)
    late = [g for g in every if g > 40]
    print(
        f"{len(bursts)} scans, {len(every)} gaps: median {every[len(every) // 2]:.0f} ms, "
        f"max {every[-1]:.0f} ms, {len(late)} over 40 ms in {sum(1 for b in bursts if max(b) > 40)} scans"
    )
    print(f"written to {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
