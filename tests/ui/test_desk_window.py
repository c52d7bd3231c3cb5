"""The desk window driven like a volunteer would: keyboard only."""

from __future__ import annotations

from datetime import datetime

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialog, QInputDialog, QMessageBox, QToolBar
from sqlalchemy import select

from checkin.attendees import get_view, likely_duplicates
from checkin.conference import checked_in_count
from checkin.desk import WalkIn, register_walk_in
from checkin.domain import RegistrationType, Status, Tone
from checkin.store import Store
from checkin.store.models import Attendee
from tests.ui.dialogs import answer_pin
from ui.correction_dialog import CorrectionDialog
from ui.desk_window import DeskWindow
from ui.results_model import AttendeeResultsModel
from ui.sound import silent_sounds
from ui.walk_in_dialog import WalkInDialog, WalkInOutcome


@pytest.fixture
def window(qtbot, store: Store, now: datetime) -> DeskWindow:
    desk_window = DeskWindow(store, lambda: now, silent_sounds())
    qtbot.add_widget(desk_window)
    desk_window.show()
    desk_window.activateWindow()  # shortcuts (Ctrl+1, Ctrl+N) only reach the active window
    qtbot.waitActive(desk_window)
    return desk_window


def pick(store: Store, **where) -> Attendee:
    with store.reading() as session:
        stmt = select(Attendee).order_by(Attendee.sort_key)
        for column, value in where.items():
            stmt = stmt.where(getattr(Attendee, column) == value)
        found = session.scalars(stmt).first()
    assert found is not None
    return found


def type_and_enter(qtbot, window: DeskWindow, text: str) -> None:
    window.search_field.selectAll()
    qtbot.keyClicks(window.search_field, text)
    qtbot.keyClick(window.search_field, Qt.Key.Key_Return)


def test_type_a_name_pick_it_with_arrows_and_check_in(qtbot, window: DeskWindow, store: Store) -> None:
    target = pick(store, status="paid")
    qtbot.keyClicks(window.search_field, target.last_name[:4])
    assert window.model.rowCount() >= 1
    while window.selected_attendee() is None or window.selected_attendee().id != target.id:
        qtbot.keyClick(window.search_field, Qt.Key.Key_Down)
    assert window.card.name.text() == f"{target.first_name} {target.last_name}"
    count_before = window.count_label.text()
    with qtbot.waitSignal(window.checked_in) as signal:
        qtbot.keyClick(window.search_field, Qt.Key.Key_Return)
    assert signal.args[0].accepted
    assert window.banner.tone is Tone.GOOD and "Checked in" in window.banner.message
    assert window.count_label.text() != count_before
    with store.reading() as session:
        assert checked_in_count(session)[0] == 1
        view = get_view(session, target.id)
    assert view is not None and view.checked_in
    assert "Checked in at 08:12 by Desk 3" in window.card.arrival.text()
    assert window.search_field.hasFocus() and window.search_field.selectedText()


def test_station_keys_work_from_the_search_box_though_their_actions_live_in_a_menu(qtbot, window: DeskWindow) -> None:
    toolbar = [a.text() for a in window.findChild(QToolBar).actions()]
    assert toolbar[:4] == ["Check in (Enter)", "Check in + print (Ctrl+P)", "Reprint (Ctrl+R)", "Walk-in (Ctrl+N)"]
    sound_was = window.sound_action.isChecked()
    qtbot.keyClick(window.search_field, Qt.Key.Key_M, Qt.KeyboardModifier.ControlModifier)
    assert window.sound_action.isChecked() is not sound_was
    with qtbot.waitSignal(window.window_opened):
        qtbot.keyClick(window.search_field, Qt.Key.Key_D, Qt.KeyboardModifier.ControlModifier)
    assert window.dashboard is not None
    qtbot.add_widget(window.dashboard)


