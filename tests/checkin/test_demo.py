from collections import Counter

import pytest
from sqlalchemy import func, select

from checkin.conference import entitlements, stats
from checkin.demo import build_demo
from checkin.domain import RegistrationType
from checkin.occupancy.schedule import Booking
from checkin.store import Store
from checkin.store.models import Attendee, ConferenceSession, Room


def test_demo_models_the_conference(empty_store: Store) -> None:
    with empty_store.unit_of_work() as session:
        summary = build_demo(session)
        types = Counter(session.scalars(select(Attendee.registration_type)))
        rooms = session.scalar(select(func.count()).select_from(Room))
        breakouts = session.scalars(
            select(func.count())
            .select_from(ConferenceSession)
            .where(ConferenceSession.kind == "breakout")
            .group_by(ConferenceSession.starts_at)
        ).all()
        assert {e.code for e in entitlements(session)} >= {"coin", "lunch"}
        figures = stats(session)
    assert summary.attendees.added == 2400
    assert set(types) == {t.value for t in RegistrationType}
    assert 18 <= rooms <= 30
    assert breakouts and all(8 <= n <= 12 for n in breakouts)
    assert figures.cancelled > 0 and figures.unpaid > 0


def test_demo_never_books_a_room_or_its_halves_twice_at_once(empty_store: Store) -> None:
    with empty_store.unit_of_work() as session:
        build_demo(session, attendees=10)
        rooms = {room.id: room for room in session.scalars(select(Room))}
        booked = [
            Booking(rooms[s.room_id], s.starts_at, s.ends_at, s.title)
            for s in session.scalars(select(ConferenceSession))
        ]
    assert any(b.title == "Awards Luncheon" for b in booked)
    clashes = [(a.title, b.title) for n, a in enumerate(booked) for b in booked[n + 1 :] if a.clashes_with(b)]
    assert clashes == []


def test_demo_is_reproducible(tmp_path) -> None:
    from checkin.store import open_store

    names = []
    for run in range(2):
        store = open_store(tmp_path / f"{run}.sqlite")
        with store.unit_of_work() as session:
            build_demo(session, attendees=50, seed=3)
            names.append(list(session.scalars(select(Attendee.last_name).order_by(Attendee.external_id))))
    assert names[0] == names[1]


@pytest.mark.slow
def test_demo_scales_to_20000_attendees(empty_store: Store) -> None:
    with empty_store.unit_of_work() as session:
        summary = build_demo(session, attendees=20_000)
    assert summary.attendees.added == 20_000


@pytest.mark.parametrize(
    ("now", "monday"),
    [
        ("2026-12-02T16:00:00+00:00", "2026-11-30"),  # a Wednesday: the conference is half-way through
        ("2026-12-05T03:00:00+00:00", "2026-11-30"),  # Saturday in UTC, still Friday evening in Chicago
        ("2026-12-05T12:00:00+00:00", "2026-12-07"),  # a Saturday: the coming week
    ],
)
def test_the_demo_is_dated_around_today(now: str, monday: str) -> None:
    from datetime import date, datetime

    from checkin.demo import this_week

    assert this_week(datetime.fromisoformat(now)) == date.fromisoformat(monday)


def test_a_demo_made_from_the_command_line_has_sessions_this_week(tmp_path, capsys) -> None:
    import json
    from datetime import UTC, datetime, timedelta
    from zoneinfo import ZoneInfo

    from checkin.cli import main
    from checkin.demo import TIMEZONE, this_week

    db = ["--db", str(tmp_path / "demo.sqlite")]
    assert main(["demo", *db, "--attendees", "5"]) == 0
    capsys.readouterr()
    assert main(["sessions", *db, "--json"]) == 0
    days = {
        datetime.fromisoformat(s["starts"]).astimezone(ZoneInfo(TIMEZONE)).date()
        for s in json.loads(capsys.readouterr().out)
    }
    monday = this_week(datetime.now(UTC))
    assert days == {monday + timedelta(days=n) for n in range(5)}
