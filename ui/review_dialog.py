"""Settling what two stations did at once while cut off from each other: duplicate badges are marked dealt
with (with a note of what was done), records registered twice under one email are merged. The rules are in
``checkin.sync.conflicts``; this window only shows them and asks."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from PySide6.QtCore import QSize, Qt, Slot
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from checkin.conference import store_zone
from checkin.domain import AttendeeView
from checkin.rules.local_time import local_moment
from checkin.store import Store
from checkin.supervisor import Privileged
from checkin.sync import conflicts
from ui.geometry import fit_and_remember
from ui.pin_dialog import supervisor_refuses

Clock = Callable[[], datetime]


class ReviewDialog(QDialog):
    def __init__(self, store: Store, clock: Clock, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.store, self.clock = store, clock
        self.zone = store_zone(store)
        self.setWindowTitle("Review duplicates")
        fit_and_remember(self, "review", QSize(900, 560))
        self.badges: list[conflicts.DuplicateBadge] = []
        self.groups: list[list[AttendeeView]] = []
        self.rows: list[tuple[int, AttendeeView]] = []  # (group, record) for each row of the email table

        self.badge_table = _table(["Name", "Registration", "First checked in", "Checked in again"])
        self.badge_table.itemSelectionChanged.connect(self._update_buttons)
        self.note = QLineEdit()
        self.note.setPlaceholderText("What was done, e.g. “second badge collected”")
        self.note.textChanged.connect(self._update_buttons)
        self.note.returnPressed.connect(self.mark_reviewed)
        self.review_button = QPushButton("&Mark dealt with")
        self.review_button.clicked.connect(self.mark_reviewed)
        self.email_table = _table(["Email", "Name", "Registration", "Made by", "Checked in"])
        self.email_table.itemSelectionChanged.connect(self._update_buttons)
        self.merge_button = QPushButton()
        self.merge_button.clicked.connect(self.merge_selected)
        self.outcome = QLabel()
        self.outcome.setWordWrap(True)

        badge_help = QLabel(
            "<b>Duplicate badges</b>: two desks checked the same person in while cut off from each "
            "other, so two badges were printed. Collect one, then say what was done."
        )
        email_help = QLabel(
            "<b>Registered twice</b>: records with the same email, at least one a walk-in. Select "
            "the record to keep; the others are merged into it (cancelled, their check-in moved)."
        )
        for label in (badge_help, email_help):
            label.setWordWrap(True)
        note_row = QHBoxLayout()
        note_row.addWidget(self.note, 1)
        note_row.addWidget(self.review_button)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(badge_help)
        layout.addWidget(self.badge_table, 1)
        layout.addLayout(note_row)
        layout.addWidget(email_help)
        layout.addWidget(self.email_table, 1)
        layout.addWidget(self.merge_button, 0, Qt.AlignmentFlag.AlignRight)
        layout.addWidget(self.outcome)
        layout.addWidget(buttons)
        self.reload()

    def reload(self, said: str = "") -> None:
        """Read the flags again (a sync may have brought or settled some) and say ``said`` about the last action."""
        now = self.clock()
        with self.store.reading() as session:
            self.badges = conflicts.duplicate_badges(session)
            self.groups = conflicts.walk_in_duplicates(session)
        self.badge_table.setRowCount(len(self.badges))
        for row, badge in enumerate(self.badges):
            _fill(
                self.badge_table,
                row,
                [
                    badge.attendee.full_name,
                    badge.attendee.external_id,
                    f"{local_moment(badge.first_at, self.zone, now)} by {badge.first_station}",
                    f"{local_moment(badge.at, self.zone, now)} by {badge.station}",
                ],
            )
        self.rows = [(number, view) for number, group in enumerate(self.groups) for view in group]
        self.email_table.setRowCount(len(self.rows))
        for row, (_group, view) in enumerate(self.rows):
            arrived = local_moment(view.checked_in_at, self.zone, now) if view.checked_in_at else "no"
            _fill(
                self.email_table,
                row,
                [
                    view.email,
                    view.full_name,
                    view.external_id,
                    "walk-in" if view.source == "walk_in" else "registration system",
                    arrived,
                ],
            )
        if self.badges:
            self.badge_table.selectRow(0)
        if self.rows:  # the record to keep in the first group, so Enter on the button does the usual thing
            keep = conflicts.record_to_keep(self.groups[0])
            self.email_table.selectRow(next(row for row, (_g, view) in enumerate(self.rows) if view == keep))
        self.outcome.setText(
            " ".join(filter(None, [said, "" if self.badges or self.rows else "Nothing left to review."]))
        )
        self._update_buttons()
        (self.note if self.badges else self.email_table).setFocus()

    def _selected(self, table: QTableWidget) -> int | None:
        rows = table.selectionModel().selectedRows()
        return rows[0].row() if rows else None

    @Slot()
    def _update_buttons(self) -> None:
        self.review_button.setEnabled(self._selected(self.badge_table) is not None and bool(self.note.text().strip()))
        row = self._selected(self.email_table)
        if row is None:
            self.merge_button.setText("&Keep the selected record, merge the others into it")
            self.merge_button.setEnabled(False)
            return
        group, keep = self.rows[row]
        others = len(self.groups[group]) - 1
        self.merge_button.setText(
            f"&Keep {keep.full_name} ({keep.external_id}), merge the "
            f"{'other' if others == 1 else f'{others} others'} into it"
        )
        self.merge_button.setEnabled(True)

    @Slot()
    def mark_reviewed(self) -> None:
        row = self._selected(self.badge_table)
        if row is None or not self.note.text().strip():
            return
        badge = self.badges[row]
        try:
            conflicts.review(self.store, badge.event_id, self.note.text(), self.clock())
        except conflicts.ConflictProblem as problem:  # another station settled it meanwhile
            self.reload(f"Not marked: {problem}.")
            return
        self.note.clear()
        self.reload(f"{badge.attendee.full_name}: duplicate badge marked dealt with.")

    @Slot()
    def merge_selected(self) -> None:
        row = self._selected(self.email_table)
        if row is None:
            return
        group, keep = self.rows[row]
        others = [view for view in self.groups[group] if view != keep]
        names = ", ".join(f"{view.full_name} ({view.external_id})" for view in others)
        answer = QMessageBox.question(
            self,
            "Merge records",
            f"Merge {names} into {keep.full_name} ({keep.external_id})?\n\n"
            f"{'It is' if len(others) == 1 else 'They are'} cancelled as merged, and a check-in moves to "
            f"{keep.external_id}. Every station makes the same change when it syncs.",
            QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.Cancel,
            QMessageBox.StandardButton.Cancel,
        )
        if answer != QMessageBox.StandardButton.Yes:
            return
        if refused := supervisor_refuses(self.store, self.clock(), Privileged.MERGE, self):
            self.reload(refused)
            return
        try:
            for view in others:
                conflicts.merge(self.store, view.id, keep.id, self.clock())
        except conflicts.ConflictProblem as problem:
            self.reload(f"Not merged: {problem}.")
            return
        self.reload(f"Merged {names} into {keep.full_name} ({keep.external_id}).")


def _table(headers: list[str]) -> QTableWidget:
    table = QTableWidget(0, len(headers))
    table.setHorizontalHeaderLabels(headers)
    table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
    table.horizontalHeader().setStretchLastSection(True)
    table.verticalHeader().setVisible(False)
    table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
    return table


def _fill(table: QTableWidget, row: int, texts: list[str]) -> None:
    for column, text in enumerate(texts):
        table.setItem(row, column, QTableWidgetItem(text))
