"""checkin.store.direct: a statement run through SQLite's driver reads and writes exactly what SQLAlchemy would."""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import bindparam, insert, select, update
from sqlalchemy.exc import IntegrityError

from checkin.attendees import attendee_view_query
from checkin.desk import check_in
from checkin.store import Store, direct
from checkin.store.models import Attendee, ConferenceSession, Event, PresenceInterval

AT = datetime(2027, 6, 29, 14, 5, 6, 789000, tzinfo=UTC)
_views = attendee_view_query().where(Attendee.status == bindparam("status")).order_by(Attendee.id)
_sessions = select(ConferenceSession).order_by(ConferenceSession.id)
_events = insert(Event)
_interval = insert(PresenceInterval)
_end = update(PresenceInterval).where(PresenceInterval.start_event == bindparam("interval"))
_by_ids = select(Attendee.id).where(Attendee.id.in_(bindparam("ids", expanding=True)))


def test_rows_read_are_those_sqlalchemy_reads(store: Store, now: datetime) -> None:
    someone = _first_paid(store)
    check_in(store, someone, now)  # a timestamp and a station in the view
    with store.writing() as connection:
        for statement, params in ((_views, {"status": "paid"}), (_sessions, {})):
            expected = connection.execute(statement, params).all()
            got = direct.execute(connection, statement, params).all()
            assert len(got) == len(expected) > 10
            assert [tuple(row) for row in got] == [tuple(row) for row in expected]
        arrived = next(r for r in direct.execute(connection, _views, {"status": "paid"}) if r.id == someone)
        first = direct.execute(connection, _sessions).all()[0]
    assert arrived.checked_in_at == now and arrived.checked_in_at.tzinfo is UTC  # the model's aware UTC type
    assert isinstance(first.prereg_required, bool) and first.starts_at.tzinfo is UTC


def test_rows_written_are_stored_as_sqlalchemy_stores_them(store: Store) -> None:
    payload = {"room_id": "r1", "door": "Main door", "name": "Zoë « ☃ »", "n": 3}
    rows = [
        {
            "id": f"e{n}",
            "kind": "entered",
            "station_id": "s",
            "station_time": AT,
            "attendee_id": "a",
            "payload": payload,
        }
        for n in (1, 2)
    ]
    with store.writing() as connection:
        connection.execute(_events, rows[0])
        assert direct.execute(connection, _events, rows[1]).rowcount == 1
        stored = connection.exec_driver_sql(
            "SELECT station_time, payload, room_id, door FROM event WHERE id IN ('e1', 'e2') ORDER BY id"
        ).all()
        through_sqlalchemy = connection.execute(select(Event.payload, Event.station_time).where(Event.id == "e2")).one()
    assert stored[0] == stored[1]  # the same text in the file, generated columns included
    assert stored[1][2:] == ("r1", "Main door")
    assert tuple(through_sqlalchemy) == (payload, AT)


def test_an_update_sets_the_columns_it_is_given_where_its_own_parameter_says(store: Store) -> None:
    start = {"attendee_id": "a", "room_id": "r", "door": "d", "started_at": AT, "ended_at": None}
    ends = AT + timedelta(hours=1)
    with store.writing() as connection:
        for n in (1, 2):
            direct.execute(
                connection, _interval, {"start_event": f"i{n}", **start, "auto_end": None, "open_until": None}
            )
        changed = direct.execute(connection, _end, {"ended_at": ends, "open_until": ends, "interval": "i2"})
        kept = connection.execute(
            select(PresenceInterval.start_event, PresenceInterval.ended_at, PresenceInterval.open_until)
            .where(PresenceInterval.start_event.in_(["i1", "i2"]))
            .order_by(PresenceInterval.start_event)
        ).all()
    assert changed.rowcount == 1
    assert [tuple(row) for row in kept] == [("i1", None, None), ("i2", ends, ends)]


def test_a_required_parameter_left_out_is_an_error_not_a_null(store: Store) -> None:
    with store.writing() as connection, pytest.raises(KeyError):
        direct.execute(connection, _views, {})


def test_a_refused_write_raises_what_sqlalchemy_raises(store: Store) -> None:
    row = {"id": "e1", "kind": "entered", "station_id": "s", "station_time": AT, "attendee_id": None, "payload": {}}
    with store.writing() as connection:
        direct.execute(connection, _events, row)
        with pytest.raises(IntegrityError) as refused:  # the same id twice: a plain INSERT is refused
            direct.execute(connection, _events, row)
    assert isinstance(refused.value.orig, sqlite3.IntegrityError)


def test_a_list_parameter_is_refused(store: Store) -> None:
    with store.writing() as connection, pytest.raises(ValueError, match="SQLAlchemy"):
        direct.execute(connection, _by_ids, {"ids": ["a", "b"]})


def test_the_scan_connection_leaves_checkpoints_to_the_checkpoint_thread(store: Store) -> None:
    with store.writing() as connection:
        own = connection.exec_driver_sql("PRAGMA wal_autocheckpoint").scalar_one()
    with store.reading() as session:
        other = session.connection().exec_driver_sql("PRAGMA wal_autocheckpoint").scalar_one()
    assert own > 1000 and other == 1000


def _first_paid(store: Store) -> str:
    with store.reading() as session:
        return str(session.scalars(select(Attendee.id).where(Attendee.status == "paid").limit(1)).one())
