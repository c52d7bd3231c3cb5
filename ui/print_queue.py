"""Printing through Qt on a worker thread: the desk never waits for a printer, and a failed job is kept to retry.

A job is a finished PDF (made by checkin.printing) and where it goes: a named system printer (silent, for
kiosks and the desk's check-in + print key) or a PDF file. The worker renders each page with QtPdf onto a
QPrinter at the printer's resolution.
"""

from __future__ import annotations

import itertools
import sys
from collections.abc import Callable
from dataclasses import dataclass, field

from PySide6.QtCore import (
    QBuffer,
    QByteArray,
    QIODevice,
    QMarginsF,
    QObject,
    QRunnable,
    QSize,
    QSizeF,
    QThreadPool,
    Signal,
    Slot,
)
from PySide6.QtGui import QPageLayout, QPageSize, QPainter
from PySide6.QtPdf import QPdfDocument
from PySide6.QtPrintSupport import QPrinter, QPrinterInfo

from checkin.printing import spooler

_ids = itertools.count(1)


@dataclass
class PrintJob:
    title: str
    pdf: bytes
    page_size_pt: tuple[float, float]
    printer: str = ""  # a system printer's name; empty with ``pdf_file`` set prints to that file
    pdf_file: str = ""
    copies: int = 1
    through_qt: bool = False  # with pdf_file: render through Qt's PDF printer (what a printer would get)
    on_done: Callable[[PrintJob], None] | None = field(default=None, repr=False)
    id: int = field(default_factory=lambda: next(_ids))
    error: str = ""


def printer_names() -> list[str]:
    return list(QPrinterInfo.availablePrinterNames())


def default_printer() -> str:
    return QPrinterInfo.defaultPrinterName()


def printer_missing(name: str) -> str:
    """Why the system printer ``name`` cannot be printed on now, or "" if it can (or none is named)."""
    if not name or not QPrinterInfo.printerInfo(name).isNull():
        return ""
    known = ", ".join(printer_names()) or "none are set up"
    return (
        f"Printer '{name}' is not available (printers here: {known}). "
        "Check it is switched on and connected, then retry."
    )


class _Relay(QObject):
    finished = Signal(int, str)  # job id, error ("" when printed)


class _Run(QRunnable):
    def __init__(self, job: PrintJob, relay: _Relay) -> None:
        super().__init__()
        self.job, self.relay = job, relay

    def run(self) -> None:
        try:
            print_now(self.job)
        except PrintError as error:
            self.relay.finished.emit(self.job.id, str(error))
        else:
            self.relay.finished.emit(self.job.id, "")


class PrintError(RuntimeError):
    pass


def print_now(job: PrintJob) -> None:
    """Render ``job`` onto its printer; raises PrintError with words a volunteer can act on."""
    if job.pdf_file:
        try:  # Qt would only say "QPainter::begin(): Returned false"
            with open(job.pdf_file, "ab"):
                pass
        except OSError as error:
            raise PrintError(
                f"Could not save {job.pdf_file}: {error.strerror}. Pick another folder, then retry."
            ) from None
        if not job.through_qt:  # a file copy keeps the vectors and text: sharper when printed later
            with open(job.pdf_file, "wb") as out:
                out.write(job.pdf)
            return
        printer = QPrinter(QPrinter.PrinterMode.HighResolution)
        printer.setOutputFormat(QPrinter.OutputFormat.PdfFormat)
        printer.setOutputFileName(job.pdf_file)
    else:
        if missing := printer_missing(job.printer):
            raise PrintError(missing)
        if sys.platform != "win32":  # CUPS: a queue without the stock's paper would shrink the badge onto Letter
            try:
                spooler.media_on(job.printer, job.page_size_pt)
            except spooler.PrintFailed as error:
                raise PrintError(str(error)) from None
        printer = QPrinter(QPrinterInfo.printerInfo(job.printer), QPrinter.PrinterMode.HighResolution)
    width, height = job.page_size_pt
    printer.setPageLayout(
        QPageLayout(
            QPageSize(QSizeF(width, height), QPageSize.Unit.Point, "Badge"),
            QPageLayout.Orientation.Portrait,
            QMarginsF(0, 0, 0, 0),
        )
    )
    printer.setFullPage(True)
    printer.setCopyCount(job.copies)
    printer.setDocName(job.title)

    data = QByteArray(job.pdf)
    buffer = QBuffer(data)
    buffer.open(QIODevice.OpenModeFlag.ReadOnly)
    document = QPdfDocument()
    document.load(buffer)
    if document.status() != QPdfDocument.Status.Ready or document.pageCount() == 0:
        raise PrintError(f"{job.title}: the PDF could not be read ({document.error().name}).")
    painter = QPainter()
    if not painter.begin(printer):
        where = job.pdf_file or job.printer
        raise PrintError(
            f"Could not start printing on {where}: the printer or file is not available "
            "(out of paper, offline, or no permission). Fix it, then retry."
        )
    try:
        target = painter.viewport()
        # 300 dpi is sharp for badge text and codes; the printer's own 1200 dpi would need 0.5 GB a sheet.
        dpi = min(printer.resolution(), 300)
        for page in range(document.pageCount()):
            if page:
                printer.newPage()
            size = document.pagePointSize(page)
            image = document.render(page, QSize(round(size.width() * dpi / 72), round(size.height() * dpi / 72)))
            painter.drawImage(target, image)
    finally:
        painter.end()
    if printer.printerState() == QPrinter.PrinterState.Error:
        raise PrintError(f"The printer {job.printer or job.pdf_file} reported an error; retry when it is ready.")


class PrintQueue(QObject):
    """Jobs run one at a time on a worker thread, in order; failures wait in ``failures`` for a retry."""

    printed = Signal(object)  # PrintJob
    failed = Signal(object)  # PrintJob, with .error set

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        # The pool is made first so it is destroyed first: its destructor waits for a running job,
        # and the relay that job reports through is still alive then.
        self._pool = QThreadPool(self)
        self._pool.setMaxThreadCount(1)
        self._relay = _Relay(self)
        self._relay.finished.connect(self._finished)
        self.pending: dict[int, PrintJob] = {}
        self.failures: dict[int, PrintJob] = {}

    def add(self, job: PrintJob) -> int:
        self.pending[job.id] = job
        self._pool.start(_Run(job, self._relay))
        return job.id

    def retry(self, job_id: int, printer: str | None = None, pdf_file: str | None = None) -> None:
        """Send a failed job again, optionally to another printer or file."""
        job = self.failures.pop(job_id)
        job.error = ""
        if printer is not None:
            job.printer, job.pdf_file = printer, ""
        if pdf_file is not None:
            job.printer, job.pdf_file = "", pdf_file
        self.add(job)

    @Slot(int, str)
    def _finished(self, job_id: int, error: str) -> None:
        job = self.pending.pop(job_id)
        if error:
            job.error = error
            self.failures[job_id] = job
            self.failed.emit(job)
            return
        if job.on_done is not None:
            job.on_done(job)
        self.printed.emit(job)

    def wait(self) -> None:
        self._pool.waitForDone()
