"""Importing a registrant export at conference scale, as the organiser runs it: `checkin import FILE`.

Writes a Wild Apricot registrants export of 20,000 rows (the columns its "Export registrants" writes, statuses
in their real shares), then times in child processes, each with its peak resident memory:
- the first import into a new database;
- an unchanged re-import of the same file;
- a dry run;
- the baseline: a bare `csv` parse of the same file and one sqlite3 executemany of its rows (WAL, synchronous=FULL);
- two floors under the import: the rows it wrote (attendees and their search index, a row each) written again by
  bare sqlite3 into Muster's own tables and indexes, and starting the program (Python, SQLAlchemy, the models,
  Alembic) up to the point where it reads the file.

Run by hand:

    .venv/bin/python benchmarks/import.py [--rows 20000]
"""

from __future__ import annotations

import argparse
import csv
import os
import random
import subprocess
import sys
import tempfile
from pathlib import Path

HEADERS = [
    "Registration ID",
    "User ID",
    "Event ID",
    "Event title",
    "Event start date",
    "Registration type",
    "Registration date",
    "Status",
    "Is paid",
    "Total fee",
    "Paid sum",
    "First name",
    "Last name",
    "Email",
    "Organization",
    "Phone",
    "City",
    "State",
    "Member",
    "Membership level",
    "Online payment",
    "Internal notes",
]
STATUSES = (
    [("Paid", "Yes")] * 86
    + [("Unpaid", "No")] * 5
    + [("Free", "No")] * 3
    + [("Canceled", "Yes")] * 2
    + [
        ("PartiallyPaid", "No"),
        ("NoInvoice", "No"),
        ("OnWaitlist", "No"),
        ("Canceled", "No"),
    ]
)
FIRST = ["Dana", "Marcus", "José", "Zoë", "Nguyễn", "Aisha", "Björn", "Mary-Kate", "Siobhán", "Wei", "Raúl", "Priya"]
LAST = ["Whitfield", "O'Brien", "García", "Müller", "Okafor", "de la Cruz", "Nakamura", "Smith", "Kowalski", "Lee"]
TYPES = ["Member - Full Conference", "Non-member - Full Conference", "One Day Pass", "Exhibitor", "Speaker"]
CHILD = r"""
import resource, sys, time
started = time.perf_counter()
from checkin.cli import main
code = main(sys.argv[1:])
elapsed = time.perf_counter() - started
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
print(f"\n@@ {code} {elapsed:.3f} {peak:.1f}", file=sys.stderr)
"""
BASELINE = r"""
import csv, resource, sqlite3, sys, time
started = time.perf_counter()
with open(sys.argv[1], newline="", encoding="utf-8") as f:
    rows = list(csv.reader(f))
db = sqlite3.connect(sys.argv[2], isolation_level=None)
db.execute("PRAGMA journal_mode=WAL"); db.execute("PRAGMA synchronous=FULL")
db.execute("CREATE TABLE a (" + ", ".join(f"c{i} TEXT" for i in range(len(rows[0]))) + ")")
db.execute("BEGIN")
db.executemany("INSERT INTO a VALUES (" + ", ".join("?" * len(rows[0])) + ")", rows[1:])
db.execute("COMMIT")
elapsed = time.perf_counter() - started
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
print(f"\n@@ 0 {elapsed:.3f} {peak:.1f}", file=sys.stderr)
"""


SAME_ROWS = r"""
import resource, sqlite3, sys, time
source = sqlite3.connect(sys.argv[1])
schema = [row[0] for row in source.execute(
    "SELECT sql FROM sqlite_master WHERE tbl_name IN ('conference', 'attendee', 'search_entry', 'search_words') "
    "AND sql IS NOT NULL ORDER BY tbl_name != 'conference', type != 'table', type = 'trigger'")]
tables = {n: source.execute(f"SELECT * FROM {n}").fetchall() for n in ("conference", "attendee", "search_entry")}
source.close()
db = sqlite3.connect(sys.argv[2], isolation_level=None)
db.execute("PRAGMA journal_mode=WAL"); db.execute("PRAGMA synchronous=FULL"); db.execute("PRAGMA foreign_keys=ON")
db.execute("PRAGMA cache_size=-32000")
for statement in schema:
    db.execute(statement)
started = time.perf_counter()
db.execute("BEGIN")
for name, rows in tables.items():
    db.executemany(f"INSERT INTO {name} VALUES ({', '.join('?' * len(rows[0]))})", rows)
db.execute("INSERT INTO search_words (rowid, words) SELECT rowid, words FROM search_entry")
db.execute("COMMIT")
db.close()
elapsed = time.perf_counter() - started
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
print(f"\n@@ 0 {elapsed:.3f} {peak:.1f}", file=sys.stderr)
"""
START = r"""
import resource, sys, time
started = time.perf_counter()
import checkin.cli.setup, checkin.importers, checkin.store, alembic.command
elapsed = time.perf_counter() - started
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
print(f"\n@@ 0 {elapsed:.3f} {peak:.1f}", file=sys.stderr)
"""


