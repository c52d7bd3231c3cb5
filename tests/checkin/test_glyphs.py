"""Every name printed with a font that has its letters, shaped as its script is written; transliterated, and said,
only where no font on the machine has them. The machine's own fonts are made those of one folder (or none) by
``system_fonts``, so each test gives the same answer on a bare CI box and on a desktop full of fonts."""

from __future__ import annotations

import io
import subprocess
import sys
import unicodedata
from pathlib import Path

import numpy as np
import pytest
from pypdf import PdfReader
from reportlab.pdfgen.canvas import Canvas
from sqlalchemy import select

from checkin.printing import faces, fonts
from checkin.printing.badge_pdf import BadgeData, badge_pdf
from checkin.printing.layouts import STOCKS
from checkin.printing.template import load_template
from checkin.store import open_store
from checkin.store.models import Event
from tests.conftest import TEST_FONTS
from tests.raster import rasterize

# (name, the font that must draw it, letters pypdf must read back from the PDF)
NAMES = [
    ("عبد الله", "DejaVuSans", "عبد الله"),
    ("דוד כהן", "DejaVuSans", "דוד כהן"),
    ("Nguyễn Thị Minh Khai", "DejaVuSans", "Nguyễn Thị Minh Khai"),
    ("Αλέξανδρος Παπαδόπουλος", "DejaVuSans", "Αλέξανδρος"),
    ("Владимир Иванов", "DejaVuSans", "Владимир Иванов"),
    ("अमित शर्मा", "NotoSansDevanagari", "श"),  # conjuncts and reordered vowels read back as glyphs, not letters
    ("สมชาย ศรีสุข", "NotoSansThai", "สมชาย"),
    ("王小明", "DroidSansFallback", "王小明"),
    ("山田 さくら", "DroidSansFallback", "さくら"),
    ("அருண் குமார்", "NotoSansTamil", "அ"),  # only in the laptop's fonts (tests/fonts), none of the bundled ones
]


def _badge(people_badge: BadgeData, first: str, last: str = "", organization: str = "Metro PD") -> BadgeData:
    return BadgeData(
        **{**people_badge.__dict__, "first_name": first, "last_name": last, "organization": organization, "marks": ()}
    )


@pytest.fixture
def someone() -> BadgeData:
    return BadgeData("a1", "R100001", "Ann", "Lee", "Metro PD", "Austin", "TX", "Member", "CODE", 1)


def _fonts_and_text(pdf: bytes) -> tuple[set[str], str]:
    page = PdfReader(io.BytesIO(pdf)).pages[0]
    used = {str(font["/BaseFont"]).split("+")[-1] for font in page["/Resources"]["/Font"].values()}
    return used, unicodedata.normalize("NFKC", page.extract_text())


@pytest.mark.parametrize(("name", "font", "read_back"), NAMES, ids=[font + "-" + name for name, font, _ in NAMES])
def test_each_script_is_printed_with_a_font_that_has_it(system_fonts, someone, name, font, read_back) -> None:
    system_fonts(TEST_FONTS)
    assert fonts.undrawable(name) == "" and fonts.drawable(name, "bold") == name  # nothing transliterated
    for stock in ("fanfold-4x3", "cr80"):
        used, text = _fonts_and_text(badge_pdf(_badge(someone, name), STOCKS[stock], load_template()))
        assert any(f.startswith(font) for f in used), (used, stock)
        assert _letters(read_back) in _letters(text), (text, stock)
    # Every character is drawn by a font that has it: never the font's empty box.
    for run in fonts._runs(name, "bold"):
        face = next(f for f in _faces("bold") if f.name == run.font)
        assert all(ord(ch) in face.glyphs or 0xE000 <= ord(ch) <= 0xF8FF for ch in str(run.text)), run
        # (private-use characters are the shaped glyphs reportlab maps itself: conjuncts, joined forms)


def _letters(text: str) -> str:
    return "".join(unicodedata.normalize("NFKC", text).split())


