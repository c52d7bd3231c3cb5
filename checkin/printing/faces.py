"""Which font draws a character: the bundled ones first, then whatever the laptop has (fontconfig).

DejaVu Sans covers Latin with every accent, Greek, Cyrillic, Hebrew and Arabic; the bundled fallbacks add
Devanagari, Thai and Chinese, Japanese and Korean (Droid Sans Fallback). A character none of them has is asked
of fontconfig, so a laptop with fonts for Tamil or Bengali prints those names too. Only TrueType outlines are
taken: reportlab cannot embed CFF (PostScript) outlines, which many CJK system fonts have.
"""

from __future__ import annotations

import functools
import shutil
import subprocess
from dataclasses import dataclass, field
from pathlib import Path

from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFError, TTFont

FONTS_DIR = Path(__file__).resolve().parents[2] / "resources" / "fonts"
FONT_FILES = {"regular": "DejaVuSans.ttf", "bold": "DejaVuSans-Bold.ttf"}
FALLBACKS = {
    "regular": ("NotoSansDevanagari-Regular.ttf", "NotoSansThai-Regular.ttf", "DroidSansFallbackFull.ttf"),
    "bold": ("NotoSansDevanagari-Bold.ttf", "NotoSansThai-Bold.ttf", "DroidSansFallbackFull.ttf"),
}


@dataclass(frozen=True)
class Face:
    name: str  # registered with reportlab
    path: str
    glyphs: frozenset[int] = field(repr=False)


@functools.cache
def primary(style: str) -> Face:
    """The style's own font (DejaVu Sans or its bold), registered once."""
    return _register(f"Muster-{style}", str(FONTS_DIR / FONT_FILES[style]))


def face_for(ch: str, style: str) -> Face | None:
    """The first font that has ``ch``: the style's own, the bundled fallbacks, then the system's; None if no
    font on this machine has it."""
    code = ord(ch)
    first = primary(style)
    if code in first.glyphs:
        return first
    for file in FALLBACKS[style]:
        face = _bundled(file)
        if code in face.glyphs:
            return face
    return _system(style).face_for(code)


@functools.cache
def _bundled(file: str) -> Face:
    """A bundled fallback, registered once (Droid Sans Fallback, 4 MB, serves both styles)."""
    return _register(f"Muster-{Path(file).stem}", str(FONTS_DIR / "fallback" / file))


def _register(name: str, path: str, index: int = 0) -> Face:
    font = TTFont(name, path, subfontIndex=index)
    pdfmetrics.registerFont(font)
    return Face(name, path, frozenset(font.face.charToGlyph))


class _SystemFonts:
    """Fonts fontconfig finds for characters the bundled ones lack; each asked of it once."""

    def __init__(self, style: str) -> None:
        self.style = style
        self.found: list[Face] = []
        self.lacking: set[int] = set()

    def face_for(self, code: int) -> Face | None:
        for face in self.found:
            if code in face.glyphs:
                return face
        if code in self.lacking:
            return None
        for path, index in _candidates(code, self.style):
            try:
                face = _register(f"Muster-{self.style}-system-{len(self.found)}", path, index)
            except (TTFError, OSError, ValueError, KeyError):  # CFF outlines, a damaged file: try the next one
                continue
            if code in face.glyphs:
                self.found.append(face)
                return face
        self.lacking.add(code)
        return None


@functools.cache
def _system(style: str) -> _SystemFonts:
    return _SystemFonts(style)


def _candidates(code: int, style: str) -> list[tuple[str, int]]:
    """Files fontconfig says cover ``code``, TrueType first and the asked style (bold or not, upright) first."""
    fc_list = shutil.which("fc-list")
    if fc_list is None:
        return []
    try:
        listed = subprocess.run(
            [fc_list, "--format", "%{file}\t%{index}\t%{fontformat}\t%{style}\n", f":charset={code:x}"],
            capture_output=True,
            text=True,
            timeout=10,
        ).stdout
    except (OSError, subprocess.SubprocessError):
        return []
    found = []
    for line in listed.splitlines():
        path, _, rest = line.partition("\t")
        index, _, rest = rest.partition("\t")
        font_format, _, styles = rest.partition("\t")
        if font_format != "TrueType" or not index.isdigit():
            continue
        words = styles.lower()
        rank = (("bold" in words) != (style == "bold")) + 2 * ("italic" in words or "oblique" in words)
        found.append((rank, path, int(index)))
    return [(path, index) for _, path, index in sorted(found)]
