"""QR codes and Code 128 barcodes drawn as vectors: sharp at any printer resolution, and fast.

A QR's modules come from zxing-cpp's writer (C++, with a fixed mask: a fifth of a millisecond, against 4 ms for
the qrcode package, which was most of the time of printing 2,000 badges). Each row's runs of dark modules become
rectangles of one path, written out as PDF path operators in one piece, in a frame where a module is one unit,
rather than one reportlab call and four formatted decimals each.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass

import numpy as np
import zxingcpp
from barcode import Code128
from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas

QUIET_MODULES = 4  # the QR standard's quiet zone
MIN_MODULE = 0.4 * mm
COMFORTABLE_MODULE = 0.5 * mm
_LEVELS = ("Q", "M", "L")  # strongest first: more error correction survives scuffed badges, but needs more modules
_ALPHANUMERIC = re.compile(r"[0-9A-Z $%*+\-./:]*")  # the QR alphanumeric mode's characters


class SymbolTooSmall(ValueError):
    pass


@dataclass(frozen=True)
class QrMatrix:
    dark: np.ndarray  # rows of booleans, True where a module is dark
    level: str

    @property
    def size(self) -> int:
        return int(self.dark.shape[0])


def qr_matrix(text: str, box: float) -> QrMatrix:
    """The modules of ``text``, at the strongest error correction that keeps modules >= 0.5 mm in ``box``
    points (quiet zone included), or the weakest one that keeps them >= 0.4 mm."""
    level, version = _plan(len(text), "alnum" if _ALPHANUMERIC.fullmatch(text) else "bytes", round(box, 2))
    return QrMatrix(_modules(text, level, version), level)


def _modules(text: str, level: str, version: int = 0) -> np.ndarray:
    # A fixed mask: every mask is valid to every reader (the decode tests check it), and choosing the best one
    # is four fifths of the work. Version 0: the smallest that holds the text.
    options = {"ec_level": level, "data_mask": 2, **({"version": version} if version else {})}
    made = zxingcpp.create_barcode(text, zxingcpp.BarcodeFormat.QRCode, **options)
    return np.asarray(made.to_image(scale=1, add_quiet_zones=False)) < 128


@functools.cache
def _plan(length: int, mode: str, box: float) -> tuple[str, int]:
    """(error correction, version) for texts of this length and mode, so every badge of a run has the same."""
    sample = ("A" if mode == "alnum" else "a") * length
    candidates = []
    for level in _LEVELS:
        size = _modules(sample, level).shape[0]
        version = (size - 17) // 4
        module = box / (size + 2 * QUIET_MODULES)
        if module >= COMFORTABLE_MODULE:
            return level, version
        candidates.append((module, size, level, version))
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
    rows, starts, lengths = _runs(matrix.dark)
    canvas.setFillColorRGB(1, 1, 1)
    canvas.rect(x, y, box, box, stroke=0, fill=1)
    canvas.setFillColorRGB(0, 0, 0)
    origin_x, origin_y = x + QUIET_MODULES * module, y + QUIET_MODULES * module
    _fill_runs(canvas, origin_x, origin_y, module, module, starts, matrix.size - 1 - rows, lengths)
    return module


def _runs(dark: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Each run of dark modules, row by row: its row, where it starts, how long it is."""
    padded = np.zeros((dark.shape[0], dark.shape[1] + 2), np.int8)
    padded[:, 1:-1] = dark
    edges = np.diff(padded, axis=1)  # 1 where a row turns dark, -1 where it turns light again
    rows, starts = np.nonzero(edges == 1)
    return rows, starts, np.nonzero(edges == -1)[1] - starts


def _fill_runs(
    canvas: Canvas, x: float, y: float, unit_x: float, unit_y: float, xs: np.ndarray, ys: np.ndarray, widths: np.ndarray
) -> None:
    """Fill rectangles one unit high, given in whole units, in a frame where a unit is one (``unit_x`` by
    ``unit_y`` points, its origin at x, y): three small whole numbers each, formatted in one go."""
    numbers = np.column_stack((xs, ys, widths)).ravel().tolist()
    canvas.addLiteral(
        f"q {unit_x:.5f} 0 0 {unit_y:.5f} {x:.3f} {y:.3f} cm\n" + "%d %d %d 1 re\n" * len(xs) % tuple(numbers) + "f Q"
    )


@functools.lru_cache(maxsize=256)  # asked twice a badge: its width, then its bars
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
    _, starts, lengths = _runs(np.frombuffer(modules.encode(), np.uint8).reshape(1, -1) == ord("1"))
    canvas.setFillColorRGB(0, 0, 0)
    start = x + (width - len(modules) * module) / 2
    _fill_runs(canvas, start, y, module, height, starts, np.zeros_like(starts), lengths)
    return module
