"""Two processes on one database file (a desk app and the CLI, a kiosk and a desk sharing a file) never both
accept the same person: the decision is taken inside the write transaction."""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
from pathlib import Path

from sqlalchemy import select

from checkin.demo import build_demo
from checkin.domain import Status
from checkin.store import open_store
from checkin.store.models import Attendee


def test_two_processes_scanning_the_same_codes_accept_each_person_once(tmp_path: Path) -> None:
    path = tmp_path / "shared.sqlite"
    store = open_store(path, "Desk 1")
    with store.unit_of_work() as session:
        build_demo(session, attendees=2000, seed=11)
    with store.reading() as session:
        refs = list(session.scalars(select(Attendee.external_id).where(Attendee.status == Status.PAID.value)))
    store.close()
    feed = tmp_path / "codes.txt"
    feed.write_text("".join(ref + "\n" for ref in refs))
    children = []
    for _ in range(2):  # both read the same file, so they run side by side from the start
        with feed.open() as codes:
            children.append(
                subprocess.Popen(
                    [sys.executable, "-m", "checkin.cli", "scan", "-", "--json", "--db", str(path)],
                    stdin=codes,
                    stdout=subprocess.PIPE,
                    stderr=subprocess.PIPE,
                    text=True,
                    env={**os.environ, "PYTHONUNBUFFERED": "1"},
                )
            )
    outputs = [child.communicate(timeout=240) for child in children]
    for child, (_out, err) in zip(children, outputs, strict=True):
        assert child.returncode in (0, 1), err
    accepted = [
        json.loads(line)["attendee"]["external_id"]
        for out, _err in outputs
        for line in out.splitlines()
        if json.loads(line)["accepted"]
    ]
    assert len(accepted) == len(set(accepted)) == len(refs)  # everyone once, nobody twice
    with sqlite3.connect(path) as connection:
        twice = connection.execute(
            "SELECT count(*) FROM (SELECT attendee_id FROM event WHERE kind = 'checked_in' "
            "GROUP BY attendee_id HAVING count(*) > 1)"
        ).fetchone()[0]
    assert twice == 0
