"""Correcting an attendee's record at the desk (recorded as an event, so it syncs)."""

from __future__ import annotations

from PySide6.QtCore import Slot
from PySide6.QtWidgets import QComboBox, QDialog, QDialogButtonBox, QFormLayout, QLabel, QLineEdit, QVBoxLayout, QWidget

from checkin.desk import correction_problems
from checkin.domain import AttendeeView, RegistrationType, Status

LABELS = {
    "first_name": "First name",
    "last_name": "Last name",
    "organization": "Organization",
    "email": "Email",
    "registration_type": "Registration type",
    "status": "Payment status",
}


FIELD_WIDTH = 360  # a school district's name and an official's email, unscrolled


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
        for box in (self.first_name, self.last_name, self.organization, self.email):
            box.setMinimumWidth(FIELD_WIDTH)
        self.errors = QLabel()
        self.errors.setStyleSheet("color: #c62828; font-weight: bold;")
        self.errors.setWordWrap(True)
        form = QFormLayout()
        for field, widget in (
            ("first_name", self.first_name),
            ("last_name", self.last_name),
            ("organization", self.organization),
            ("email", self.email),
            ("registration_type", self.registration_type),
            ("status", self.status),
        ):
            form.addRow(LABELS[field], widget)
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
        changes = {k: v for k, v in self.values().items() if str(getattr(self._attendee, k)) != v}
        problems = correction_problems(changes)
        if problems:  # said here, so the volunteer's typing is not lost with the dialog
            self.errors.setText("\n".join(problems.values()))
            return
        self.changes = changes
        self.accept()