def test_clearing_the_search_leaves_no_coloured_status_bar_on_the_empty_card(
    qtbot, window: DeskWindow, store: Store
) -> None:
    qtbot.keyClicks(window.search_field, pick(store, status="paid").last_name[:4])
    qtbot.waitUntil(lambda: window.card.attendee is not None)
    assert window.card.status.isVisible() and window.card.status.text()
    qtbot.keyClick(window.search_field, Qt.Key.Key_Escape)
    assert window.card.attendee is None and window.card.name.text() == "No attendee selected"
    assert not window.card.status.isVisible()


def test_checking_in_twice_says_when_and_by_whom(qtbot, window: DeskWindow, store: Store) -> None:
    target = pick(store, status="paid")
    type_and_enter(qtbot, window, target.external_id)
    type_and_enter(qtbot, window, target.external_id)
    assert window.banner.tone is Tone.WARN
    assert "already checked in at 08:12 by Desk 3" in window.banner.message


def test_cancelled_attendee_is_refused_with_the_reason(qtbot, window: DeskWindow, store: Store) -> None:
    target = pick(store, status="cancelled")
    type_and_enter(qtbot, window, target.external_id)
    assert window.banner.tone is Tone.BAD and "cancelled" in window.banner.message
    assert "Refunded" in window.banner.message
    with store.reading() as session:
        assert checked_in_count(session)[0] == 0


def test_scanned_ticket_code_checks_in_that_attendee(qtbot, window: DeskWindow, store: Store) -> None:
    target = pick(store, status="paid")
    assert target.ticket_code
    type_and_enter(qtbot, window, target.ticket_code)
    assert window.banner.tone is Tone.GOOD and target.last_name in window.banner.message


def test_entitlement_by_shortcut_once(qtbot, window: DeskWindow, store: Store) -> None:
    target = pick(store, status="paid", registration_type=RegistrationType.MEMBER.value)
    qtbot.keyClicks(window.search_field, target.external_id)
    qtbot.keyClick(window.search_field, Qt.Key.Key_1, Qt.KeyboardModifier.ControlModifier)
    assert window.banner.tone is Tone.WARN and "not checked in yet: check them in first" in window.banner.message
    qtbot.keyClick(window.search_field, Qt.Key.Key_Return)  # the one match: checked in
    qtbot.keyClick(window.search_field, Qt.Key.Key_1, Qt.KeyboardModifier.ControlModifier)
    assert window.banner.tone is Tone.GOOD and "Conference coin given" in window.banner.message
    assert window.card.buttons["coin"].text().startswith("✔ Conference coin: given 08:12, Desk 3")
    qtbot.keyClick(window.search_field, Qt.Key.Key_1, Qt.KeyboardModifier.ControlModifier)
    assert window.banner.tone is Tone.BAD and "already given" in window.banner.message


def test_escape_clears_and_enter_with_nobody_selected_explains(qtbot, window: DeskWindow) -> None:
    qtbot.keyClick(window.search_field, Qt.Key.Key_Return)
    assert window.banner.tone is Tone.WARN and "Nobody selected" in window.banner.message
    qtbot.keyClicks(window.search_field, "zzzzzz")
    assert window.model.rowCount() == 0
    qtbot.keyClick(window.search_field, Qt.Key.Key_Return)
    assert window.banner.tone is Tone.WARN
    assert window.banner.message == "No one matches “zzzzzz”: check the spelling, or Ctrl+N for a walk-in."
    qtbot.keyClick(window.search_field, Qt.Key.Key_Escape)
    assert window.search_field.text() == "" and window.banner.tone is None


def test_walk_in_from_the_desk(qtbot, window: DeskWindow, store: Store, monkeypatch) -> None:
    form = WalkIn(
        "Ngozi",
        "Adeyemi",
        "ngozi@example.org",
        "Akron Public Schools",
        RegistrationType.MEMBER.value,
        status=Status.PAID,
    )
    monkeypatch.setattr(
        WalkInDialog, "ask", classmethod(lambda cls, find, parent=None, start=None: WalkInOutcome(form=form))
    )
    qtbot.keyClick(window.search_field, Qt.Key.Key_N, Qt.KeyboardModifier.ControlModifier)
    assert window.card.name.text() == "Ngozi Adeyemi"
    qtbot.keyClick(window.search_field, Qt.Key.Key_Return)
    assert window.banner.tone is Tone.GOOD
    with store.reading() as session:
        assert checked_in_count(session)[0] == 1


