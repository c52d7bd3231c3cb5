"""Fonts for printed badges: DejaVu Sans (shipped in resources/, with its licence), embedded in every PDF.

It covers Latin with every accent (Vietnamese included), Greek and Cyrillic. Text is fitted by
measuring it: shrink to the smallest allowed size first, then wrap, then (never overflowing) cut.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from pathlib import Path

from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont

FONTS_DIR = Path(__file__).resolve().parents[2] / "resources" / "fonts"
FONT_FILES = {"regular": "DejaVuSans.ttf", "bold": "DejaVuSans-Bold.ttf"}


@functools.cache
def font_name(style: str) -> str:
    """Register the font for ``style`` (once) and return its reportlab name."""
    name = f"Muster-{style}"
    pdfmetrics.registerFont(TTFont(name, str(FONTS_DIR / FONT_FILES[style])))
    return name


def width(text: str, style: str, size: float) -> float:
    return float(pdfmetrics.stringWidth(text, font_name(style), size))


@dataclass(frozen=True)
class Fitted:
    lines: list[str]
    size: float

    @property
    def leading(self) -> float:
        return self.size * 1.12


def fit(text: str, style: str, box_width: float, box_height: float, max_size: float, min_size: float,
        max_lines: int = 2) -> Fitted:
    """The largest size at which ``text`` fits the box, on one line or wrapped; at the smallest size, cut
    with an ellipsis rather than ever drawing outside the box."""
    text = " ".join(text.split())
    if not text:
        return Fitted([], max_size)
    # The largest size that fits, on one line or wrapped: shrinking alone would make long names tiny.
    one_line = min(max_size, box_height / 1.12, max_size * box_width / max(width(text, style, max_size), 0.01))
    size = min(max_size, box_height / 1.12 / 2)  # two lines at least
    breakable = " " in text or "-" in text
    while breakable and size > one_line and size >= min_size and max_lines > 1:
        lines = _wrap(text, style, size, box_width)
        if lines is not None and len(lines) <= max_lines and len(lines) * size * 1.12 <= box_height:
            return Fitted(lines, size)
        size -= 1
    if one_line >= min_size:
        return Fitted([text], one_line)
    size = min(min_size, box_height / 1.12)  # a box lower than the smallest size still is not overflowed
    lines = _wrap(text, style, size, box_width, cut=True) or [text]
    room = max(1, min(max_lines, int(box_height // (size * 1.12))))
    if len(lines) > room:
        lines = lines[:room]
        lines[-1] += "…"
    return Fitted([_cut(line, style, size, box_width) for line in lines], size)


def _wrap(text: str, style: str, size: float, box_width: float, cut: bool = False) -> list[str] | None:
    """Words into lines no wider than the box (hyphenated names break at their hyphens too)."""
    words = text.replace("-", "- ").split(" ")
    lines: list[str] = []
    for word in words:
        candidate = word if not lines else (lines[-1] + ("" if lines[-1].endswith("-") else " ") + word)
        if lines and width(candidate, style, size) <= box_width:
            lines[-1] = candidate
        elif width(word, style, size) <= box_width or cut:
            lines.append(word)
        else:
            return None
    return lines


def _cut(line: str, style: str, size: float, box_width: float) -> str:
    if width(line, style, size) <= box_width:
        return line
    while line and width(line + "…", style, size) > box_width:
        line = line[:-1]
    return line.rstrip() + "…"
