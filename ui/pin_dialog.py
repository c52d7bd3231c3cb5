"""The supervisor PIN at a window: asked for a privileged action (see checkin.supervisor.Privileged)."""

from __future__ import annotations

from datetime import datetime

from PySide6.QtWidgets import QDialog, QDialogButtonBox, QLabel, QLineEdit, QVBoxLayout, QWidget

from checkin.store import Store
from checkin.supervisor import Privileged, check_pin, pin_is_set


class PinDialog(QDialog):
    """The supervisor PIN, typed without showing it."""

    def __init__(self, action: Privileged, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Muster · Staff")
        self.pin = QLineEdit()
        self.pin.setEchoMode(QLineEdit.EchoMode.Password)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(QLabel(f"Supervisor PIN to {action}:"))
        layout.addWidget(self.pin)
        layout.addWidget(buttons)

    @classmethod
    def ask(cls, action: Privileged, parent: QWidget | None = None) -> str | None:
        dialog = cls(action, parent)
        return dialog.pin.text() if dialog.exec() == QDialog.DialogCode.Accepted else None


def supervisor_refuses(store: Store, now: datetime, action: Privileged, parent: QWidget | None) -> str | None:
    """Ask for the PIN when this station has one: None to go on, else the words for why not."""
    if not pin_is_set(store):
        return None
    typed = PinDialog.ask(action, parent)
    if typed is None:
        return f"Not done: to {action} needs the supervisor PIN."
    check = check_pin(store, typed, now)
    return None if check.accepted else f"{check.words()} Not done: to {action} needs the supervisor PIN."
