"""Badges for everyone (or a filter) before the doors open: one PDF sorted by last name for the pick-up
tables, made on a worker thread with a progress bar and a Cancel button, then sent to the printer."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from PySide6.QtCore import QObject, QThread, Signal, Slot
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QProgressBar,
    QPushButton,
    QWidget,
)

from checkin.domain import RegistrationType
from checkin.printing.badge_pdf import BadgeData, Cancelled, render_badges
from checkin.printing.layouts import STOCKS
from checkin.printing.sources import Selection, select_badges
from checkin.printing.template import Template
from checkin.store import Store
from checkin.text import counted


class _Renderer(QObject):
    progress = Signal(int, int)
    finished = Signal(object, str)  # badges rendered (list) or None, and an error or ""

    def __init__(self, badges: list[BadgeData], stock: str, template: Template, out: Path) -> None:
        super().__init__()
        self.badges, self.stock, self.template, self.out = badges, stock, template, out
        self.cancel_requested = False

    @Slot()
    def run(self) -> None:
        partial = self.out.with_name(self.out.name + ".part")
        try:
            render_badges(
                self.badges,
                STOCKS[self.stock],
                self.template,
                partial,
                len(self.badges),
                self.progress.emit,
                lambda: self.cancel_requested,
            )
            partial.replace(self.out)  # a cancelled or failed run never leaves a half file under the real name
        except Cancelled:
            partial.unlink(missing_ok=True)
            self.finished.emit(None, "Cancelled: nothing was written.")
        except (OSError, ValueError) as error:
            partial.unlink(missing_ok=True)
            self.finished.emit(None, str(error))
        else:
            self.finished.emit(self.badges, "")


class BulkPrintDialog(QDialog):
    done_rendering = Signal(object, object, str)  # badges, path, stock name

    def __init__(
        self,
        store: Store,
        template: Template,
        stock: str,
        folder: Path,
        parent: QWidget | None = None,
        printer: str = "",
    ) -> None:
        super().__init__(parent)
        self.printer = printer  # where the desk sends the finished file; "" keeps it as a PDF only
        self.setWindowTitle("Print badges in bulk")
        self.store, self.template = store, template
        self.kind = QComboBox()
        self.kind.addItem("Everyone (not cancelled)", "")
        for reg_type in RegistrationType:
            self.kind.addItem(reg_type.value, reg_type.value)
        self.not_printed = QCheckBox("Only badges not printed yet")
        self.not_printed.setChecked(True)
        self.stock = QComboBox()
        for item in STOCKS.values():
            self.stock.addItem(item.description, item.name)
        self.stock.setCurrentIndex(max(0, self.stock.findData(stock)))
        self.path = QLineEdit(str(folder / f"badges-{date.today():%Y-%m-%d}.pdf"))
        self.progress = QProgressBar()
        self.status = QLabel("Sorted by last name, for the pick-up tables.")
        self.status.setWordWrap(True)
        self.start_button = QPushButton(f"&Print on {printer}" if printer else "&Make PDF")
        self.start_button.setDefault(True)
        self.start_button.clicked.connect(self.start)
        self.cancel_button = QPushButton("&Cancel")
        self.cancel_button.clicked.connect(self.cancel)
        buttons = QDialogButtonBox()
        buttons.addButton(self.start_button, QDialogButtonBox.ButtonRole.AcceptRole)
        buttons.addButton(self.cancel_button, QDialogButtonBox.ButtonRole.RejectRole)
        form = QFormLayout(self)
        form.addRow("&Who", self.kind)
        form.addRow("", self.not_printed)
        form.addRow("&Stock", self.stock)
        form.addRow("&File", self.path)
        form.addRow(self.progress)
        form.addRow(self.status)
        form.addRow(buttons)
        self._thread: QThread | None = None
        self._renderer: _Renderer | None = None

    @Slot()
    def start(self) -> None:
        out = Path(self.path.text()).expanduser()
        try:
            out.parent.mkdir(parents=True, exist_ok=True)
        except OSError as error:
            self.status.setText(f"Cannot write there: {error}")
            return
        selection = Selection((), self.kind.currentData() or None, self.not_printed.isChecked())
        with self.store.reading() as session:
            badges = select_badges(session, selection)
        if not badges:
            self.status.setText("No badges match: nothing to print.")
            return
        self.progress.setRange(0, len(badges))
        self.progress.setValue(0)
        self.status.setText(f"Making {counted(len(badges), 'badge')}…")
        self.start_button.setEnabled(False)
        self._thread = QThread(self)
        self._renderer = _Renderer(badges, str(self.stock.currentData()), self.template, out)
        self._renderer.moveToThread(self._thread)
        self._thread.started.connect(self._renderer.run)
        self._renderer.progress.connect(lambda done, _total: self.progress.setValue(done))
        self._renderer.finished.connect(self._finished)
        self._thread.start()

    @Slot()
    def cancel(self) -> None:
        if self._renderer is not None and self._thread is not None and self._thread.isRunning():
            self._renderer.cancel_requested = True
        else:
            self.reject()

    @Slot(object, str)
    def _finished(self, badges: list[BadgeData] | None, error: str) -> None:
        assert self._thread is not None
        self._thread.quit()
        self._thread.wait()
        self.start_button.setEnabled(True)
        if badges is None:
            self.status.setText(error)
            self.adjustSize()
            return
        path = Path(self.path.text()).expanduser()
        sending = f" Sending them to {self.printer}." if self.printer else ""
        self.status.setText(f"Wrote {counted(len(badges), 'badge')} to {path}.{sending}")
        self.adjustSize()  # the wrapped line would be cut off
        self.done_rendering.emit(badges, path, str(self.stock.currentData()))
