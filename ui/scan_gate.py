"""Scans that arrive while a dialog is open wait until it closes.

A scan read during the reprint prompt for one attendee used to switch the card to another, and the first
person's badge then printed under the second's card. Held scans are read, in order, once the dialog is gone.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QObject, QTimer, Slot
from PySide6.QtWidgets import QApplication, QDialog


class ScanGate(QObject):
    def __init__(self, read: Callable[[str], None], held: Callable[[int], None], parent: QObject) -> None:
        super().__init__(parent)
        self.read, self.said_held = read, held
        self.waiting: list[str] = []
        self._watched: QDialog | None = None

    def offer(self, text: str) -> None:
        """Read ``text`` now, or, behind an open dialog, once it closes (``held`` says how many wait)."""
        modal = QApplication.activeModalWidget()
        if modal is None and not self.waiting:
            self.read(text)
            return
        self.waiting.append(text)
        self.said_held(len(self.waiting))
        self._release()

    @Slot()
    def _dialog_closed(self) -> None:
        self._watched = None
        QTimer.singleShot(0, self._release)  # after the code that opened the dialog has finished with its answer

    @Slot()
    def _release(self) -> None:
        """Read what waits, unless a dialog is open (perhaps another, opened meanwhile): then wait for it."""
        modal = QApplication.activeModalWidget()
        if modal is not None:
            if isinstance(modal, QDialog) and modal is not self._watched:
                self._watched = modal
                modal.finished.connect(self._dialog_closed)
            return
        waiting, self.waiting = self.waiting, []
        for text in waiting:
            self.read(text)
