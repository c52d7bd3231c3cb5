"""The enrollment code a new station joins the venue hub with: typed, typed by a scanner (a USB scanner types
the QR's text into the field), or shown to the laptop's camera."""

from __future__ import annotations

from PySide6.QtCore import Slot
from PySide6.QtWidgets import QDialog, QDialogButtonBox, QLabel, QLineEdit, QPushButton, QVBoxLayout, QWidget

from ui.camera import CameraView


class JoinDialog(QDialog):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Join a venue hub")
        intro = QLabel(
            "The enrollment code for this laptop, from the organiser (<tt>checkin stations add</tt> on the hub "
            "laptop prints it, with its QR). Type it, scan the QR with a scanner, or show it to the camera."
        )
        intro.setWordWrap(True)
        self.code = QLineEdit()
        self.code.setPlaceholderText("192.168.1.20:5432/muster/abcd-efgh-…")
        self.camera_button = QPushButton("Use the &camera")
        self.camera_button.clicked.connect(self.use_camera)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        buttons.button(QDialogButtonBox.StandardButton.Ok).setText("&Join")
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        self._layout = QVBoxLayout(self)
        self._layout.addWidget(intro)
        self._layout.addWidget(self.code)
        self._layout.addWidget(self.camera_button)
        self._layout.addWidget(buttons)
        self.camera: CameraView | None = None
        self.setMinimumWidth(560)

    @Slot()
    def use_camera(self) -> None:
        if self.camera is None:
            self.camera = CameraView(self)
            self.camera.scanned.connect(self._scanned)
            self._layout.insertWidget(2, self.camera, 1)
            self.camera_button.setEnabled(False)

    @Slot(str)
    def _scanned(self, text: str) -> None:
        self.code.setText(text.strip())
        self.accept()

    def done(self, result: int) -> None:
        if self.camera is not None:
            self.camera.close()  # the camera light goes off with the dialog
        super().done(result)

    @classmethod
    def ask(cls, parent: QWidget | None = None) -> str | None:
        dialog = cls(parent)
        if dialog.exec() != QDialog.DialogCode.Accepted:
            return None
        return dialog.code.text().strip() or None
