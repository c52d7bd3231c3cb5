"""The registration desk: search as you type, see the card, Enter checks in.

Keyboard first: focus stays in the search field, and a scanner works whatever has focus (see
``ui.scanner_input``); Up/Down move through the results, Enter checks in the
selected attendee (or the one whose confirmation code was just typed or scanned), Esc clears, Ctrl+N
registers a walk-in, Ctrl+E corrects the record, Ctrl+1..9 hand out entitlements.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import cast

from PySide6.QtCore import QEvent, QItemSelectionModel, QSize, Qt, QTimer, Signal, Slot
from PySide6.QtGui import QAction, QKeyEvent, QKeySequence
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QInputDialog,
    QLabel,
    QLineEdit,
    QMainWindow,
    QMenu,
    QMessageBox,
    QSplitter,
    QToolBar,
    QVBoxLayout,
    QWidget,
)

from checkin import badges, codes, desk, keys, scanning
from checkin.attendees import find_by_code, get_view, likely_duplicates
from checkin.conference import checked_in_count, conference_zone, current_conference, entitlements
from checkin.domain import AttendeeView, Tone, Verdict, VerdictCode, editable_fields
from checkin.printing.layouts import STOCKS
from checkin.printing.log import record_printed
from checkin.printing.template import load_template
from checkin.rules.burst import SCAN_AGAIN
from checkin.rules.corrections import what_changed
from checkin.rules.picking import acts_on_selection
from checkin.rules.station import BadStationName
from checkin.search import search
from checkin.store import Store
from checkin.supervisor import privilege_of_correction
from checkin.sync import conflicts
from checkin.text import counted
from ui.attendee_card import AttendeeCard
from ui.badge_jobs import NoBadge, queue_badge
from ui.bulk_print_dialog import BulkPrintDialog
from ui.camera import CameraView
from ui.correction_dialog import CorrectionDialog
from ui.geometry import fit_and_remember
from ui.handouts_dialog import HandoutsDialog
from ui.pin_dialog import supervisor_refuses
from ui.print_queue import PrintJob, PrintQueue
from ui.print_settings import PrintSettings, PrintSetupDialog
from ui.results_model import AttendeeResultsModel
from ui.scan_gate import ScanGate
from ui.serial_scanner import SerialScanner, available_ports
from ui.sound import VerdictSounds
from ui.tables import NameFirstTable
from ui.verdict_banner import VerdictBanner
from ui.walk_in_dialog import WalkInDialog

Clock = Callable[[], datetime]


class SearchField(QLineEdit):
    """The search box; arrow keys move the result selection so the hands never leave the keyboard."""

    moved = Signal(int)
    cleared = Signal()

    def event(self, event: QEvent) -> bool:
        # On Linux a line edit claims some Ctrl keys as text editing (Ctrl+E: end of line, as in Emacs), which
        # would swallow the window's action on the same keys (Correct record): the window's actions win.
        if event.type() == QEvent.Type.ShortcutOverride and self._window_uses(cast(QKeyEvent, event)):
            return True  # handled without accepting it: the key goes on to the window's shortcut
        return super().event(event)

    def _window_uses(self, event: QKeyEvent) -> bool:
        pressed = QKeySequence(event.keyCombination())
        return any(action.shortcut() == pressed for action in self.window().findChildren(QAction))

    def keyPressEvent(self, event: QKeyEvent) -> None:
        key = event.key()
        steps = {Qt.Key.Key_Down: 1, Qt.Key.Key_Up: -1, Qt.Key.Key_PageDown: 10, Qt.Key.Key_PageUp: -10}
        if key in steps:
            self.moved.emit(steps[Qt.Key(key)])
        elif key == Qt.Key.Key_Escape:
            self.clear()
            self.cleared.emit()
        else:
            super().keyPressEvent(event)


class DeskWindow(QMainWindow):
    checked_in = Signal(object)  # Verdict, after every check-in attempt
    window_opened = Signal(object)  # a QMainWindow this one opened (the dashboard), for the sync line

    def __init__(self, store: Store, clock: Clock, sounds: VerdictSounds, refresh_ms: int = 5000) -> None:
        super().__init__()
        self.store = store
        self.clock = clock
        self.recent_scans = scanning.RecentScans()
        self.sounds = sounds
        self.camera_view: CameraView | None = None
        self.dashboard: QMainWindow | None = None
        self.print_settings = PrintSettings.load()
        self.template = load_template()
        self.print_queue = PrintQueue(self)
        self.print_queue.printed.connect(self._printed)
        self.print_queue.failed.connect(self._print_failed)
        self.serial = SerialScanner(self)
        self.serial.scanned.connect(self.scan)
        self.serial.failed.connect(self._serial_failed)
        with store.reading() as session:
            conference = current_conference(session)
            self.zone = conference_zone(session)
            self.entitlements = entitlements(session)
        self.conference_name = conference.name

        self.conference_label = QLabel(conference.name)
        self.conference_label.setStyleSheet("font-size: 16pt; font-weight: bold;")
        self.station_label = QLabel()
        self._show_station()
        self.count_label = QLabel()
        self.count_label.setStyleSheet("font-size: 16pt; font-weight: bold;")
        header = QHBoxLayout()
        header.addWidget(self.conference_label, 1)
        header.addWidget(self.station_label)
        header.addSpacing(24)
        header.addWidget(self.count_label)

        self.search_field = SearchField()
        self.search_field.setPlaceholderText("Surname, first name, organization, email, or scan a code")
        self.search_field.setClearButtonEnabled(True)
        self.search_field.setStyleSheet("font-size: 16pt; padding: 6px;")
        self.search_field.textChanged.connect(self._search)
        self.search_field.returnPressed.connect(self.check_in_current)
        self.search_field.moved.connect(self._move_selection)
        self.search_field.cleared.connect(self._clear)

        self.model = AttendeeResultsModel()
        self.table = NameFirstTable()
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setFocusPolicy(Qt.FocusPolicy.ClickFocus)
        self.table.verticalHeader().setVisible(False)
        self.table.selectionModel().currentRowChanged.connect(self._show_current)
        self.table.clicked.connect(self._picked)
        self.table.doubleClicked.connect(self.check_in_current)
        self.scan_gate = ScanGate(self._read_scan, self._held, self)
        self.picked = False  # the volunteer chose the selected row (arrows, a click), rather than it being first
        self.last_check_in: str | None = None  # the attendee this desk checked in last: what Ctrl+Z takes back
        self.matches_label = QLabel()

        left = QWidget()
        left_layout = QVBoxLayout(left)
        left_layout.setContentsMargins(0, 0, 0, 0)
        left_layout.addWidget(self.search_field)
        left_layout.addWidget(self.matches_label)
        left_layout.addWidget(self.table, 1)

        self.card = AttendeeCard(self.entitlements, self.zone, clock)
        self.card.entitlement_requested.connect(self.give)
        splitter = QSplitter()
        splitter.addWidget(left)
        splitter.addWidget(self.card)
        splitter.setStretchFactor(0, 3)
        splitter.setStretchFactor(1, 2)
        splitter.setSizes([720, 480])

        self.banner = VerdictBanner()
        central = QWidget()
        layout = QVBoxLayout(central)
        layout.addLayout(header)
        layout.addWidget(splitter, 1)
        layout.addWidget(self.banner)
        self.setCentralWidget(central)
        self._build_actions()

        self.refresh_timer = QTimer(self)
        self.refresh_timer.timeout.connect(self.refresh_count)
        self.refresh_timer.start(refresh_ms)
        self.refresh_count()
        fit_and_remember(self, "desk", QSize(1280, 720))
        self.search_field.setFocus()

    def _build_actions(self) -> None:
        # What a volunteer does all day goes in the toolbar, in the order of a check-in; the station's set-up
        # (camera, scanner, sound, dashboard) and printing go in the menus, so nothing hides behind "»".
        toolbar = QToolBar("Desk")
        toolbar.setMovable(False)
        self.addToolBar(toolbar)
        self.check_in_action = self._action("Check in (Enter)", None, self.check_in_current, toolbar)
        self.print_action = self._action("Check in + print (Ctrl+P)", "Ctrl+P", self.check_in_and_print, toolbar)
        self.reprint_action = self._action("Reprint (Ctrl+R)", "Ctrl+R", self.reprint, toolbar)
        self.walk_in_action = self._action("Walk-in (Ctrl+N)", "Ctrl+N", self.walk_in, toolbar)
        self.correct_action = self._action("Correct record (Ctrl+E)", "Ctrl+E", self.correct, toolbar)
        self.undo_action = self._action("Undo check-in (Ctrl+Z)", "Ctrl+Z", self.undo_check_in, toolbar)
        self._action("Clear (Esc)", None, self._clear_and_focus, toolbar)
        station = self.menuBar().addMenu("&Station")
        self.camera_action = self._action("&Camera", "Ctrl+K", self.open_camera, station)
        self.dashboard_action = self._action("&Dashboard", "Ctrl+D", self.open_dashboard, station)
        self._action("&Review duplicates…", None, self.review_duplicates, station)
        self._action("Station &name…", None, self.rename_station, station)
        self._action("&Hand-outs…", None, self.edit_handouts, station)
        self.serial_menu = station.addMenu("S&erial scanner")
        self.serial_menu.aboutToShow.connect(self._list_serial_ports)
        self.sound_action = self._action("S&ound", "Ctrl+M", self._toggle_sound, station)
        self.sound_action.setCheckable(True)
        self.sound_action.setChecked(self.sounds.enabled)
        printing = self.menuBar().addMenu("&Printing")
        self._action("Print &setup…", "Ctrl+Shift+P", self.print_setup, printing)
        self._action("&Bulk badges…", "Ctrl+Shift+B", self.bulk_print, printing)
        self._action("&Retry failed prints", "Ctrl+Shift+R", self.retry_prints, printing)

    @Slot()
    def edit_handouts(self) -> None:
        HandoutsDialog(self.store, self).exec()
        with self.store.reading() as session:
            self.entitlements = entitlements(session)
        self.card.set_entitlements(self.entitlements)  # the card offers what there is to give now
        self._show_current()

    @Slot()
    def rename_station(self) -> None:
        name, ok = QInputDialog.getText(
            self,
            "Station settings",
            "This station's name, as people read it in messages such as “checked in by Desk 3”:",
            text=self.store.station.name,
        )
        if not ok:
            return
        try:
            self.store.rename_station(name)
        except BadStationName as problem:
            QMessageBox.warning(self, "Station settings", f"The name was not changed: {problem}.")
            return
        self._show_station()
        self.statusBar().showMessage(f"This station is now called {self.store.station.name}.", 8000)

    def _show_station(self) -> None:
        self.setWindowTitle(f"Muster · {self.conference_name} · {self.store.station.name}")
        self.station_label.setText(f"Station: {self.store.station.name}")

    def _action(self, text: str, shortcut: str | None, slot: Callable[[], None], where: QToolBar | QMenu) -> QAction:
        action = QAction(text, self)
        if shortcut:
            action.setShortcut(QKeySequence(shortcut))
        action.triggered.connect(slot)
        where.addAction(action)
        return action

    # Searching and selecting

    @Slot(str)
    def _search(self, text: str) -> None:
        with self.store.reading() as session:
            rows = search(session, text, limit=100) if text.strip() else []
        self.model.set_rows(rows)
        self.picked = False
        if self.banner.tone is not None:  # the last answer was about someone else: it goes with the new search
            self.banner.clear_verdict()
        more = "+" if len(rows) == 100 else ""
        self.matches_label.setText(
            "" if not text.strip() else f"{len(rows)}{more} match{'es' if len(rows) != 1 else ''}"
        )
        if rows:
            self.table.selectRow(0)
        else:
            self.card.show_attendee(None, {})

    @Slot()
    def _picked(self) -> None:
        self.picked = True

    @Slot(int)
    def _move_selection(self, step: int) -> None:
        count = self.model.rowCount()
        if not count:
            return
        self.picked = True
        was = self.table.currentIndex().row()
        row = max(0, min(count - 1, was + step))
        self.table.selectionModel().setCurrentIndex(
            self.model.index(row, 0),
            QItemSelectionModel.SelectionFlag.ClearAndSelect | QItemSelectionModel.SelectionFlag.Rows,
        )
        if row == was:  # ↑ on the top row: the same person, now picked (the card says Enter will act)
            self._show_current()

    @Slot()
    def _show_current(self) -> None:
        self.show_attendee(self.model.attendee(self.table.currentIndex().row()))

    def show_attendee(self, attendee: AttendeeView | None) -> None:
        if attendee is None:
            self.card.show_attendee(None, {})
            return
        with self.store.reading() as session:
            given = {
                code: (row.given_at, row.station) for code, row in desk.given_entitlements(session, attendee.id).items()
            }
            twice = conflicts.duplicate_badges(session, attendee.id)
        among = 0 if acts_on_selection(self.model.rowCount(), self.picked) else self.model.rowCount()
        self.card.show_attendee(attendee, given, twice, among)

    def _nobody_selected(self, hint: str) -> None:
        """Warn that an action needs an attendee: after a search that found nobody, say that instead."""
        typed = self.search_field.text().strip()
        if typed and not self.model.rowCount():
            shown = typed if len(typed) <= 40 else f"{typed[:40]}…"
            hint = f"No one matches “{shown}”: check the spelling, or Ctrl+N for a walk-in."
        self.banner.show_message(Tone.WARN, hint)

    def selected_attendee(self) -> AttendeeView | None:
        return self.card.attendee

    # Actions

    @Slot(str)
    def scan(self, text: str) -> None:
        """A scan from any scanner (wedge, serial, camera): read now, or when the open dialog has closed."""
        self.scan_gate.offer(text)

    @Slot(str)
    def scan_again(self, _part: str) -> None:
        """The scanner's keys came in incomplete (a busy laptop): nothing was read, nothing typed."""
        self.banner.show_message(Tone.WARN, SCAN_AGAIN)
        self.sounds.cue(Tone.WARN)

    def _held(self, waiting: int) -> None:
        which = "it is" if waiting == 1 else "they are"
        self.statusBar().showMessage(f"{counted(waiting, 'scan')} waiting: {which} read when this dialog closes.")

    def _read_scan(self, text: str) -> None:
        """The verdict path, then the big answer."""
        verdict = scanning.scan(self.store, text, self.clock(), self.recent_scans)
        if verdict.attendee is not None:
            if verdict.accepted:
                self.last_check_in = verdict.attendee.id
            self._after(verdict, verdict.attendee.id)
        else:
            self.banner.show_verdict(verdict)
            self.sounds.cue(verdict.tone)
        self.checked_in.emit(verdict)

    @Slot()
    def open_camera(self) -> None:
        if self.camera_view is None:
            self.camera_view = CameraView()
            self.camera_view.scanned.connect(self.scan)
        self.camera_view.show()
        self.camera_view.raise_()

    @Slot()
    def review_duplicates(self) -> None:
        from ui.review_dialog import ReviewDialog

        ReviewDialog(self.store, self.clock, self).exec()
        self._clear_and_focus()

    def open_dashboard(self) -> None:
        from ui.dashboard_window import DashboardWindow

        if self.dashboard is None:
            self.dashboard = DashboardWindow(self.store, self.clock)
            self.window_opened.emit(self.dashboard)
        self.dashboard.show()
        self.dashboard.raise_()

    @Slot()
    def _list_serial_ports(self) -> None:
        self.serial_menu.clear()
        ports = available_ports()
        if not ports:
            self.serial_menu.addAction("No serial ports found").setEnabled(False)
        for location in ports:
            action = self.serial_menu.addAction(location)
            action.setCheckable(True)
            action.setChecked(self.serial.port.isOpen() and self.serial.port.portName() in location)
            action.triggered.connect(lambda _checked=False, where=location: self.use_serial_port(where))

    def use_serial_port(self, location: str) -> None:
        if self.serial.open(location):
            self.banner.show_message(Tone.GOOD, f"Serial scanner on {location} is ready.")

    @Slot(str)
    def _serial_failed(self, message: str) -> None:
        self.banner.show_message(Tone.BAD, message)

    @Slot(bool)
    def _toggle_sound(self, on: bool) -> None:
        self.sounds.set_enabled(on)

    @Slot()
    def check_in_current(self) -> Verdict | None:
        text = self.search_field.text().strip()
        if codes.looks_like_badge(codes.normalise(text)):  # a badge code typed or pasted by hand
            self.scan(text)
            return None
        with self.store.reading() as session:
            scanned = find_by_code(session, text) if text else None
        target = scanned or self.selected_attendee()
        if target is None:
            self._nobody_selected("Nobody selected: type a few letters of a name first.")
            return None
        if scanned is None and not acts_on_selection(self.model.rowCount(), self.picked):
            self.banner.show_message(
                Tone.WARN,
                f"{self.model.rowCount()} people match: move to the right one with ↓ ↑ (or type more), then Enter.",
            )
            return None
        verdict = desk.check_in(self.store, target.id, self.clock())
        if verdict.accepted:
            self.last_check_in = target.id
        self._after(verdict, target.id)
        self.checked_in.emit(verdict)
        return verdict

    # Printing

    @Slot()
    def check_in_and_print(self) -> None:
        """One key at the desk: check in, then print the badge (silently, to the configured printer)."""
        verdict = self.check_in_current()
        if verdict is None or verdict.attendee is None:
            return
        if verdict.accepted:
            self.print_badge(verdict.attendee.id)
        elif verdict.code is VerdictCode.ALREADY_CHECKED_IN:
            self.statusBar().showMessage("Already checked in: to print a new badge, reprint with Ctrl+R.")

    @Slot()
    def reprint(self) -> None:
        attendee = self.selected_attendee()
        if attendee is None:
            self._nobody_selected("Select the attendee whose badge to reprint.")
            return
        reason, ok = QInputDialog.getText(
            self,
            "Reprint badge",
            f"Why is {attendee.full_name}'s badge reprinted? (lost, damaged, …)\n"
            "The old badge stops working everywhere.",
        )
        self.search_field.setFocus()
        if not ok or not reason.strip():
            return
        try:
            revision, _code = badges.reissue(self.store, attendee.id, reason, self.clock())
        except keys.KeyProblem as error:
            self.banner.show_message(Tone.BAD, f"No badge printed. {error}")
            return
        self.banner.show_message(Tone.GOOD, f"Badge {revision} for {attendee.full_name}: the old one is void.")
        self.print_badge(attendee.id)

    def print_badge(self, attendee_id: str) -> None:
        try:
            job = queue_badge(self.store, attendee_id, self.print_settings, self.template, self.print_queue, self.clock)
        except NoBadge as why:
            self.banner.show_message(Tone.BAD, f"No badge printed. {why}")
            return
        self.statusBar().showMessage(f"Printing {job.title}…")

    @Slot(object)
    def _printed(self, job: PrintJob) -> None:
        self.statusBar().showMessage(f"Printed {job.title} on {job.printer or job.pdf_file}.", 10_000)

    @Slot(object)
    def _print_failed(self, job: PrintJob) -> None:
        self.banner.show_message(
            Tone.BAD,
            f"{job.title} did not print. {job.error}",
            "Ctrl+Shift+R retries; Ctrl+Shift+P picks another printer.",
        )
        self.sounds.cue(Tone.BAD)

    @Slot()
    def retry_prints(self) -> None:
        failed = list(self.print_queue.failures)
        if not failed:
            self.statusBar().showMessage("No failed print jobs.", 5000)
            return
        for job_id in failed:
            job = self.print_queue.failures[job_id]
            retarget = self.print_settings.printer != job.printer
            self.print_queue.retry(job_id, printer=self.print_settings.printer if retarget else None)
        self.statusBar().showMessage(f"Retrying {len(failed)} print job(s)…")

    @Slot()
    def print_setup(self) -> None:
        dialog = PrintSetupDialog(self.print_settings, self)
        if dialog.exec():
            self.print_settings = dialog.chosen()
            self.print_settings.save()
            self.statusBar().showMessage(f"Printing to {self.print_settings.describe()}", 10_000)
        self.search_field.setFocus()

    @Slot()
    def bulk_print(self) -> None:
        dialog = BulkPrintDialog(
            self.store,
            self.template,
            self.print_settings.stock,
            self.print_settings.folder,
            self,
            self.print_settings.printer,
        )
        dialog.done_rendering.connect(self._bulk_rendered)
        dialog.exec()
        self.search_field.setFocus()

    @Slot(object, object, str)
    def _bulk_rendered(self, printed: list, path: Path, stock_name: str) -> None:
        settings, stock = self.print_settings, STOCKS[stock_name]
        if not settings.printer:
            record_printed(self.store, printed, stock_name, f"file:{path}", 1, self.clock())
            return
        job = PrintJob(counted(len(printed), "badge"), path.read_bytes(), stock.page, settings.printer)
        job.on_done = lambda done: record_printed(self.store, printed, stock_name, done.printer, 1, self.clock())
        self.print_queue.add(job)

    @Slot(str)
    def give(self, code: str) -> None:
        attendee = self.selected_attendee()
        if attendee is None:
            self._nobody_selected("Select an attendee first.")
            return
        self._after(desk.give_entitlement(self.store, attendee.id, code, self.clock()), attendee.id)

    @Slot()
    def walk_in(self) -> None:
        start = desk.walk_in_from_search(self.search_field.text()) if not self.model.rowCount() else None
        outcome = WalkInDialog.ask(self._duplicates, self, start)
        if outcome is None:
            self.search_field.setFocus()
            return
        if outcome.existing is not None:
            self._focus_on(outcome.existing)
            self.banner.show_message(Tone.GOOD, f"Using the existing record of {outcome.existing.full_name}.")
            return
        assert outcome.form is not None
        view = desk.register_walk_in(self.store, outcome.form, self.clock())
        self._focus_on(view)
        self.banner.show_message(
            Tone.GOOD, f"Registered {view.full_name} ({view.external_id}). Press Enter to check in."
        )
        self.refresh_count()

    @Slot()
    def correct(self) -> None:
        attendee = self.selected_attendee()
        if attendee is None:
            self._nobody_selected("Select an attendee to correct.")
            return
        changes = CorrectionDialog.ask(attendee, self)
        self.search_field.setFocus()
        if not changes:
            return
        privilege = privilege_of_correction(changes, attendee.status)
        if privilege and (refused := supervisor_refuses(self.store, self.clock(), privilege, self)):
            self.banner.show_message(Tone.BAD, refused)
            return
        try:
            view = desk.correct(self.store, attendee.id, changes, self.clock())
        except desk.InvalidInput as error:
            self.banner.show_message(Tone.BAD, str(error))
            return
        self._focus_on(view)
        said = what_changed(editable_fields(attendee), editable_fields(view)) or "nothing changed"
        self.banner.show_message(Tone.GOOD, f"Corrected {view.full_name}: {said}.")
        self.refresh_count()

    def _duplicates(self, email: str, first: str, last: str) -> list[AttendeeView]:
        with self.store.reading() as session:
            return likely_duplicates(session, email, first, last)

    @Slot()
    def undo_check_in(self) -> None:
        """Take back this desk's last check-in (the wrong person, a neighbour's badge), with a reason."""
        attendee_id = self.last_check_in
        if attendee_id is None:
            self.banner.show_message(
                Tone.WARN, "Nothing to undo: Ctrl+Z takes back this desk's last check-in, within 5 minutes."
            )
            return
        with self.store.reading() as session:
            view = get_view(session, attendee_id)
        name = view.full_name if view else "the last attendee"
        reason, ok = QInputDialog.getText(
            self, "Undo check-in", f"Why is {name}'s check-in taken back?", text="wrong person selected"
        )
        self.search_field.setFocus()
        if not ok:
            return
        verdict = desk.undo_check_in(self.store, attendee_id, reason, self.clock())
        if verdict.code is VerdictCode.UNDONE:
            self.last_check_in = None
        self._after(verdict, attendee_id)

    def _after(self, verdict: Verdict, attendee_id: str) -> None:
        self.picked = True  # the card now shows the person this answer is about, not the top of a list
        self.banner.show_verdict(verdict)
        self.sounds.cue(verdict.tone)
        fresh = verdict.attendee if verdict.code is VerdictCode.ACCEPTED else None
        if fresh is None:  # a refusal carries the view as it was read; re-read in case it changed meanwhile
            with self.store.reading() as session:
                fresh = get_view(session, attendee_id)
        row = self.model.row_of(attendee_id)
        if row >= 0 and fresh is not None:
            rows = [fresh if i == row else self.model.attendee(i) for i in range(self.model.rowCount())]
            self.model.set_rows([r for r in rows if r is not None])
            self.table.selectRow(row)
        else:  # a scanned badge of someone outside the results: highlight nobody rather than the wrong one
            selection = self.table.selectionModel()
            selection.blockSignals(True)
            selection.clear()
            selection.blockSignals(False)
        self.show_attendee(fresh)
        self.refresh_count()
        # Keep the card for entitlements, but let the next name replace the old search at once.
        self.search_field.selectAll()
        self.search_field.setFocus()

    def _focus_on(self, attendee: AttendeeView) -> None:
        self.search_field.blockSignals(True)
        self.search_field.setText(attendee.external_id)
        self.search_field.blockSignals(False)
        self.model.set_rows([attendee])
        self.matches_label.setText("1 match")  # not the count of the search this replaced
        self.table.selectRow(0)
        self.show_attendee(attendee)
        self.search_field.selectAll()
        self.search_field.setFocus()

    @Slot()
    def _clear(self) -> None:
        self.model.set_rows([])
        self.card.show_attendee(None, {})
        self.banner.clear_verdict()

    @Slot()
    def _clear_and_focus(self) -> None:
        self.search_field.clear()
        self._clear()
        self.search_field.setFocus()

    @Slot()
    def refresh_count(self) -> None:
        with self.store.reading() as session:
            arrived, registered = checked_in_count(session)
        self.count_label.setText(f"Checked in {arrived:,} / {registered:,}")
