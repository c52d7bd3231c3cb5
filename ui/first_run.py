"""What a new laptop shows when its database holds no conference: import the export, join the venue hub with
an enrollment code, or try the demo."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from enum import StrEnum
from pathlib import Path

from PySide6.QtCore import Qt, Slot
from PySide6.QtWidgets import (
    QApplication,
    QDialog,
    QHBoxLayout,
    QInputDialog,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QProgressDialog,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from checkin.first_run import start_from_export
from checkin.importers import ImportFailed
from checkin.rules.station import LONGEST, BadStationName
from checkin.store import Store
from checkin.sync import enrollment, tls
from ui.file_picker import choose_file
from ui.join_dialog import JoinDialog


class Start(StrEnum):
    IMPORTED = "imported"
    JOINED = "joined"  # enrolled with the venue hub: the conference comes with the first sync
    DEMO = "demo"


class FirstRunDialog(QDialog):
    def __init__(
        self, store: Store, where: Path | str, clock: Callable[[], datetime], parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle("Muster · a new conference")
        self.store = store
        self.clock = clock
        self.choice: Start | None = None
        self.report = ""
        intro = QLabel(
            "<b>This laptop has no conference yet.</b><br><br>Import the registrant export from your registration "
            "system (Wild Apricot, Eventbrite, pretix, or any CSV with a registration id and names). Muster makes "
            "the conference and its badge keys, and this laptop can check people in and print badges at once."
            "<br><br>At a venue with a hub, choose <b>Join a venue hub</b> and type or scan the enrollment code the "
            f"organiser gives you for this laptop.<br><br><small>Database: {where}</small>"
        )
        intro.setWordWrap(True)
        intro.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.station_field = QLineEdit(store.station.name)
        self.station_field.setMaxLength(LONGEST)
        station_label = QLabel("This &station's name, as people read it in messages (“checked in by Desk 3”):")
        station_label.setWordWrap(True)
        station_label.setBuddy(self.station_field)
        self.import_button = QPushButton("&Import registrants…")
        self.import_button.setDefault(True)
        self.join_button = QPushButton("&Join a venue hub…")
        self.demo_button = QPushButton("Try the &demo")
        quit_button = QPushButton("&Quit")
        self.import_button.clicked.connect(self.choose_export)
        self.join_button.clicked.connect(self.ask_code)
        self.demo_button.clicked.connect(self._demo)
        quit_button.clicked.connect(self.reject)
        buttons = QHBoxLayout()
        buttons.addWidget(self.import_button)
        buttons.addWidget(self.join_button)
        buttons.addWidget(self.demo_button)
        buttons.addStretch(1)
        buttons.addWidget(quit_button)
        self.status = QLabel()
        self.status.setWordWrap(True)
        self.status.setStyleSheet("color: #c62828; font-weight: bold;")
        self.status.setVisible(False)
        self.problems = QPlainTextEdit()
        self.problems.setReadOnly(True)
        self.problems.setVisible(False)
        self.problems.setMinimumHeight(8 * self.problems.fontMetrics().lineSpacing())  # room to read the lines
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addWidget(station_label)
        layout.addWidget(self.station_field)
        layout.addLayout(buttons)
        layout.addWidget(self.status)
        layout.addWidget(self.problems)
        self.setMinimumWidth(640)

    @property
    def station_name(self) -> str:
        return self.station_field.text()

    def _name_station(self) -> bool:
        """Give this station the name typed; say what is wrong with it where it was typed."""
        try:
            self.store.rename_station(self.station_name)
        except BadStationName as problem:
            self._refuse(f"The station's name: {problem}.", "")
            self.station_field.setFocus()
            return False
        return True

    @Slot()
    def choose_export(self) -> None:
        if not self._name_station():
            return
        path = choose_file(self, "The registrant export", Path.home(), "Exports (*.csv *.txt *.tsv);;All files (*)")
        if path is None:
            return
        name, ok = QInputDialog.getText(
            self, "The conference", "The conference's name, as it prints on badges:", text=Path(path).stem
        )
        if ok and name.strip():
            self.import_export(Path(path), name.strip())

    def import_export(self, path: Path, conference: str) -> bool:
        """Import ``path`` as the conference ``conference``; on success the dialog closes. Problems are shown
        with every line and column the importer names, and the database stays empty."""
        progress = QProgressDialog(f"Importing {path.name}…", "", 0, 0, self)
        progress.setCancelButton(None)
        progress.setWindowModality(Qt.WindowModality.WindowModal)
        progress.setMinimumDuration(500)

        def show(done: int, total: int) -> None:
            progress.setMaximum(total)
            progress.setValue(done)
            QApplication.processEvents()

        try:
            report = start_from_export(self.store, path, conference, self.clock(), show)
        except ImportFailed as failed:
            self._refuse(f"{path.name} was not imported, and nothing was written:", str(failed))
            return False
        except (OSError, UnicodeError) as error:
            self._refuse(f"{path.name} cannot be read: {error}", "")
            return False
        finally:
            progress.close()
        self.report = f"Imported: {report.summary()}. What the desk hands out (a coin, a bag): Station › Hand-outs"
        self.choice = Start.IMPORTED
        self.accept()
        return True

    @Slot()
    def ask_code(self) -> None:
        code = JoinDialog.ask(self)
        if code:
            self.join_hub(code)

    def join_hub(self, code: str) -> bool:
        """Trade the code for this station's own hub login; on success the dialog closes and the first sync
        brings the conference. What went wrong is said here, and nothing is kept."""
        QApplication.setOverrideCursor(Qt.CursorShape.WaitCursor)
        try:
            joined = enrollment.join(self.store, code)
        except (enrollment.EnrollmentProblem, tls.TlsProblem) as problem:
            self._refuse(f"Not joined: {problem}.", "")
            return False
        finally:
            QApplication.restoreOverrideCursor()
        self.report = f"Joined the venue hub as {joined.name} ({joined.kind})"
        self.choice = Start.JOINED
        self.accept()
        return True

    def _refuse(self, summary: str, details: str) -> None:
        """Say what is wrong in the dialog itself: the database is still empty, and Import is still there."""
        self.status.setText(summary)
        self.status.setVisible(True)
        self.problems.setPlainText(details)
        self.problems.setVisible(bool(details))
        self.adjustSize()  # grow to show the problems without squeezing the text above them
        self.import_button.setFocus()

    @Slot()
    def _demo(self) -> None:
        if not self._name_station():
            return
        self.choice = Start.DEMO
        self.accept()
