"""The private halves of the badge keys: sealed in the station's database, never in clear.

A badge key's private half lets whoever holds it print badges every door accepts, so a stolen laptop's database
file must not give it away. Each private half is sealed (Fernet: AES with an HMAC) with a sealing key of this
station's own. That sealing key lives in the system keyring (Secret Service, Keychain, Credential Locker); on a
machine without one, it is derived from a passphrase (MUSTER_BADGE_KEYS_PASSPHRASE, or typed at the terminal) with
scrypt, and the database keeps only the salt. Either way, the file alone opens nothing.

A database from an older Muster, with a private half in clear, is sealed the first time the key is used.
"""

from __future__ import annotations

import base64
import os
import sys
from collections.abc import Callable

from cryptography.fernet import Fernet, InvalidToken
from cryptography.hazmat.primitives.kdf.scrypt import Scrypt
from sqlalchemy import Connection

from checkin.store.settings import set_setting, setting_text

SERVICE = "Muster badge keys"  # keyring service; the entry's name is the station id
PASSPHRASE_VARIABLE = "MUSTER_BADGE_KEYS_PASSPHRASE"
SALT_SETTING = "vault.salt"  # only where there is no keyring: the passphrase's salt
SEALED = "sealed:"
MIN_PASSPHRASE = 10
_SCRYPT = {"n": 2**15, "r": 8, "p": 1}

_opened: dict[str, bytes] = {}  # station id -> sealing key, once opened in this process (a keyring call is slow)


class VaultLocked(Exception):
    """This station's sealed keys cannot be opened (or sealed) here: no keyring entry and no passphrase."""


def seal(connection: Connection, private: bytes) -> str:
    """The private half as the database keeps it."""
    return SEALED + Fernet(_sealing_key(connection, create=True)).encrypt(private).decode("ascii")


def unseal(connection: Connection, stored: str) -> bytes:
    """The private half from what the database keeps (an older Muster's clear hex too)."""
    if not stored.startswith(SEALED):
        return bytes.fromhex(stored)
    try:
        return Fernet(_sealing_key(connection, create=False)).decrypt(stored.removeprefix(SEALED).encode("ascii"))
    except InvalidToken:
        _opened.pop(_station_id(connection), None)
        raise VaultLocked(
            "the badge keys cannot be opened: wrong passphrase, or this database was copied from another "
            "laptop (import the signing keys file there instead: checkin keys import-signing)"
        ) from None


def is_sealed(stored: str) -> bool:
    return stored.startswith(SEALED)


def _sealing_key(connection: Connection, create: bool) -> bytes:
    station = _station_id(connection)
    if station in _opened:
        return _opened[station]
    key = _from_keyring(station) if setting_text(connection, SALT_SETTING) is None else None
    if key is None:
        salt_hex = setting_text(connection, SALT_SETTING)
        if salt_hex is None:
            if not create:
                raise VaultLocked(
                    "this station's badge keys were sealed with its system keyring, which does not have them: "
                    "open Muster in the desktop session that made them, or import the signing keys file"
                )
            key = Fernet.generate_key()
            if not _keep_in_keyring(station, key):
                salt_hex = os.urandom(16).hex()
                key = _from_passphrase(bytes.fromhex(salt_hex), _passphrase(first=True))
                set_setting(connection, SALT_SETTING, salt_hex)
        else:
            key = _from_passphrase(bytes.fromhex(salt_hex), _passphrase(first=False))
    _opened[station] = key
    return key


def _station_id(connection: Connection) -> str:
    station = setting_text(connection, "station_id")
    assert station is not None  # every store has one from its first open
    return station


def _from_keyring(station: str) -> bytes | None:
    from checkin.sync.credentials import fetch_secret

    found = fetch_secret(SERVICE, station)
    return found.encode("ascii") if found else None


def _keep_in_keyring(station: str, key: bytes) -> bool:
    from checkin.sync.credentials import keep_secret

    return keep_secret(SERVICE, station, key.decode("ascii"))


def _from_passphrase(salt: bytes, passphrase: str) -> bytes:
    derived = Scrypt(salt=salt, length=32, **_SCRYPT).derive(passphrase.encode("utf-8"))
    return base64.urlsafe_b64encode(derived)


# Asked when the passphrase is not in the environment: at a terminal by default; the app sets its own dialog.
ask_passphrase: Callable[[str], str | None] | None = None


def _passphrase(first: bool) -> str:
    given = os.environ.get(PASSPHRASE_VARIABLE)
    if given is None:
        prompt = (
            "This laptop has no system keyring. A passphrase for its badge keys (10 characters or more): "
            if first
            else "The passphrase for this station's badge keys: "
        )
        given = _ask(prompt)
    if given is None:
        raise VaultLocked(
            f"this laptop has no system keyring, so its badge keys are sealed with a passphrase: give it in "
            f"{PASSPHRASE_VARIABLE} (or run this at a terminal)"
        )
    if first and len(given) < MIN_PASSPHRASE:
        raise VaultLocked(f"choose a passphrase of at least {MIN_PASSPHRASE} characters for the badge keys")
    return given


def _ask(prompt: str) -> str | None:
    if ask_passphrase is not None:
        return ask_passphrase(prompt)
    if not sys.stdin.isatty():
        return None
    import getpass

    return getpass.getpass(prompt)
