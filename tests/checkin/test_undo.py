"""Undo a check-in made by mistake: only right after it, only at the station that made it, with a reason; the
undo is an event, so a rebuild and every other station reach the same state."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from sqlalchemy import select

from checkin.cli import main
from checkin.conference import checked_in_count
from checkin.desk import check_in, undo_check_in
from checkin.domain import StationContext, Status, VerdictCode
from checkin.ids import new_id
from checkin.projection import rebuild
from checkin.rules.undo import UNDO_WINDOW
from checkin.store import Store
from checkin.store.models import Attendee


@pytest.fixture
def person(store: Store) -> Attendee:
    with store.reading() as session:
        return session.scalars(select(Attendee).where(Attendee.status == Status.PAID.value).limit(1)).one()


def test_a_check_in_just_made_is_undone_and_the_counts_follow(store: Store, person: Attendee, now: datetime) -> None:
    with store.reading() as session:
        before = checked_in_count(session)[0]
    assert check_in(store, person.id, now).accepted
    undone = undo_check_in(store, person.id, "wrong person selected", now + timedelta(minutes=1))
    assert undone.code is VerdictCode.UNDONE and "undone (wrong person selected)" in undone.message
    assert undone.attendee is not None and not undone.attendee.checked_in
    with store.reading() as session:
        assert checked_in_count(session)[0] == before
    again = undo_check_in(store, person.id, "twice", now + timedelta(minutes=2))
    assert again.code is VerdictCode.CANNOT_UNDO and "not checked in" in again.message
    assert check_in(store, person.id, now + timedelta(minutes=3)).accepted  # the right person, later


def test_a_rebuild_keeps_an_undo(store: Store, person: Attendee, now: datetime, snapshot) -> None:
    check_in(store, person.id, now)
    undo_check_in(store, person.id, "wrong person selected", now)
    check_in(store, person.id, now + timedelta(minutes=10))
    before = snapshot(store)
    with store.unit_of_work() as session:
        rebuild(session)
    assert snapshot(store) == before


def test_an_old_check_in_or_another_stations_is_not_undone(store: Store, person: Attendee, now: datetime) -> None:
    check_in(store, person.id, now)
    late = undo_check_in(store, person.id, "wrong person", now + UNDO_WINDOW + timedelta(seconds=1))
    assert late.code is VerdictCode.CANNOT_UNDO and "more than 5 minutes ago" in late.message
    no_reason = undo_check_in(store, person.id, "  ", now)
    assert no_reason.code is VerdictCode.CANNOT_UNDO and "needs a reason" in no_reason.message
    desk_1 = store.station
    store.station = StationContext(new_id(), "Desk 9")  # another station holding Desk 1's synced event
    refused = undo_check_in(store, person.id, "wrong person", now)
    assert refused.code is VerdictCode.CANNOT_UNDO and "another station" in refused.message
    store.station = desk_1


def test_the_cli_undoes_with_a_reason_and_exits_1_when_it_may_not(store: Store, person: Attendee, capsys) -> None:
    db = str(store.engine.url.database)
    assert main(["checkin", person.external_id, "--db", db]) == 0
    assert main(["undo", person.external_id, "--db", db, "--reason", "wrong person"]) == 0
    assert "undone (wrong person)" in capsys.readouterr().out
    assert main(["undo", person.external_id, "--db", db, "--reason", "again"]) == 1
