"""Answering a modal dialog from a test: the answer is queued before the call that opens (and waits on) it."""

from __future__ import annotations

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication, QInputDialog

from ui.pin_dialog import PinDialog


def answer_pin(pin: str | None, reason: str = "") -> None:
    """Type ``pin`` into the next supervisor PIN dialog (None: cancel it); with ``reason``, answer the reason
    dialog that follows it too (a door's override)."""

    def give_reason() -> None:
        dialog = QApplication.activeModalWidget()
        assert isinstance(dialog, QInputDialog)
        dialog.setTextValue(reason)
        dialog.accept()

    def type_pin() -> None:
        dialog = QApplication.activeModalWidget()
        assert isinstance(dialog, PinDialog)
        if pin is None:
            dialog.reject()
            return
        dialog.pin.setText(pin)
        if reason:
            QTimer.singleShot(0, give_reason)
        dialog.accept()

    QTimer.singleShot(0, type_pin)