def write_export(path: Path, rows: int) -> None:
    rng = random.Random(20)
    with path.open("w", newline="", encoding="utf-8") as f:
        out = csv.writer(f)
        out.writerow(HEADERS)
        for n in range(rows):
            first, last = rng.choice(FIRST), rng.choice(LAST)
            status, paid = rng.choice(STATUSES)
            fee = rng.choice(["395.00", "495.00", "150.00", "0.00"])
            out.writerow(
                [
                    70_000 + n,
                    40_000 + n,
                    4_811_021,
                    "National School Safety Training Conference 2027",
                    "2027-06-28",
                    rng.choice(TYPES),
                    f"2027-0{rng.randint(1, 5)}-{rng.randint(10, 28)}",
                    status,
                    paid,
                    fee,
                    fee if paid == "Yes" else "0.00",
                    first,
                    last,
                    f"{first.lower()}.{last.lower().replace(' ', '')}{n}@district{n % 400}.k12.us",
                    f"School District {n % 400}",
                    f"+1 555 {n % 10_000:04d}",
                    rng.choice(["Tulsa", "Houston", "Fresno", "Akron"]),
                    rng.choice(["OK", "TX", "CA", "OH"]),
                    rng.choice(["Yes", "No"]),
                    rng.choice(["Individual", "Agency", ""]),
                    rng.choice(["Yes", "No"]),
                    "",
                ]
            )


def child(code: str, *args: str) -> tuple[float, float]:
    env = {**os.environ, "MUSTER_BADGE_KEYS_PASSPHRASE": "benchmark passphrase"}
    done = subprocess.run(
        [sys.executable, "-c", code, *args], capture_output=True, text=True, env=env, cwd=Path(__file__).parent.parent
    )
    tail = done.stderr.rsplit("@@ ", 1)
    if len(tail) != 2 or not tail[1].startswith("0 "):
        raise SystemExit(f"failed: {' '.join(args)}\n{done.stdout}\n{done.stderr}")
    _, elapsed, peak = tail[1].split()
    return float(elapsed), float(peak)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=20_000)
    parser.add_argument("--repeat", type=int, default=3, help="best of this many runs each")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        export = Path(folder) / "registrants.csv"
        write_export(export, args.rows)
        print(f"{args.rows:,} Wild Apricot rows, {export.stat().st_size / 1e6:.1f} MB")
        results: dict[str, list[tuple[float, float]]] = {}
        for attempt in range(args.repeat):
            db = Path(folder) / f"a{attempt}.sqlite"
            bare = Path(folder) / f"bare{attempt}.sqlite"
            results.setdefault("bare csv parse + executemany", []).append(child(BASELINE, str(export), str(bare)))
            results.setdefault("first import", []).append(child(CHILD, "import", str(export), "--db", str(db)))
            results.setdefault("unchanged re-import", []).append(child(CHILD, "import", str(export), "--db", str(db)))
            results.setdefault("floor: its rows by bare sqlite3", []).append(
                child(SAME_ROWS, str(db), str(Path(folder) / f"same{attempt}.sqlite"))
            )
            results.setdefault("floor: starting the program", []).append(child(START))
            dry = Path(folder) / f"dry{attempt}.sqlite"
            results.setdefault("dry run into a new path", []).append(
                child(CHILD, "import", str(export), "--db", str(dry), "--dry-run")
            )
        baseline = min(results["bare csv parse + executemany"])[0]
        for label, runs in results.items():
            elapsed = min(r[0] for r in runs)
            peak = max(r[1] for r in runs)
            print(f"{label:<32} {elapsed:6.2f} s  (x{elapsed / baseline:4.1f} bare)   peak RSS {peak:6.1f} MB")


if __name__ == "__main__":
    main()
