"""Rooms and headcount from the event log: a scripted day with exact numbers, rebuild equality, invariants."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from checkin import badges, scanning
from checkin.cli import main
from checkin.domain import EventKind, Tone, VerdictCode
from checkin.events import NewEvent, record
from checkin.ids import new_id
from checkin.occupancy import tracking
from checkin.occupancy.attendance import all_attendance, load_sessions, no_shows, what_is_next
from checkin.occupancy.door import NobodyToCountOut, adjust_count, door_scan, override
from checkin.occupancy.presence import Adjustment, DoorEvent, Schedule, Slot, intervals_for, manual_count
from checkin.occupancy.reports import roster
from checkin.projection import rebuild
from checkin.rules.door import Door, Mode, NotCheckedIn
from checkin.store import Store
from checkin.store.models import (
    Attendee,
    ConferenceSession,
    Event,
    PresenceInterval,
    Room,
    SessionRegistration,
)

DAY = datetime(2027, 6, 30, tzinfo=UTC)


def at(hh: int, mm: int = 0) -> datetime:
    return DAY.replace(hour=hh, minute=mm)


@pytest.fixture
def lab(store: Store) -> dict:
    """A 4-seat lab with two back-to-back sessions and a pre-registration session, plus a neighbour room."""
    with store.unit_of_work() as session:
        conference_id = session.scalars(select(Attendee.conference_id)).first()
        lab = Room(id=new_id(), conference_id=conference_id, name="Lab", capacity=4, capacities={})
        hall = Room(id=new_id(), conference_id=conference_id, name="Hall", capacity=100, capacities={})
        session.add_all([lab, hall])
        session.flush()
        ids = {}
        for key, title, start, end, prereg in (
            ("s1", "Lab one", at(14), at(15), False),
            ("s2", "Lab two", at(15), at(16), False),
            ("s3", "Hands-on lab", at(16, 30), at(17, 30), True),
        ):
            ids[key] = new_id()
            session.add(
                ConferenceSession(
                    id=ids[key],
                    conference_id=conference_id,
                    room_id=lab.id,
                    title=title,
                    starts_at=start,
                    ends_at=end,
                    hours=1.0,
                    prereg_required=prereg,
                )
            )
        people = session.scalars(
            select(Attendee).where(Attendee.status == "paid").order_by(Attendee.sort_key).limit(8)
        ).all()
        session.add(SessionRegistration(session_id=ids["s3"], attendee_id=people[0].id))
        session.add(SessionRegistration(session_id=ids["s3"], attendee_id=people[6].id))
        return {
            "lab": Door(lab.id, "Lab"),
            "hall": Door(hall.id, "Hall"),
            "people": [p.id for p in people],
            "sessions": ids,
        }


def code(store: Store, attendee_id: str) -> str:
    with store.reading() as session:
        return badges.badge_code(session, attendee_id)


def count(store: Store, door: Door, now: datetime) -> int:
    with store.writing() as connection:
        return tracking.headcount(connection, door.room_id, now)


def snapshot(store: Store) -> list[tuple]:
    with store.reading() as session:
        return sorted(
            tuple(r)
            for r in session.execute(
                select(
                    PresenceInterval.start_event,
                    PresenceInterval.attendee_id,
                    PresenceInterval.room_id,
                    PresenceInterval.started_at,
                    PresenceInterval.ended_at,
                    PresenceInterval.auto_end,
                )
            )
        )


def test_scripted_day(store: Store, lab: dict) -> None:
    a, b, c, d, e, f = (lab["people"][i] for i in range(6))
    room, hall = lab["lab"], lab["hall"]

    assert door_scan(store, room, code(store, a), at(13, 50)).code is VerdictCode.ACCEPTED  # early for s1
    assert door_scan(store, room, code(store, b), at(13, 55)).code is VerdictCode.ACCEPTED
    again = door_scan(store, room, code(store, b), at(13, 56))
    assert again.code is VerdictCode.ALREADY_INSIDE and count(store, room, at(13, 57)) == 2
    assert door_scan(store, hall, code(store, c), at(14, 10)).accepted
    assert door_scan(store, room, code(store, c), at(14, 20)).accepted  # leaves the hall by entering the lab
    assert count(store, hall, at(14, 21)) == 0 and count(store, room, at(14, 21)) == 3
    warned = door_scan(store, room, code(store, d), at(14, 25))
    assert warned.accepted and warned.tone.value == "warn" and "4 of 4" in warned.message  # 100%: amber
    full = door_scan(store, room, code(store, e), at(14, 26))
    assert full.code is VerdictCode.ROOM_FULL
    let_in = override(store, room, e, "fire marshal", VerdictCode.ROOM_FULL, at(14, 27))
    assert let_in.accepted and count(store, room, at(14, 28)) == 5
    exit_door = Door(room.room_id, "Lab", mode=Mode.EXIT)
    assert door_scan(store, exit_door, code(store, b), at(14, 30)).code is VerdictCode.EXITED
    assert door_scan(store, exit_door, code(store, b), at(14, 31)).code is VerdictCode.NOT_INSIDE
    assert count(store, room, at(14, 32)) == 4

    with pytest.raises(NobodyToCountOut, match="Nobody counted in by hand"):  # would change nothing: not recorded
        adjust_count(store, room, -1, "miscount", at(14, 33))
    assert adjust_count(store, room, +1, "no badge", at(14, 34)).count == 5
    with store.writing() as connection:  # d and e by badge, one by hand; the −1 brought nobody in
        assert tracking.arrivals(connection, room.room_id, at(14, 24), at(14, 35)) == 3
        assert tracking.arrivals(connection, room.room_id, at(14, 30), at(14, 35)) == 1
        assert tracking.arrivals(connection, room.room_id, at(14, 30), at(14, 33)) == 0
    assert count(store, room, at(15, 5)) == 0  # s1 ended: everyone's presence closed, manual count reset

    with store.writing() as connection:
        attended = all_attendance(connection, at(18))
    s1 = {x.attendee_id: x for x in attended if x.session.id == lab["sessions"]["s1"]}
    assert s1[a].minutes == 60 and s1[a].hours == 1.0  # arrived early, stayed to the end
    assert s1[b].minutes == 30 and s1[b].hours == 0.0  # 14:00-14:30: 50% < 75%
    assert s1[c].minutes == 40 and s1[c].hours == 0.0
    assert s1[e].minutes == 33 and s1[e].hours == 0.0

    # Pre-registration: f is not on the list for s3, a is.
    refused = door_scan(store, room, code(store, f), at(16, 35))
    assert refused.code is VerdictCode.NOT_REGISTERED
    assert door_scan(store, room, code(store, a), at(16, 36)).accepted
    with store.writing() as connection:
        attended = all_attendance(connection, at(18))
        s3 = next(s for s in load_sessions(connection) if s.id == lab["sessions"]["s3"])
        assert no_shows(connection, s3, attended) == [lab["people"][6]]

    before = snapshot(store)
    with store.unit_of_work() as session:
        rebuild(session)
    assert snapshot(store) == before


def test_not_checked_in_policy(store: Store, lab: dict) -> None:
    person = lab["people"][7]
    to_desk = Door(lab["hall"].room_id, "Hall", not_checked_in=NotCheckedIn.DESK)
    assert door_scan(store, to_desk, code(store, person), at(10)).code is VerdictCode.NOT_CHECKED_IN
    admitted = door_scan(store, lab["hall"], code(store, person), at(10, 1))
    assert admitted.accepted and admitted.attendee.checked_in  # checked in at the door as well
    with store.reading() as session:
        kinds = list(session.scalars(select(Event.kind)))
    assert kinds.count("checked_in") == 1 and kinds.count("entered") == 1


def test_back_to_back_policy_keeps_people_through_the_next_session() -> None:
    slots = [Slot("s1", "r", at(14), at(15)), Slot("s2", "r", at(15), at(16))]
    events = [DoorEvent("01", "entered", "p", "r", at(14, 10))]
    closing = intervals_for(events, Schedule(slots))
    keeping = intervals_for(events, Schedule(slots, keep_back_to_back=True))
    assert closing[0].auto_end == at(15) and keeping[0].auto_end == at(16)
    assert intervals_for([DoorEvent("01", "entered", "p", "r", at(9))], Schedule(slots))[0].auto_end == at(22)


def test_presence_outside_any_session_ends_at_the_end_of_the_conference_day() -> None:
    chicago = ZoneInfo("America/Chicago")  # 22:00 there is 03:00 UTC the next day (summer)
    schedule = Schedule([Slot("s1", "lab", at(14), at(15))], zone=chicago)

    def ends(entered: datetime) -> datetime | None:
        return intervals_for([DoorEvent("01", "entered", "p", "ready room", entered)], schedule)[0].auto_end

    assert ends(at(14)) == at(3) + timedelta(days=1)  # 09:00 Chicago: ends 22:00 that evening
    assert ends(at(3, 30) + timedelta(days=1)) == at(3) + timedelta(days=2)  # 22:30 Chicago: the next evening
    assert intervals_for([DoorEvent("01", "entered", "p", "lab", at(14, 10))], schedule)[0].auto_end == at(15)


def test_nobody_stays_in_a_room_without_a_session_overnight_or_on_the_next_mornings_roster(
    store: Store, lab: dict
) -> None:
    person = lab["people"][2]
    assert door_scan(store, lab["hall"], code(store, person), at(12)).accepted  # the hall has no sessions
    next_morning = at(13) + timedelta(days=1)
    with store.writing() as connection:
        assert _count(connection, "Hall", at(23)) == 1  # 18:00 in the demo's Chicago: still inside
        assert _count(connection, "Hall", next_morning) == 0
        [line] = [line for line in roster(connection, next_morning) if line.attendee_id == person]
    assert line.room == "Hall" and not line.present
    assert line.left_at == at(3) + timedelta(days=1)  # 22:00 Chicago: "last seen", not "inside"
    assert main(["policy", "--day-ends", "18", "--db", str(store.engine.url.database)]) == 0
    with store.writing() as connection:
        assert _count(connection, "Hall", at(23)) == 0  # the new rule applies to what was recorded


def _count(connection, room: str, moment: datetime) -> int:
    return next(c.count for c in tracking.room_counts(connection, moment) if c.name == room)


def test_manual_count_never_negative_and_resets_at_session_end() -> None:
    ends = [at(15)]
    steps = [Adjustment(f"{n:02}", "r", at(14, n), delta) for n, delta in enumerate([-1, -1, 1, 1, 1, -1])]
    assert manual_count(steps, ends, at(14, 59)) == 2
    assert manual_count(steps, ends, at(15, 1)) == 0
    assert manual_count([*steps, Adjustment("99", "r", at(15, 5), 1)], ends, at(15, 6)) == 1


MINUTES = st.integers(0, 240)


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    script=st.lists(
        st.tuples(st.integers(0, 3), st.sampled_from(["lab", "hall"]), st.sampled_from(["entered", "exited"]), MINUTES),
        max_size=30,
    ),
    probes=st.lists(MINUTES, min_size=1, max_size=5),
)
def test_random_door_activity_keeps_the_invariants(store: Store, lab: dict, script, probes) -> None:
    with store.unit_of_work() as session:
        session.execute(PresenceInterval.__table__.delete())
        session.execute(Event.__table__.delete().where(Event.kind.in_(["entered", "exited"])))
    doors = {"lab": lab["lab"], "hall": lab["hall"]}
    station = store.station
    for person, room, kind, minute in script:
        moment = at(13) + timedelta(minutes=minute)
        event = NewEvent(
            EventKind(kind),
            station,
            moment,
            lab["people"][person],
            {"room_id": doors[room].room_id, "door": "d"},
            id=_id_at(moment),
        )
        with store.unit_of_work() as session:
            record(session, event)
    incremental = snapshot(store)
    with store.unit_of_work() as session:
        rebuild(session)
    assert snapshot(store) == incremental
    with store.writing() as connection:
        for minute in probes:
            moment = at(13) + timedelta(minutes=minute)
            rooms_of = {}
            for door in doors.values():
                assert tracking.present_in(connection, door.room_id, moment) >= 0
            for person in lab["people"][:4]:
                rooms_of[person] = tracking.where_is(connection, person, moment)
            counted = sum(tracking.present_in(connection, d.room_id, moment) for d in doors.values())
            assert counted == sum(1 for r in rooms_of.values() if r is not None)  # one room at a time


_sequence = iter(range(10**9))


def _id_at(moment: datetime) -> str:
    """A UUIDv7-shaped id ordered by ``moment`` (ties broken by a counter), as stations make them."""
    millis = int(moment.timestamp() * 1000)
    return f"{millis:012x}"[:8] + "-" + f"{millis:012x}"[8:] + f"-7{next(_sequence):03x}-8000-000000000000"


def test_certificates_list_sessions_and_hours(store: Store, lab: dict) -> None:
    from zoneinfo import ZoneInfo

    from checkin.printing.sources import Selection, select_certificates

    a = lab["people"][0]
    assert door_scan(store, lab["lab"], code(store, a), at(13, 55)).accepted
    assert door_scan(store, lab["hall"], code(store, a), at(16, 40)).accepted  # the hall has no sessions
    with store.reading() as session:
        [certificate] = select_certificates(session, Selection([a]), ZoneInfo("UTC"), at(18))
    assert [(item.title, item.hours) for item in certificate.items] == [("Lab one (60 min)", 1.0)]
    assert certificate.total_hours == 1.0


def test_an_unknown_code_at_a_door_sends_the_person_to_the_desk(store: Store, lab: dict) -> None:
    unknown = door_scan(store, lab["lab"], "999999999999", at(10))
    assert unknown.code is VerdictCode.UNKNOWN and not unknown.accepted
    assert unknown.message.endswith("Send the person to the registration desk.")  # a door has no search box
    assert "Search by name" in scanning.scan(store, "999999999999", at(10)).message  # the desk has one


def test_what_is_next_names_the_first_session_to_start_and_how_many_start_with_it(store: Store) -> None:
    chicago = ZoneInfo("America/Chicago")
    with store.writing() as connection:
        sessions = load_sessions(connection)
    wednesday_evening = datetime(2027, 7, 1, 1, 0, tzinfo=UTC)  # 20:00 in Chicago
    assert what_is_next(sessions, wednesday_evening, chicago) == (
        "Basic SRO Course (day 4 of 5), Thu 08:00 in 101, and 1 more at the same time"
    )
    in_203b = [s for s in sessions if s.room == "203B"]
    assert what_is_next(in_203b, wednesday_evening, chicago, with_room=False) == (
        "Bus and Transportation Safety, Thu 10:00"
    )
    just_before = datetime(2027, 7, 1, 14, 59, tzinfo=UTC)  # 09:59 the same day: no weekday
    assert what_is_next(in_203b, just_before, chicago, with_room=False) == "Bus and Transportation Safety, 10:00"
    assert what_is_next(sessions, datetime(2027, 7, 3, tzinfo=UTC), chicago) == ""  # the conference is over


def test_the_arrival_curve_has_every_quarter_hour_from_the_first_arrival_to_now() -> None:
    from checkin.occupancy.reports import arrivals

    day = datetime(2027, 6, 28, 13, 0, tzinfo=UTC)
    moments = [day + timedelta(minutes=m) for m in (2, 14, 16, 61)]
    assert list(arrivals(moments).values()) == [2, 1, 0, 0, 1]  # 13:00 13:15 13:30 13:45 14:00
    curve = arrivals(moments, until=day + timedelta(minutes=100))
    assert list(curve) == [day + timedelta(minutes=15 * n) for n in range(7)] and list(curve.values())[-2:] == [0, 0]
    assert arrivals(moments, until=day - timedelta(hours=1)) == arrivals(moments)
    assert arrivals([], until=day) == {}


def test_one_capacity_colour_for_every_screen() -> None:
    from checkin.rules.capacity import Fill, fill_tone

    assert [fill_tone(n, 10, 0.8) for n in (0, 7, 8, 9, 10, 12)] == [
        Tone.GOOD,
        Tone.GOOD,
        Tone.WARN,
        Tone.WARN,
        Tone.BAD,
        Tone.BAD,
    ]
    assert fill_tone(50, 0, 0.8) is Tone.GOOD  # no capacity set: never "full"
    assert Fill(7, 40, 0.85).words() == "7 of 40 in the room (18%)."


def test_every_symbol_of_a_replaced_badge_is_refused_and_a_bare_number_is_a_staff_action(
    store: Store, lab: dict
) -> None:
    from checkin import codes, kiosk
    from checkin.attendees import get_view

    person = lab["people"][1]
    with store.reading() as session:
        view = get_view(session, person)
    assert view is not None
    old_number = codes.badge_number(view.external_id, 1)  # the Code 128 printed on the first badge
    revision, _new_code = badges.reissue(store, person, "lost", at(13))
    new_number = codes.badge_number(view.external_id, revision)
    hall = lab["hall"]

    for refused in (
        door_scan(store, hall, old_number, at(14)),
        scanning.scan(store, old_number, at(14, 1)),  # the desk's scan of the same old badge
        kiosk.kiosk_scan(store, old_number, at(14, 2))[0],
    ):
        assert refused.code in (VerdictCode.REPLACED_BADGE, VerdictCode.UNKNOWN) and not refused.accepted
    assert door_scan(store, hall, old_number, at(14)).code is VerdictCode.REPLACED_BADGE

    typed = door_scan(store, hall, view.external_id, at(14, 5))  # the id alone: on every list, on the old badge
    assert typed.code is VerdictCode.NUMBER_ONLY and typed.event_id is None
    let_in = override(store, hall, person, "lost badge, photo ID checked", typed.code, at(14, 6))
    assert let_in.accepted
    with store.reading() as session:
        entered = session.scalars(
            select(Event).where(Event.kind == EventKind.ENTERED.value, Event.attendee_id == person)
        ).one()
    assert entered.payload["override"] == "lost badge, photo ID checked"
    assert entered.payload["refused"] == VerdictCode.NUMBER_ONLY.value

    exit_door = Door(hall.room_id, "Hall", mode=Mode.EXIT)
    assert door_scan(store, exit_door, new_number, at(14, 30)).code is VerdictCode.EXITED  # the new badge's Code 128
    assert door_scan(store, hall, new_number, at(14, 40)).code is VerdictCode.ACCEPTED


def test_a_session_moved_by_the_hub_moves_the_doors_schedule_at_the_next_scan(store: Store) -> None:
    """A synced edit changes a session in place (same id, same count, and not the last to end): the schedule a
    door reads follows it, because the hub numbers every change."""
    with store.writing() as connection:
        before = tracking.schedule_on(connection)
    with store.unit_of_work() as session:
        middle = session.scalars(select(ConferenceSession).order_by(ConferenceSession.ends_at)).all()[1]
        moved = middle.starts_at + timedelta(minutes=15), middle.ends_at + timedelta(minutes=15)
        middle.starts_at, middle.ends_at = moved
        middle.ref_version = 41  # what a pull stores with the hub's row
    with store.writing() as connection:
        after = tracking.schedule_on(connection)
    assert after is not before
    assert (middle.id, moved) in {(slot.session_id, (slot.starts_at, slot.ends_at)) for slot in after.slots}


def test_a_door_scans_presence_reads_are_answered_by_their_indexes(store: Store) -> None:
    """The room count reads one index and never the intervals themselves; the attendee's latest interval is
    found in start order, with no sort of all their intervals (both run on every door scan)."""

    def plan(statement: object) -> str:
        sql = statement.compile(dialect=store.engine.dialect).string  # type: ignore[attr-defined]
        with store.writing() as connection:
            rows = connection.exec_driver_sql(f"EXPLAIN QUERY PLAN {sql}", (None,) * sql.count("?")).all()
        return "\n".join(str(row[-1]) for row in rows)

    count = plan(tracking._present_in())
    assert count.count("USING COVERING INDEX ix_presence_room_open") == 2, count
    latest = plan(tracking._latest_interval())
    assert "ix_presence_attendee_start" in latest and "TEMP B-TREE" not in latest, latest
