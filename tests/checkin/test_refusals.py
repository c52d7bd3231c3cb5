"""Refused scans are kept for review, at every kind of station, and listed by `checkin refusals`."""

from __future__ import annotations

import json
from datetime import datetime, timedelta

from sqlalchemy import func, select

from checkin import badges, scanning
from checkin.cli import main
from checkin.desk import check_in
from checkin.domain import EventKind, Status, VerdictCode
from checkin.kiosk import kiosk_scan
from checkin.occupancy.door import door_scan, open_door
from checkin.refusals import refusals
from checkin.store import Store
from checkin.store.models import Attendee, Event


def paid(store: Store, n: int) -> Attendee:
    with store.reading() as session:
        return session.scalars(
            select(Attendee).where(Attendee.status == Status.PAID.value).order_by(Attendee.sort_key).offset(n)
        ).first()


def refused_events(store: Store) -> int:
    with store.reading() as session:
        return session.scalar(select(func.count()).where(Event.kind == EventKind.SCAN_REFUSED.value)) or 0


def test_every_kind_of_station_keeps_its_refusals_and_nothing_else(store: Store, now: datetime) -> None:
    person, other = paid(store, 0), paid(store, 1)
    with store.reading() as session:
        old_code = badges.badge_code(session, person.id)
    badges.reissue(store, person.id, "lost", now)
    forged = old_code[:-6] + ("AAAAAA" if not old_code.endswith("AAAAAA") else "BBBBBB")
    recent = scanning.RecentScans()
    assert scanning.scan(store, forged, now, recent).code is VerdictCode.FORGED
    assert door_scan(store, open_door(store, "Hall B"), old_code, now).code is VerdictCode.REPLACED_BADGE
    assert kiosk_scan(store, other.external_id, now)[0].code is VerdictCode.UNKNOWN  # a kiosk takes no numbers
    assert check_in(store, other.id, now).accepted  # accepted: not a refusal
    repeat = scanning.scan(store, other.external_id, now + timedelta(seconds=1), recent, where="desk")
    assert repeat.code is VerdictCode.ALREADY_CHECKED_IN
    with store.reading() as session:
        found = refusals(session.connection())
    assert [(r.where, r.verdict) for r in found] == [
        ("desk", "already_checked_in"),
        ("kiosk", "unknown"),
        ("door", "replaced_badge"),
        ("desk", "forged"),
    ]
    door = found[2]
    assert door.place == "Hall B · Main door" and door.attendee == f"{person.first_name} {person.last_name}"
    assert found[3].attendee == "" and found[3].scanned == forged  # a forged badge names nobody
    third = paid(store, 2).external_id
    assert scanning.scan(store, third, now, recent).accepted
    before = refused_events(store)
    assert scanning.scan(store, third, now + timedelta(seconds=2), recent).code is VerdictCode.JUST_SCANNED
    assert refused_events(store) == before  # the same badge twice in a row is not a refusal to review


def test_a_refused_scan_keeps_only_printable_text_and_not_a_whole_page(store: Store, now: datetime) -> None:
    scanning.scan(store, "\x1b[2J" + "X" * 5000, now)
    with store.reading() as session:
        [refusal] = refusals(session.connection())
    assert "\x1b" not in refusal.scanned and len(refusal.scanned) == scanning.SCANNED_KEPT


def test_checkin_refusals_lists_them_newest_first(store: Store, now: datetime, capsys) -> None:
    db = str(store.engine.url.database)
    assert main(["scan", "R000000", "--db", db]) == 1
    assert main(["door", "Hall B", "R000001", "--db", db]) == 1
    capsys.readouterr()
    assert main(["refusals", "--db", db, "--json"]) == 0
    listed = json.loads(capsys.readouterr().out)
    assert [(r["where"], r["scanned"]) for r in listed] == [("door", "R000001"), ("cli", "R000000")]
    assert listed[0]["place"] == "Hall B · Main door"


def test_a_forged_badge_is_looked_up_at_the_desk_and_sent_to_the_desk_from_a_door(store: Store, now: datetime) -> None:
    person = paid(store, 2)
    with store.reading() as session:
        code = badges.badge_code(session, person.id)
    forged = code[:-6] + ("AAAAAA" if not code.endswith("AAAAAA") else "BBBBBB")
    at_desk = scanning.scan(store, forged, now)
    assert at_desk.code is VerdictCode.FORGED
    assert "find the person by name" in at_desk.message and "desk" not in at_desk.message  # it is the desk
    at_door = door_scan(store, open_door(store, "Hall B"), forged, now)
    assert at_door.code is VerdictCode.FORGED and "send the person to the registration desk" in at_door.message
