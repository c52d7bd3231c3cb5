"""PDF pages as pixels, the way a scanner or a person sees them: for tests and packaging/smoke."""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import QBuffer, QByteArray, QIODevice, QSize, Qt
from PySide6.QtGui import QImage, QPainter
from PySide6.QtPdf import QPdfDocument


def rasterize(pdf: bytes, page: int = 0, dpi: int = 200) -> np.ndarray:
    """A page as a grayscale array, rendered with QtPdf (no system tools needed)."""
    data = QByteArray(pdf)
    buffer = QBuffer(data)
    buffer.open(QIODevice.OpenModeFlag.ReadOnly)
    document = QPdfDocument()
    document.load(buffer)
    assert document.status() == QPdfDocument.Status.Ready
    size = document.pagePointSize(page)
    image = document.render(page, QSize(round(size.width() * dpi / 72), round(size.height() * dpi / 72)))
    paper = QImage(image.size(), QImage.Format.Format_RGB32)
    paper.fill(Qt.GlobalColor.white)  # QtPdf renders onto transparency
    painter = QPainter(paper)
    painter.drawImage(0, 0, image)
    painter.end()
    gray = paper.convertToFormat(QImage.Format.Format_Grayscale8)
    array = np.frombuffer(gray.constBits(), np.uint8).reshape(gray.height(), gray.bytesPerLine())
    return array[:, : gray.width()].copy()
