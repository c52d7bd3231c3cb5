"""A door station driven through a session filling up, and the dashboard's numbers against the core's."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QApplication, QLineEdit
from sqlalchemy import select

from checkin import badges, desk
from checkin.domain import Tone, VerdictCode
from checkin.occupancy import tracking
from checkin.occupancy.door import open_door
from checkin.occupancy.policy import Policy, save_policy
from checkin.occupancy.schedule import set_room
from checkin.store import Store
from checkin.store.models import Attendee
from tests.ui.dialogs import answer_pin
from ui.dashboard_window import DashboardWindow
from ui.door_window import DoorWindow
from ui.sound import silent_sounds

NOW = datetime(2027, 6, 30, 16, 5, tzinfo=UTC)  # 11:05 in Chicago: the 10:00-11:15 breakouts are running


class Clock:
    def __init__(self) -> None:
        self.now = NOW

    def __call__(self) -> datetime:
        return self.now


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def codes(store: Store) -> list[str]:
    with store.reading() as session:
        people = session.scalars(
            select(Attendee.id).where(Attendee.status == "paid").order_by(Attendee.sort_key)
        ).all()[:8]
        return [badges.badge_code(session, p) for p in people]


@pytest.fixture
def door(qtbot, store: Store, clock: Clock) -> DoorWindow:
    with store.unit_of_work() as session:
        set_room(session, "203B", capacity=7)
    window = DoorWindow(store, open_door(store, "203B"), clock, silent_sounds())
    qtbot.add_widget(window)
    window.show()
    window.activateWindow()
    qtbot.waitActive(window)
    return window


def scan(qtbot, window: DoorWindow, text: str, clock: Clock):
    clock.now += timedelta(seconds=20)
    with qtbot.waitSignal(window.scanned) as got:
        window.scan(text)
    return got.args[0]


def test_a_session_filling_up(qtbot, door: DoorWindow, codes: list[str], clock: Clock) -> None:
    assert door.banner.text() == "Scan a badge."  # a door has no search box to type into
    assert door.rate_label.text() == "0% full · Arrivals: none in the last 10 min · 7 places left"
    for n in range(5):
        verdict = scan(qtbot, door, codes[n], clock)
        assert verdict.code is VerdictCode.ACCEPTED and verdict.tone is Tone.GOOD, verdict.message
    assert door.count_label.text() == "5 / 7" and door.bar_tone is Tone.GOOD
    sixth = scan(qtbot, door, codes[5], clock)  # 6/7 = 86%: amber
    assert sixth.accepted and sixth.tone is Tone.WARN and door.bar_tone is Tone.WARN
    assert door.banner.tone is Tone.WARN and "6 of 7" in door.banner.message
    assert door.rate_label.text() == (
        "86% full · Arrivals: 6 in the last 10 min · 1 place left · full in about 2 min at this rate"
    )
    seventh = scan(qtbot, door, codes[6], clock)
    assert seventh.accepted and door.bar_tone is Tone.BAD and door.rate_label.text().startswith("100% full")
    assert door.rate_label.text().endswith(" · no places left")
    refused = scan(qtbot, door, codes[7], clock)
    assert refused.code is VerdictCode.ROOM_FULL and door.banner.tone is Tone.BAD
    assert door.sounds.played[-1] is Tone.BAD

    def give_reason() -> None:
        dialog = QApplication.activeModalWidget()
        assert dialog is not None
        dialog.findChild(QLineEdit).setText("fire marshal")
        dialog.accept()

    QTimer.singleShot(0, give_reason)
    with qtbot.waitSignal(door.scanned) as overridden:
        qtbot.keyClick(door, Qt.Key.Key_F8)
    assert overridden.args[0].accepted and "fire marshal" in overridden.args[0].message
    assert door.count_label.text() == "8 / 7"
    assert door.rate_label.text() == "114% full · Arrivals: 8 in the last 10 min · 1 over capacity"


def test_exit_frees_a_place_and_counting_by_hand(qtbot, door: DoorWindow, codes: list[str], clock: Clock) -> None:
    for n in range(7):
        assert scan(qtbot, door, codes[n], clock).accepted
    assert scan(qtbot, door, codes[7], clock).code is VerdictCode.ROOM_FULL
    qtbot.keyClick(door, Qt.Key.Key_F2)  # exit mode
    assert "EXIT" in door.mode_label.text()
    gone = scan(qtbot, door, codes[0], clock)
    assert gone.code is VerdictCode.EXITED and door.count_label.text() == "6 / 7"
    qtbot.keyClick(door, Qt.Key.Key_F2)
    assert "ENTRY" in door.mode_label.text()
    now_in = scan(qtbot, door, codes[7], clock)  # the place freed by the exit
    assert now_in.accepted and door.count_label.text() == "7 / 7"
    qtbot.keyClick(door, Qt.Key.Key_F4)  # -1 by hand with nobody counted by hand: the count stays, and says why
    assert door.count_label.text() == "7 / 7"
    assert door.banner.tone is Tone.WARN and door.banner.message.startswith("Nobody counted in by hand is in 203B")
    qtbot.keyClick(door, Qt.Key.Key_F3)
    assert door.count_label.text() == "8 / 7" and door.bar_tone is Tone.BAD
    assert door.banner.tone is Tone.BAD and "over capacity" in door.banner.message  # not a green "counted"


def test_people_counted_by_hand_are_arrivals_and_colour_the_answer_like_scans(
    qtbot, door: DoorWindow, clock: Clock
) -> None:
    for _ in range(5):
        qtbot.keyClick(door, Qt.Key.Key_F3)
    assert door.banner.tone is Tone.GOOD and door.banner.message == "Counted by hand: +1. 5 of 7 in the room."
    qtbot.keyClick(door, Qt.Key.Key_F3)  # 6 of 7: past the 85 % warning level, amber like a scan
    assert door.banner.tone is Tone.WARN and door.bar_tone is Tone.WARN
    assert door.rate_label.text().startswith("86% full · Arrivals: 6 in the last 10 min · 1 place left")
    qtbot.keyClick(door, Qt.Key.Key_F4)
    assert door.rate_label.text().startswith("71% full · Arrivals: 6 in the last 10 min")  # a −1 is no arrival


def test_dashboard_matches_the_core(qtbot, store: Store, codes: list[str], clock: Clock) -> None:
    window = DoorWindow(store, open_door(store, "201A"), clock, silent_sounds())
    qtbot.add_widget(window)
    for code in codes[:5]:
        scan(qtbot, window, code, clock)
    other = DoorWindow(store, open_door(store, "Hall B1"), clock, silent_sounds())
    qtbot.add_widget(other)
    for code in codes[5:7]:
        scan(qtbot, other, code, clock)
    dashboard = DashboardWindow(store, clock)
    qtbot.add_widget(dashboard)
    with store.writing() as connection:
        core = {c.name: (c.count, c.capacity) for c in tracking.room_counts(connection, clock.now)}
    assert dashboard.room_values == core
    assert core["201A"][0] == 5 and core["Hall B1"][0] == 2
    assert dashboard.building == 7 and dashboard.crowd_managers == 1
    assert "In rooms now: 7" in dashboard.building_label.text()
    assert dashboard.progress.value() == 7  # checked in at the door
    titles = {
        dashboard.sessions.item(r, 1).text(): dashboard.sessions.item(r, 2).text()
        for r in range(dashboard.sessions.rowCount())
    }
    assert titles["201A"] == "5" and titles["Hall B1"] == "2"
    dashboard.filter.setText("hall b")
    series = dashboard.rooms_chart.series()[0]
    assert sum(bar_set.count() for bar_set in series.barSets()) == 3 * 3  # Hall B, B1, B2 in three colours
    percent = dashboard.rooms_chart.axes(Qt.Orientation.Horizontal)[0]
    assert (percent.max(), percent.tickAnchor(), percent.tickInterval()) == (100, 0, 25)  # 0 25 50 75 100 %


def test_between_sessions_the_door_and_the_dashboard_say_what_comes_next(
    qtbot, store: Store, door: DoorWindow, clock: Clock
) -> None:
    clock.now = datetime(2027, 7, 1, 1, 0, tzinfo=UTC)  # Wednesday 20:00 in Chicago: the day is over
    door.refresh()
    assert door.session_label.text() == "No session scheduled now · Next here: Bus and Transportation Safety, Thu 10:00"
    dashboard = DashboardWindow(store, clock)
    qtbot.add_widget(dashboard)
    dashboard.show()
    assert dashboard.sessions.rowCount() == 0
    assert dashboard.sessions.empty_note == (
        "No session is running now. Next: Basic SRO Course (day 4 of 5), Thu 08:00 in 101, and 1 more at the same time."
    )
    noted = dashboard.sessions.viewport().grab().toImage()
    dashboard.sessions.set_empty_note("")
    assert dashboard.sessions.viewport().grab().toImage() != noted  # the note is drawn in the empty table
    assert dashboard.stations.empty_note.startswith("Stations appear here once")


def test_rooms_and_sessions_edited_in_the_app(qtbot, store: Store) -> None:
    from ui.rooms_dialog import RoomsDialog

    dialog = RoomsDialog(store)
    qtbot.add_widget(dialog)
    row = next(r for r in range(dialog.room_table.rowCount()) if dialog.room_table.item(r, 0).text() == "201")
    dialog.room_table.cellWidget(row, 1).setCurrentText("classroom")
    assert dialog.room_table.cellWidget(row, 2).value() == 130  # the classroom figure posted for 201
    dialog.session_table.cellWidget(0, 3).setValue(3.5)
    dialog.session_table.item(1, 2).setText("Basic SRO Course, renamed")
    dialog.save()
    assert dialog.result() == dialog.DialogCode.Accepted
    from checkin.store.models import ConferenceSession, Room

    with store.reading() as session:
        room = session.scalars(select(Room).where(Room.name == "201")).one()
        first, second = session.scalars(
            select(ConferenceSession).order_by(ConferenceSession.starts_at, ConferenceSession.id)
        ).all()[:2]
    assert (room.setup, room.capacity) == ("classroom", 130)
    assert first.hours == 3.5 and second.title == "Basic SRO Course, renamed"
    dialog = RoomsDialog(store)
    qtbot.add_widget(dialog)
    dialog.session_table.item(0, 2).setText("  ")
    dialog.save()
    assert "needs a title" in dialog.status.text() and dialog.result() != dialog.DialogCode.Accepted


def test_the_arrivals_scale_counts_in_whole_check_ins(qtbot, store: Store, clock: Clock) -> None:
    dashboard = DashboardWindow(store, clock)
    qtbot.add_widget(dashboard)
    for highest in range(1, 13):  # the first minutes of the morning: one check-in, then two ...
        dashboard._draw_arrivals({NOW: highest, NOW + timedelta(minutes=15): 1})
        counts = dashboard.arrivals_chart.axes(Qt.Orientation.Vertical)[0]
        step = (counts.max() - counts.min()) / (counts.tickCount() - 1)
        assert counts.max() >= highest
        assert step >= 1 and step == int(step), (highest, counts.max(), counts.tickCount())  # no "0, 0, 0, 1"


def test_the_arrival_curve_keeps_quiet_quarter_hours_and_runs_to_now(qtbot, store: Store, clock: Clock) -> None:
    with store.reading() as session:
        first, second = session.scalars(select(Attendee.id).where(Attendee.status == "paid").limit(2))
    desk.check_in(store, first, datetime(2027, 6, 30, 14, 5, tzinfo=UTC))  # 09:05 in Chicago
    desk.check_in(store, second, datetime(2027, 6, 30, 15, 20, tzinfo=UTC))  # then nobody until now, 11:05
    dashboard = DashboardWindow(store, clock)
    qtbot.add_widget(dashboard)
    bars = dashboard.arrivals_chart.series()[0].barSets()[0]
    assert [bars.at(i) for i in range(bars.count())] == [1, 0, 0, 0, 0, 1, 0, 0, 0]  # 09:00 ... 11:00


def test_the_door_says_when_the_room_will_be_full_only_when_that_is_soon() -> None:
    from ui.door_window import _places_left

    assert _places_left(30, per_minute=1.0) == "30 places left · full in about 30 min at this rate"
    assert _places_left(139, per_minute=0.1) == "139 places left"  # 23 hours away: not worth saying
    assert _places_left(139, per_minute=0.0) == "139 places left"


def test_an_open_door_follows_a_capacity_and_a_policy_changed_elsewhere(
    qtbot, store: Store, door: DoorWindow, codes: list[str], clock: Clock
) -> None:
    for code in codes[:3]:
        assert scan(qtbot, door, code, clock).accepted
    assert door.count_label.text() == "3 / 7" and door.bar_tone is Tone.GOOD
    with store.unit_of_work() as session:  # `checkin rooms 203B --capacity 3`, while this door is open
        set_room(session, "203B", capacity=3)
    door.refresh()
    assert door.count_label.text() == "3 / 3" and door.bar_tone is Tone.BAD
    full = scan(qtbot, door, codes[3], clock)
    assert full.code is VerdictCode.ROOM_FULL and "3/3" in full.message
    with store.unit_of_work() as session:
        set_room(session, "203B", capacity=5)
        save_policy(session.connection(), Policy(warn_at=0.5))  # `checkin policy --warn-at 50`
    fourth = scan(qtbot, door, codes[3], clock)  # 4 of 5 = 80%: amber at a 50% warning level
    assert fourth.accepted and fourth.tone is Tone.WARN and "4 of 5" in fourth.message
    assert door.bar_tone is Tone.WARN


def test_the_dashboard_colours_rooms_at_the_policys_warning_level(
    qtbot, store: Store, door: DoorWindow, codes: list[str], clock: Clock
) -> None:
    for code in codes[:4]:  # 4 of 7 = 57%
        assert scan(qtbot, door, code, clock).accepted
    dashboard = DashboardWindow(store, clock)
    qtbot.add_widget(dashboard)
    dashboard.show()

    def tone_of_203b() -> str:
        series = dashboard.rooms_chart.series()[0]
        labels = dashboard.rooms_chart.axes(Qt.Orientation.Vertical)[0].categories()
        row = next(n for n, label in enumerate(labels) if label.startswith("203B "))
        return next(bar_set.label() for bar_set in series.barSets() if bar_set.at(row) > 0)

    assert tone_of_203b() == Tone.GOOD.value
    with store.unit_of_work() as session:
        save_policy(session.connection(), Policy(warn_at=0.5))
    dashboard.refresh()
    assert tone_of_203b() == Tone.WARN.value  # the door says amber at 57%, and so does the command post
    assert "green under 50%" in dashboard.rooms_chart.title()


def test_a_doors_answer_clears_by_itself_and_takes_the_override_offer_with_it(
    qtbot, store: Store, codes: list[str], clock: Clock
) -> None:
    window = DoorWindow(store, open_door(store, "203B"), clock, silent_sounds(), answer_ms=300)
    qtbot.add_widget(window)
    window.show()
    window.scan("R999999")  # nobody: refused
    assert window.banner.tone is Tone.BAD
    qtbot.waitUntil(lambda: window.banner.tone is None, timeout=5000)
    assert window.banner.text() == "Scan a badge." and window.last_refused is None
    first = scan(qtbot, window, codes[0], clock)
    assert first.accepted and window.banner.tone is Tone.GOOD
    qtbot.waitUntil(lambda: window.banner.tone is None, timeout=5000)
    assert window.count_label.text().startswith("1 /")  # the count stays; only the answer goes


def test_the_command_post_lists_refused_scans_as_they_happen(
    qtbot, store: Store, codes: list[str], clock: Clock
) -> None:
    dashboard = DashboardWindow(store, clock, refresh_ms=100)
    qtbot.add_widget(dashboard)
    assert dashboard.refused.rowCount() == 0 and dashboard.lower_tabs.tabText(1) == "Refused scans (0 today)"
    window = DoorWindow(store, open_door(store, "201A"), clock, silent_sounds())
    qtbot.add_widget(window)
    forged = codes[0][:-4] + ("AAAA" if not codes[0].endswith("AAAA") else "BBBB")
    assert scan(qtbot, window, forged, clock).code is VerdictCode.FORGED
    qtbot.waitUntil(lambda: dashboard.refused.rowCount() == 1, timeout=5000)
    assert dashboard.refused.item(0, 1).text() == "201A · Main door"
    assert dashboard.refused.item(0, 2).text() == "forged"
    assert dashboard.refused.item(0, 3).text().startswith("nobody: M1")
    assert dashboard.lower_tabs.tabText(1) == "Refused scans (1 today)"


def test_door_staff_choose_to_send_people_who_skipped_the_desk_there(
    qtbot, door: DoorWindow, store: Store, codes: list[str], clock: Clock
) -> None:
    assert door.not_checked_in_label.text() == "People who have not checked in are checked in here."
    qtbot.keyClick(door, Qt.Key.Key_F6)
    assert "sent to the registration desk" in door.not_checked_in_label.text()
    assert door.banner.message.startswith("From now on: people who have not checked in are sent")
    refused = scan(qtbot, door, codes[0], clock)
    assert refused.code is VerdictCode.NOT_CHECKED_IN and "registration desk" in refused.message
    again = DoorWindow(store, open_door(store, "203B"), clock, silent_sounds())  # the choice is remembered
    qtbot.add_widget(again)
    assert "sent to the registration desk" in again.not_checked_in_label.text()
    qtbot.keyClick(door, Qt.Key.Key_F6)
    assert scan(qtbot, door, codes[0], clock).code is VerdictCode.ACCEPTED  # checked in at the door


def test_letting_someone_in_needs_the_pin_when_the_policy_says_so(
    qtbot, door: DoorWindow, store: Store, codes: list[str], clock: Clock
) -> None:

    from checkin.occupancy.policy import Policy, save_policy
    from checkin.supervisor import set_pin

    set_pin(store, "2468")
    with store.writing() as connection:
        save_policy(connection, Policy(override_needs_pin=True))
    qtbot.keyClick(door, Qt.Key.Key_F6)  # people who skipped the desk are sent there: a refusal F8 can override
    assert scan(qtbot, door, codes[0], clock).code is VerdictCode.NOT_CHECKED_IN

    answer_pin("1357")
    door.let_in_last_refused()
    assert door.banner.tone is Tone.BAD and "Wrong PIN" in door.banner.message
    answer_pin("2468", "speaker, registered at the hotel")
    door.let_in_last_refused()
    assert door.banner.message.startswith("Let in by staff") and door.count_label.text().startswith("1 /")
