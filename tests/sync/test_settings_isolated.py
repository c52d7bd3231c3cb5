"""Qt tests outside tests/ui/ keep their settings out of the user's folder too."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QSettings


def test_a_sync_test_writes_settings_into_its_own_folder(qapp, tmp_path: Path) -> None:
    settings = QSettings()
    settings.setValue("scanner/min_length", 9)
    settings.sync()
    assert Path(settings.fileName()).is_relative_to(tmp_path)
    assert Path(settings.fileName()).exists()
