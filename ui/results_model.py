"""Search results as a Qt table model: a thin adapter over a list of core AttendeeViews."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtGui import QColor

from checkin.domain import AttendeeView, Status

Index = QModelIndex | QPersistentModelIndex


class AttendeeResultsModel(QAbstractTableModel):
    HEADERS = ("Name", "Organization", "Type", "Status", "Checked in")

    def __init__(self) -> None:
        super().__init__()
        self._rows: list[AttendeeView] = []

    def set_rows(self, rows: list[AttendeeView]) -> None:
        self.beginResetModel()
        self._rows = list(rows)
        self.endResetModel()

    def attendee(self, row: int) -> AttendeeView | None:
        return self._rows[row] if 0 <= row < len(self._rows) else None

    def row_of(self, attendee_id: str) -> int:
        return next((i for i, a in enumerate(self._rows) if a.id == attendee_id), -1)

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008 - Qt's signature
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.HEADERS)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if role == Qt.ItemDataRole.DisplayRole and orientation == Qt.Orientation.Horizontal:
            return self.HEADERS[section] if 0 <= section < len(self.HEADERS) else None
        return None

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self._rows):
            return None
        a = self._rows[index.row()]
        column = index.column()
        if role == Qt.ItemDataRole.DisplayRole:
            return (
                f"{a.last_name}, {a.first_name}",
                a.organization,
                a.registration_type,
                a.status.value,
                "✔" if a.checked_in else "",
            )[column]
        if role == Qt.ItemDataRole.ForegroundRole and column == 3 and a.status is not Status.PAID:
            return QColor("#c62828") if a.status is Status.CANCELLED else QColor("#8a6d00")
        if role == Qt.ItemDataRole.ToolTipRole and column == 0:
            return f"{a.full_name} · {a.email} · {a.external_id}"
        return None
