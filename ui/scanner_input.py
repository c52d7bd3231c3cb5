"""Keyboard-wedge scanners: tell a scan from typing, wherever the focus is, and keep scans out of text fields.

A wedge scanner "types" a code as keystrokes a few milliseconds apart and ends it with Enter or Tab.
The filter holds back each plain keystroke while the burst it belongs to could still be a scan; the burst is
then judged whole (``checkin.rules.burst``): a scan is emitted as ``scanned``; part of a scan (keys lost, no
terminator) goes nowhere and is reported as ``misread`` so the station asks to scan again; typing is replayed,
unchanged, to the widget it was meant for (a person's first key waits 80 ms, which nobody notices). Keys with
Ctrl, Alt or Meta are shortcuts and always pass straight through.

Gaps are measured between the times the window system stamped on the keys, not the times they are
handled: after the window was busy for a moment (a slow search, a dialog opening), a person's queued
keystrokes are handled back to back, and by the clock alone they would look like a scan and vanish.
"""

from __future__ import annotations

import itertools
import time
from collections.abc import Callable
from dataclasses import dataclass

import shiboken6
from PySide6.QtCore import QEvent, QObject, Qt, QTimer, Signal
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import QApplication, QWidget

from checkin.rules.burst import Burst, BurstRules, judge, wait_ms

TERMINATORS = {Qt.Key.Key_Return, Qt.Key.Key_Enter, Qt.Key.Key_Tab}
# A scanner, like a keyboard, presses Shift for each capital letter (or toggles Caps Lock): keys with no
# text of their own that must neither end a burst nor count in it.
MODIFIER_KEYS = {Qt.Key.Key_Shift, Qt.Key.Key_CapsLock, Qt.Key.Key_AltGr}
_SHORTCUT_MODIFIERS = (
    Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.AltModifier | Qt.KeyboardModifier.MetaModifier
)


@dataclass
class _Held:
    target: QWidget
    event: QKeyEvent
    at_ms: float


def _monotonic_ms() -> float:
    return time.monotonic() * 1000


class WedgeScanFilter(QObject):
    """Install on the QApplication; connect ``scanned`` to the station's scan handler."""

    scanned = Signal(str)
    misread = Signal(str)  # part of a scan: ask for the badge again
    short = Signal(str)  # a scanner's code too short to be a check-in code (typed all the same)

    def __init__(
        self,
        rules: BurstRules | None = None,
        clock: Callable[[], float] = _monotonic_ms,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self.rules = rules or BurstRules()
        self.clock = clock
        self._held: list[_Held] = []
        self._replaying = False
        self._scan_ended_ms = self._misread_ms = float("-inf")
        self._wait_timer = QTimer(self)
        self._wait_timer.setSingleShot(True)
        self._wait_timer.timeout.connect(self._paused)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if self._replaying or not isinstance(watched, QWidget):
            return False
        if event.type() == QEvent.Type.KeyPress:
            assert isinstance(event, QKeyEvent)
            return self._key_press(watched, event)
        if event.type() == QEvent.Type.KeyRelease and self._held:
            assert isinstance(event, QKeyEvent)
            return bool(event.text()) or event.key() in TERMINATORS  # its press is held (or was a scan)
        return False

    def _key_press(self, target: QWidget, event: QKeyEvent) -> bool:
        if event.key() in MODIFIER_KEYS:
            return False
        now = self._time_of(event)
        if event.modifiers() & _SHORTCUT_MODIFIERS:
            return self._end_burst(terminated=False, swallow=False)
        if event.key() in TERMINATORS:
            if not self._held and 0 <= now - self._scan_ended_ms <= self.rules.max_gap_ms:
                # Scanners set to send CR LF (or Enter + Tab) end a scan twice; the second must not press
                # Enter in the search field, which would check in whoever is selected there.
                self._scan_ended_ms = now
                return True
            return self._end_burst(terminated=True, swallow=False, at_ms=now)
        text = event.text()
        if not text or not text.isprintable():
            return self._end_burst(terminated=False, swallow=False)
        # The keys held so far could be a scan (each came within its wait): only this key's gap is new.
        if self._held and now - self._held[-1].at_ms > wait_ms(self._gaps(), self.rules):
            self._end_burst(terminated=False, swallow=False)  # this key came too late to belong to that burst
        self._held.append(_Held(target, _copy(event, text), now))
        self._wait_timer.start(max(1, int(wait_ms(self._gaps(), self.rules))))
        return True

    def _end_burst(self, *, terminated: bool, swallow: bool, at_ms: float = 0.0) -> bool:
        """Judge the held burst as it ends; returns whether the key that ended it is consumed. ``swallow``: the
        ending key is already held (it is given back with the rest if this was typing)."""
        self._wait_timer.stop()
        if not self._held:
            return swallow
        verdict = judge(self._gaps(), self.rules, terminated=terminated)
        if verdict in (Burst.TYPING, Burst.SHORT):
            text = "".join(held.event.text() for held in self._held)
            self._give_back()
            if verdict is Burst.SHORT:
                self.short.emit(text)
            return swallow
        text = "".join(held.event.text() for held in self._held)
        first_ms, last_ms = self._held[0].at_ms, self._held[-1].at_ms
        self._held.clear()
        if verdict is Burst.SCAN and not 0 <= first_ms - self._misread_ms <= self.rules.late_gap_ms * 2:
            self._scan_ended_ms = at_ms
            self.scanned.emit(text)
            return True
        # Part of a scan; or the rest of one that stalled (never a code of its own: it would be answered as
        # someone else's, or as an unknown code).
        self._misread_ms = last_ms
        self.misread.emit(text)
        return True if verdict is Burst.SCAN else swallow

    def _paused(self) -> None:
        """No key came within the wait: the burst ends here, without a terminator."""
        self._end_burst(terminated=False, swallow=False)

    def _gaps(self) -> list[float]:
        return [b.at_ms - a.at_ms for a, b in itertools.pairwise(self._held)]

    def _time_of(self, event: QKeyEvent) -> float:
        """When the key was pressed, in ms: the window system's stamp (events made up in code carry none)."""
        return float(event.timestamp()) or self.clock()

    def _give_back(self) -> None:
        """Replay held keystrokes to where they were going: it was typing, not a scan."""
        self._wait_timer.stop()
        held, self._held = self._held, []
        self._replaying = True
        try:
            for item in held:
                if not shiboken6.isValid(item.target):  # closed while its keys were held
                    continue
                QApplication.sendEvent(item.target, item.event)
                release = QKeyEvent(QEvent.Type.KeyRelease, item.event.key(), item.event.modifiers(), item.event.text())
                QApplication.sendEvent(item.target, release)
        finally:
            self._replaying = False

    def flush(self) -> None:
        self._end_burst(terminated=False, swallow=False)


def _copy(event: QKeyEvent, text: str) -> QKeyEvent:
    return QKeyEvent(event.type(), event.key(), event.modifiers(), text, event.isAutoRepeat(), event.count())
