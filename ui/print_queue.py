"""Printing through Qt on a worker thread: the desk never waits for a printer, and a failed job is kept to retry.

A job is a finished PDF (made by checkin.printing) and where it goes: a named system printer (silent, for
kiosks and the desk's check-in + print key) or a PDF file. The worker renders each page with QtPdf onto a
QPrinter at the printer's resolution.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable
from dataclasses import dataclass, field

from PySide6.QtCore import QBuffer, QByteArray, QIODevice, QMarginsF, QObject, QSizeF, Qt, QThread, Signal, Slot
from PySide6.QtGui import QPageLayout, QPageSize, QPainter
from PySide6.QtPdf import QPdfDocument
from PySide6.QtPrintSupport import QPrinter, QPrinterInfo

_ids = itertools.count(1)


@dataclass
class PrintJob:
    title: str
    pdf: bytes
    page_size_pt: tuple[float, float]
    printer: str = ""  # a system printer's name; empty with ``pdf_file`` set prints to that file
    pdf_file: str = ""
    copies: int = 1
    on_done: Callable[[PrintJob], None] | None = field(default=None, repr=False)
    id: int = field(default_factory=lambda: next(_ids))
    error: str = ""


def printer_names() -> list[str]:
    return list(QPrinterInfo.availablePrinterNames())


def default_printer() -> str:
    return QPrinterInfo.defaultPrinterName()


class _Worker(QObject):
    finished = Signal(int, str)  # job id, error ("" when printed)

    @Slot(object)
    def run(self, job: PrintJob) -> None:
        try:
            print_now(job)
        except PrintError as error:
            self.finished.emit(job.id, str(error))
        else:
            self.finished.emit(job.id, "")


class PrintError(RuntimeError):
    pass


def print_now(job: PrintJob) -> None:
    """Render ``job`` onto its printer; raises PrintError with words a volunteer can act on."""
    if job.pdf_file:
        printer = QPrinter(QPrinter.PrinterMode.HighResolution)
        printer.setOutputFormat(QPrinter.OutputFormat.PdfFormat)
        printer.setOutputFileName(job.pdf_file)
    else:
        info = QPrinterInfo.printerInfo(job.printer)
        if info.isNull():
            known = ", ".join(printer_names()) or "none are set up"
            raise PrintError(f"Printer '{job.printer}' is not available (printers here: {known}). "
                             "Check it is switched on and connected, then retry.")
        printer = QPrinter(info, QPrinter.PrinterMode.HighResolution)
    width, height = job.page_size_pt
    printer.setPageLayout(QPageLayout(QPageSize(QSizeF(width, height), QPageSize.Unit.Point, "Badge"),
                                      QPageLayout.Orientation.Portrait, QMarginsF(0, 0, 0, 0)))
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
        raise PrintError(f"Could not start printing on {where}: the printer or file is not available "
                         "(out of paper, offline, or no permission). Fix it, then retry.")
    try:
        target = painter.viewport()
        for page in range(document.pageCount()):
            if page:
                printer.newPage()
            image = document.render(page, target.size())
            painter.drawImage(target, image)
    finally:
        painter.end()
    if printer.printerState() == QPrinter.PrinterState.Error:
        raise PrintError(f"The printer {job.printer or job.pdf_file} reported an error; retry when it is ready.")


class PrintQueue(QObject):
    """Jobs run one at a time on a worker thread; failures wait in ``failed`` for a retry."""

    printed = Signal(object)  # PrintJob
    failed = Signal(object)  # PrintJob, with .error set
    _submit = Signal(object)

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.pending: dict[int, PrintJob] = {}
        self.failures: dict[int, PrintJob] = {}
        self._thread = QThread(self)
        self._worker = _Worker()
        self._worker.moveToThread(self._thread)
        self._submit.connect(self._worker.run, Qt.ConnectionType.QueuedConnection)
        self._worker.finished.connect(self._finished)
        self._thread.start()

    def add(self, job: PrintJob) -> int:
        self.pending[job.id] = job
        self._submit.emit(job)
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

    def stop(self) -> None:
        self._thread.quit()
        self._thread.wait(5000)
