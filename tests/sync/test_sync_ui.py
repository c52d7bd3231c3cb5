"""Sync as people see it: the status line in each window and the dashboard's station list, with a real hub."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QApplication, QMessageBox
from sqlalchemy import select

from checkin.attendees import get_view
from checkin.desk import check_in
from checkin.domain import Status
from checkin.store import Store, open_store
from checkin.store.engine import create_hub_engine
from checkin.store.models import Event
from checkin.sync import credentials
from checkin.sync.station import stations_seen, sync_round
from tests.sync.conftest import Hub
from tests.sync.test_sync import hub_count, paid_ids
from ui import sync_status
from ui.app import start_sync
from ui.dashboard_window import DashboardWindow
from ui.desk_window import DeskWindow
from ui.review_dialog import ReviewDialog
from ui.sound import silent_sounds


def clock() -> datetime:
    return datetime.now(UTC)


@pytest.fixture
def desk_store(tmp_path: Path, hub_url: str) -> Store:
    store = open_store(tmp_path / "desk.sqlite", "Desk 7")
    sync_round(store, create_hub_engine(hub_url))
    return store


def test_the_desk_says_when_it_is_synced_offline_and_back(
    qtbot, desk_store: Store, hub_url: str, hub_server: Hub
) -> None:
    window = DeskWindow(desk_store, clock, silent_sounds())
    qtbot.addWidget(window)
    link = sync_status.SyncLink(desk_store, hub_url, interval_s=0.2, ceiling_s=0.5)  # quicker rounds than a venue's
    indicator = sync_status.attach(window, link, clock)
    link.start()
    try:
        qtbot.waitUntil(lambda: "Synced" in indicator.text(), timeout=15_000)
        assert "nothing waiting" in indicator.text()
        window.open_dashboard()  # Ctrl+D: a second window, with the same line
        qtbot.addWidget(window.dashboard)
        on_dashboard = window.dashboard.findChild(sync_status.SyncIndicator)
        assert on_dashboard is not None and "Synced" in on_dashboard.text()

        hub_server.stop()
        qtbot.waitUntil(lambda: "Offline" in indicator.text(), timeout=20_000)
        assert check_in(desk_store, paid_ids(desk_store, 1)[0], clock()).accepted  # the desk keeps working
        link.worker.nudge()
        qtbot.waitUntil(lambda: "1 waiting" in indicator.text(), timeout=20_000)
        assert "working alone" in indicator.text()

        hub_server.start()
        qtbot.waitUntil(lambda: "Synced" in indicator.text() and "nothing waiting" in indicator.text(), timeout=20_000)
        # The worker's report reaches each window's line as an event of its own (a queued signal posts one per
        # receiver), so on a busy laptop the second window may show it a moment later: it must follow.
        qtbot.waitUntil(lambda: on_dashboard.text() == indicator.text(), timeout=5_000)
        assert hub_count(hub_url) == 1
    finally:
        link.stop()
        if hub_server.running is None:
            hub_server.start()


def test_the_dashboard_lists_every_station_with_its_backlog(
    qtbot, desk_store: Store, hub_url: str, tmp_path: Path
) -> None:
    engine = create_hub_engine(hub_url)
    door = open_store(tmp_path / "door.sqlite", "Door 2")
    sync_round(door, engine)
    for person in paid_ids(door, 3):
        check_in(door, person, clock())
    sync_round(door, engine)
    sync_round(desk_store, engine)
    window = DashboardWindow(desk_store, clock)
    qtbot.addWidget(window)
    window.refresh()
    shown = {
        window.stations.item(row, 0).text(): window.stations.item(row, 2).text()
        for row in range(window.stations.rowCount())
    }
    with desk_store.reading() as session:
        assert shown == {s.name: f"{s.backlog:,}" for s in stations_seen(session, clock())}
    assert set(shown) == {"Desk 7", "Door 2"}
    assert {window.stations.item(row, 3).text() for row in range(2)} == {"in step"}  # not "+0 s", nor "-0 s"
    assert window.review_label.isHidden() and window.review_button.isHidden()

    late = paid_ids(door, 4)[3]
    check_in(door, late, clock())
    sync_round(door, engine)
    assert check_in(desk_store, late, clock()).accepted  # the desk has not heard yet
    window.refresh()  # not synced yet: nothing to review here
    assert window.review_label.isHidden()
    sync_round(desk_store, engine)
    window.refresh()
    assert not window.review_label.isHidden()
    assert window.review_label.text() == "To review: 1 duplicate badge"
    assert not window.review_button.isHidden()  # it opens the review window
    engine.dispose()


def test_without_a_hub_every_window_says_it_works_alone(qtbot, store: Store) -> None:
    window = DeskWindow(store, clock, silent_sounds())
    qtbot.addWidget(window)
    indicator = sync_status.attach(window, None, clock)
    assert "works alone" in indicator.text()
    window.open_dashboard()
    qtbot.addWidget(window.dashboard)
    on_dashboard = window.dashboard.findChild(sync_status.SyncIndicator)
    assert on_dashboard is not None and "works alone" in on_dashboard.text()


def test_the_hub_url_is_remembered_in_the_keyring_not_in_the_station_files(
    qtbot, qapp, desk_store: Store, hub_url: str, keyring_env: dict[str, str], tmp_path: Path
) -> None:
    link = start_sync(desk_store, hub_url, qapp)
    assert link is not None
    link.stop()
    assert credentials.load(desk_store.station.id) == credentials.check_url(hub_url)
    again = start_sync(desk_store, None, qapp)  # next start: no URL given, the keyring has it
    assert again is not None and again.worker.status.hub == credentials.shown(hub_url)
    again.stop()
    password = "s3cret"
    for path in tmp_path.glob("*.sqlite*"):
        assert password.encode() not in path.read_bytes()


def test_a_new_station_started_with_a_hub_fetches_the_conference_first(
    qtbot,
    qapp,
    tmp_path: Path,
    hub_url: str,
    desk_store: Store,
    keyring_env: dict[str, str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from checkin.conference import has_conference
    from checkin.sync import station
    from ui.app import first_sync

    for person in paid_ids(desk_store, 9):
        check_in(desk_store, person, clock())
    sync_round(desk_store, create_hub_engine(hub_url))
    monkeypatch.setattr(station, "PULL_BATCH", 2)  # a long catch-up: the dialog shows how far it has got
    fresh = open_store(tmp_path / "new.sqlite", "Kiosk 4")
    link = start_sync(fresh, hub_url, qapp)
    assert link is not None
    try:
        assert first_sync(fresh, link)
        with fresh.reading() as session:
            assert has_conference(session)
        with fresh.writing() as connection:  # the dialog waited for the whole round, not its first batch
            assert connection.exec_driver_sql("SELECT count(*) FROM event").scalar() == 9
    finally:
        link.stop()


def test_the_desk_card_shows_a_second_badge_and_staff_can_mark_it_reviewed(
    qtbot, desk_store: Store, hub_url: str, tmp_path: Path
) -> None:
    engine = create_hub_engine(hub_url)
    other = open_store(tmp_path / "other.sqlite", "Desk 9")
    sync_round(other, engine)
    person = paid_ids(other, 1)[0]
    assert check_in(other, person, clock()).accepted
    assert check_in(desk_store, person, clock()).accepted  # neither desk has heard of the other's
    for store in (other, desk_store):
        sync_round(store, engine)
    window = DeskWindow(desk_store, clock, silent_sounds())
    qtbot.addWidget(window)
    with desk_store.reading() as session:
        window.show_attendee(get_view(session, person))
    shown = window.card.arrival.text()
    assert "Also checked in" in shown and "a second badge was printed" in shown and "Review duplicates" in shown

    dialog = ReviewDialog(desk_store, clock, window)  # what Station › Review duplicates opens
    qtbot.addWidget(dialog)
    assert dialog.badge_table.rowCount() == 1 and dialog.badge_table.item(0, 3).text().endswith("by Desk 7")
    assert not dialog.review_button.isEnabled()  # not without saying what was done
    qtbot.keyClicks(dialog.note, "second badge collected")
    qtbot.keyClick(dialog.note, Qt.Key.Key_Return)
    assert dialog.badge_table.rowCount() == 0
    assert "marked dealt with" in dialog.outcome.text() and "Nothing left to review" in dialog.outcome.text()
    with desk_store.reading() as session:
        window.show_attendee(get_view(session, person))
        note = session.execute(select(Event.payload).where(Event.kind == "conflict_reviewed")).scalar_one()["note"]
    assert "Also checked in" not in window.card.arrival.text()
    assert note == "second badge collected"
    engine.dispose()


def test_staff_merge_a_walk_in_into_the_registered_record_from_the_review_window(qtbot, tmp_path: Path) -> None:
    from checkin.conference import checked_in_count
    from checkin.demo import build_demo
    from checkin.desk import WalkIn, register_walk_in

    store = open_store(tmp_path / "desk.sqlite", "Desk 1")
    with store.unit_of_work() as session:
        build_demo(session, attendees=60, first_day=clock().date())
    registered = next(view for view in (get_view_of(store, i) for i in paid_ids(store, 5)) if view.email)
    walk_in = register_walk_in(
        store,
        WalkIn(registered.first_name, registered.last_name, registered.email.upper(), status=Status.PAID),
        clock(),
    )
    assert check_in(store, walk_in.id, clock()).accepted  # the walk-in got in; the registration did not
    with store.reading() as session:
        arrived_before = checked_in_count(session)
    dialog = ReviewDialog(store, clock)
    qtbot.addWidget(dialog)
    assert dialog.email_table.rowCount() == 2
    kept_row = dialog.email_table.selectionModel().selectedRows()[0].row()
    assert dialog.email_table.item(kept_row, 2).text() == registered.external_id  # the registration is kept
    assert dialog.merge_button.text() == (
        f"&Keep {registered.full_name} ({registered.external_id}), merge the other into it"
    )
    answer_yes_when_asked()
    dialog.merge_button.click()
    assert dialog.email_table.rowCount() == 0
    assert dialog.outcome.text().startswith(f"Merged {walk_in.full_name} ({walk_in.external_id}) into")
    merged, kept = get_view_of(store, walk_in.id), get_view_of(store, registered.id)
    assert merged.status == Status.CANCELLED and kept.checked_in_at is not None
    with store.reading() as session:  # one person, counted once: one registration fewer, as many arrived
        arrived, registered_now = checked_in_count(session)
    assert (arrived, registered_now) == (arrived_before[0], arrived_before[1] - 1)


def answer_yes_when_asked() -> None:
    """Press Yes in the next question box, as staff would (it runs its own event loop, so from a timer)."""

    def press() -> None:
        boxes = [w for w in QApplication.topLevelWidgets() if isinstance(w, QMessageBox) and w.isVisible()]
        if not boxes:
            QTimer.singleShot(20, press)
            return
        boxes[0].button(QMessageBox.StandardButton.Yes).click()

    QTimer.singleShot(0, press)


def get_view_of(store: Store, attendee_id: str):
    with store.reading() as session:
        return get_view(session, attendee_id)


def test_a_new_laptop_joins_the_venue_hub_from_the_first_run(
    qtbot, hub_server: Hub, hub_url: str, tmp_path: Path, keyring_env: dict[str, str]
) -> None:
    from checkin.conference import has_conference
    from tests.sync.conftest import enroll_code
    from ui.first_run import FirstRunDialog, Start

    store = open_store(tmp_path / "new.sqlite", "Laptop 12")
    dialog = FirstRunDialog(store, tmp_path / "new.sqlite", store.now)
    qtbot.add_widget(dialog)
    assert "Join a venue hub" in dialog.join_button.text().replace("&", "")
    assert not dialog.join_hub("192.168.1.20/muster")
    assert "Not joined: that is not an enrollment code" in dialog.status.text()
    code = enroll_code(hub_server, hub_url, "Desk 7", "desk")
    assert dialog.join_hub(code)
    assert dialog.choice is Start.JOINED and "as Desk 7 (desk)" in dialog.report
    assert store.station.name == "Desk 7"
    again = FirstRunDialog(store, tmp_path / "new.sqlite", store.now)
    qtbot.add_widget(again)
    assert not again.join_hub(code)  # a code works once
    assert "it has been used, has expired or was revoked" in again.status.text()
    link = start_sync(store, None, QApplication.instance())  # what the app does next: the first sync
    assert link is not None
    link.stop()
    url = credentials.load(store.station.id)
    assert url is not None
    sync_round(store, create_hub_engine(url))
    with store.reading() as session:
        assert has_conference(session)
    store.close()
