"""Camera scanning: frames from a laptop camera are decoded on a worker thread and fed to the verdict path.

``CameraScanner`` is the pipeline (frame -> decode on a worker -> debounce -> ``scanned``); it takes
any QImage, so still images drive it in tests. ``CameraView`` shows the camera's picture and feeds
the pipeline; it needs QtMultimedia, and says plainly what is missing when it is not there.
"""

from __future__ import annotations

import time
from typing import Any

from PySide6.QtCore import QObject, QRunnable, Qt, QThreadPool, Signal, Slot
from PySide6.QtGui import QImage, QPixmap
from PySide6.QtWidgets import QLabel, QVBoxLayout, QWidget

from checkin.decoding import Debouncer, decode


class _Relay(QObject):
    decoded = Signal(list, float)  # texts, seconds it took


class _Decode(QRunnable):
    def __init__(self, image: QImage, relay: _Relay) -> None:
        super().__init__()
        self.image, self.relay = image, relay

    def run(self) -> None:
        started = time.perf_counter()
        gray = (
            self.image
            if self.image.format() == QImage.Format.Format_Grayscale8
            else self.image.convertToFormat(QImage.Format.Format_Grayscale8)
        )
        self.relay.decoded.emit(decode(gray), time.perf_counter() - started)


class CameraScanner(QObject):
    """Decodes frames off the GUI thread; emits each newly seen code once."""

    scanned = Signal(str)

    def __init__(self, quiet_s: float = 2.0, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._pool = QThreadPool(self)  # made first, destroyed first: it waits for a frame being decoded
        self._pool.setMaxThreadCount(1)
        self._relay = _Relay(self)
        self._relay.decoded.connect(self._on_decoded)
        self.debouncer = Debouncer(quiet_s)
        self.busy = False
        self.dropped = 0  # frames skipped because the decoder was still busy: the camera outpaces it
        self.last_decode_s = 0.0

    def feed(self, image: QImage) -> bool:
        """Offer a frame; returns False (and drops it) while the previous one is still being decoded."""
        if self.busy:
            self.dropped += 1
            return False
        self.busy = True
        self._pool.start(_Decode(image.copy(), self._relay))  # the camera reuses its buffers
        return True

    @Slot(list, float)
    def _on_decoded(self, texts: list[str], seconds: float) -> None:
        self.busy = False
        self.last_decode_s = seconds
        for text in self.debouncer.fresh(texts, time.monotonic()):
            self.scanned.emit(text)

    def stop(self) -> None:
        self._pool.waitForDone(2000)


def multimedia() -> Any:
    """The QtMultimedia module, or the reason it cannot be used on this machine."""
    try:
        from PySide6 import QtMultimedia
    except ImportError as error:
        hint = (
            " Install the system's PulseAudio client library (Debian/Ubuntu: apt install libpulse0)."
            if "libpulse" in str(error)
            else " Install PySide6-Addons."
        )
        return f"Camera scanning is not available: {error}.{hint}"
    return QtMultimedia


class CameraView(QWidget):
    """The camera picture with a status line; every decoded code goes to ``scanned``."""

    scanned = Signal(str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Muster · Camera scanner")
        self.picture = QLabel("Starting the camera…")
        self.picture.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.picture.setMinimumSize(480, 360)
        self.picture.setStyleSheet("background: #263238; color: #eceff1; font-size: 14pt;")
        self.picture.setWordWrap(True)
        self.status = QLabel()
        layout = QVBoxLayout(self)
        layout.addWidget(self.picture, 1)
        layout.addWidget(self.status)
        self.scanner = CameraScanner(parent=self)
        self.scanner.scanned.connect(self.scanned)
        self._camera: Any = None
        self._start()

    def _start(self) -> None:
        module = multimedia()
        if isinstance(module, str):
            self.picture.setText(module)
            return
        device = module.QMediaDevices.defaultVideoInput()
        if device.isNull():
            self.picture.setText("No camera found. Plug one in, or use a USB scanner.")
            return
        self._camera = module.QCamera(device, self)
        self._session = module.QMediaCaptureSession(self)
        self._sink = module.QVideoSink(self)
        self._session.setCamera(self._camera)
        self._session.setVideoSink(self._sink)
        self._sink.videoFrameChanged.connect(self._on_frame)
        self._camera.errorOccurred.connect(lambda _e, text: self.picture.setText(f"Camera error: {text}"))
        self._camera.start()
        self.status.setText(f"Camera: {device.description()} · hold the code (a badge, a phone) up to it")

    @Slot(object)
    def _on_frame(self, frame: Any) -> None:
        image = frame.toImage()
        if image.isNull():
            return
        self.picture.setPixmap(
            QPixmap.fromImage(image).scaled(
                self.picture.size(), Qt.AspectRatioMode.KeepAspectRatio, Qt.TransformationMode.FastTransformation
            )
        )
        self.scanner.feed(image)
        self.status.setText(f"Decoding {self.scanner.last_decode_s * 1000:.0f} ms per frame")

    def closeEvent(self, event: Any) -> None:
        if self._camera is not None:
            self._camera.stop()
        self.scanner.stop()
        super().closeEvent(event)
