"""Tables that read well: one that says why it is empty (a bare header row reads as "still loading" or
"broken"), one that gives names the room they need."""

from __future__ import annotations

from PySide6.QtCore import QAbstractItemModel, Qt
from PySide6.QtGui import QPainter, QPaintEvent, QResizeEvent
from PySide6.QtWidgets import QHeaderView, QTableView, QTableWidget, QWidget


class NotedTable(QTableWidget):
    """A QTableWidget that draws ``empty_note`` in its body while it has no rows."""

    def __init__(self, columns: int, empty_note: str = "", parent: QWidget | None = None) -> None:
        super().__init__(0, columns, parent)
        self.empty_note = empty_note

    def set_empty_note(self, note: str) -> None:
        if note != self.empty_note:
            self.empty_note = note
            self.viewport().update()

    @classmethod
    def listing(cls, headers: list[str], stretch: int, empty_note: str = "") -> NotedTable:
        """A read-only list: ``headers`` sized to their contents, column ``stretch`` taking the rest."""
        table = cls(len(headers), empty_note)
        table.setHorizontalHeaderLabels(headers)
        table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        table.horizontalHeader().setSectionResizeMode(stretch, QHeaderView.ResizeMode.Stretch)
        table.verticalHeader().setVisible(False)
        table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        return table

    def paintEvent(self, event: QPaintEvent) -> None:
        super().paintEvent(event)
        if self.rowCount() or not self.empty_note:
            return
        painter = QPainter(self.viewport())
        painter.setPen(self.palette().placeholderText().color())
        area = self.viewport().rect().adjusted(12, 12, -12, -12)
        painter.drawText(area, Qt.AlignmentFlag.AlignCenter | Qt.TextFlag.TextWordWrap, self.empty_note)
        painter.end()


class NameFirstTable(QTableView):
    """Search results: the name column gets the room its longest name needs (up to two thirds of what the two text
    columns share), the organization the rest; the short columns fit their contents. Two equal stretching
    columns would cut "Hohenzollern-Sigmaringen, Maximilian" beside an organization column with room to spare."""

    def setModel(self, model: QAbstractItemModel | None) -> None:
        super().setModel(model)
        header = self.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Interactive)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        if model is not None:
            model.modelReset.connect(self.fit_name)

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self.fit_name()

    def fit_name(self) -> None:
        model, header = self.model(), self.horizontalHeader()
        if model is None or model.columnCount() < 2:
            return
        shared = self.viewport().width() - sum(header.sectionSize(c) for c in range(2, model.columnCount()))
        wanted = max(self.sizeHintForColumn(0), header.sectionSizeHint(0))
        header.resizeSection(0, max(shared // 2, min(wanted, shared * 2 // 3)))
