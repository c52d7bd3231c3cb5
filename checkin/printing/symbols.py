"""QR codes and Code 128 barcodes drawn as vectors: sharp at any printer resolution, and fast.

Each row's runs of dark modules become rectangles of one path, so a QR is a few hundred rectangles
rather than an image. The QR's mask pattern is fixed: choosing the best one costs ~8x the rest of the
work, and every mask is valid to every reader (the decode tests check it).
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass

import qrcode
from barcode import Code128
from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas

_DARK_RUN = re.compile(rb"\x01+")
QUIET_MODULES = 4  # the QR standard's quiet zone
MIN_MODULE = 0.4 * mm
COMFORTABLE_MODULE = 0.5 * mm
_LEVELS = (  # strongest first: more error correction survives scuffed badges, but needs more modules
    qrcode.constants.ERROR_CORRECT_Q,
    qrcode.constants.ERROR_CORRECT_M,
    qrcode.constants.ERROR_CORRECT_L,
)
_LEVEL_NAMES = {
    qrcode.constants.ERROR_CORRECT_Q: "Q",
    qrcode.constants.ERROR_CORRECT_M: "M",
    qrcode.constants.ERROR_CORRECT_L: "L",
}


class SymbolTooSmall(ValueError):
    pass


@dataclass(frozen=True)
class QrMatrix:
    rows: list[list[bool]]
    level: str

    @property
    def size(self) -> int:
        return len(self.rows)


def qr_matrix(text: str, box: float) -> QrMatrix:
    """The modules of ``text``, at the strongest error correction that keeps modules >= 0.5 mm in ``box``
    points (quiet zone included), or the weakest one that keeps them >= 0.4 mm."""
    level, version = _plan(len(text), _mode_key(text), round(box, 2))
    made = qrcode.QRCode(version=version, error_correction=level, border=0, mask_pattern=2)
    made.add_data(text, optimize=0)
    made.make(fit=False)
    return QrMatrix(made.get_matrix(), _LEVEL_NAMES[level])


def _mode_key(text: str) -> str:
    return "alnum" if text.isascii() and all(c.isdigit() or c.isupper() or c in " $%*+-./:" for c in text) else "bytes"


@functools.cache
def _plan(length: int, mode: str, box: float) -> tuple[int, int]:
    """(error correction, version) for texts of this length and mode; fitting is slow, so once per shape."""
    sample = ("A" if mode == "alnum" else "a") * length
    candidates = []
    for level in _LEVELS:
        made = qrcode.QRCode(error_correction=level, border=0, mask_pattern=2)
        made.add_data(sample, optimize=0)
        made.make(fit=True)
        assert made.version is not None
        size = 4 * made.version + 17
        module = box / (size + 2 * QUIET_MODULES)
        if module >= COMFORTABLE_MODULE:
            return level, made.version
        candidates.append((module, size, level, made.version))
    module, size, level, version = candidates[-1]
    if module < MIN_MODULE:
        raise SymbolTooSmall(
            f"A QR code of {length} characters needs at least "
            f"{(size + 2 * QUIET_MODULES) * MIN_MODULE / mm:.0f} mm; the layout gives it "
            f"{box / mm:.0f} mm."
        )
    return level, version


def draw_qr(canvas: Canvas, matrix: QrMatrix, x: float, y: float, box: float) -> float:
    """Draw with the quiet zone inside the square (x, y, box); returns the module size in points."""
    module = box / (matrix.size + 2 * QUIET_MODULES)
    origin_x = x + QUIET_MODULES * module
    top = y + box - QUIET_MODULES * module
    path = canvas.beginPath()
    for r, row in enumerate(matrix.rows):
        y_row = top - (r + 1) * module
        for run in _DARK_RUN.finditer(bytes(row)):
            path.rect(origin_x + run.start() * module, y_row, (run.end() - run.start()) * module, module)
    canvas.setFillColorRGB(1, 1, 1)
    canvas.rect(x, y, box, box, stroke=0, fill=1)
    canvas.setFillColorRGB(0, 0, 0)
    canvas.drawPath(path, stroke=0, fill=1)
    return module


def code128_modules(text: str) -> str:
    modules: str = Code128(text).build()[0]
    return modules


# The narrowest bar a laptop's camera or a cheap scanner reads off a badge printed at 150 dpi: measured on every
# stock, 0.38 mm (2.2 dots) read every time, 0.34 mm did not on a card (benchmarks and tests/checkin/test_printing).
MIN_BAR = 0.38 * mm


def code128_module(text: str, width: float) -> float:
    """The bar width ``text`` gets in ``width`` points (quiet zones of 10 modules included; at most 0.5 mm)."""
    widest: float = 0.5 * mm
    return min(width / (len(code128_modules(text)) + 20), widest)


def draw_code128(canvas: Canvas, text: str, x: float, y: float, width: float, height: float) -> float:
    """Draw bars (quiet zones of 10 modules included) centred in the box; returns the module width in points.
    SymbolTooSmall when its bars would be too narrow to read: then the badge carries the number as text only
    (its QR holds the signed code, which every station reads)."""
    modules = code128_modules(text)
    module = code128_module(text, width)
    if module < MIN_BAR:
        raise SymbolTooSmall(f"The barcode of '{text}' does not fit in {width / mm:.0f} mm.")
    start = x + (width - len(modules) * module) / 2
    path = canvas.beginPath()
    for run in re.finditer("1+", modules):
        path.rect(start + run.start() * module, y, (run.end() - run.start()) * module, height)
    canvas.setFillColorRGB(0, 0, 0)
    canvas.drawPath(path, stroke=0, fill=1)
    return module
