"""The attendee card at the desk: who this is, whether they may check in, and what they have received."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from datetime import datetime, tzinfo

from PySide6.QtCore import Qt, Signal, Slot
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import QFrame, QGridLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from checkin.domain import AttendeeView, Entitlement, Status
from checkin.rules.local_time import local_moment
from checkin.sync.conflicts import DuplicateBadge
from ui.theme import STATUS_TONES, TONE_COLOURS

# What the desk does next for someone not checked in yet: Enter is refused until the record allows it.
NEXT_STEP = {
    Status.PAID: "Not checked in yet. Press Enter to check in.",
    Status.UNPAID: "Not paid yet: take payment, mark the record paid (Ctrl+E), then press Enter.",
    Status.CANCELLED: "Registration cancelled: cannot check in.",
}


class AttendeeCard(QFrame):
    entitlement_requested = Signal(str)  # entitlement code

    def __init__(self, entitlements: list[Entitlement], zone: tzinfo, clock: Callable[[], datetime]) -> None:
        super().__init__()
        self.setObjectName("card")
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.setStyleSheet("QFrame#card { background: #ffffff; border: 1px solid #cfd8dc; border-radius: 8px; }")
        self._zone = zone
        self._clock = clock
        self._entitlements = entitlements
        self.attendee: AttendeeView | None = None

        self.name = QLabel()
        self.name.setWordWrap(True)
        self.name.setStyleSheet("font-size: 22pt; font-weight: bold;")
        self.organization = QLabel()
        self.organization.setWordWrap(True)
        self.organization.setStyleSheet("font-size: 13pt;")
        self.details = QLabel()
        self.details.setWordWrap(True)
        self.status = QLabel()
        self.arrival = QLabel()
        self.arrival.setStyleSheet("font-size: 13pt;")
        self.arrival.setWordWrap(True)  # a long line would widen the card and squeeze the results

        self.buttons: dict[str, QPushButton] = {}
        self._shortcuts: list[QShortcut] = []
        self._grid = QGridLayout()
        holder = QWidget()
        holder.setLayout(self._grid)

        layout = QVBoxLayout(self)
        for widget in (self.name, self.organization, self.details, self.status, self.arrival):
            layout.addWidget(widget)
        self.heading = QLabel("Hand out")
        self.heading.setStyleSheet("font-weight: bold; margin-top: 8px;")
        layout.addWidget(self.heading)
        layout.addWidget(holder)
        layout.addStretch(1)
        self.set_entitlements(entitlements)
        self.show_attendee(None, {})

    def set_entitlements(self, entitlements: list[Entitlement]) -> None:
        """The hand-out buttons, one per item (Ctrl+1..9 for the first nine), made anew when the items change."""
        for button in self.buttons.values():
            button.deleteLater()
        for shortcut in self._shortcuts:
            shortcut.setEnabled(False)
            shortcut.deleteLater()
        self.buttons, self._shortcuts = {}, []
        self._entitlements = list(entitlements)
        for number, item in enumerate(entitlements, 1):
            button = QPushButton()
            button.clicked.connect(lambda _=False, code=item.code: self.entitlement_requested.emit(code))
            if number <= 9:
                # A QShortcut, not button.setShortcut: QAbstractButton.setText() resets a button's shortcut.
                shortcut = QShortcut(QKeySequence(f"Ctrl+{number}"), self)
                shortcut.activated.connect(button.click)
                self._shortcuts.append(shortcut)
            self.buttons[item.code] = button
            self._grid.addWidget(button, (number - 1) // 2, (number - 1) % 2)
        self.heading.setVisible(bool(self.buttons))  # a conference with nothing to hand out shows no empty heading

    @Slot()
    def show_attendee(
        self,
        attendee: AttendeeView | None,
        given: Mapping[str, tuple[datetime, str]],
        duplicates: Sequence[DuplicateBadge] = (),
        among: int = 0,
    ) -> None:
        """Show ``attendee``; ``given`` maps entitlement code -> (when, station); ``among``: how many matches the
        card is one of, while the volunteer has not picked it (Enter waits for a pick then)."""
        self.attendee = attendee
        self.status.setVisible(attendee is not None)  # an empty label keeps its coloured background
        if attendee is None:
            self.name.setText("No attendee selected")
            for label in (self.organization, self.details, self.status, self.arrival):
                label.setText("")
            self._label_buttons({}, None)
            return
        self.name.setText(attendee.full_name)
        place = ", ".join(p for p in (attendee.city, attendee.region) if p)
        self.organization.setText(" · ".join(p for p in (attendee.organization, place) if p))
        ticket = f" ({attendee.ticket})" if attendee.ticket and attendee.ticket != attendee.registration_type else ""
        self.details.setText(
            f"<b>{attendee.registration_type or 'No type'}</b>{ticket}<br>{attendee.email}<br>"
            f"Registration {attendee.external_id}"
        )
        self.details.setTextFormat(Qt.TextFormat.RichText)
        background, text = TONE_COLOURS[STATUS_TONES[attendee.status]]
        reason = f": {attendee.status_reason}" if attendee.status_reason else ""
        self.status.setText(f"{attendee.status.value.upper()}{reason}")
        self.status.setStyleSheet(
            f"background: {background}; color: {text}; font-weight: bold; padding: 4px 8px; border-radius: 4px;"
        )
        if attendee.checked_in_at:
            when = local_moment(attendee.checked_in_at, self._zone, self._clock())
            text = f"✔ Checked in at {when} by {attendee.checked_in_station}"
            for again in duplicates:  # two desks checked this person in while apart: two badges exist
                text += (
                    f"\n⚠ Also checked in at {local_moment(again.at, self._zone, self._clock())} by "
                    f"{again.station}: a second badge was printed. Collect one, then mark it dealt with "
                    f"(Station › Review duplicates)."
                )
            self.arrival.setText(text)
        elif among > 1 and attendee.status is Status.PAID:
            self.arrival.setText(f"Not checked in yet. {among} people match: move to this row (↓ ↑), then Enter.")
        else:
            self.arrival.setText(NEXT_STEP[attendee.status])
        self._label_buttons(given, attendee)

    def _label_buttons(self, given: Mapping[str, tuple[datetime, str]], attendee: AttendeeView | None) -> None:
        for number, item in enumerate(self._entitlements, 1):
            button = self.buttons[item.code]
            key = f"  (Ctrl+{number})" if number <= 9 else ""
            if item.code in given:
                when, station = given[item.code]
                button.setText(f"✔ {item.name}: given {local_moment(when, self._zone, self._clock())}, {station}")
            elif attendee is not None and not item.allows(attendee.registration_type):
                button.setText(f"{item.name}: not included")
            else:
                button.setText(f"{item.name}{key}")
            # Always clickable: a second attempt answers with when and where it was given.
            button.setEnabled(attendee is not None)
