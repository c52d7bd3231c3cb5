"""A table that says why it is empty: a bare header row reads as "still loading" or "broken"."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QPainter, QPaintEvent
from PySide6.QtWidgets import QTableWidget, QWidget


class NotedTable(QTableWidget):
    """A QTableWidget that draws ``empty_note`` in its body while it has no rows."""

    def __init__(self, columns: int, empty_note: str = "", parent: QWidget | None = None) -> None:
        super().__init__(0, columns, parent)
        self.empty_note = empty_note

    def set_empty_note(self, note: str) -> None:
        if note != self.empty_note:
            self.empty_note = note
            self.viewport().update()

    def paintEvent(self, event: QPaintEvent) -> None:
        super().paintEvent(event)
        if self.rowCount() or not self.empty_note:
            return
        painter = QPainter(self.viewport())
        painter.setPen(self.palette().placeholderText().color())
        area = self.viewport().rect().adjusted(12, 12, -12, -12)
        painter.drawText(area, Qt.AlignmentFlag.AlignCenter | Qt.TextFlag.TextWordWrap, self.empty_note)
        painter.end()
