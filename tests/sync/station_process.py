"""A station in its own process for the fault tests: `python station_process.py DB URL ACTION [N]`.

Actions: `scan N` records N door scans and check-ins locally (no hub needed); `sync` runs one round;
`sync-die` runs one round and SIGKILLs itself right after the hub commits the first pushed batch,
before the station can mark anything sent.
"""

from __future__ import annotations

import os
import random
import signal
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import select

from checkin import codes
from checkin.occupancy.door import door_scan
from checkin.rules.door import Door, Mode
from checkin.store import open_store
from checkin.store.engine import create_hub_engine
from checkin.store.models import Attendee, Room
from checkin.sync.station import sync_round

START = datetime(2027, 6, 28, 14, 0, tzinfo=UTC)


def main() -> None:
    db, url, action = sys.argv[1], sys.argv[2], sys.argv[3]
    store = open_store(Path(db), Path(db).stem)
    if action == "scan":
        record_scans(store, int(sys.argv[4]))
    elif action in ("sync", "sync-die"):

        def die() -> None:
            os.kill(os.getpid(), signal.SIGKILL)

        report = sync_round(store, create_hub_engine(url, 2), after_hub_commit=die if action == "sync-die" else None)
        print(f"pushed={report.pushed} pulled={report.pulled} backlog={report.backlog}", flush=True)


def record_scans(store, count: int) -> None:  # type: ignore[no-untyped-def]
    from checkin.desk import check_in

    with store.reading() as session:
        people = session.execute(
            select(Attendee.id, Attendee.external_id).where(Attendee.status == "paid").order_by(Attendee.id)
        ).all()
        rooms = session.execute(select(Room.id, Room.name, Room.capacity).order_by(Room.id)).all()
    chooser = random.Random(store.station.name)
    for number in range(count):
        at = START + timedelta(seconds=number * 3)
        person = chooser.choice(people)
        if number % 5 == 0:
            check_in(store, person.id, at)
        else:
            room = chooser.choice(rooms)
            mode = Mode.EXIT if number % 7 == 0 else Mode.ENTRY
            badge = codes.badge_number(person.external_id, 1)  # the badge's Code 128 (a bare id is staff-only)
            door_scan(store, Door(room.id, room.name, "Main", mode), badge, at)
    print(f"recorded {count}", flush=True)


if __name__ == "__main__":
    main()
