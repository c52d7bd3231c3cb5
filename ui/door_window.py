"""The session-room door: scan, and the screen answers in big green / amber / red with the room's count.

Keys (function keys, so they never collide with what a scanner types):
F2 switches entry / exit, F6 whether people who have not checked in are checked in here or sent to the
desk (remembered), F3 counts a person without a badge in (+1), F4 out (-1), F8 lets the last refused
person in with a reason (a speaker, the fire marshal), F11 leaves or returns to full screen. A second scanner
can be wired to ``scan_exit``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from datetime import datetime, timedelta

from PySide6.QtCore import QSettings, QSize, Qt, QTimer, Signal, Slot
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QHBoxLayout,
    QInputDialog,
    QLabel,
    QMainWindow,
    QProgressBar,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

from checkin import scanning
from checkin.conference import store_zone
from checkin.domain import Tone, Verdict
from checkin.occupancy.attendance import what_is_next
from checkin.occupancy.door import NobodyToCountOut, adjust_count, door_scan, hand_count_answer, override
from checkin.occupancy.policy import load_policy
from checkin.rules.burst import SCAN_AGAIN
from checkin.rules.door import OVERRIDABLE, Door, Mode, NotCheckedIn
from checkin.store import Store
from checkin.supervisor import privilege_of_override
from checkin.views import door_now
from ui.geometry import fit_and_remember
from ui.pin_dialog import supervisor_refuses
from ui.scaled_type import ScaledType
from ui.scan_gate import ScanGate
from ui.sound import VerdictSounds
from ui.theme import TONE_COLOURS
from ui.verdict_banner import VerdictBanner

Clock = Callable[[], datetime]
RATE_WINDOW = timedelta(minutes=10)
ANSWER_MS = 8000  # an answer stays up long enough to read, then the next person sees "Scan a badge."
KEYS = (
    "F2 entry/exit · F3 +1 · F4 −1 (people without a badge) · F6 not checked in: here or the desk · "
    "F8 let the last refused person in, with a reason"
)
SEND_TO_DESK = "door/send_to_desk"  # QSettings: this laptop's choice, kept across restarts
NOT_CHECKED_IN_WORDS = {
    NotCheckedIn.ADMIT: "People who have not checked in are checked in here.",
    NotCheckedIn.DESK: "People who have not checked in are sent to the registration desk.",
}


class DoorWindow(QMainWindow):
    scanned = Signal(object)  # Verdict

    def __init__(
        self,
        store: Store,
        door: Door,
        clock: Clock,
        sounds: VerdictSounds,
        refresh_ms: int = 2000,
        answer_ms: int = ANSWER_MS,
    ) -> None:
        super().__init__()
        self.store, self.clock = store, clock
        if QSettings().value(SEND_TO_DESK, False, type=bool):
            door = replace(door, not_checked_in=NotCheckedIn.DESK)
        self.door = door
        self.recent = scanning.RecentScans()
        self.sounds = sounds
        self.last_refused: Verdict | None = None
        self.setWindowTitle(f"Muster · Door · {door.room_name} · {door.name}")

        self.scan_gate = ScanGate(self._read_scan, self._held, self)
        self.type = ScaledType(self)  # read from 2-3 m: the type grows with the screen
        self.room_label = QLabel(door.room_name)
        self.type.label(self.room_label, 30, "font-weight: bold;")
        self.session_label = QLabel()
        self.type.label(self.session_label, 18, "color: #37474f;")
        self.session_label.setWordWrap(True)  # a long title wraps rather than widening the window
        self.mode_label = QLabel()
        self.not_checked_in_label = QLabel()
        self.type.label(self.not_checked_in_label, 14, "color: #37474f;")
        self.not_checked_in_label.setWordWrap(True)
        self.count_label = QLabel()
        self.count_label.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        self.type.label(self.count_label, 60, "font-weight: bold;")
        self.bar = QProgressBar()
        self.bar.setTextVisible(False)  # the share is in words below: text across a coloured chunk is unreadable
        self.rate_label = QLabel()
        self.type.label(self.rate_label, 16)
        self.banner = VerdictBanner(prompt="Scan a badge.")
        self.banner.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)  # the rest of the screen
        self.keys_label = QLabel(KEYS)
        self.keys_label.setWordWrap(True)
        self.type.label(self.keys_label, 14, "color: #546e7a;")
        self.type.follow(self._scale_banner_and_bar)

        top = QHBoxLayout()
        titles = QVBoxLayout()
        titles.addWidget(self.room_label)
        titles.addWidget(self.session_label)
        top.addLayout(titles, 1)
        top.addWidget(self.mode_label, 0, Qt.AlignmentFlag.AlignVCenter)
        top.addSpacing(20)
        top.addWidget(self.count_label)
        central = QWidget()
        layout = QVBoxLayout(central)
        layout.addLayout(top)
        layout.addWidget(self.not_checked_in_label)
        layout.addWidget(self.bar)
        layout.addWidget(self.rate_label)
        layout.addWidget(self.banner, 1)
        layout.addWidget(self.keys_label)
        self.setCentralWidget(central)

        for key, slot in (
            ("F2", self.toggle_mode),
            ("F3", lambda: self.count_by_hand(+1)),
            ("F4", lambda: self.count_by_hand(-1)),
            ("F6", self.toggle_not_checked_in),
            ("F8", self.let_in_last_refused),
            ("F11", self.toggle_full_screen),
        ):
            QShortcut(QKeySequence(key), self, activated=slot)
        self.answer_timer = QTimer(self)
        self.answer_timer.setSingleShot(True)
        self.answer_timer.setInterval(answer_ms)
        self.answer_timer.timeout.connect(self.clear_answer)
        self.timer = QTimer(self)
        self.timer.timeout.connect(self.refresh)
        self.timer.start(refresh_ms)
        self._show_mode()
        self.refresh()
        fit_and_remember(self, "door", QSize(1100, 720))

    def _scale_banner_and_bar(self, scale: float) -> None:
        self.banner.set_font_pt(44 * scale)
        self.banner.setMinimumHeight(round(200 * scale))
        self.bar.setMinimumHeight(round(42 * scale))

    # Scans

    @Slot(str)
    def scan(self, text: str) -> None:
        """Read now, or once F8's reason dialog has closed (never answered behind it)."""
        self.scan_gate.offer(text)

    def _read_scan(self, text: str) -> None:
        self._answer(door_scan(self.store, self.door, text, self.clock(), self.recent))

    @Slot(str)
    def scan_again(self, _part: str) -> None:
        """The scanner's keys came in incomplete (a busy laptop): nothing was read or recorded."""
        self._say(Tone.WARN, SCAN_AGAIN)
        self.sounds.cue(Tone.WARN)

    def _held(self, waiting: int) -> None:
        self.keys_label.setText(f"{waiting} scan(s) waiting: read when this dialog closes.")

    @Slot(str)
    def scan_exit(self, text: str) -> None:
        """For a second scanner mounted on the way out."""
        exit_door = replace(self.door, mode=Mode.EXIT)
        self._answer(door_scan(self.store, exit_door, text, self.clock(), self.recent))

    def _answer(self, verdict: Verdict) -> None:
        self.banner.show_verdict(verdict)
        self.answer_timer.start()
        self.sounds.cue(verdict.tone)
        self.last_refused = verdict if verdict.code in OVERRIDABLE and verdict.attendee is not None else None
        if self.last_refused is not None:
            self.keys_label.setText("F8: let this person in anyway (a reason is recorded)")
        self.refresh()
        self.scanned.emit(verdict)

    @Slot()
    def toggle_full_screen(self) -> None:
        self.setWindowState(self.windowState() ^ Qt.WindowState.WindowFullScreen)

    @Slot()
    def toggle_mode(self) -> None:
        self.door = replace(self.door, mode=Mode.EXIT if self.door.mode is Mode.ENTRY else Mode.ENTRY)
        self._show_mode()

    @Slot()
    def toggle_not_checked_in(self) -> None:
        """Door staff choose what happens to someone who skipped the desk: checked in here, or sent there."""
        desk = self.door.not_checked_in is NotCheckedIn.ADMIT
        self.door = replace(self.door, not_checked_in=NotCheckedIn.DESK if desk else NotCheckedIn.ADMIT)
        QSettings().setValue(SEND_TO_DESK, desk)
        self._show_mode()
        self._say(Tone.GOOD, f"From now on: {NOT_CHECKED_IN_WORDS[self.door.not_checked_in].lower()}")

    def _show_mode(self) -> None:
        self.not_checked_in_label.setText(NOT_CHECKED_IN_WORDS[self.door.not_checked_in])
        entry = self.door.mode is Mode.ENTRY
        colour = "#1b7f3b" if entry else "#1565c0"
        self.mode_label.setText("→ ENTRY" if entry else "← EXIT")
        self.type.label(
            self.mode_label,
            24,
            f"font-weight: bold; color: white; background: {colour}; padding: 8px 16px; border-radius: 6px;",
        )

    def count_by_hand(self, delta: int) -> None:
        try:
            fill = adjust_count(self.store, self.door, delta, "no badge", self.clock())
        except NobodyToCountOut as nobody:
            self._say(Tone.WARN, str(nobody))
            return
        self._say(*hand_count_answer(fill, delta))
        self.refresh()

    def _say(self, tone: Tone, message: str) -> None:
        self.banner.show_message(tone, message)
        self.answer_timer.start()

    @Slot()
    def clear_answer(self) -> None:
        """The last answer, and F8's offer to let that person in, go: the next person sees "Scan a badge."."""
        self.banner.clear_verdict()
        self.last_refused = None
        self.keys_label.setText(KEYS)

    @Slot()
    def let_in_last_refused(self) -> None:
        refused = self.last_refused
        if refused is None or refused.attendee is None:
            self._say(Tone.WARN, "Nobody to let in: F8 works right after a refusal.")
            return
        with self.store.reading() as session:
            privilege = privilege_of_override(load_policy(session.connection()).override_needs_pin)
        if privilege and (said := supervisor_refuses(self.store, self.clock(), privilege, self)):
            self._say(Tone.BAD, said)
            return
        reason, ok = QInputDialog.getText(
            self, "Let in anyway", f"Why is {refused.attendee.full_name} let in? (speaker, fire marshal, …)"
        )
        if not ok or not reason.strip():
            return
        self._answer(override(self.store, self.door, refused.attendee.id, reason, refused.code, self.clock()))
        self.keys_label.setText(KEYS)

    # The room's numbers

    @Slot()
    def refresh(self) -> None:
        now = self.clock()
        here = door_now(self.store, self.door, now, RATE_WINDOW)
        fill, title, arrivals = here.fill, here.session_title, here.arrivals
        tone = fill.tone
        self.count = fill.count
        self.count_label.setText(f"{fill.count} / {fill.capacity}")
        self.bar.setMaximum(max(1, fill.capacity))
        self.bar.setValue(min(fill.count, max(1, fill.capacity)))
        self.bar.setStyleSheet(
            f"QProgressBar::chunk {{ background: {TONE_COLOURS[tone][0]}; border-radius: 3px; }}"
            " QProgressBar { background: #ffffff; border: 1px solid #90a4ae; border-radius: 4px; }"
        )
        self.bar_tone = tone
        if title:
            self.session_label.setText(f"Now: {title}")
        else:
            coming = what_is_next(here.later_here, now, store_zone(self.store), with_room=False)
            self.session_label.setText("No session scheduled now" + (f" · Next here: {coming}" if coming else ""))
        self.rate_label.setText(
            f"{100 * fill.share:.0f}% full · Arrivals: {arrivals or 'none'} in the last 10 min · "
            + _places_left(fill.capacity - fill.count, arrivals / RATE_WINDOW.total_seconds() * 60)
        )


FULL_SOON_MIN = 60  # further off, "full in about 1390 min" only gets in the way


def _places_left(left: int, per_minute: float) -> str:
    if left < 0:
        return f"{-left} over capacity"
    if left == 0:
        return "no places left"
    places = f"{left} place{'s' if left != 1 else ''} left"
    minutes = left / per_minute if per_minute > 0 else float("inf")
    if minutes <= FULL_SOON_MIN:
        return f"{places} · full in about {max(1, round(minutes))} min at this rate"
    return places
