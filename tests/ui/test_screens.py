"""Windows on the screens a venue has: every window fits a 1366x768 laptop, remembers where it was left, and
the door's type grows with its screen (checked on Qt's offscreen screen set to each size)."""

from __future__ import annotations

import json
import subprocess
import sys
from datetime import datetime
from pathlib import Path

import pytest
from PySide6.QtCore import QSize

from checkin.occupancy.door import open_door
from checkin.store import Store
from ui.door_window import DoorWindow
from ui.geometry import FRAME
from ui.sound import silent_sounds

PROBE = Path(__file__).with_name("screen_probe.py")


def probe(width: int, height: int, store: Store) -> dict:
    database = str(store.engine.url.database)
    done = subprocess.run(
        [sys.executable, str(PROBE), str(width), str(height), database], capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout.strip().splitlines()[-1])


@pytest.fixture(scope="module")
def screens(tmp_path_factory) -> dict[tuple[int, int], dict]:
    from checkin.demo import build_demo
    from checkin.store import open_store

    store = open_store(tmp_path_factory.mktemp("screens") / "demo.sqlite", "Desk 1")
    with store.unit_of_work() as session:
        build_demo(session, attendees=200, seed=3)
    found = {size: probe(*size, store) for size in ((1366, 768), (1920, 1080))}
    store.close()
    return found


@pytest.mark.parametrize("size", [(1366, 768), (1920, 1080)])
def test_every_window_opens_inside_the_screen_with_room_for_what_it_must_show(screens, size) -> None:
    width, height = size
    report = screens[size]
    assert report["screen"] == [0, 0, width, height]
    for name, window in report["windows"].items():
        if "frame" not in window:
            continue
        x, y, w, h = window["frame"]
        assert x >= 0 and y >= 0 and x + w <= width and y + h <= height, f"{name} at {window['frame']} on {size}"
        least_w, least_h = window["minimum"]
        assert least_w <= width and least_h <= height, f"{name} needs {window['minimum']} on {size}"


def test_a_window_too_big_for_the_laptop_opens_maximised_and_one_that_fits_opens_centred(screens) -> None:
    small, large = screens[(1366, 768)]["windows"], screens[(1920, 1080)]["windows"]
    assert small["dashboard"]["frame"] == [0, 0, 1366, 768]  # 1400x860 does not fit: maximised
    x, y, w, h = large["dashboard"]["frame"]
    assert abs((x + w / 2) - 960) <= 4 and abs((y + h / 2) - 540) <= 4  # fits: its natural size, centred


def test_the_doors_type_grows_with_its_screen(screens) -> None:
    small = screens[(1366, 768)]["windows"]["door_type"]
    large = screens[(1920, 1080)]["windows"]["door_type"]
    assert small["count_px"] >= 80  # the count: about 2 cm tall on a 15.6-inch laptop, read from 3 m
    for part in ("count_px", "banner_pt", "name_px"):
        assert large[part] >= 1.35 * small[part], part


def test_a_window_opens_where_it_was_left(qtbot, store: Store, now: datetime) -> None:
    door = open_door(store, "Hall B", "Main door")
    first = DoorWindow(store, door, lambda: now, silent_sounds())
    qtbot.add_widget(first)
    first.show()
    assert first.size() == QSize(1100, 720).boundedTo(first.screen().availableGeometry().size() - FRAME)
    first.resize(QSize(780, 560))
    first.close()
    again = DoorWindow(store, door, lambda: now, silent_sounds())
    qtbot.add_widget(again)
    again.show()
    assert again.size() == QSize(780, 560)


def test_a_window_dropped_without_closing_goes_quietly(qtbot) -> None:
    """Python clears a window's watchers before Qt stops sending them the dying window's events: the watchers of
    geometry and type must outlive that (before, this crashed the test run)."""
    import gc

    from PySide6.QtWidgets import QDialog, QLabel

    from ui.geometry import fit_and_remember
    from ui.scaled_type import ScaledType

    for _ in range(20):
        dialog = QDialog()
        fit_and_remember(dialog, "dropped", QSize(300, 200))
        dialog.type = ScaledType(dialog)
        dialog.type.label(QLabel("Checked in", dialog), 20)
        dialog.resize(600, 400)
        del dialog
        gc.collect()
