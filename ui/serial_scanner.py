"""Serial scanners (USB-CDC / COM port): codes arrive as lines on a port, never as keystrokes.

Useful where keyboard emulation is unwelcome (a kiosk with an on-screen form) or a scanner is set to
its "USB COM" mode. Each line (CR, LF or CR LF) is one scan.
"""

from __future__ import annotations

from PySide6.QtCore import QObject, QSettings, Signal, Slot
from PySide6.QtSerialPort import QSerialPort, QSerialPortInfo

SETTING = "scanner/serial_port"
MAX_LINE = 4096  # a scanner never sends more; anything longer is line noise


def available_ports() -> list[str]:
    return [info.systemLocation() for info in QSerialPortInfo.availablePorts()]


class SerialScanner(QObject):
    scanned = Signal(str)
    failed = Signal(str)

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.port = QSerialPort(self)
        self.port.readyRead.connect(self._read)
        self.port.errorOccurred.connect(self._error)
        self._pending = b""

    def open(self, location: str, baud: int = 9600) -> bool:
        """Open ``location`` (e.g. /dev/ttyACM0 or COM3) and remember it for next time."""
        self.close()
        self.port.setPortName(location)
        self.port.setBaudRate(baud)
        if not self.port.open(QSerialPort.OpenModeFlag.ReadOnly):
            self.failed.emit(f"Cannot open the scanner on {location}: {self.port.errorString()}")
            return False
        QSettings().setValue(SETTING, location)
        return True

    def close(self) -> None:
        if self.port.isOpen():
            self.port.close()
        self._pending = b""

    @Slot()
    def _read(self) -> None:
        self._pending += bytes(self.port.readAll().data())
        *lines, self._pending = self._pending.replace(b"\r\n", b"\n").replace(b"\r", b"\n").split(b"\n")
        if len(self._pending) > MAX_LINE:
            self._pending = b""
        for line in lines:
            text = line.decode("utf-8", errors="replace").strip()
            if text:
                self.scanned.emit(text)

    @Slot(QSerialPort.SerialPortError)
    def _error(self, error: QSerialPort.SerialPortError) -> None:
        if not self.port.isOpen():  # failing to open is reported by open(), with the port's name
            return
        if error not in (QSerialPort.SerialPortError.NoError, QSerialPort.SerialPortError.TimeoutError):
            self.failed.emit(f"Scanner port problem: {self.port.errorString()}")
