"""`checkin-app`: the composition root. Opens the store, builds the demo if asked, shows the desk."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QMessageBox, QProgressDialog

from checkin.conference import has_conference
from checkin.demo import build_demo
from checkin.store import Store, default_db_path, demo_db_path, open_store
from ui.desk_window import DeskWindow
from ui.scanner_input import WedgeScanFilter
from ui.theme import install_fonts


def parse_args(argv: Sequence[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="checkin-app", description="Muster check-in desk.")
    parser.add_argument("--db", type=Path, help=f"database file (default: {default_db_path()})")
    parser.add_argument("--demo", action="store_true", help="open the demo conference (created on first use)")
    parser.add_argument("--station", help="this station's name, e.g. 'Desk 3' (remembered)")
    return parser.parse_args(argv)


def utc_now() -> datetime:
    return datetime.now(UTC)


def ensure_demo(store: Store) -> None:
    """Create the demo conference in an empty database, showing progress."""
    with store.reading() as session:
        if has_conference(session):
            return
    dialog = QProgressDialog("Creating the demo conference…", "", 0, 0)
    dialog.setCancelButton(None)
    dialog.setWindowModality(Qt.WindowModality.ApplicationModal)
    dialog.setMinimumDuration(0)
    dialog.show()
    QApplication.processEvents()
    with store.unit_of_work() as session:
        build_demo(session)
    dialog.close()


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(sys.argv[1:] if argv is None else argv)
    app = QApplication.instance() or QApplication(sys.argv[:1])
    assert isinstance(app, QApplication)
    app.setApplicationName("Muster")
    app.setOrganizationName("Muster")
    install_fonts(app)
    path = args.db or (demo_db_path() if args.demo else default_db_path())
    store = open_store(path, args.station)
    if args.demo:
        ensure_demo(store)
    with store.reading() as session:
        ready = has_conference(session)
    if not ready:
        QMessageBox.information(
            None, "Muster",
            f"The database {path} holds no conference yet.\n\nImport registrants first:\n"
            "  checkin import export.csv --conference \"Conference name\"\nor try the demo: checkin-app --demo",
        )
        return 1
    window = DeskWindow(store, utc_now)
    wedge = WedgeScanFilter(parent=app)
    wedge.scanned.connect(window.scan)
    app.installEventFilter(wedge)
    window.show()
    code = app.exec()
    store.close()
    return code


if __name__ == "__main__":
    raise SystemExit(main())
