"""Keyboard-wedge scanners: tell a scan from typing, wherever the focus is, and keep scans out of text fields.

A wedge scanner "types" a code as keystrokes a few milliseconds apart and ends it with Enter or Tab.
The filter holds back each plain keystroke for ``max_gap_ms``: if more keys follow that fast and a
terminator ends a long enough burst, it is a scan and is emitted as ``scanned``; anything else is
replayed, unchanged, to the widget it was meant for (typing is delayed by a few tens of ms, which
nobody notices). Keys with Ctrl, Alt or Meta are shortcuts and always pass straight through.

Gaps are measured between the times the window system stamped on the keys, not the times they are
handled: after the window was busy for a moment (a slow search, a dialog opening), a person's queued
keystrokes are handled back to back, and by the clock alone they would look like a scan and vanish.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass

import shiboken6
from PySide6.QtCore import QEvent, QObject, Qt, QTimer, Signal
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import QApplication, QWidget

TERMINATORS = {Qt.Key.Key_Return, Qt.Key.Key_Enter, Qt.Key.Key_Tab}
# A scanner, like a keyboard, presses Shift for each capital letter (or toggles Caps Lock): keys with no
# text of their own that must neither end a burst nor count in it.
MODIFIER_KEYS = {Qt.Key.Key_Shift, Qt.Key.Key_CapsLock, Qt.Key.Key_AltGr}
_SHORTCUT_MODIFIERS = (
    Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.AltModifier | Qt.KeyboardModifier.MetaModifier
)


@dataclass(frozen=True)
class WedgeSettings:
    max_gap_ms: float = 40.0  # scanners: 1-30 ms between keys; people: 80 ms and more
    min_length: int = 6  # shorter bursts ending in Enter are a person pressing Enter after typing


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

    def __init__(
        self,
        settings: WedgeSettings | None = None,
        clock: Callable[[], float] = _monotonic_ms,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self.settings = settings or WedgeSettings()
        self.clock = clock
        self._held: list[_Held] = []
        self._replaying = False
        self._scan_ended_ms = float("-inf")
        self._flush_timer = QTimer(self)
        self._flush_timer.setSingleShot(True)
        self._flush_timer.timeout.connect(self._give_back)

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
        if event.modifiers() & _SHORTCUT_MODIFIERS:
            self._give_back()
            return False
        now = self._time_of(event)
        fast = bool(self._held) and 0 <= now - self._held[-1].at_ms <= self.settings.max_gap_ms
        if event.key() in TERMINATORS and not self._held and 0 <= now - self._scan_ended_ms <= self.settings.max_gap_ms:
            # Scanners set to send CR LF (or Enter + Tab) end a scan twice; the second must not press
            # Enter in the search field, which would check in whoever is selected there.
            self._scan_ended_ms = now
            return True
        if event.key() in TERMINATORS:
            if fast and len(self._held) >= self.settings.min_length:
                text = "".join(held.event.text() for held in self._held)
                self._held.clear()
                self._flush_timer.stop()
                self._scan_ended_ms = now
                self.scanned.emit(text)
                return True
            self._give_back()
            return False
        text = event.text()
        if not text or not text.isprintable():
            self._give_back()
            return False
        if self._held and not fast:
            self._give_back()
        self._held.append(
            _Held(
                target,
                QKeyEvent(event.type(), event.key(), event.modifiers(), text, event.isAutoRepeat(), event.count()),
                now,
            )
        )
        self._flush_timer.start(max(1, int(self.settings.max_gap_ms)))
        return True

    def _time_of(self, event: QKeyEvent) -> float:
        """When the key was pressed, in ms: the window system's stamp (events made up in code carry none)."""
        return float(event.timestamp()) or self.clock()

    def _give_back(self) -> None:
        """Replay held keystrokes to where they were going: it was typing, not a scan."""
        self._flush_timer.stop()
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
        self._give_back()
