"""Correcting an attendee's record at the desk (recorded as an event, so it syncs)."""

from __future__ import annotations

from PySide6.QtCore import Slot
from PySide6.QtWidgets import QComboBox, QDialog, QDialogButtonBox, QFormLayout, QLabel, QLineEdit, QVBoxLayout, QWidget

from checkin.domain import AttendeeView, RegistrationType, Status


class CorrectionDialog(QDialog):
    def __init__(self, attendee: AttendeeView, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(f"Correct {attendee.full_name}")
        self._attendee = attendee
        self.changes: dict[str, str] | None = None
        self.first_name = QLineEdit(attendee.first_name)
        self.last_name = QLineEdit(attendee.last_name)
        self.organization = QLineEdit(attendee.organization)
        self.email = QLineEdit(attendee.email)
        self.registration_type = QComboBox()
        self.registration_type.setEditable(True)
        self.registration_type.addItems([t.value for t in RegistrationType])
        self.registration_type.setCurrentText(attendee.registration_type)
        self.status = QComboBox()
        self.status.addItems([s.value for s in Status])
        self.status.setCurrentText(attendee.status.value)
        self.errors = QLabel()
        self.errors.setStyleSheet("color: #c62828; font-weight: bold;")
        form = QFormLayout()
        form.addRow("First name", self.first_name)
        form.addRow("Last name", self.last_name)
        form.addRow("Organization", self.organization)
        form.addRow("Email", self.email)
        form.addRow("Registration type", self.registration_type)
        form.addRow("Payment status", self.status)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(self.submit)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.errors)
        layout.addWidget(buttons)

    @classmethod
    def ask(cls, attendee: AttendeeView, parent: QWidget | None = None) -> dict[str, str] | None:
        """The fields the volunteer changed, or None if they cancelled."""
        dialog = cls(attendee, parent)
        dialog.exec()
        return dialog.changes

    def values(self) -> dict[str, str]:
        return {
            "first_name": self.first_name.text().strip(),
            "last_name": self.last_name.text().strip(),
            "organization": self.organization.text().strip(),
            "email": self.email.text().strip(),
            "registration_type": self.registration_type.currentText().strip(),
            "status": self.status.currentText(),
        }

    @Slot()
    def submit(self) -> None:
        values = self.values()
        if not values["first_name"] or not values["last_name"]:
            self.errors.setText("First and last name cannot be empty.")
            return
        self.changes = {k: v for k, v in values.items() if str(getattr(self._attendee, k)) != v}
        self.accept()
