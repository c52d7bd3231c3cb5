"""The big answer after every action: colour, icon and words, so it never relies on colour alone."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QSizePolicy

from checkin.domain import Tone, Verdict
from ui.theme import TONE_COLOURS, TONE_ICONS


class VerdictBanner(QLabel):
    def __init__(self) -> None:
        super().__init__()
        self.setObjectName("verdict")
        self.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.setWordWrap(True)
        self.setMinimumHeight(72)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        self.tone: Tone | None = None
        self.clear_verdict()

    def show_verdict(self, verdict: Verdict) -> None:
        self.show_message(verdict.tone, verdict.message)

    def show_message(self, tone: Tone, message: str) -> None:
        self.tone = tone
        background, text = TONE_COLOURS[tone]
        self.setText(f"{TONE_ICONS[tone]}  {message}")
        self.setStyleSheet(
            f"QLabel#verdict {{ background: {background}; color: {text}; font-size: 20pt; font-weight: bold;"
            " border-radius: 6px; padding: 10px; }"
        )

    def clear_verdict(self) -> None:
        self.tone = None
        self.setText("Type a name, organization or email, or scan a confirmation code.")
        self.setStyleSheet(
            "QLabel#verdict { background: #eceff1; color: #37474f; font-size: 14pt; border-radius: 6px;"
            " padding: 10px; }"
        )
