"""The event log: idempotent appends, and derived state that always equals a rebuild from the log."""

from __future__ import annotations

import random
from collections.abc import Callable
from datetime import timedelta

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select, text

from checkin import desk
from checkin.domain import EventKind, StationContext, Status
from checkin.events import NewEvent, record, record_row
from checkin.projection import rebuild
from checkin.store import Store
from checkin.store.models import Attendee, AttendeeState, EntitlementGiven, Event


def derived(store: Store) -> dict[str, list[tuple]]:
    with store.reading() as session:
        return {
            "state": sorted(
                tuple(r)
                for r in session.execute(
                    select(
                        AttendeeState.attendee_id,
                        AttendeeState.checked_in_event,
                        AttendeeState.checked_in_at,
                        AttendeeState.checked_in_station,
                    )
                )
            ),
            "given": sorted(
                tuple(r)
                for r in session.execute(
                    select(EntitlementGiven.attendee_id, EntitlementGiven.entitlement, EntitlementGiven.event_id)
                )
            ),
            "attendees": sorted(
                tuple(r)
                for r in session.execute(
                    select(
                        Attendee.id,
                        Attendee.first_name,
                        Attendee.last_name,
                        Attendee.organization,
                        Attendee.status,
                        Attendee.registration_type,
                        Attendee.sort_key,
                        Attendee.source,
                    )
                )
            ),
            "search": sorted(tuple(r) for r in session.execute(text("SELECT attendee_id, words FROM search_entry"))),
        }


def attendee_ids(store: Store) -> list[str]:
    with store.reading() as session:
        return list(session.scalars(select(Attendee.id).order_by(Attendee.sort_key)))


def test_recording_the_same_event_twice_is_a_no_op(store: Store, now, snapshot: Callable) -> None:
    target = attendee_ids(store)[0]
    event = NewEvent(EventKind.CHECKED_IN, store.station, now, target)
    with store.unit_of_work() as session:
        assert record(session, event) is True
    before = snapshot(store)
    with store.unit_of_work() as session:
        assert record(session, event) is False
        assert record_row(session, event.row()) is False
    assert snapshot(store) == before
    with store.reading() as session:
        assert session.scalar(select(func.count()).select_from(Event)) == 1


def test_an_older_check_in_arriving_later_wins_in_both_paths(store: Store, now) -> None:
    target = attendee_ids(store)[0]
    other = StationContext("00000000-0000-7000-8000-000000000001", "Desk 9")
    late = NewEvent(EventKind.CHECKED_IN, store.station, now, target, id="01900000-0000-7000-8000-00000000000b")
    early = NewEvent(
        EventKind.CHECKED_IN, other, now - timedelta(minutes=5), target, id="01900000-0000-7000-8000-00000000000a"
    )
    with store.unit_of_work() as session:
        record(session, late)
        record(session, early)  # e.g. synced from a station that was offline
    incremental = derived(store)
    assert incremental["state"][0][1:] == (early.id, early.at, "Desk 9")
    with store.unit_of_work() as session:
        rebuild(session)
    assert derived(store) == incremental


actions = st.lists(
    st.tuples(st.sampled_from(["check_in", "give", "correct", "walk_in", "replay"]), st.integers(0, 10**6)),
    min_size=1,
    max_size=25,
)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(script=actions)
def test_rebuild_from_the_log_equals_incremental_state(store: Store, now, script) -> None:
    """Random desk activity (including replayed and out-of-order events) then a rebuild: identical state."""
    with store.unit_of_work() as session:
        session.execute(Event.__table__.delete())
        rebuild(session)
    ids = attendee_ids(store)
    rng = random.Random(len(script))
    recorded: list[dict] = []
    for offset, (action, pick) in enumerate(script):
        target = ids[pick % len(ids)]
        moment = now + timedelta(seconds=offset)
        if action == "check_in":
            desk.check_in(store, target, moment)
        elif action == "give":
            desk.give_entitlement(store, target, ["coin", "bag", "lunch", "kit"][pick % 4], moment)
        elif action == "correct":
            desk.correct(store, target, {"organization": f"Org {pick % 7}", "first_name": f"N{pick % 3}"}, moment)
        elif action == "walk_in":
            desk.register_walk_in(store, desk.WalkIn(f"Walk{pick}", "In", f"w{pick}@x.org", status=Status.PAID), moment)
        elif recorded:
            with store.unit_of_work() as session:
                record_row(session, rng.choice(recorded))
        with store.reading() as session:
            recorded = [
                {c.name: getattr(e, c.name) for c in Event.__table__.columns if c.computed is None}
                for e in session.scalars(select(Event))
            ]
    incremental = derived(store)
    with store.unit_of_work() as session:
        rebuild(session)
    assert derived(store) == incremental
