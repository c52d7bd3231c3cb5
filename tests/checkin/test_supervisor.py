"""The supervisor PIN: kept as a slow hash, checked, and locked for a while after wrong tries."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import select

from checkin.store import Store
from checkin.supervisor import (
    PinProblem,
    Privileged,
    check_pin,
    lock_after,
    pin_is_set,
    privilege_of_correction,
    set_pin,
)


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


@pytest.fixture
def guarded(tmp_path, monkeypatch, capsys) -> list[str]:
    """A demo station whose organiser set a supervisor PIN (2468); the PIN variables cleared."""
    from checkin.cli import main
    from tests.conftest import FIXED_WEEK

    db = ["--db", str(tmp_path / "desk.sqlite")]
    assert main(["demo", *db, "--attendees", "300", *FIXED_WEEK]) == 0
    monkeypatch.setenv("MUSTER_PIN", "2468")
    assert main(["pin", "set", *db]) == 0
    monkeypatch.delenv("MUSTER_PIN")
    monkeypatch.delenv("MUSTER_SUPERVISOR_PIN", raising=False)
    capsys.readouterr()
    return db


def _unpaid_id(db: list[str]) -> str:
    from checkin.store import open_store
    from checkin.store.models import Attendee

    store = open_store(db[1])
    with store.reading() as session:
        found = session.scalars(select(Attendee.external_id).where(Attendee.status == "unpaid")).first()
    store.close()
    assert found is not None
    return found


@pytest.mark.parametrize(
    "command",
    [
        lambda someone: ["correct", someone, "--status", "paid"],
        lambda someone: ["merge", someone, "R100001"],
        lambda _: ["keys", "rotate"],
        lambda _: ["keys", "revoke", "1"],
        lambda _: ["station", "wipe", "--force"],
    ],
    ids=["mark paid", "merge", "rotate keys", "revoke key", "wipe"],
)
def test_privileged_commands_need_the_supervisor_pin(guarded, command, monkeypatch, capsys) -> None:
    from checkin.cli import main

    args = [*command(_unpaid_id(guarded)), *guarded]
    assert main(args) == 2  # no terminal to ask, no PIN given: a usage error, nothing done
    assert "MUSTER_SUPERVISOR_PIN" in capsys.readouterr().err
    monkeypatch.setenv("MUSTER_SUPERVISOR_PIN", "1357")
    assert main(args) == 1
    assert "Wrong PIN. Nothing was done: to" in capsys.readouterr().err
    assert Path(guarded[1]).exists()
    monkeypatch.setenv("MUSTER_SUPERVISOR_PIN", "2468")
    assert main(args) == 0, capsys.readouterr().err


def test_other_corrections_need_no_pin(guarded, capsys) -> None:
    from checkin.cli import main

    assert main(["correct", _unpaid_id(guarded), "--org", "Metro PD", *guarded]) == 0
    assert "organisation now Metro PD" in capsys.readouterr().out


def test_only_marking_someone_paid_is_privileged() -> None:
    assert privilege_of_correction({"status": "paid"}, "unpaid") == Privileged.MARK_PAID
    assert privilege_of_correction({"status": " paid "}, "cancelled") == Privileged.MARK_PAID
    assert privilege_of_correction({"status": "paid"}, "paid") is None  # already paid: nothing changes
    assert privilege_of_correction({"status": "cancelled", "email": "a@b.example"}, "unpaid") is None


def test_a_station_is_not_wiped_while_it_holds_what_the_hub_lacks(tmp_path, capsys) -> None:
    from checkin.cli import main
    from tests.conftest import FIXED_WEEK

    db = ["--db", str(tmp_path / "door.sqlite")]
    assert main(["demo", *db, "--attendees", "300", *FIXED_WEEK]) == 0
    assert main(["checkin", "R100001", *db]) == 0
    capsys.readouterr()
    assert main(["station", "wipe", *db]) == 1
    said = capsys.readouterr().err
    assert "1 checked in recorded here is not on the hub yet: nothing was wiped" in said
    assert (tmp_path / "door.sqlite").exists()
    assert main(["station", "wipe", "--force", *db]) == 0
    said = capsys.readouterr().out
    assert "Lost, as asked (--force): 1 checked in the hub never had." in said
    assert list(tmp_path.glob("door.sqlite*")) == []


def test_a_doors_override_needs_the_pin_only_when_the_policy_says_so(guarded, monkeypatch, capsys) -> None:
    from checkin.cli import main

    let_in = ["door", "Exhibit Hall", "R100001", "--override", "speaker, badge at the hotel", *guarded]
    assert main(let_in) == 0  # a bare registration id is refused at a door; the override lets them in
    assert "Let in by staff" in capsys.readouterr().out
    assert main(["policy", "--override-needs-pin", "yes", *guarded]) == 0
    assert "needs the supervisor PIN" in capsys.readouterr().out
    again = ["door", "Exhibit Hall", "R100002", "--override", "fire marshal", *guarded]
    assert main(again) == 2 and "MUSTER_SUPERVISOR_PIN" in capsys.readouterr().err
    monkeypatch.setenv("MUSTER_SUPERVISOR_PIN", "2468")
    assert main(again) == 0, capsys.readouterr().err
    assert "Let in by staff" in capsys.readouterr().out
