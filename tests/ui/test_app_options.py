"""`checkin-app` options: scanner timing is validated and remembered; each station kind opens its window."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication, QComboBox, QInputDialog

from checkin.store import Store
from tests.ui.dialogs import answer_pin
from ui.app import build_window, parse_args, pick_room, wedge_settings
from ui.dashboard_window import DashboardWindow
from ui.desk_window import DeskWindow
from ui.door_window import DoorWindow
from ui.kiosk_window import KioskWindow
from ui.sound import silent_sounds


def test_scanner_timing_is_remembered_between_starts(qapp) -> None:
    first = wedge_settings(parse_args(["--scan-gap-ms", "55", "--scan-min-length", "8"]))
    assert (first.max_gap_ms, first.min_length) == (55.0, 8)
    later = wedge_settings(parse_args([]))
    assert (later.max_gap_ms, later.min_length) == (55.0, 8)


@pytest.mark.parametrize(
    "bad", [["--scan-gap-ms", "0"], ["--scan-gap-ms", "9000"], ["--scan-min-length", "1"], ["--scan-gap-ms", "fast"]]
)
def test_bad_scanner_timing_is_a_usage_error(bad: list[str], capsys) -> None:
    with pytest.raises(SystemExit) as stop:
        parse_args(bad)
    assert stop.value.code == 2
    assert "scan" in capsys.readouterr().err


@pytest.mark.parametrize(
    ("options", "kind"),
    [
        ([], DeskWindow),
        (["--kiosk"], KioskWindow),
        (["--door", "201A"], DoorWindow),
        (["--dashboard"], DashboardWindow),
    ],
)
def test_each_station_kind_opens_its_window(qtbot, store: Store, options: list[str], kind: type) -> None:
    window = build_window(store, parse_args(options), silent_sounds())
    qtbot.add_widget(window)
    assert type(window) is kind


def test_door_staff_pick_their_room_from_names_with_capacities(qtbot, store: Store) -> None:
    shown: list[str] = []

    def choose_201a() -> None:
        dialog = QApplication.activeModalWidget()
        assert isinstance(dialog, QInputDialog)
        combo = dialog.findChild(QComboBox)
        shown.extend(combo.itemText(i) for i in range(combo.count()))
        combo.setCurrentIndex(next(i for i, text in enumerate(shown) if text.startswith("201A ")))
        dialog.accept()

    QTimer.singleShot(0, choose_201a)
    assert pick_room(store) == "201A"
    assert "201A  ·  140 people" in shown


def test_what_a_station_is_and_its_door_change_only_with_the_pin(qtbot, store: Store) -> None:
    from checkin.supervisor import set_pin
    from ui.app import start_refused

    assert start_refused(store, parse_args(["--kiosk"])) is None  # the first start decides, PIN or none
    assert start_refused(store, parse_args(["--kiosk"])) is None
    set_pin(store, "2468")

    answer_pin("1357")
    said = start_refused(store, parse_args([]))  # the kiosk started as a desk, which can mark people paid
    assert said is not None and said.startswith("This station is a kiosk. Wrong PIN.")
    answer_pin("2468")
    assert start_refused(store, parse_args(["--door", "201A"])) is None  # with the PIN: now the door of 201A
    assert start_refused(store, parse_args(["--door", "201a"])) is None  # the same room, however typed
    answer_pin("1357")
    said = start_refused(store, parse_args(["--door", "Hall B"]))
    assert said is not None and said.startswith("This station is the door of 201A.")


def test_a_stations_kind_and_room_are_the_organisers_to_change() -> None:
    from checkin.supervisor import Privileged, privilege_of_start

    assert privilege_of_start(None, "desk", None, None) is None  # nothing kept yet: the first start decides
    assert privilege_of_start("kiosk", "desk", None, None) is Privileged.CHANGE_STATION
    assert privilege_of_start("door", "door", "201A", "201A") is None
    assert privilege_of_start("door", "door", "201A", "203B") is Privileged.CHANGE_STATION
    assert privilege_of_start("desk", "desk", "201A", None) is None
