"""Text on printed badges, passes, certificates and rosters: no empty box, ever, and every script the way it is
written.

Each character is drawn with the first font that has it (``faces``: DejaVu Sans, the bundled fallbacks, then
the laptop's own fonts). Scripts whose letters join, reorder or stack (Arabic, Devanagari, Thai and the like)
are shaped by HarfBuzz (uharfbuzz, through reportlab) with the font's own rules, so "الله" comes out as the
letters DejaVu has rather than a ligature it lacks; right-to-left runs are laid out right to left (python-bidi).
A letter no font on the machine has is printed transliterated (anyascii), said in the print log
(``undrawable``); emoji and other symbols no font has are left out.
Text is fitted by measuring it: shrink to the smallest allowed size first, then wrap, then (never
overflowing) cut.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from dataclasses import dataclass
from typing import Any

from anyascii import anyascii
from bidi import get_display
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import shapeStr

from checkin.printing import faces
from checkin.printing.faces import FONT_FILES

__all__ = ["FONT_FILES", "Fitted", "draw", "drawable", "fit", "font_name", "right_to_left", "undrawable", "width"]

# Right-to-left letters, and scripts that need shaping to be readable (joining, reordering, stacking marks).
_NEEDS_LAYOUT = re.compile("[\u0590-\u0dff\u0e00-\u109f\u1780-\u18af\u1a00-\u1cff\ua800-\uabff\ufb1d-\ufeff]")
_SHAPED = re.compile("[\u0600-\u0dff\u0e00-\u109f\u1780-\u18af\u1a00-\u1cff\ua800-\uabff\ufb50-\ufeff]")
_PRESENTATION_FORMS = re.compile("[\ufb50-\ufdff\ufe70-\ufefe]+")
# python-bidi reorders but does not mirror: a bracket in right-to-left text is drawn as its mirror image. It takes
# the direction of the line (Unicode's rule N0 for the pairs names have), so it is mirrored in a right-to-left line.
# HarfBuzz mirrors by itself, so a run given to it in reading order is mirrored back first.
_MIRRORED = str.maketrans("()[]{}<>«»‹›", ")(][}{><»«›‹")


def font_name(style: str) -> str:
    """The reportlab name of the style's own font (DejaVu Sans or its bold)."""
    return faces.primary(style).name


def _plain(text: str, style: str) -> bool:
    """Whether the style's own font draws ``text`` as it is, left to right: the usual case, and the fast one."""
    return not _NEEDS_LAYOUT.search(text) and faces.primary(style).glyphs.issuperset(map(ord, text))


def drawable(text: str, style: str) -> str:
    """``text`` as this machine can draw it, still in reading order: a ligature or presentation form no font has
    as its letters ("ﷲ" -> "الله", "ﬁ" -> "fi"), letters no font here has transliterated ("王小明" with no CJK
    font -> "WangXiaoMing"), emoji and other symbols no font has left out."""
    if _plain(text, style):
        return text
    # Arabic typed in presentation forms (some systems store it so) becomes letters again, for HarfBuzz to join.
    text = _PRESENTATION_FORMS.sub(lambda found: unicodedata.normalize("NFKC", found.group()), text)
    kept: list[str] = []
    missing: list[str] = []
    for ch in text + "\0":  # the sentinel flushes the last run of missing letters
        if ch != "\0" and not ch.isspace() and faces.face_for(ch, style) is None:
            if (letters := _as_letters(ch, style)) is not None:
                kept.append(anyascii("".join(missing)) if missing else "")
                missing = []
                kept.append(letters)
            elif unicodedata.category(ch)[0] in "LMN":
                missing.append(ch)
            continue
        if missing:
            kept.append(anyascii("".join(missing)))
            missing = []
        kept.append(ch)
    return " ".join("".join(kept[:-1]).split())


def undrawable(text: str, style: str = "regular") -> str:
    """The letters of ``text`` that no font on this machine has (``drawable`` transliterates them)."""
    if _plain(text, style):
        return ""
    return "".join(
        ch
        for ch in text
        if not ch.isspace()
        and unicodedata.category(ch)[0] in "LMN"
        and faces.face_for(ch, style) is None
        and _as_letters(ch, style) is None
    )


def _as_letters(ch: str, style: str) -> str | None:
    """A compatibility character's own letters (NFKC), where fonts here have every one of them."""
    letters = unicodedata.normalize("NFKC", ch)
    if letters == ch or not all(c.isspace() or faces.face_for(c, style) for c in letters):
        return None
    return letters


def right_to_left(text: str) -> bool:
    """Whether ``text`` reads right to left: its first letter with a direction decides (Unicode's rule P2)."""
    for ch in text:
        direction = unicodedata.bidirectional(ch)
        if direction in ("R", "AL"):
            return True
        if direction == "L":
            return False
    return False


@dataclass(frozen=True)
class _Run:
    """A piece of a line drawn in one font, in drawing order (shaped runs carry HarfBuzz's glyph positions)."""

    text: Any  # str, or reportlab's ShapedStr
    font: str
    advance: float  # in thousandths of the font size

    @property
    def shaped(self) -> bool:
        return hasattr(self.text, "__shapeData__")


@dataclass
class _Piece:
    font: str
    chars: list[str]
    rtl: bool | None  # None: only neutral characters so far (spaces, digits, punctuation)


