"""Audible cues for verdicts: a rising chirp for accepted, a double beep for a warning, a low buzz for a refusal.

Door staff look at the person, not the screen; the sound tells them the verdict first. The player is made
once, in the composition root (`ui.app`), and handed to each window: the app gets `system_sounds` (QSoundEffect,
which needs QtMultimedia and on Linux the system's libpulse0, else the system beep), tests get `silent_sounds`,
so no window touches the sound hardware on its own.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QObject, QSettings, QUrl
from PySide6.QtWidgets import QApplication

from checkin.domain import Tone
from ui.theme import RESOURCES

SETTING = "sound/enabled"

Play = Callable[[Tone], None]


class VerdictSounds(QObject):
    """Cues verdicts through `play` while sound is on (on/off is remembered in the settings)."""

    def __init__(self, play: Play, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._play = play
        self._settings = QSettings()
        self.played: list[Tone] = []  # what was cued, newest last (kept short; the UI tests read it)

    @property
    def enabled(self) -> bool:
        return bool(self._settings.value(SETTING, True, type=bool))

    def set_enabled(self, on: bool) -> None:
        self._settings.setValue(SETTING, on)

    def cue(self, tone: Tone) -> None:
        if not self.enabled:
            return
        self.played = [*self.played[-9:], tone]
        self._play(tone)


def system_sounds(parent: QObject) -> VerdictSounds:
    """Our sounds through QtMultimedia; without it (PySide6-Addons or libpulse0 missing) the system beep,
    only when someone must look, so a missing library never stops a station."""
    try:
        from PySide6.QtMultimedia import QSoundEffect
    except ImportError:
        return VerdictSounds(_beep_unless_good, parent)
    effects: dict[Tone, QSoundEffect] = {}
    for tone in Tone:
        effect = QSoundEffect(parent)
        effect.setSource(QUrl.fromLocalFile(str(RESOURCES / "sounds" / f"{tone.value}.wav")))
        effects[tone] = effect
    return VerdictSounds(lambda tone: effects[tone].play(), parent)


def silent_sounds(parent: QObject | None = None) -> VerdictSounds:
    """Remembers what was cued and plays nothing: for tests, and for machines that must stay quiet."""
    return VerdictSounds(lambda tone: None, parent)


def _beep_unless_good(tone: Tone) -> None:
    if tone is not Tone.GOOD:
        QApplication.beep()
