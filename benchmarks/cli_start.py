"""How long a `checkin` command takes from a cold process: `--help`, and one-shot commands on the demo.

Each is measured next to `python -c pass` (Python's own start, the baseline) and `python -c "import
sqlalchemy.orm"` (the floor of any command that opens a database), in the same run. Run by hand:

    .venv/bin/python benchmarks/cli_start.py [--runs 7]
"""

from __future__ import annotations

import os

# A machine without a system keyring seals the demo's badge keys with a passphrase (see checkin.vault).
os.environ.setdefault("MUSTER_BADGE_KEYS_PASSPHRASE", "benchmark passphrase")

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

TARGETS_S = {"checkin --help": 0.25, "checkin door (one scan)": 0.5, "checkin stats": 0.5}


def median_run_s(command: list[str], runs: int) -> float:
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        done = subprocess.run(command, capture_output=True, text=True)
        if done.returncode not in (0, 1):  # 1: refused (the same badge scanned in again), still a whole command
            raise SystemExit(f"{' '.join(command)} failed:\n{done.stderr}")
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=7)
    runs = parser.parse_args().runs
    python = sys.executable
    with tempfile.TemporaryDirectory() as folder:
        db = str(Path(folder) / "demo.sqlite")
        cli = [python, "-m", "checkin.cli"]
        subprocess.run([*cli, "demo", "--db", db], check=True, capture_output=True)
        code = subprocess.run(
            [*cli, "code", "R100010", "--db", db], check=True, capture_output=True, text=True
        ).stdout.strip()
        room = "Exhibit Hall"
        commands = {
            "python -c pass": [python, "-c", "pass"],
            "python -c 'import sqlalchemy.orm'": [python, "-c", "import sqlalchemy.orm"],
            "checkin --help": [*cli, "--help"],
            "checkin door (one scan)": [*cli, "door", room, code, "--db", db],
            "checkin stats": [*cli, "stats", "--db", db],
        }
        baseline = median_run_s(commands["python -c pass"], runs)
        print(f"{'command':<36} {'median':>8} {'x pass':>7} {'target':>7}")
        for name, command in commands.items():
            took = median_run_s(command, runs)
            target = TARGETS_S.get(name)
            verdict = "" if target is None else f"{target:.2f}s " + ("ok" if took <= target else "OVER")
            print(f"{name:<36} {took:>7.3f}s {took / baseline:>6.1f}x {verdict:>9}")


if __name__ == "__main__":
    main()
