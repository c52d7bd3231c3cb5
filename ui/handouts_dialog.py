"""Station › Hand-outs…: the items this conference hands out at the desk (the coin, the bag, a certificate) and
which registration types get each, set up in the app as `checkin handouts` does in the terminal."""

from __future__ import annotations

from PySide6.QtCore import Qt, Slot
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from checkin.conference import entitlements
from checkin.domain import RegistrationType
from checkin.handouts import HandoutProblem, add_handout, remove_handout
from checkin.store import Store
from ui.tables import NotedTable


class HandoutsDialog(QDialog):
    def __init__(self, store: Store, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.store = store
        self.setWindowTitle("Muster · Hand-outs")
        intro = QLabel(
            "What the desk hands out, once per person, and who gets it (no type ticked: everyone who came). "
            "At a venue with a hub, set them up on the laptop that holds the conference, then run "
            "<tt>checkin hub init</tt> again so every station has them."
        )
        intro.setWordWrap(True)
        self.table = NotedTable.listing(
            ["Code", "Item", "Who gets it"], stretch=2, empty_note="No hand-outs yet: add the first one below."
        )
        self.table.setSelectionBehavior(QTableWidget.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QTableWidget.SelectionMode.SingleSelection)
        self.code = QLineEdit()
        self.code.setPlaceholderText("coin")
        self.name = QLineEdit()
        self.name.setPlaceholderText("Conference coin")
        self.types = QListWidget()
        for kind in RegistrationType:
            item = QListWidgetItem(kind.value)
            item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
            item.setCheckState(Qt.CheckState.Unchecked)
            self.types.addItem(item)
        self.types.setMaximumHeight(self.types.sizeHintForRow(0) * 6)
        form = QFormLayout()
        form.addRow("&Code:", self.code)
        form.addRow("&Item:", self.name)
        form.addRow("&For:", self.types)
        self.save_button = QPushButton("&Add or change")
        self.remove_button = QPushButton("&Remove selected")
        self.save_button.clicked.connect(self.save)
        self.remove_button.clicked.connect(self.remove)
        row = QHBoxLayout()
        row.addWidget(self.save_button)
        row.addWidget(self.remove_button)
        row.addStretch(1)
        self.status = QLabel()
        self.status.setWordWrap(True)
        close = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        close.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addWidget(self.table, 1)
        layout.addLayout(form)
        layout.addLayout(row)
        layout.addWidget(self.status)
        layout.addWidget(close)
        self.table.itemSelectionChanged.connect(self._fill_form)
        self.setMinimumWidth(600)
        self.reload()

    def reload(self) -> None:
        with self.store.reading() as session:
            self.items = entitlements(session)
        self.table.setRowCount(len(self.items))
        for n, item in enumerate(self.items):
            who = ", ".join(item.eligible_types) or "everyone who came"
            for column, text in enumerate((item.code, item.name, who)):
                self.table.setItem(n, column, QTableWidgetItem(text))

    def checked_types(self) -> list[str]:
        return [
            self.types.item(n).text()
            for n in range(self.types.count())
            if self.types.item(n).checkState() == Qt.CheckState.Checked
        ]

    @Slot()
    def save(self) -> None:
        try:
            with self.store.unit_of_work() as session:
                item = add_handout(session, self.code.text(), self.name.text(), self.checked_types())
        except HandoutProblem as problem:
            self._say(f"Not saved: {problem}.", good=False)
            return
        self.reload()
        self._say(f"Saved: {item.name} ({item.code}).", good=True)

    @Slot()
    def remove(self) -> None:
        rows = self.table.selectionModel().selectedRows()
        if not rows:
            self._say("Select the item to remove in the table first.", good=False)
            return
        code = self.items[rows[0].row()].code
        try:
            with self.store.unit_of_work() as session:
                remove_handout(session, code)
        except HandoutProblem as problem:
            self._say(f"Not removed: {problem}.", good=False)
            return
        self.reload()
        self._say(f"Removed {code}.", good=True)

    @Slot()
    def _fill_form(self) -> None:
        rows = self.table.selectionModel().selectedRows()
        if not rows:
            return
        item = self.items[rows[0].row()]
        self.code.setText(item.code)
        self.name.setText(item.name)
        for n in range(self.types.count()):
            ticked = self.types.item(n).text() in item.eligible_types
            self.types.item(n).setCheckState(Qt.CheckState.Checked if ticked else Qt.CheckState.Unchecked)

    def _say(self, text: str, good: bool) -> None:
        self.status.setText(text)
        self.status.setStyleSheet("color: #2e7d32;" if good else "color: #c62828; font-weight: bold;")