def _faces(style: str) -> list[faces.Face]:
    found = [faces.primary(style), *(faces._bundled(file) for file in faces.FALLBACKS[style])]
    return found + faces._system(style).found


def test_allah_is_joined_letters_not_the_ligature_the_font_lacks(system_fonts) -> None:
    system_fonts(None)
    assert 0xFDF2 not in faces.primary("bold").glyphs  # ARABIC LIGATURE ALLAH: what arabic-reshaper made of it
    [run] = fonts._runs("عبد الله", "bold")
    assert run.shaped and "\ufdf2" not in str(run.text)
    assert all(ord(ch) in faces.primary("bold").glyphs for ch in str(run.text))
    # Shaped: joined (initial, medial, final) forms, not the isolated letters drawn one by one.
    assert sum("\ufe70" <= ch <= "\ufeff" for ch in str(run.text)) == 6  # all but the word-initial alef
    assert unicodedata.normalize("NFKC", str(run.text))[::-1] == "عبد الله"  # every letter, drawn right to left
    assert fonts.width("عبد الله", "bold", 20) < sum(fonts.width(ch, "bold", 20) for ch in "عبد الله")


def _line_pdf(text: str, style: str, size: float) -> bytes:
    buffer = io.BytesIO()
    canvas = Canvas(buffer, pagesize=(6 * size * len(text) / 4 + 40, 3 * size))
    fonts.draw(canvas, fonts.drawable(text, style), style, size, 20, size)
    canvas.showPage()
    canvas.save()
    return buffer.getvalue()


def _ink(pixels: np.ndarray) -> np.ndarray:
    mask = pixels < 128
    rows, cols = np.flatnonzero(mask.any(axis=1)), np.flatnonzero(mask.any(axis=0))
    return mask[rows[0] : rows[-1] + 1, cols[0] : cols[-1] + 1]


def _qt_ink(text: str, font_file: Path, pixels: float) -> np.ndarray:
    """The same text as Qt lays it out (its own HarfBuzz and bidi), with the same font file."""
    from PySide6.QtCore import Qt
    from PySide6.QtGui import QFont, QFontDatabase, QImage, QPainter

    family = QFontDatabase.applicationFontFamilies(QFontDatabase.addApplicationFont(str(font_file)))[0]
    image = QImage(round(pixels * len(text) * 1.5) + 40, round(pixels * 3), QImage.Format.Format_Grayscale8)
    image.fill(Qt.GlobalColor.white)
    painter = QPainter(image)
    font = QFont(family)
    font.setPixelSize(round(pixels))
    painter.setFont(font)
    painter.setPen(Qt.GlobalColor.black)
    painter.drawText(20, round(pixels * 2), text)
    painter.end()
    data = np.frombuffer(image.constBits(), dtype=np.uint8).reshape(image.height(), image.bytesPerLine())
    return _ink(data[:, : image.width()].copy())


