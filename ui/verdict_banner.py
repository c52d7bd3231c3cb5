"""The big answer after every action: colour, icon and words, so it never relies on colour alone."""

from __future__ import annotations

from html import escape

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QSizePolicy

from checkin.domain import Tone, Verdict
from ui.theme import TONE_COLOURS, TONE_ICONS


class VerdictBanner(QLabel):
    def __init__(
        self,
        font_pt: float = 20,
        prompt: str = "Type a name, organization or email, or scan a badge or confirmation code.",
        detail_share: float = 0.5,
    ) -> None:
        """``detail_share``: the second line's size against the first's. At a desk it says who the answer is
        about (smaller); at a kiosk it is the instruction the attendee must follow, nearly as large."""
        super().__init__()
        self.setObjectName("verdict")
        self.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.setWordWrap(True)
        self.setTextFormat(Qt.TextFormat.RichText)
        self.setMinimumHeight(72)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        self.font_pt = font_pt
        self.detail_share = detail_share
        self.prompt = prompt
        self.tone: Tone | None = None
        self.message = ""
        self.detail = ""
        self.clear_verdict()

    def set_font_pt(self, font_pt: float) -> None:
        """A new size for the words (a door's window was resized), keeping what is shown."""
        self.font_pt = font_pt
        if self.tone is None:
            self.clear_verdict()
        else:
            self.show_message(self.tone, self.message, self.detail)

    def show_verdict(self, verdict: Verdict) -> None:
        """The verdict's words, and under them who it is about: name, registration type, organization."""
        who = ""
        if verdict.attendee is not None:
            person = verdict.attendee
            details = " · ".join(x for x in (person.registration_type, person.organization) if x)
            who = f"{person.full_name}" + (f" · {details}" if details else "")
        self.show_message(verdict.tone, verdict.message, who)

    def show_message(self, tone: Tone, message: str, detail: str = "") -> None:
        self.tone, self.message, self.detail = tone, message, detail
        background, text = TONE_COLOURS[tone]
        weight = "bold" if self.detail_share >= 0.75 else "normal"
        second = (
            f"<div style='font-size: {max(11, self.font_pt * self.detail_share):.1f}pt; font-weight: {weight};'>"
            f"{escape(detail)}</div>"
            if detail
            else ""
        )
        self.setText(f"<div>{TONE_ICONS[tone]}&nbsp;&nbsp;{escape(message)}</div>{second}")
        self.setStyleSheet(
            f"QLabel#verdict {{ background: {background}; color: {text}; font-size: {self.font_pt:.1f}pt;"
            " font-weight: bold; border-radius: 6px; padding: 10px; }"
        )

    def clear_verdict(self) -> None:
        self.tone, self.message, self.detail = None, "", ""
        self.setText(escape(self.prompt).replace("\n", "<br>"))
        self.setStyleSheet(
            f"QLabel#verdict {{ background: #eceff1; color: #37474f; font-size: {max(14, self.font_pt / 2):.1f}pt;"
            " border-radius: 6px; padding: 10px; }"
        )
