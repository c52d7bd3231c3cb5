"""The self-service kiosk: full screen, one instruction, a big answer, and the badge printing silently.

There is nothing to type or click: the attendee scans and reads. After a while the screen goes back to
the instruction by itself, so the next person never sees the last one's name. It stands alone: a close request
(Alt+F4, the window menu, Ctrl+Q) asks for the supervisor PIN, and without a printer it is out of order unless it
was started to save badges in a folder (--print-to-folder), from which staff hand them out.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from PySide6.QtCore import QSize, Qt, QTimer, Signal, Slot
from PySide6.QtGui import QCloseEvent, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QLabel,
    QMainWindow,
    QVBoxLayout,
    QWidget,
)

from checkin import scanning
from checkin.conference import current_conference
from checkin.kiosk import kiosk_scan
from checkin.printing.template import load_template
from checkin.rules import kiosk
from checkin.store import Store
from checkin.supervisor import Privileged, check_pin, pin_is_set
from ui.badge_jobs import NoBadge, queue_badge
from ui.camera import CameraView
from ui.geometry import fit_and_remember
from ui.pin_dialog import PinDialog
from ui.print_queue import PrintJob, PrintQueue, printer_missing
from ui.print_settings import PrintSettings
from ui.scaled_type import ScaledType
from ui.sound import VerdictSounds
from ui.verdict_banner import VerdictBanner

Clock = Callable[[], datetime]


PROMPT = "Scan the barcode from your confirmation email\n(or the code on your badge)"
REOPEN_KEY = "Ctrl+Shift+R"


class KioskWindow(QMainWindow):
    answered = Signal(object)  # KioskAnswer, after every scan

    def __init__(
        self,
        store: Store,
        clock: Clock,
        sounds: VerdictSounds,
        reset_ms: int = 12_000,
        camera: bool = False,
        print_to_folder: bool = False,
    ) -> None:
        super().__init__()
        self.store = store
        self.print_to_folder = print_to_folder
        self.leaving = False
        self.clock = clock
        self.recent_scans = scanning.RecentScans()
        self.sounds = sounds
        self.print_settings = PrintSettings.load()
        self.template = load_template()
        self.print_queue = PrintQueue(self)
        self.print_queue.failed.connect(self._print_failed)
        with store.reading() as session:
            conference = current_conference(session)
        self.setWindowTitle(f"Muster · Kiosk · {conference.name}")

        title = QLabel(conference.name)
        title.setAlignment(Qt.AlignmentFlag.AlignCenter)
        title.setWordWrap(True)
        self.type = ScaledType(self)  # read from where people queue: the type grows with the screen
        self.type.label(title, 32, "font-weight: bold;")
        self.banner = VerdictBanner(prompt=PROMPT, detail_share=0.8)  # the second line says what to do
        self.type.follow(self._scale_banner)
        footer = QLabel(f"Badge lost, name misspelt, or no confirmation email? {kiosk.DESK}")
        footer.setAlignment(Qt.AlignmentFlag.AlignCenter)
        footer.setWordWrap(True)
        self.type.label(footer, 20, "color: #546e7a;")
        self.printer_problem = ""  # set by a failed print: the kiosk is out of order until staff reopen it
        self.staff_note = QLabel()
        self.staff_note.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.staff_note.setWordWrap(True)
        self.type.label(self.staff_note, 14, "color: #b71c1c;")
        self.staff_note.setVisible(False)
        QShortcut(QKeySequence(REOPEN_KEY), self).activated.connect(self.reopen)
        QShortcut(QKeySequence("Ctrl+Q"), self).activated.connect(self.close)

        central = QWidget()
        layout = QVBoxLayout(central)
        layout.setContentsMargins(48, 48, 48, 48)
        layout.addWidget(title)
        layout.addStretch(1)
        self.camera: CameraView | None = None
        if camera:  # for phones held up to the laptop: the picture shows people where to hold them
            self.camera = CameraView(central)
            self.camera.scanned.connect(self.scan)
            layout.addWidget(self.camera, 2)
        layout.addWidget(self.banner)
        layout.addStretch(1)
        layout.addWidget(footer)
        layout.addWidget(self.staff_note)
        self.setCentralWidget(central)

        self.reset_timer = QTimer(self)
        self.reset_timer.setSingleShot(True)
        self.reset_timer.setInterval(reset_ms)
        self.reset_timer.timeout.connect(self._idle)
        fit_and_remember(self, "kiosk", QSize(1024, 700))
        if missing := self._printer_problem():  # closed before anyone is checked in
            self._close_for(missing)
            self._idle()
        if not pin_is_set(store) and not self.printer_problem:
            self.staff_note.setText(
                "Staff: no supervisor PIN is set, so anyone can close this kiosk (checkin pin set)."
            )
            self.staff_note.setVisible(True)

    def _printer_problem(self) -> str:
        if not self.print_settings.printer and not self.print_to_folder:
            return (
                "No printer is set up for this kiosk: choose one at a desk on this laptop (Station › Printing…), "
                "or start the kiosk with --print-to-folder to save badges as PDF files for staff to hand out."
            )
        return printer_missing(self.print_settings.printer)

    def closeEvent(self, event: QCloseEvent) -> None:
        """Attendees cannot leave the kiosk: a close request needs the supervisor PIN (when one is set)."""
        if self.leaving or not pin_is_set(self.store):
            super().closeEvent(event)
            return
        typed = PinDialog.ask(Privileged.LEAVE_KIOSK, self)
        check = check_pin(self.store, typed, self.clock()) if typed is not None else None
        if check is None or not check.accepted:
            event.ignore()
            if check is not None:
                self.staff_note.setText(f"Staff: {check.words()}")
                self.staff_note.setVisible(True)
            return
        self.leaving = True
        super().closeEvent(event)

    def _scale_banner(self, scale: float) -> None:
        self.banner.set_font_pt(44 * scale)
        self.banner.setMinimumHeight(round(300 * scale))

    @Slot(str)
    def scan(self, text: str) -> None:
        if self.printer_problem:
            self._show(kiosk.OUT_OF_ORDER)
            return
        _verdict, answer = kiosk_scan(self.store, text, self.clock(), self.recent_scans)
        if answer.print_for is not None:
            try:
                queue_badge(
                    self.store, answer.print_for, self.print_settings, self.template, self.print_queue, self.clock
                )
            except NoBadge:
                answer = kiosk.not_printed_here(answer)
            else:
                if not self.print_settings.printer:  # saved in a folder: staff hand it out
                    answer = kiosk.handed_out_by_staff(answer)
        self._show(answer)

    @Slot(str)
    def scan_again(self, _part: str) -> None:
        """The scanner's keys came in incomplete (a busy laptop): nothing was read."""
        self._show(kiosk.SCAN_AGAIN)

    @Slot(str)
    def too_short(self, _code: str) -> None:
        """A scanner sent a code too short to be a check-in code (a registration number): said, never ignored."""
        self._show(kiosk.TOO_SHORT)

    @Slot(object)
    def _print_failed(self, job: PrintJob) -> None:
        self._close_for(job.error)
        self._show(kiosk.DID_NOT_PRINT)

    def _close_for(self, problem: str) -> None:
        self.printer_problem = problem
        self.staff_note.setText(f"Staff: {problem} {REOPEN_KEY} reopens this kiosk once the printer works.")
        self.staff_note.setVisible(True)

    @Slot()
    def reopen(self) -> None:
        """Staff fixed the printer: take attendees again (unless the printer is still missing). Failed badges
        are not retried: those people were sent to the desk, which reprints them."""
        self.printer_problem = ""
        self.staff_note.setVisible(False)
        if missing := self._printer_problem():
            self._close_for(missing)
        self._idle()

    @Slot()
    def _idle(self) -> None:
        if self.printer_problem:
            self.banner.show_message(kiosk.OUT_OF_ORDER.tone, kiosk.OUT_OF_ORDER.headline, kiosk.OUT_OF_ORDER.detail)
        else:
            self.banner.clear_verdict()

    def _show(self, answer: kiosk.KioskAnswer) -> None:
        self.banner.show_message(answer.tone, answer.headline, answer.detail)
        self.sounds.cue(answer.tone)
        self.reset_timer.start()
        self.answered.emit(answer)