def test_walk_in_after_a_search_that_found_nobody_starts_from_what_was_typed(
    qtbot, window: DeskWindow, monkeypatch
) -> None:
    started: list[WalkIn | None] = []
    monkeypatch.setattr(
        WalkInDialog, "ask", classmethod(lambda cls, find, parent=None, start=None: started.append(start))
    )
    qtbot.keyClicks(window.search_field, "zzokafor, ngozi")
    assert window.model.rowCount() == 0
    qtbot.keyClick(window.search_field, Qt.Key.Key_N, Qt.KeyboardModifier.ControlModifier)
    qtbot.keyClick(window.search_field, Qt.Key.Key_Escape)
    qtbot.keyClicks(window.search_field, "smi")  # found people: a walk-in then starts blank
    qtbot.keyClick(window.search_field, Qt.Key.Key_N, Qt.KeyboardModifier.ControlModifier)
    assert started == [WalkIn("Ngozi", "Zzokafor"), None]


def test_walk_in_dialog_started_from_a_search_asks_for_what_is_missing(qtbot) -> None:
    dialog = WalkInDialog(lambda email, first, last: [], start=WalkIn("", "Okafor"))
    qtbot.add_widget(dialog)
    dialog.show()
    qtbot.waitUntil(lambda: dialog.focusWidget() is dialog.first_name)
    assert dialog.last_name.text() == "Okafor" and dialog.first_name.text() == ""
    qtbot.keyClicks(dialog.first_name, "Ngozi")
    dialog.unpaid.setChecked(True)
    qtbot.keyClick(dialog.first_name, Qt.Key.Key_Return)
    assert dialog.outcome is not None and dialog.outcome.form is not None
    assert (dialog.outcome.form.first_name, dialog.outcome.form.last_name) == ("Ngozi", "Okafor")
    assert dialog.outcome.form.status is Status.UNPAID


def test_walk_in_dialog_checks_fields_then_shows_duplicates(qtbot, store: Store, now) -> None:
    existing = pick(store, status="paid")
    calls: list[tuple[str, str, str]] = []

    def find(email: str, first: str, last: str):
        calls.append((email, first, last))
        with store.reading() as session:
            view = get_view(session, existing.id)
        return [view] if email == existing.email else []

    dialog = WalkInDialog(find)
    qtbot.add_widget(dialog)
    dialog.show()
    assert not dialog.use_existing_button.isVisible()  # nothing to pick yet
    dialog.register_button.click()
    assert "First name is required" in dialog.errors.text() and dialog.outcome is None
    qtbot.keyClicks(dialog.first_name, "Sam")
    qtbot.keyClicks(dialog.last_name, "Twin")
    qtbot.keyClicks(dialog.email, existing.email)
    dialog.paid.setChecked(True)
    dialog.register_button.click()
    assert dialog.outcome is None and dialog.duplicates.count() == 1
    assert dialog.register_button.text() == "Register anyway" and dialog.use_existing_button.isVisible()
    assert dialog.use_existing_button.isDefault() and not dialog.register_button.isDefault()  # drawn as Enter acts
    dialog.use_existing_button.click()
    assert dialog.outcome is not None and dialog.outcome.existing is not None
    assert dialog.outcome.existing.id == existing.id and calls


def walk_in_dialog(qtbot, store: Store) -> WalkInDialog:
    """The walk-in form as the desk opens it: likely duplicates looked up in the store."""

    def find(email: str, first: str, last: str):
        with store.reading() as session:
            return likely_duplicates(session, email, first, last)

    dialog = WalkInDialog(find)
    qtbot.add_widget(dialog)
    return dialog


def test_walk_in_dialog_register_anyway(qtbot, store: Store) -> None:
    existing = pick(store, status="paid")
    dialog = walk_in_dialog(qtbot, store)
    qtbot.keyClicks(dialog.first_name, existing.first_name)
    qtbot.keyClicks(dialog.last_name, existing.last_name)
    qtbot.keyClicks(dialog.email, "someone.new@x.org")
    dialog.paid.setChecked(True)
    dialog.register_button.click()
    assert dialog.outcome is None and dialog.duplicates.count() >= 1
    dialog.register_button.click()
    assert dialog.outcome is not None and dialog.outcome.form is not None
    assert dialog.outcome.form.email == "someone.new@x.org"


