"""Sounds come from one player made by the composition root; tests hand windows a silent one, and Qt
Multimedia's platform noise (no sound server, no VA-API) never fails a test while our own warnings do."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from PySide6.QtCore import QSettings

from checkin.domain import Tone
from ui.sound import silent_sounds, system_sounds

PLATFORM_NOISE = [  # said by Qt Multimedia on machines with libpulse0 / libpipewire but no sound server
    "Couldn't load pipewire-0.3 library",
    "Couldn't resolve va(in plugin) symbols",
    "PulseAudioService: pa_context_connect() failed",
    "QSoundEffect(pulseaudio): playback of this format is not supported on the selected audio device",
]
OUR_KIND = [  # warnings that are about our code and must still fail a test
    "QObject::connect: No such signal DeskWindow::checked_in(int)",
    'QLayout: Attempting to add QLayout "" to DoorWindow "", which already has a layout',
    "Couldn't open the badge template",
    "QSoundEffect: no source set",
]


def ignored(message: str, patterns: list[str]) -> bool:
    return any(re.search(pattern, message) for pattern in patterns)


def test_platform_noise_is_ignored_and_our_own_warnings_are_not(request: pytest.FixtureRequest) -> None:
    patterns = request.config.getini("qt_log_ignore")
    assert all(ignored(message, patterns) for message in PLATFORM_NOISE)
    assert not any(ignored(message, patterns) for message in OUR_KIND)


def test_the_system_player_cues_every_tone_and_stays_quiet_when_turned_off(qapp) -> None:
    sounds = system_sounds(qapp)  # QSoundEffect where QtMultimedia loads, else the system beep
    for tone in Tone:
        sounds.cue(tone)
    assert sounds.played == list(Tone)
    sounds.set_enabled(False)
    sounds.cue(Tone.BAD)
    assert sounds.played == list(Tone)
    assert system_sounds(qapp).enabled is False  # remembered, for the next window


def test_a_silent_player_remembers_what_it_was_asked_to_play() -> None:
    sounds = silent_sounds()
    sounds.cue(Tone.GOOD)
    sounds.cue(Tone.BAD)
    assert sounds.played == [Tone.GOOD, Tone.BAD]


def test_settings_are_kept_in_the_tests_own_folder(tmp_path: Path) -> None:
    QSettings().setValue("sound/enabled", False)
    assert Path(QSettings().fileName()).is_relative_to(tmp_path)
