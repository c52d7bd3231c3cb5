"""The supervisor PIN: kept as a slow hash, checked, and locked for a while after wrong tries."""

from __future__ import annotations

from datetime import timedelta

import pytest

from checkin.store import Store
from checkin.supervisor import PinProblem, check_pin, lock_after, pin_is_set, set_pin


def test_a_pin_is_kept_as_a_slow_hash_and_checked(store: Store, now) -> None:
    assert not pin_is_set(store) and check_pin(store, "", now).accepted  # no PIN set: nothing to ask
    with pytest.raises(PinProblem, match="4 to 32"):
        set_pin(store, "123")
    set_pin(store, "Qx#7Vw")
    assert pin_is_set(store)
    database = store.engine.url.database
    assert database is not None
    store.close()
    assert b"Qx#7Vw" not in open(database, "rb").read()  # noqa: SIM115 - the file's bytes, as a thief reads them
    assert check_pin(store, "Qx#7Vw", now).accepted and not check_pin(store, "Qx#7Vx", now).accepted
    with pytest.raises(PinProblem, match="current PIN is wrong"):
        set_pin(store, "9999", current="0000")
    set_pin(store, "9999", current="Qx#7Vw")
    assert check_pin(store, "9999", now).accepted


def test_wrong_pins_lock_the_check_for_longer_each_time(store: Store, now) -> None:
    set_pin(store, "2468")
    for _ in range(2):
        assert check_pin(store, "0000", now).wait == timedelta(0)
    third = check_pin(store, "0000", now)
    assert not third.accepted and third.wait == timedelta(seconds=30) and "try again in 30 s" in third.words()
    assert not check_pin(store, "2468", now + timedelta(seconds=10)).accepted  # locked: even the right PIN
    assert check_pin(store, "2468", now + timedelta(seconds=31)).accepted  # and a right PIN clears the count
    assert [lock_after(n).total_seconds() for n in (2, 3, 4, 5, 20)] == [0, 30, 60, 120, 900]


def test_the_pin_is_set_from_the_terminal_never_from_an_argument(tmp_path, monkeypatch, capsys) -> None:
    from checkin.cli import main
    from tests.conftest import FIXED_WEEK

    db = ["--db", str(tmp_path / "kiosk.sqlite")]
    assert main(["demo", *db, "--attendees", "10", *FIXED_WEEK]) == 0
    monkeypatch.setenv("MUSTER_PIN", "Qx#7Vw")
    assert main(["pin", "set", *db]) == 0
    assert "Supervisor PIN set" in capsys.readouterr().out
    monkeypatch.setenv("MUSTER_PIN", "Zz#8Ww")
    assert main(["pin", "set", *db]) == 2  # changing it needs the current one (here: no terminal to ask)
    assert "MUSTER_CURRENT_PIN" in capsys.readouterr().err
    monkeypatch.setenv("MUSTER_CURRENT_PIN", "wrong!")
    assert main(["pin", "set", *db]) == 1
    assert "current PIN is wrong" in capsys.readouterr().err
