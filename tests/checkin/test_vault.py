"""The badge keys' private halves are sealed in the database: the file alone opens nothing."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import select

from checkin import keys, vault
from checkin.badges import Signer
from checkin.demo import build_demo
from checkin.store import Store, open_store
from checkin.store.models import Attendee, BadgeKey


def _desk(path: Path) -> Store:
    store = open_store(path, "Desk 1")
    with store.unit_of_work() as session:
        build_demo(session, attendees=30, seed=2)
    return store


def _private_halves(store: Store) -> list[bytes]:
    with store.unit_of_work() as session:
        return [keys.private_half(session, row) for row in session.scalars(select(BadgeKey))]


def _file_bytes(path: Path) -> bytes:
    return b"".join(p.read_bytes() for p in path.parent.glob(path.name + "*"))


def _signs(store: Store) -> bool:
    with store.unit_of_work() as session:
        someone = session.scalars(select(Attendee.id)).first()
        assert someone is not None
        return bool(Signer(session).code(someone, 1))


def test_no_private_key_sits_in_the_database_file(tmp_path: Path) -> None:
    path = tmp_path / "desk.sqlite"
    store = _desk(path)
    with store.unit_of_work() as session:
        keys.rotate(session, store.now())
    halves = _private_halves(store)
    assert len(halves) == 2 and all(len(h) == 32 for h in halves)
    store.close()
    held = _file_bytes(path)
    for half in halves:  # neither as the hex the column held before, nor as raw bytes
        assert half.hex().encode() not in held and half not in held


def test_a_key_an_older_muster_left_in_clear_is_sealed_when_used(tmp_path: Path) -> None:
    path = tmp_path / "old.sqlite"
    store = _desk(path)
    [half] = _private_halves(store)
    with store.unit_of_work() as session:
        session.get(BadgeKey, 1).private_key = half.hex()  # type: ignore[union-attr]
    assert _signs(store)
    store.close()
    assert half.hex().encode() not in _file_bytes(path)


def test_without_a_keyring_the_keys_are_sealed_with_a_passphrase(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PYTHON_KEYRING_BACKEND", "keyring.backends.fail.Keyring")  # a bare kiosk: no keyring
    monkeypatch.setenv(vault.PASSPHRASE_VARIABLE, "short")
    with pytest.raises(keys.KeyProblem, match="at least 10 characters"):
        _desk(tmp_path / "refused.sqlite")
    monkeypatch.setenv(vault.PASSPHRASE_VARIABLE, "corn maze at dawn")
    path = tmp_path / "kiosk.sqlite"
    store = _desk(path)
    [half] = _private_halves(store)
    vault._opened.clear()  # a new process: it must open the keys again
    monkeypatch.setenv(vault.PASSPHRASE_VARIABLE, "corn maze at dusk")
    with pytest.raises(keys.KeyProblem, match="wrong passphrase"):
        _signs(store)
    monkeypatch.delenv(vault.PASSPHRASE_VARIABLE)
    with pytest.raises(keys.KeyProblem, match="give it in MUSTER_BADGE_KEYS_PASSPHRASE"):
        _signs(store)  # no terminal here to ask at
    monkeypatch.setenv(vault.PASSPHRASE_VARIABLE, "corn maze at dawn")
    assert _signs(store)
    store.close()
    held = _file_bytes(path)
    assert half.hex().encode() not in held and b"corn maze" not in held


def test_a_database_copied_to_another_laptop_cannot_sign(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "desk.sqlite"
    _desk(path).close()
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "thief"))  # the thief's laptop: another keyring
    vault._opened.clear()
    store = open_store(path)
    with pytest.raises(keys.KeyProblem, match="does not have them"):
        _signs(store)
    store.close()
