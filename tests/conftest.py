"""Shared fixtures: a real SQLite store in tmp_path holding a small demo conference, and a fixed clock."""

from __future__ import annotations

import os
import sqlite3
import sys
import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from checkin.demo import build_demo
from checkin.store import Store, open_store

DATA = Path(__file__).parent / "data"
NOW = datetime(2027, 6, 28, 13, 12, tzinfo=UTC)  # 08:12 in Chicago on the first day
FIXED_WEEK = ("--first-day", "2027-06-28")  # `checkin demo` dates the demo to this week unless told


def wait_until(condition: Callable[[], bool], seconds: float, failure: str) -> None:
    """Poll another process's or thread's progress, like qtbot.waitUntil: a short pause between looks,
    a hard deadline."""
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, failure
        time.sleep(0.05)


@pytest.fixture(autouse=True)
def private_settings(tmp_path: Path) -> None:
    """Every test that touches Qt (in any folder) keeps its settings (sound on/off, print setup, scanner
    timing, window sizes) in a temporary folder, never in the user's own."""
    if "PySide6.QtCore" not in sys.modules:
        return
    from PySide6.QtCore import QCoreApplication, QSettings

    QCoreApplication.setOrganizationName("MusterTests")
    QSettings.setDefaultFormat(QSettings.Format.IniFormat)
    QSettings.setPath(QSettings.Format.IniFormat, QSettings.Scope.UserScope, str(tmp_path / "settings"))


TEST_FONTS = Path(__file__).parent / "fonts"  # Noto Sans Tamil: a script none of the bundled fonts has


@pytest.fixture
def system_fonts(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Callable[[Path | None], dict[str, str]]]:
    """Make the laptop's fonts (as fontconfig lists them, for this process and the commands it starts) those of
    one folder, or none at all: printing must give the same answer whatever the machine has installed."""
    from checkin.printing import fonts

    def only(folder: Path | None) -> dict[str, str]:
        conf = tmp_path / f"fonts-{folder.name if folder else 'none'}.conf"
        listed = f"<dir>{folder}</dir>" if folder else ""
        conf.write_text(
            f"<?xml version='1.0'?><fontconfig>{listed}<cachedir>{tmp_path}/fc-cache</cachedir></fontconfig>"
        )
        monkeypatch.setenv("FONTCONFIG_FILE", str(conf))
        fonts.forget_system_fonts()
        return {**os.environ, "FONTCONFIG_FILE": str(conf)}

    yield only
    fonts.forget_system_fonts()


def pytest_configure(config: pytest.Config) -> None:
    """A keyring for the whole run, in a file of its own: the badge keys' sealing key goes into the keyring
    (see checkin.vault), and a CI machine has no desktop keyring (Secret Service, Keychain...). Set before any
    fixture, module-wide ones included; subprocesses inherit it. Entries are per station, so tests share it."""
    import tempfile

    home = Path(tempfile.mkdtemp(prefix="muster-tests-keyring-"))
    os.environ["PYTHON_KEYRING_BACKEND"] = "keyrings.alt.file.PlaintextKeyring"
    os.environ["XDG_DATA_HOME"] = str(home)
    os.environ.pop("MUSTER_BADGE_KEYS_PASSPHRASE", None)


@pytest.fixture
def now() -> datetime:
    return NOW


@pytest.fixture
def empty_store(tmp_path: Path) -> Iterator[Store]:
    store = open_store(tmp_path / "station.sqlite", "Desk 3")
    yield store
    store.close()


@pytest.fixture
def store(empty_store: Store) -> Store:
    with empty_store.unit_of_work() as session:
        build_demo(session, attendees=120, seed=7)
    return empty_store


@pytest.fixture
def snapshot() -> Callable[[Store], list[str]]:
    """Every row of every table, as SQL text: two equal snapshots mean an identical database. The search index
    is taken by what it holds (each attendee's sort key and words), not by how FTS5 happens to store it."""

    def take(store: Store) -> list[str]:
        path = store.engine.url.database
        assert path
        with sqlite3.connect(path) as connection:
            rows = [line for line in connection.iterdump() if not line.startswith('INSERT INTO "search_')]
            index = connection.execute("SELECT attendee_id, sort_key, words FROM search_entry ORDER BY attendee_id")
            return rows + [repr(entry) for entry in index]

    return take
