"""Walk-in registration: a short form that shows likely duplicates before making a second record."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from PySide6.QtCore import Slot
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QRadioButton,
    QVBoxLayout,
    QWidget,
)

from checkin.desk import WalkIn
from checkin.domain import AttendeeView, RegistrationType, Status
from ui.correction_dialog import FIELD_WIDTH

FindDuplicates = Callable[[str, str, str], list[AttendeeView]]


@dataclass(frozen=True)
class WalkInOutcome:
    """Either a new registration to make, or an existing attendee the volunteer picked instead."""

    form: WalkIn | None = None
    existing: AttendeeView | None = None


class WalkInDialog(QDialog):
    def __init__(
        self, find_duplicates: FindDuplicates, parent: QWidget | None = None, start: WalkIn | None = None
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle("Walk-in registration")
        self._find_duplicates = find_duplicates
        self._confirmed_new = False
        self.outcome: WalkInOutcome | None = None

        self.first_name = QLineEdit()
        self.last_name = QLineEdit()
        self.email = QLineEdit()
        self.organization = QLineEdit()
        for box in (self.first_name, self.last_name, self.email, self.organization):
            box.setMinimumWidth(FIELD_WIDTH)
        self.registration_type = QComboBox()
        self.registration_type.addItems([t.value for t in RegistrationType])
        self.registration_type.setCurrentText(RegistrationType.NON_MEMBER.value)
        # No default: a volunteer who types only a name must not register an unpaid walk-in as paid.
        self.paid = QRadioButton("Paid")
        self.unpaid = QRadioButton("Payment still to be taken")
        payment = QHBoxLayout()
        payment.addWidget(self.paid)
        payment.addWidget(self.unpaid)
        payment.addStretch()
        self.errors = QLabel()
        self.errors.setStyleSheet("color: #c62828; font-weight: bold;")
        self.errors.setWordWrap(True)
        self.duplicates = QListWidget()
        self.duplicates.setMinimumWidth(640)  # name, email, organization and number without scrolling sideways
        self.duplicates.setVisible(False)
        self.duplicates_label = QLabel("Already registered? Pick them instead of making a second record:")
        self.duplicates_label.setVisible(False)
        self.duplicates.itemActivated.connect(self._use_existing)

        form = QFormLayout()
        form.addRow("First name *", self.first_name)
        form.addRow("Last name *", self.last_name)
        form.addRow("Email", self.email)
        form.addRow("Organization", self.organization)
        form.addRow("Registration type *", self.registration_type)
        form.addRow("Payment *", payment)

        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel)
        self.register_button = QPushButton("Register")
        self.register_button.setDefault(True)
        self.use_existing_button = QPushButton("Use selected")
        self.buttons.addButton(self.register_button, QDialogButtonBox.ButtonRole.AcceptRole)
        self.buttons.addButton(self.use_existing_button, QDialogButtonBox.ButtonRole.ActionRole)
        self.use_existing_button.setVisible(False)  # after addButton, which shows it: until there is a match
        self.buttons.accepted.connect(self.submit)
        self.buttons.rejected.connect(self.reject)
        self.use_existing_button.clicked.connect(lambda: self._use_existing(self.duplicates.currentItem()))
        for field in (self.first_name, self.last_name, self.email):
            field.textEdited.connect(self._forget_confirmation)

        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.errors)
        layout.addWidget(self.duplicates_label)
        layout.addWidget(self.duplicates)
        layout.addWidget(self.buttons)
        if start is not None:
            self.first_name.setText(start.first_name)
            self.last_name.setText(start.last_name)
            self.email.setText(start.email)
        empty = [box for box in (self.first_name, self.last_name, self.email) if not box.text()]
        (empty[0] if empty else self.organization).setFocus()

    @classmethod
    def ask(
        cls, find_duplicates: FindDuplicates, parent: QWidget | None = None, start: WalkIn | None = None
    ) -> WalkInOutcome | None:
        """Run the form; ``start`` fills it in (from the search that found nobody)."""
        dialog = cls(find_duplicates, parent, start)
        dialog.exec()
        return dialog.outcome

    def form(self) -> WalkIn:
        return WalkIn(
            first_name=self.first_name.text(),
            last_name=self.last_name.text(),
            email=self.email.text(),
            organization=self.organization.text(),
            registration_type=self.registration_type.currentText(),
            status=Status.PAID if self.paid.isChecked() else Status.UNPAID if self.unpaid.isChecked() else None,
        )

    @Slot()
    def submit(self) -> None:
        form = self.form()
        problems = form.problems()
        if problems:
            self.errors.setText("\n".join(problems.values()))
            field = {"first_name": self.first_name, "last_name": self.last_name, "email": self.email}
            field |= {"status": self.paid}
            first_bad = next((field[name] for name in field if name in problems), None)
            if first_bad is not None:
                first_bad.setFocus()
            return
        if not self._confirmed_new:
            found = self._find_duplicates(form.email, form.first_name, form.last_name)
            if found:
                self._show_duplicates(found)
                return
        self.outcome = WalkInOutcome(form=form)
        self.accept()

    def _show_duplicates(self, found: list[AttendeeView]) -> None:
        self.duplicates.clear()
        for attendee in found:
            item = QListWidgetItem(
                f"{attendee.full_name} · {attendee.email or 'no email'} · {attendee.organization} · "
                f"{attendee.external_id}"
            )
            item.setData(256, attendee)
            self.duplicates.addItem(item)
        self.duplicates.setCurrentRow(0)
        for widget in (self.duplicates, self.duplicates_label, self.use_existing_button):
            widget.setVisible(True)
        who = "Someone already registered looks" if len(found) == 1 else f"{len(found)} people already registered look"
        self.errors.setText(
            f"{who} like this walk-in. Enter uses the selected record; Register anyway makes a new one."
        )
        self.register_button.setText("Register anyway")
        self._make_default(self.use_existing_button)  # drawn as Enter acts: the record that exists
        self._confirmed_new = True
        self.duplicates.setFocus()

    def _make_default(self, button: QPushButton) -> None:
        for each in (self.register_button, self.use_existing_button):
            each.setAutoDefault(each is button)
            each.setDefault(each is button)

    @Slot()
    def _forget_confirmation(self) -> None:
        self._confirmed_new = False
        self.register_button.setText("Register")
        if self.use_existing_button.isVisible():
            self._make_default(self.register_button)

    @Slot(QListWidgetItem)
    def _use_existing(self, item: QListWidgetItem | None) -> None:
        if item is None:
            return
        self.outcome = WalkInOutcome(existing=item.data(256))
        self.accept()
