from __future__ import annotations

import sqlite3
import subprocess
import sys
from datetime import datetime
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialog, QFileSystemModel, QInputDialog, QLabel

from checkin.conference import current_conference, has_conference
from checkin.desk import check_in
from checkin.store import Store, open_store
from tests.sync.test_sync import paid_ids
from ui import first_run
from ui.file_picker import file_picker
from ui.first_run import FirstRunDialog, Start

DATA = Path(__file__).resolve().parents[1] / "data"


def dialog_on(qtbot, store: Store, now: datetime) -> FirstRunDialog:
    dialog = FirstRunDialog(store, "/tmp/muster.sqlite", lambda: now)
    qtbot.add_widget(dialog)
    dialog.show()
    return dialog


def test_import_from_the_first_run_makes_the_conference(qtbot, empty_store: Store, now: datetime, monkeypatch) -> None:
    dialog = dialog_on(qtbot, empty_store, now)
    monkeypatch.setattr(  # the file picker: the file the admin picks
        first_run, "choose_file", lambda *args, **kwargs: DATA / "wildapricot_registrants.csv"
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
    for label in dialog.findChildren(QLabel):  # nothing above the problems is squeezed to make room for them
        if label.isVisible() and label.wordWrap():
            assert label.height() >= label.heightForWidth(label.width()), label.text()[:40]
    assert dialog.problems.height() >= 8 * dialog.problems.fontMetrics().lineSpacing()
    assert not dialog.import_export(tmp_path / "gone.csv", "NASRO 2027")
    assert dialog.status.text().startswith("gone.csv was not imported") and "gone.csv" in dialog.problems.toPlainText()
    with empty_store.reading() as session:
        assert not has_conference(session)


def test_the_demo_is_one_click_away(qtbot, empty_store: Store, now: datetime) -> None:
    dialog = dialog_on(qtbot, empty_store, now)
    dialog.demo_button.click()
    assert dialog.result() == QDialog.DialogCode.Accepted and dialog.choice is Start.DEMO


def test_the_first_run_import_never_opens_the_database_files_so_their_wal_survives(
    qtbot, empty_store: Store, now: datetime, tmp_path: Path
) -> None:
    """The export sits beside the open database: the file picker lists muster's -wal and -shm too, and must not
    open them (closing any descriptor of them drops this process's SQLite locks, and another process on the
    same file then deletes the -wal under the running app)."""
    database = Path(str(empty_store.engine.url.database))
    export = tmp_path / "registrants.csv"
    export.write_bytes((DATA / "wildapricot_registrants.csv").read_bytes())
    dialog = dialog_on(qtbot, empty_store, now)
    picker = file_picker(dialog, "The registrant export", tmp_path, "Exports (*.csv);;All files (*)")
    qtbot.add_widget(picker)
    listing = picker.findChild(QFileSystemModel)
    assert listing is not None
    with qtbot.waitSignal(listing.directoryLoaded, timeout=10_000):
        picker.selectNameFilter("All files (*)")  # the database and its -wal and -shm are listed
        picker.show()
    folder = listing.index(str(tmp_path))
    qtbot.waitUntil(lambda: listing.rowCount(folder) >= 4)
    for row in range(listing.rowCount(folder)):  # what the list view asks as it paints each file
        for column in range(listing.columnCount(folder)):
            for role in (Qt.ItemDataRole.DecorationRole, Qt.ItemDataRole.DisplayRole):
                listing.data(listing.index(row, column, folder), role)
    wal_row = listing.index(f"{database}-wal")
    assert listing.type(wal_row) == "SQLITE-WAL file"  # named from its name, not from its bytes
    picker.reject()
    assert dialog.import_export(export, "NASRO 2027")

    verdict = check_in(empty_store, paid_ids(empty_store, 1)[0], now)  # committed by the open app
    assert verdict.accepted
    stats = subprocess.run(
        [sys.executable, "-m", "checkin.cli", "stats", "--db", str(database)], capture_output=True, text=True
    )
    assert stats.returncode == 0, stats.stderr
    assert Path(f"{database}-wal").exists() and Path(f"{database}-shm").exists()  # left to the running app
    with sqlite3.connect(database) as connection:
        assert connection.execute("SELECT count(*) FROM event WHERE id = ?", (verdict.event_id,)).fetchone() == (1,)


def test_the_station_is_named_in_the_first_run_and_a_blank_name_is_refused_there(
    qtbot, empty_store: Store, now: datetime, monkeypatch
) -> None:
    dialog = dialog_on(qtbot, empty_store, now)
    monkeypatch.setattr(first_run, "choose_file", lambda *args, **kwargs: DATA / "wildapricot_registrants.csv")
    monkeypatch.setattr(QInputDialog, "getText", staticmethod(lambda *args, **kwargs: ("NASRO 2027", True)))
    dialog.station_field.clear()
    qtbot.keyClicks(dialog.station_field, "   ")
    dialog.import_button.click()
    assert dialog.choice is None and dialog.status.isVisible()
    assert "a station needs a name" in dialog.status.text()
    with empty_store.reading() as session:
        assert not has_conference(session)
    dialog.station_field.clear()
    qtbot.keyClicks(dialog.station_field, "Registration  North ")
    dialog.import_button.click()
    assert dialog.choice is Start.IMPORTED
    assert empty_store.station.name == "Registration North"
    again = open_store(Path(str(empty_store.engine.url.database)))
    assert again.station == empty_store.station  # remembered in the database, same identity
    again.close()
