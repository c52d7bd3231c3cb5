from __future__ import annotations

from datetime import datetime
from pathlib import Path

from PySide6.QtWidgets import QDialog, QFileDialog, QInputDialog

from checkin.conference import current_conference, has_conference
from checkin.store import Store
from ui.first_run import FirstRunDialog, Start

DATA = Path(__file__).resolve().parents[1] / "data"


def dialog_on(qtbot, store: Store, now: datetime) -> FirstRunDialog:
    dialog = FirstRunDialog(store, "/tmp/muster.sqlite", lambda: now)
    qtbot.add_widget(dialog)
    dialog.show()
    return dialog


def test_import_from_the_first_run_makes_the_conference(qtbot, empty_store: Store, now: datetime, monkeypatch) -> None:
    dialog = dialog_on(qtbot, empty_store, now)
    monkeypatch.setattr(
        QFileDialog,
        "getOpenFileName",  # the system's file picker: the file the admin picks
        staticmethod(lambda *args, **kwargs: (str(DATA / "wildapricot_registrants.csv"), "")),
    )
    monkeypatch.setattr(QInputDialog, "getText", staticmethod(lambda *args, **kwargs: ("NASRO 2027", True)))
    dialog.import_button.click()
    assert dialog.result() == QDialog.DialogCode.Accepted and dialog.choice is Start.IMPORTED
    assert "registrants (wildapricot)" in dialog.report
    with empty_store.reading() as session:
        assert current_conference(session).name == "NASRO 2027"


def test_a_bad_export_is_explained_in_the_dialog_and_nothing_is_written(
    qtbot, empty_store: Store, now: datetime, tmp_path: Path
) -> None:
    dialog = dialog_on(qtbot, empty_store, now)
    bad = tmp_path / "export.csv"
    bad.write_text("Registration ID,First Name,Last Name\nA1,Ann,Lee\nA1,Bo,Li\n", encoding="utf-8")
    assert not dialog.import_export(bad, "NASRO 2027")
    assert dialog.isVisible() and dialog.choice is None
    assert dialog.status.text().startswith("export.csv was not imported")
    assert dialog.problems.isVisible() and "line 3" in dialog.problems.toPlainText()
    assert "already appears on line 2" in dialog.problems.toPlainText()
    assert not dialog.import_export(tmp_path / "gone.csv", "NASRO 2027")
    assert dialog.status.text().startswith("gone.csv was not imported") and "gone.csv" in dialog.problems.toPlainText()
    with empty_store.reading() as session:
        assert not has_conference(session)


def test_the_demo_is_one_click_away(qtbot, empty_store: Store, now: datetime) -> None:
    dialog = dialog_on(qtbot, empty_store, now)
    dialog.demo_button.click()
    assert dialog.result() == QDialog.DialogCode.Accepted and dialog.choice is Start.DEMO
