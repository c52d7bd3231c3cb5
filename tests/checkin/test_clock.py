"""The station clock: corrected by the hub's offset, and ids from a hybrid logical clock that never go back."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

from checkin.clock import StationClock, id_milliseconds
from checkin.domain import EventKind
from checkin.events import NewEvent, record
from checkin.store import open_store

NOON = datetime(2027, 6, 29, 12, 0, tzinfo=UTC)


def test_the_offset_from_the_hub_corrects_the_time_and_the_own_time_is_kept() -> None:
    clock = StationClock(wall=lambda: NOON - timedelta(hours=1))
    clock.follow_hub(3600.2)
    assert clock.now() == NOON + timedelta(seconds=0.2) and clock.own_now() == NOON - timedelta(hours=1)
    assert clock.own_time(clock.now()) == NOON - timedelta(hours=1)
    clock.follow_hub(0.4)  # a round trip's jitter, not a wrong clock
    assert clock.offset_s == 0 and clock.now() == NOON - timedelta(hours=1)


def test_ids_are_valid_uuid7_in_the_events_millisecond_and_never_go_back() -> None:
    clock = StationClock(wall=lambda: NOON)
    first = clock.event_id(NOON)
    assert uuid.UUID(first).version == 7 and id_milliseconds(first) == int(NOON.timestamp() * 1000)
    same_moment = [clock.event_id(NOON) for _ in range(5000)]  # more than the 12-bit counter holds
    earlier = clock.event_id(NOON - timedelta(hours=1))  # the station's clock was set back
    made = [first, *same_moment, earlier]
    assert made == sorted(made) and len(set(made)) == len(made)


def test_an_id_made_after_seeing_another_sorts_after_it() -> None:
    clock = StationClock(wall=lambda: NOON)
    seen = StationClock(wall=lambda: NOON).event_id(NOON + timedelta(minutes=3))  # a fast station's event
    clock.saw([seen])
    assert clock.event_id(NOON) > seen


def test_an_id_from_a_clock_far_ahead_is_not_followed() -> None:
    clock = StationClock(wall=lambda: NOON)
    wrong = StationClock().event_id(NOON + timedelta(days=2))
    clock.saw([wrong])
    assert id_milliseconds(clock.event_id(NOON)) == int(NOON.timestamp() * 1000)


def test_a_reopened_database_makes_ids_after_every_event_it_holds(tmp_path: Path) -> None:
    now = datetime.now(UTC)
    store = open_store(tmp_path / "d.sqlite", "Desk 1")
    with store.unit_of_work() as session:  # made by a clock then 5 minutes fast
        record(session, NewEvent(EventKind.COUNTER_ADJUSTED, store.station, now + timedelta(minutes=5)))
    store.close()
    again = open_store(tmp_path / "d.sqlite")
    later = NewEvent(EventKind.COUNTER_ADJUSTED, again.station, now)
    with again.reading() as session:
        newest = session.connection().exec_driver_sql("SELECT max(id) FROM event").scalar()
    again.close()
    assert later.id > newest


def test_ids_made_one_after_another_sort_in_that_order() -> None:
    from checkin.ids import new_id

    made = [new_id() for _ in range(20_000)]  # many within one millisecond
    assert made == sorted(made) and len(set(made)) == len(made)
    assert all(uuid.UUID(i).version == 7 for i in made[:10])
