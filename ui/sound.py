"""Audible cues for verdicts: a rising chirp for accepted, a double beep for a warning, a low buzz for a refusal.

Door staff look at the person, not the screen; the sound tells them the verdict first. QSoundEffect
needs QtMultimedia (and on Linux the system's libpulse0); without it the cue falls back to the
system beep, so a missing library never stops a station.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QObject, QSettings, QUrl
from PySide6.QtWidgets import QApplication

from checkin.domain import Tone
from ui.theme import RESOURCES

SETTING = "sound/enabled"


def _sound_effect_class() -> Any:
    try:
        from PySide6.QtMultimedia import QSoundEffect
    except ImportError:  # PySide6-Addons missing, or libpulse0 not installed
        return None
    return QSoundEffect


class VerdictSounds(QObject):
    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._settings = QSettings()
        self._effects: dict[Tone, Any] = {}
        effect_class = _sound_effect_class()
        if effect_class is not None:
            for tone in Tone:
                effect = effect_class(self)
                effect.setSource(QUrl.fromLocalFile(str(RESOURCES / "sounds" / f"{tone.value}.wav")))
                self._effects[tone] = effect
        self.played: list[Tone] = []  # what was cued, newest last (kept short; the UI tests read it)

    @property
    def enabled(self) -> bool:
        return bool(self._settings.value(SETTING, True, type=bool))

    def set_enabled(self, on: bool) -> None:
        self._settings.setValue(SETTING, on)

    @property
    def uses_system_beep(self) -> bool:
        return not self._effects

    def cue(self, tone: Tone) -> None:
        if not self.enabled:
            return
        self.played = [*self.played[-9:], tone]
        effect = self._effects.get(tone)
        if effect is not None:
            effect.play()
        elif tone is not Tone.GOOD:  # without our sounds, beep only when someone must look
            QApplication.beep()