def _overlap(a: np.ndarray, b: np.ndarray) -> float:
    """How much two ink shapes agree once scaled to one size (1: the same picture)."""
    rows, cols = a.shape
    picked = b[(np.arange(rows) * b.shape[0] // rows)[:, None], (np.arange(cols) * b.shape[1] // cols)[None, :]]
    return float((a & picked).sum() / max((a | picked).sum(), 1))


@pytest.mark.parametrize(
    ("text", "font_file", "joined"),
    [
        ("عبد الله", faces.FONTS_DIR / "DejaVuSans.ttf", True),
        ("अमित शर्मा", faces.FONTS_DIR / "fallback" / "NotoSansDevanagari-Regular.ttf", True),
        ("สมชาย ศรีสุข", faces.FONTS_DIR / "fallback" / "NotoSansThai-Regular.ttf", False),  # marks placed, no joins
    ],
)
def test_shaped_names_look_as_another_shaping_engine_draws_them(qapp, system_fonts, text, font_file, joined) -> None:
    system_fonts(None)
    dpi, size = 150, 36
    printed = _ink(rasterize(_line_pdf(text, "regular", size), dpi=dpi))
    reference = _qt_ink(text, font_file, size * dpi / 72)
    assert abs(printed.shape[1] - reference.shape[1]) <= 0.06 * reference.shape[1], (printed.shape, reference.shape)
    assert _overlap(printed, reference) > 0.6
    if not joined:
        return
    # Drawn letter by letter, unshaped, the same text looks measurably different: the comparison can fail.
    unshaped = io.BytesIO()
    canvas = Canvas(unshaped, pagesize=(6 * size * len(text) / 4 + 40, 3 * size))
    canvas.setFont(next(f.name for f in _faces("regular") if f.path == str(font_file)), size)
    canvas.drawString(20, size, text[::-1] if fonts.right_to_left(text) else text)
    canvas.showPage()
    canvas.save()
    assert _overlap(_ink(rasterize(unshaped.getvalue(), dpi=dpi)), reference) < _overlap(printed, reference) - 0.1


def test_letters_no_font_has_are_transliterated_and_said(system_fonts, tmp_path: Path) -> None:
    env = system_fonts(None)  # the laptop has no font for Tamil
    tamil_letters = "".join(ch for ch in "அருண்குமார்" if unicodedata.category(ch)[0] in "LMN")
    assert fonts.undrawable("அருண் குமார்") == tamil_letters
    assert fonts.drawable("அருண் குமார்", "regular").isascii()
    db = tmp_path / "t.sqlite"

    def checkin(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "checkin.cli", *args, "--db", str(db)], env=env, capture_output=True, text=True
        )

    assert checkin("demo", "--attendees", "5").returncode == 0
    assert checkin("correct", "R100002", "--first", "அருண்", "--last", "குமார்").returncode == 0
    out = tmp_path / "badges.pdf"
    printed = checkin("print", "badges", "--out", str(out), "--mark-printed")
    assert printed.returncode == 0, printed.stderr
    assert "no font on this computer has the letters" in printed.stderr and "R100002" in printed.stderr
    assert "1 badge spell" in printed.stderr
    text = "".join(page.extract_text() for page in PdfReader(out).pages)
    assert "arun" in text.lower() and "அ" not in text
    store = open_store(db)
    with store.reading() as session:
        logged = [
            e.payload.get("transliterated") for e in session.scalars(select(Event).where(Event.kind == "badge_printed"))
        ]
    store.close()
    assert len(logged) == 5 and [letters for letters in logged if letters] == [tamil_letters]
    # With a font for it on the laptop, the same badge prints in Tamil and nothing is said.
    env = system_fonts(TEST_FONTS)
    again = checkin("print", "badges", "--attendee", "R100002", "--out", str(out))
    assert again.returncode == 0 and "no font" not in again.stderr
    assert "அ" in PdfReader(out).pages[0].extract_text()


def test_ligatures_and_presentation_forms_become_the_letters_fonts_have(system_fonts) -> None:
    system_fonts(None)
    assert faces.face_for("\ufdf2", "bold") is None  # no font here has ARABIC LIGATURE ALLAH
    typed = "عبد ﷲ"  # as some systems store the name: the ligature itself
    assert fonts.drawable(typed, "bold") == "عبد الله" and fonts.undrawable(typed) == ""
    assert fonts.drawable("ﻋﺒﺪ", "regular") == "عبد"  # presentation forms: letters again, joined by HarfBuzz
    [run] = fonts._runs(fonts.drawable(typed, "bold"), "bold")
    assert run.shaped and all(ord(ch) in faces.primary("bold").glyphs for ch in str(run.text))
    assert fonts.drawable("Ｔａｎａｋａ", "regular") == "Ｔａｎａｋａ"  # fullwidth letters a bundled font has stay


def test_brackets_in_a_right_to_left_line_face_the_way_they_read(system_fonts) -> None:
    system_fonts(None)
    for line in ("דוד כהן (Dr)", "محمد (علي)"):
        drawn = "".join(unicodedata.normalize("NFKC", str(run.text)) for run in fonts._runs(line, "regular"))
        # Drawn left to right: the bracket that closes the line's last words (in reading order) comes first.
        assert drawn.index("(") < drawn.index(")"), drawn
