"""Fonts and colours shared by every window."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtGui import QFont, QFontDatabase
from PySide6.QtWidgets import QApplication

from checkin.domain import Status, Tone

RESOURCES = Path(__file__).resolve().parent.parent / "resources"
FONT_FAMILY = "DejaVu Sans"

# Background, text; chosen for contrast on a projector and for colour-blind staff (icons and words carry
# the meaning too, colour only speeds it up).
TONE_COLOURS = {Tone.GOOD: ("#1b7f3b", "#ffffff"), Tone.WARN: ("#f2b705", "#1a1a1a"), Tone.BAD: ("#c62828", "#ffffff")}
TONE_ICONS = {Tone.GOOD: "✔", Tone.WARN: "⚠", Tone.BAD: "✖"}
STATUS_TONES = {Status.PAID: Tone.GOOD, Status.UNPAID: Tone.WARN, Status.CANCELLED: Tone.BAD}


def install_fonts(app: QApplication) -> None:
    """Register the bundled font (machines without fonts would otherwise draw boxes) and use it."""
    for name in ("DejaVuSans.ttf", "DejaVuSans-Bold.ttf"):
        QFontDatabase.addApplicationFont(str(RESOURCES / "fonts" / name))
    app.setFont(QFont(FONT_FAMILY, 11))
