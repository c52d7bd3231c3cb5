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
            select(func.count()).select_from(ConferenceSession).where(ConferenceSession.kind == "breakout")
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
        booked = [Booking(rooms[s.room_id], s.starts_at, s.ends_at, s.title)
                  for s in session.scalars(select(ConferenceSession))]
    assert any(b.title == "Awards Luncheon" for b in booked)
    clashes = [(a.title, b.title) for n, a in enumerate(booked) for b in booked[n + 1:] if a.clashes_with(b)]
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
