"""Rooms and sessions, edited in the app: a room's setup and capacity (when the venue resets a room), and a
session's title, training hours and whether it needs pre-registration. Whole schedules come in by CSV
(`checkin sessions import`)."""

from __future__ import annotations

from PySide6.QtCore import QSize, Qt
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QDoubleSpinBox,
    QHeaderView,
    QLabel,
    QSpinBox,
    QTableWidget,
    QTableWidgetItem,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from checkin import views
from checkin.conference import store_zone
from checkin.occupancy.schedule import SETUPS, RoomEdit, RoomProblem, SessionEdit, edit_rooms_and_sessions
from checkin.store import Store
from ui.geometry import fit_and_remember


class RoomsDialog(QDialog):
    def __init__(self, store: Store, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.store = store
        self.setWindowTitle("Rooms and sessions")
        fit_and_remember(self, "rooms", QSize(900, 600))
        zone = store_zone(store)
        self.rooms = views.rooms(store)
        self.sessions = views.sessions(store)
        names = {room.id: room.name for room in self.rooms}

        self.room_table = QTableWidget(len(self.rooms), 3)
        self.room_table.setHorizontalHeaderLabels(["Room", "Setup", "Capacity"])
        self.room_table.horizontalHeader().setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        for row, room in enumerate(self.rooms):
            self.room_table.setItem(row, 0, QTableWidgetItem(room.name))
            setup = QComboBox()
            setup.addItems(SETUPS)
            setup.setCurrentText(room.setup)
            capacity = QSpinBox()
            capacity.setRange(1, 100_000)
            capacity.setValue(room.capacity)
            setup.currentTextChanged.connect(
                lambda text, r=room, box=capacity: box.setValue(int(r.capacities.get(text, box.value())))
            )
            self.room_table.setCellWidget(row, 1, setup)
            self.room_table.setCellWidget(row, 2, capacity)

        self.session_table = QTableWidget(len(self.sessions), 5)
        self.session_table.setHorizontalHeaderLabels(["When", "Room", "Title", "Hours", "Pre-registration"])
        self.session_table.horizontalHeader().setSectionResizeMode(2, QHeaderView.ResizeMode.Stretch)
        for row, item in enumerate(self.sessions):
            start, end = item.starts_at.astimezone(zone), item.ends_at.astimezone(zone)
            when = QTableWidgetItem(f"{start:%a %d %b %H:%M}–{end:%H:%M}")
            self.session_table.setItem(row, 0, when)
            self.session_table.setItem(row, 1, QTableWidgetItem(names.get(item.room_id, "?")))
            self.session_table.setItem(row, 2, QTableWidgetItem(item.title))
            hours = QDoubleSpinBox()
            hours.setRange(0, 24)
            hours.setSingleStep(0.25)
            hours.setValue(item.hours)
            self.session_table.setCellWidget(row, 3, hours)
            prereg = QCheckBox()
            prereg.setChecked(item.prereg_required)
            self.session_table.setCellWidget(row, 4, prereg)
        for row in range(self.session_table.rowCount()):
            for column in (0, 1):
                cell = self.session_table.item(row, column)
                cell.setFlags(cell.flags() & ~Qt.ItemFlag.ItemIsEditable)

        tabs = QTabWidget()
        tabs.addTab(self.room_table, "&Rooms")
        tabs.addTab(self.session_table, "&Sessions")
        self.status = QLabel(
            "A room's capacity follows its setup's posted figure; type another if the fire marshal posted one."
        )
        self.status.setWordWrap(True)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(self.save)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(tabs)
        layout.addWidget(self.status)
        layout.addWidget(buttons)

    def save(self) -> None:
        rooms = [
            RoomEdit(
                room.name,
                self.room_table.cellWidget(row, 1).currentText(),  # type: ignore[union-attr]
                self.room_table.cellWidget(row, 2).value(),  # type: ignore[union-attr]
            )
            for row, room in enumerate(self.rooms)
        ]
        sessions = [
            SessionEdit(
                item.id,
                self.session_table.item(row, 2).text(),
                self.session_table.cellWidget(row, 3).value(),  # type: ignore[union-attr]
                self.session_table.cellWidget(row, 4).isChecked(),  # type: ignore[union-attr]
            )
            for row, item in enumerate(self.sessions)
        ]
        try:
            with self.store.unit_of_work() as session:
                edit_rooms_and_sessions(session, rooms, sessions)
        except RoomProblem as error:
            self.status.setText(str(error))
            return
        self.accept()
