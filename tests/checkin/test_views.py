"""The read models the windows draw from: the door and the command post agree on what is on now."""

from __future__ import annotations

from datetime import timedelta

from checkin import views
from checkin.occupancy.door import open_door
from checkin.store import Store


def test_the_door_and_the_command_post_use_one_rule_for_the_session_on_now(store: Store) -> None:
    sessions = views.sessions(store)
    first_of_day = min(sessions, key=lambda s: s.starts_at)  # nothing before it in its room that day
    room = next(r.name for r in views.rooms(store) if r.id == first_of_day.room_id)
    door = open_door(store, room)
    for before in (timedelta(minutes=7), timedelta(minutes=29), timedelta(minutes=31)):
        moment = first_of_day.starts_at - before  # 12:53 for a 13:00 session, and around the 30-min margin
        shown_at_door = views.door_now(store, door, moment, timedelta(minutes=15)).session_title
        running = {s.id for s in views.command_post_now(store, moment).running}
        assert (shown_at_door == first_of_day.title) == (first_of_day.id in running), before
        assert (first_of_day.id in running) == (before <= timedelta(minutes=30)), before
