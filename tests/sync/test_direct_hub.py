"""checkin.store.direct on the hub's PostgreSQL: the same statements go through SQLAlchemy, with the same rows."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import bindparam

from checkin.attendees import attendee_view_query
from checkin.occupancy import tracking
from checkin.store import direct, open_store
from checkin.store.models import Attendee

_views = attendee_view_query().where(Attendee.status == bindparam("status")).order_by(Attendee.id)


def test_the_hub_reads_the_same_rows_and_its_schedule(hub_url: str) -> None:
    store = open_store(hub_url)
    try:
        with store.writing() as connection:
            expected = connection.execute(_views, {"status": "paid"}).all()
            got = direct.execute(connection, _views, {"status": "paid"}).all()
            schedule, policy = tracking.config_on(connection)
            room_id = connection.exec_driver_sql("SELECT id FROM room ORDER BY name LIMIT 1").scalar_one()
            present = tracking.present_in(connection, room_id, datetime(2027, 6, 29, 14, tzinfo=UTC))
    finally:
        store.close()
    assert len(got) == len(expected) > 10
    assert [tuple(row) for row in got] == [tuple(row) for row in expected]
    assert schedule.zone.key == "America/Chicago" and policy.warn_at > 0  # the stamp's SQL runs on PostgreSQL
    assert present == 0
