"""A station's name: one rule for the CLI, the app's --station, the first run and Station settings."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from checkin.rules.station import LONGEST, BadStationName, readable_name
from checkin.store import open_store


@pytest.mark.parametrize(
    ("typed", "name"),
    [("Desk 3", "Desk 3"), ("  Hall   B door ", "Hall B door"), ("Accueil Salle É", "Accueil Salle É")],
)
def test_a_name_people_can_read_is_kept_with_its_spaces_tidied(typed: str, name: str) -> None:
    assert readable_name(typed) == name


@pytest.mark.parametrize(
    ("typed", "says"),
    [("", "needs a name"), (" \t ", "needs a name"), ("D" * (LONGEST + 1), "at most 40"), ("Desk\x1b[2J", "control")],
)
def test_a_name_nobody_could_read_is_refused_saying_why(typed: str, says: str) -> None:
    with pytest.raises(BadStationName, match=says):
        readable_name(typed)


def test_opening_or_renaming_with_a_bad_name_keeps_the_old_one(tmp_path: Path) -> None:
    store = open_store(tmp_path / "s.sqlite", "Desk 1")
    with pytest.raises(BadStationName):
        store.rename_station("   ")
    assert store.station.name == "Desk 1"
    store.close()
    with pytest.raises(BadStationName):
        open_store(tmp_path / "s.sqlite", "\x00")
    again = open_store(tmp_path / "s.sqlite")
    assert again.station.name == "Desk 1"
    again.close()


def test_the_cli_refuses_a_blank_station_name_with_exit_1(tmp_path: Path) -> None:
    db = str(tmp_path / "s.sqlite")
    open_store(db, "Desk 1").close()
    done = subprocess.run(
        [sys.executable, "-m", "checkin.cli", "stats", "--db", db, "--station", "  "], capture_output=True, text=True
    )
    assert done.returncode == 1
    assert done.stderr.strip() == (
        "checkin stats: a station needs a name people can read, such as 'Desk 3' or 'Hall B door'"
    )