@functools.lru_cache(maxsize=8192)
def _runs(line: str, style: str) -> tuple[_Run, ...]:
    """The line cut where its font or its direction changes, in drawing order."""
    if right_to_left(line):
        visual = str(get_display(line)).translate(_MIRRORED)
    elif any(unicodedata.bidirectional(ch) in ("R", "AL") for ch in line):
        visual = str(get_display(line))
    else:
        visual = line
    pieces: list[_Piece] = []
    for ch in visual:
        font = (faces.face_for(ch, style) or faces.primary(style)).name
        direction = unicodedata.bidirectional(ch)
        rtl = True if direction in ("R", "AL") else False if direction == "L" else None
        if pieces and pieces[-1].font == font and (rtl is None or pieces[-1].rtl in (None, rtl)):
            pieces[-1].chars.append(ch)
            pieces[-1].rtl = pieces[-1].rtl if rtl is None else rtl
        else:
            pieces.append(_Piece(font, [ch], rtl))
    return tuple(_run("".join(piece.chars), piece.font, bool(piece.rtl)) for piece in pieces)


def _run(text: str, font: str, rtl: bool) -> _Run:
    if _SHAPED.search(text):
        logical = text[::-1].translate(_MIRRORED) if rtl else text  # HarfBuzz lays a right-to-left run out itself
        shaped = shapeStr(logical, font, 1000)
        if hasattr(shaped, "__shapeData__"):
            return _Run(shaped, font, sum(glyph.x_advance for glyph in shaped.__shapeData__))
    return _Run(text, font, pdfmetrics.stringWidth(text, font, 1000))  # nothing to shape: drawn as it is laid out


def forget_system_fonts() -> None:
    """Ask fontconfig afresh from now on (fonts installed or removed while the program runs)."""
    faces._system.cache_clear()
    _runs.cache_clear()
    fit.cache_clear()


def width(text: str, style: str, size: float) -> float:
    """How wide ``text`` (as ``drawable`` left it) is drawn at ``size`` points."""
    if _plain(text, style):
        return float(pdfmetrics.stringWidth(text, font_name(style), size))
    return sum(run.advance for run in _runs(text, style)) * size / 1000


def draw(canvas: Any, line: str, style: str, size: float, x: float, y: float, align: str = "left") -> None:
    """Draw one fitted line with its baseline at ``y``, starting at ``x`` (or centred on it, or ending at it);
    the canvas is left in the style's own font at ``size``."""
    if _plain(line, style):
        canvas.setFont(font_name(style), size)
        {"center": canvas.drawCentredString, "right": canvas.drawRightString}.get(align, canvas.drawString)(x, y, line)
        return
    runs = _runs(line, style)
    total = sum(run.advance for run in runs) * size / 1000
    x -= total / 2 if align == "center" else total if align == "right" else 0
    for run in runs:
        if run.shaped:
            _draw_glyphs(canvas, run, size, x, y)
        else:
            canvas.setFont(run.font, size)
            canvas.drawString(x, y, run.text)
        x += run.advance * size / 1000
    canvas.setFont(font_name(style), size)


def _draw_glyphs(canvas: Any, run: _Run, size: float, x: float, y: float) -> None:
    """A shaped run, each glyph where HarfBuzz put it (marks above or beside their letters); the text is moved
    only where a glyph does not follow on from the one before by its own width."""
    text = canvas.beginText()
    text.setFont(run.font, size)
    scale = size / 1000
    follows = False
    for ch, glyph in zip(run.text, run.text.__shapeData__, strict=True):
        if not follows or glyph.x_offset or glyph.y_offset:
            text.setTextOrigin(x + glyph.x_offset * scale, y + glyph.y_offset * scale)
        text.textOut(ch)
        x += glyph.x_advance * scale
        follows = not glyph.x_offset and not glyph.y_offset and abs(glyph.x_advance - glyph.width) < 0.5
    canvas.drawText(text)


@dataclass(frozen=True)
class Fitted:
    lines: tuple[str, ...]
    size: float

    @property
    def leading(self) -> float:
        return self.size * 1.12


@functools.lru_cache(maxsize=4096)  # a run of badges fits the same type, city and organisation again and again
def fit(
    text: str, style: str, box_width: float, box_height: float, max_size: float, min_size: float, max_lines: int = 2
) -> Fitted:
    """The largest size at which ``text`` fits the box, on one line or wrapped; at the smallest size, cut
    with an ellipsis rather than ever drawing outside the box. The lines are in reading order: ``draw`` lays
    each out."""
    return _fit(drawable(" ".join(text.split()), style), style, box_width, box_height, max_size, min_size, max_lines)


def _fit(
    text: str, style: str, box_width: float, box_height: float, max_size: float, min_size: float, max_lines: int
) -> Fitted:
    if not text:
        return Fitted((), max_size)
    # The largest size that fits, on one line or wrapped: shrinking alone would make long names tiny.
    one_line = min(max_size, box_height / 1.12, max_size * box_width / max(width(text, style, max_size), 0.01))
    size = min(max_size, box_height / 1.12 / 2)  # two lines at least
    breakable = " " in text or "-" in text
    while breakable and size > one_line and size >= min_size and max_lines > 1:
        lines = _wrap(text, style, size, box_width)
        if lines is not None and len(lines) <= max_lines and len(lines) * size * 1.12 <= box_height:
            return Fitted(tuple(lines), size)
        size -= 1
    if one_line >= min_size:
        return Fitted((text,), one_line)
    size = min(min_size, box_height / 1.12)  # a box lower than the smallest size still is not overflowed
    lines = _wrap(text, style, size, box_width, cut=True) or [text]
    room = max(1, min(max_lines, int(box_height // (size * 1.12))))
    if len(lines) > room:
        lines = lines[:room]
        lines[-1] += "…"
    return Fitted(tuple(_cut(line, style, size, box_width) for line in lines), size)


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
