"""Where this station prints: a system printer, or PDF files in a folder, on which stock. Remembered per station.

The setup dialog is keyboard-first: Tab through printer, stock and copies, Enter saves.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import platformdirs
from PySide6.QtCore import QSettings
from PySide6.QtPrintSupport import QPrintDialog, QPrinter
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QPushButton,
    QSpinBox,
    QWidget,
)

from checkin.printing.layouts import DEFAULT_STOCK, STOCKS
from ui.print_queue import default_printer, printer_names

PDF_CHOICE = "PDF files (no printer)"


@dataclass(frozen=True)
class PrintSettings:
    printer: str  # empty: write PDF files into ``folder``
    stock: str
    copies: int
    folder: Path

    @classmethod
    def load(cls) -> PrintSettings:
        settings = QSettings()
        stock = str(settings.value("printing/stock", DEFAULT_STOCK))
        return cls(
            printer=str(settings.value("printing/printer", "")),
            stock=stock if stock in STOCKS else DEFAULT_STOCK,
            copies=int(settings.value("printing/copies", 1)),
            folder=Path(
                str(settings.value("printing/folder", "")) or Path(platformdirs.user_documents_dir()) / "Muster badges"
            ),
        )

    def save(self) -> None:
        settings = QSettings()
        settings.setValue("printing/printer", self.printer)
        settings.setValue("printing/stock", self.stock)
        settings.setValue("printing/copies", self.copies)
        settings.setValue("printing/folder", str(self.folder))

    def describe(self) -> str:
        where = self.printer or f"PDF files in {self.folder}"
        return f"{where} · {STOCKS[self.stock].description}"


class PrintSetupDialog(QDialog):
    def __init__(self, current: PrintSettings, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Print setup")
        self.current = current
        self.printer = QComboBox()
        self.printer.addItem(PDF_CHOICE, "")
        for name in printer_names():
            label = f"{name} (default)" if name == default_printer() else name
            self.printer.addItem(label, name)
        if current.printer and self.printer.findData(current.printer) < 0:
            # Switched off or unplugged: kept as chosen, so saving other changes never swaps it for PDF files.
            self.printer.addItem(f"{current.printer} (not available now)", current.printer)
        self.printer.setCurrentIndex(max(0, self.printer.findData(current.printer)))
        self.stock = QComboBox()
        for stock in STOCKS.values():
            self.stock.addItem(stock.description, stock.name)
        self.stock.setCurrentIndex(max(0, self.stock.findData(current.stock)))
        self.copies = QSpinBox()
        self.copies.setRange(1, 20)
        self.copies.setValue(current.copies)
        system = QPushButton("S&ystem print dialog…")
        system.clicked.connect(self._system_dialog)
        form = QFormLayout(self)
        form.addRow("&Printer", self.printer)
        form.addRow("", system)
        form.addRow("&Stock", self.stock)
        form.addRow("&Copies", self.copies)
        form.addRow(QLabel(f"Without a printer, badges are saved as PDF files in {current.folder}."))
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        form.addRow(buttons)

    def _system_dialog(self) -> None:
        """The operating system's own dialog, for printers that need their properties set there."""
        printer = QPrinter()
        if self.printer.currentData():
            printer.setPrinterName(str(self.printer.currentData()))
        if QPrintDialog(printer, self).exec():
            name = printer.printerName()
            if name and self.printer.findData(name) < 0:
                self.printer.addItem(name, name)
            self.printer.setCurrentIndex(max(0, self.printer.findData(name)))

    def chosen(self) -> PrintSettings:
        return PrintSettings(
            str(self.printer.currentData()), str(self.stock.currentData()), self.copies.value(), self.current.folder
        )