def test_walk_in_dialog_enter_after_a_match_uses_the_existing_record(qtbot, store: Store) -> None:
    existing = pick(store, status="paid")
    dialog = walk_in_dialog(qtbot, store)
    dialog.show()
    qtbot.keyClicks(dialog.first_name, existing.first_name)
    qtbot.keyClicks(dialog.last_name, existing.last_name)
    qtbot.keyClicks(dialog.email, existing.email.upper())
    dialog.paid.setChecked(True)
    qtbot.keyClick(dialog.email, Qt.Key.Key_Return)
    assert dialog.outcome is None and dialog.focusWidget() is dialog.duplicates
    warning = dialog.errors.text()
    assert "already registered look" in warning and "Enter uses the selected record" in warning
    qtbot.keyClick(dialog.duplicates, Qt.Key.Key_Return)  # a volunteer pressing Enter twice: no second record
    assert dialog.result() == QDialog.DialogCode.Accepted
    assert dialog.outcome is not None and dialog.outcome.form is None
    assert dialog.outcome.existing is not None and dialog.outcome.existing.id == existing.id


def test_walk_in_dialog_registers_on_enter(qtbot) -> None:
    dialog = WalkInDialog(lambda email, first, last: [])
    qtbot.add_widget(dialog)
    dialog.show()  # the button box picks its default button when shown
    qtbot.keyClicks(dialog.first_name, "Ann")
    qtbot.keyClicks(dialog.last_name, "Lee")
    qtbot.keyClick(dialog.last_name, Qt.Key.Key_Return)  # a name alone: paid or not is not assumed
    assert dialog.outcome is None and "Say whether they have paid" in dialog.errors.text()
    assert dialog.focusWidget() is dialog.paid
    qtbot.keyClick(dialog.paid, Qt.Key.Key_Space)
    qtbot.keyClick(dialog.last_name, Qt.Key.Key_Return)  # Enter registers; it must never cancel the form
    assert dialog.result() == QDialog.DialogCode.Accepted
    assert dialog.outcome is not None and dialog.outcome.form is not None and dialog.outcome.form.last_name == "Lee"


def test_correction_dialog_returns_only_changed_fields(qtbot, store: Store) -> None:
    target = pick(store, status="paid")
    with store.reading() as session:
        view = get_view(session, target.id)
    assert view is not None
    dialog = CorrectionDialog(view)
    qtbot.add_widget(dialog)
    dialog.organization.setText("New Org")
    dialog.status.setCurrentText("unpaid")
    dialog.submit()
    assert dialog.changes == {"organization": "New Org", "status": "unpaid"}
    dialog.first_name.setText("")
    dialog.changes = None
    dialog.submit()
    assert dialog.changes is None and "cannot be empty" in dialog.errors.text()
    dialog.first_name.setText(view.first_name)
    dialog.email.setText("Jane Smith")  # typed into the wrong box: said in the dialog, which stays open
    dialog.submit()
    assert dialog.changes is None
    assert dialog.errors.text() == "The email does not look like an email address (name@example.org)."
    assert dialog.email.text() == "Jane Smith" and dialog.organization.text() == "New Org"


def test_correction_from_the_desk_updates_the_card(qtbot, window: DeskWindow, store: Store, monkeypatch) -> None:
    target = pick(store, status="paid")
    monkeypatch.setattr(CorrectionDialog, "ask", classmethod(lambda cls, a, parent=None: {"last_name": "Fixed"}))
    qtbot.keyClicks(window.search_field, target.external_id)
    qtbot.keyClick(window.search_field, Qt.Key.Key_E, Qt.KeyboardModifier.ControlModifier)
    assert window.card.name.text().endswith("Fixed") and window.banner.tone is Tone.GOOD
    assert window.banner.message == f"Corrected {target.first_name} Fixed: last name now Fixed."


