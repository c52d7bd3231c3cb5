"""Station › Hand-outs…: a real conference sets up what the desk hands out, and the desk's card follows."""

from __future__ import annotations

from datetime import datetime

from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QApplication

from checkin.conference import entitlements
from checkin.store import Store
from ui.desk_window import DeskWindow
from ui.handouts_dialog import HandoutsDialog
from ui.sound import silent_sounds


def _tick(dialog: HandoutsDialog, *types: str) -> None:
    for n in range(dialog.types.count()):
        item = dialog.types.item(n)
        item.setCheckState(Qt.CheckState.Checked if item.text() in types else Qt.CheckState.Unchecked)


def test_hand_outs_are_added_changed_and_removed_in_the_app(qtbot, store: Store, now: datetime) -> None:
    desk = DeskWindow(store, lambda: now, silent_sounds())
    qtbot.add_widget(desk)
    before = len(desk.card.buttons)
    dialog = HandoutsDialog(store, desk)
    qtbot.add_widget(dialog)
    assert dialog.table.rowCount() == before

    dialog.code.setText("Coin 2027")  # not a code: said in the dialog, nothing saved
    dialog.name.setText("Conference coin")
    dialog.save()
    assert dialog.status.text().startswith("Not saved:") and dialog.table.rowCount() == before

    dialog.code.setText("coin27")
    _tick(dialog, "Member", "Non-member")
    dialog.save()
    assert dialog.status.text() == "Saved: Conference coin (coin27)."
    with store.reading() as session:
        [coin] = [e for e in entitlements(session) if e.code == "coin27"]
    assert coin.eligible_types == ("Member", "Non-member")
    last = dialog.table.rowCount() - 1
    assert dialog.table.item(last, 2).text() == "Member, Non-member"

    dialog.table.selectRow(last)  # picked from the table: the form shows it, and Remove takes it away
    assert dialog.code.text() == "coin27" and dialog.checked_types() == ["Member", "Non-member"]
    dialog.remove()
    assert dialog.status.text() == "Removed coin27." and dialog.table.rowCount() == before

    dialog.code.setText("lanyard")
    dialog.name.setText("Lanyard")
    _tick(dialog)
    dialog.save()
    assert "lanyard" not in desk.card.buttons

    def close_it() -> None:
        shown = QApplication.activeModalWidget()
        assert isinstance(shown, HandoutsDialog)
        shown.reject()

    QTimer.singleShot(0, close_it)
    desk.edit_handouts()  # Station › Hand-outs…, closed: the card offers what there is to give now
    assert "lanyard" in desk.card.buttons and desk.card.heading.isVisibleTo(desk.card)
