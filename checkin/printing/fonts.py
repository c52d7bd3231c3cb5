"""Fonts for printed badges: DejaVu Sans (shipped in resources/, with its licence), embedded in every PDF.

It covers Latin with every accent (Vietnamese included), Greek, Cyrillic, Hebrew and Arabic. Arabic letters
are joined (arabic-reshaper) and right-to-left text is laid out right to left (python-bidi): reportlab draws
characters one by one, left to right. A name in a script the font lacks (Chinese, Thai, Devanagari) is
printed transliterated (anyascii), and emoji are left out, rather than printed as empty boxes.
Text is fitted by measuring it: shrink to the smallest allowed size first, then wrap, then (never
overflowing) cut.
"""

from __future__ import annotations

import functools
import unicodedata
from dataclasses import dataclass
from pathlib import Path

import arabic_reshaper
from anyascii import anyascii
from bidi import get_display
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont, TTFontFile

FONTS_DIR = Path(__file__).resolve().parents[2] / "resources" / "fonts"
FONT_FILES = {"regular": "DejaVuSans.ttf", "bold": "DejaVuSans-Bold.ttf"}


@functools.cache
def font_name(style: str) -> str:
    """Register the font for ``style`` (once) and return its reportlab name."""
    name = f"Muster-{style}"
    pdfmetrics.registerFont(TTFont(name, str(FONTS_DIR / FONT_FILES[style])))
    return name


@functools.cache
def _glyphs(style: str) -> frozenset[int]:
    return frozenset(TTFontFile(str(FONTS_DIR / FONT_FILES[style])).charToGlyph)


def drawable(text: str, style: str) -> str:
    """``text`` as the font can draw it, still in reading order: Arabic letters in their joined forms,
    letters the font lacks transliterated ("王小明" -> "WangXiaoMing"), emoji and other symbols it
    lacks left out."""
    glyphs = _glyphs(style)
    if all(ord(ch) in glyphs for ch in text):  # the usual case
        return arabic_reshaper.reshape(text) if _has_arabic(text) else text
    kept, missing = [], []
    for ch in text + "\0":  # the sentinel flushes the last run of missing letters
        if ch != "\0" and ord(ch) not in glyphs and not ch.isspace():
            if unicodedata.category(ch)[0] in "LMN":
                missing.append(ch)
            continue
        if missing:
            kept.append(anyascii("".join(missing)))
            missing = []
        kept.append(ch)
    text = " ".join("".join(kept[:-1]).split())
    return arabic_reshaper.reshape(text) if _has_arabic(text) else text


def _has_arabic(text: str) -> bool:
    return any("\u0600" <= ch <= "\u06ff" for ch in text)


def right_to_left(text: str) -> bool:
    """Whether ``text`` reads right to left: its first letter with a direction decides (Unicode's rule P2)."""
    for ch in text:
        direction = unicodedata.bidirectional(ch)
        if direction in ("R", "AL"):
            return True
        if direction == "L":
            return False
    return False


def visual(line: str) -> str:
    """A fitted line in the order it is drawn: right-to-left runs reversed, the rest untouched."""
    if not any(unicodedata.bidirectional(ch) in ("R", "AL") for ch in line):
        return line
    return str(get_display(line))


def width(text: str, style: str, size: float) -> float:
    return float(pdfmetrics.stringWidth(text, font_name(style), size))


@dataclass(frozen=True)
class Fitted:
    lines: list[str]
    size: float

    @property
    def leading(self) -> float:
        return self.size * 1.12


def fit(
    text: str, style: str, box_width: float, box_height: float, max_size: float, min_size: float, max_lines: int = 2
) -> Fitted:
    """The largest size at which ``text`` fits the box, on one line or wrapped; at the smallest size, cut
    with an ellipsis rather than ever drawing outside the box. The lines come in drawing order (see
    ``visual``)."""
    fitted = _fit(drawable(" ".join(text.split()), style), style, box_width, box_height, max_size, min_size, max_lines)
    return Fitted([visual(line) for line in fitted.lines], fitted.size)


def _fit(
    text: str, style: str, box_width: float, box_height: float, max_size: float, min_size: float, max_lines: int
) -> Fitted:
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