def test_the_windows_shortcuts_win_over_the_search_fields_editing_keys(qtbot, window: DeskWindow) -> None:
    """On Linux the search box takes Ctrl+E as "end of line", which swallowed Correct record (Ctrl+E).
    Offscreen, a line edit claims Ctrl+Z (its own undo) the same way on every platform: the desk's Undo
    check-in must fire instead."""
    fired = []
    window.undo_action.triggered.connect(lambda: fired.append(True))
    qtbot.keyClicks(window.search_field, "garc")
    qtbot.keyClick(window.search_field, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert fired == [True] and window.search_field.text() == "garc"  # the action ran; the typing was not undone
    assert window.banner.message.startswith("Nothing to undo")


def test_an_unpaid_card_says_how_to_get_to_check_in(qtbot, window: DeskWindow, store: Store, monkeypatch) -> None:
    target = pick(store, status="unpaid")
    qtbot.keyClicks(window.search_field, target.last_name[:3])  # found among several
    qtbot.keyClick(window.search_field, Qt.Key.Key_Up)  # on the top row, Up picks it
    assert "move to this row" not in window.card.arrival.text()
    while window.selected_attendee() is None or window.selected_attendee().id != target.id:
        qtbot.keyClick(window.search_field, Qt.Key.Key_Down)
    assert "mark the record paid (Ctrl+E)" in window.card.arrival.text()
    qtbot.keyClick(window.search_field, Qt.Key.Key_Return)
    assert window.banner.tone is Tone.BAD and "not paid" in window.banner.message
    monkeypatch.setattr(CorrectionDialog, "ask", classmethod(lambda cls, a, parent=None: {"status": "paid"}))
    qtbot.keyClick(window.search_field, Qt.Key.Key_E, Qt.KeyboardModifier.ControlModifier)
    assert window.card.arrival.text() == "Not checked in yet. Press Enter to check in."
    assert window.matches_label.text() == "1 match" and window.model.rowCount() == 1
    with qtbot.waitSignal(window.checked_in) as signal:
        qtbot.keyClick(window.search_field, Qt.Key.Key_Return)
    assert signal.args[0].accepted


def test_results_model_is_a_valid_qt_model(qtmodeltester, store: Store) -> None:
    from checkin.search import search

    model = AttendeeResultsModel()
    with store.reading() as session:
        model.set_rows(search(session, "a"))
    assert model.rowCount() > 0
    qtmodeltester.check(model)


def test_a_long_name_gets_the_room_it_needs_before_the_organization(
    qtbot, window: DeskWindow, store: Store, now: datetime
) -> None:
    long = WalkIn(
        "Maximilian Alexander", "Hohenzollern-Sigmaringen", "max@hz.de", "Polk County Schools", status=Status.PAID
    )
    register_walk_in(store, long, now)
    window.resize(1280, 780)
    qtbot.keyClicks(window.search_field, "hohenzollern-sigmaringen")
    header = window.table.horizontalHeader()
    qtbot.waitUntil(lambda: header.sectionSize(0) > header.sectionSize(1))
    assert header.sectionSize(0) >= window.table.sizeHintForColumn(0)  # the whole name, not cut to "…"
    qtbot.keyClicks(window.search_field, "zzz")  # nobody: the two text columns share alike again
    assert abs(header.sectionSize(0) - header.sectionSize(1)) <= 1


def test_the_station_is_renamed_from_the_station_menu_and_messages_use_the_new_name(
    qtbot, window: DeskWindow, store: Store, monkeypatch
) -> None:
    menu = next(a.menu() for a in window.menuBar().actions() if a.text() == "&Station")
    rename = next(a for a in menu.actions() if a.text() == "Station &name…")
    monkeypatch.setattr(QInputDialog, "getText", staticmethod(lambda *args, **kwargs: ("  ", True)))
    warned: list[str] = []
    monkeypatch.setattr(QMessageBox, "warning", staticmethod(lambda _parent, _title, text: warned.append(text)))
    rename.trigger()
    assert warned and "not changed" in warned[0] and store.station.name == "Desk 3"
    monkeypatch.setattr(QInputDialog, "getText", staticmethod(lambda *args, **kwargs: ("Hall B  desk", True)))
    rename.trigger()
    assert store.station.name == "Hall B desk"
    assert window.windowTitle().endswith("· Hall B desk") and window.station_label.text() == "Station: Hall B desk"
    attendee = pick(store, status="paid")
    type_and_enter(qtbot, window, attendee.external_id)
    type_and_enter(qtbot, window, attendee.external_id)
    assert "by Hall B desk" in window.banner.message


def test_enter_with_several_matches_waits_until_the_volunteer_picks_one(
    qtbot, window: DeskWindow, store: Store
) -> None:
    checked_before = window.count_label.text()
    qtbot.keyClicks(window.search_field, "a")  # many people match
    assert window.model.rowCount() > 1
    top = window.selected_attendee()
    assert "people match: move to this row (↓ ↑), then Enter." in window.card.arrival.text()
    qtbot.keyClick(window.search_field, Qt.Key.Key_Return)
    assert window.banner.tone is Tone.WARN and "people match: move to the right one" in window.banner.message
    assert window.count_label.text() == checked_before
    with store.reading() as session:
        assert get_view(session, top.id).checked_in_at is None  # the top row was not checked in
    qtbot.keyClick(window.search_field, Qt.Key.Key_Down)
    chosen = window.selected_attendee()
    with qtbot.waitSignal(window.checked_in) as signal:
        qtbot.keyClick(window.search_field, Qt.Key.Key_Return)
    assert signal.args[0].attendee.id == chosen.id != top.id


def test_ctrl_z_takes_back_this_desks_last_check_in_with_a_reason(
    qtbot, window: DeskWindow, store: Store, monkeypatch
) -> None:
    attendee = pick(store, status="paid")
    before = window.count_label.text()
    type_and_enter(qtbot, window, attendee.external_id)
    assert window.banner.tone is Tone.GOOD and window.count_label.text() != before
    asked: list[str] = []

    def answer(_parent, _title, label, text=""):
        asked.append(text)
        return "neighbour's badge", True

    monkeypatch.setattr(QInputDialog, "getText", staticmethod(answer))
    qtbot.keyClick(window.search_field, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert asked == ["wrong person selected"]  # offered, changeable
    assert window.banner.tone is Tone.WARN and "undone (neighbour's badge)" in window.banner.message
    assert window.count_label.text() == before
    assert window.card.attendee is not None and window.card.attendee.checked_in_at is None
    qtbot.keyClick(window.search_field, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert window.banner.message.startswith("Nothing to undo")


def test_a_new_search_clears_the_last_persons_answer(qtbot, window: DeskWindow, store: Store) -> None:
    attendee = pick(store, status="paid")
    type_and_enter(qtbot, window, attendee.external_id)
    assert window.banner.tone is Tone.GOOD and attendee.first_name in window.banner.message
    qtbot.keyClicks(window.search_field, "smi")  # the next person in the queue
    assert window.banner.tone is None and attendee.first_name not in window.banner.text()


def test_marking_someone_paid_needs_the_supervisor_pin(qtbot, window: DeskWindow, store: Store, monkeypatch) -> None:

    from checkin.supervisor import set_pin

    set_pin(store, "2468")
    target = pick(store, status="unpaid")
    qtbot.keyClicks(window.search_field, target.external_id)
    monkeypatch.setattr(CorrectionDialog, "ask", classmethod(lambda cls, a, parent=None: {"status": "paid"}))

    answer_pin("1357")
    qtbot.keyClick(window.search_field, Qt.Key.Key_E, Qt.KeyboardModifier.ControlModifier)
    assert window.banner.tone is Tone.BAD and "Wrong PIN" in window.banner.message
    assert "mark the record paid" in window.card.arrival.text()  # still unpaid
    answer_pin("2468")
    window.correct()  # Ctrl+E again (offscreen, a closed dialog gives no window back its focus)
    assert window.banner.tone is Tone.GOOD and "marked paid" in window.banner.message
