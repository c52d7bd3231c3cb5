"""The supervisor PIN: what staff type for a privileged action (leaving a kiosk, marking someone paid, merging
records, rotating or revoking badge keys, wiping the station), at a window or in the terminal alike.

It keeps volunteers and attendees out of what they should not do at a station; it is no defence against
someone with a shell on the laptop, who can read the database anyway. It is kept as a slow hash (scrypt, about
50 ms a try) so a copied database does not give it away at a glance, and wrong tries lock it for a while,
longer each time, counted in the database so restarting the app does not reset the count.
"""

from __future__ import annotations

import hashlib
import hmac
import os
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from checkin.store import Store
from checkin.store.settings import set_setting, setting_text

PIN_SETTING = "supervisor.pin"
FAILURES_SETTING = "supervisor.failures"  # "count;locked until (ISO)"
SHORTEST, LONGEST = 4, 32
FREE_TRIES = 3
_N, _R, _P = 2**14, 8, 1


class PinProblem(ValueError):
    """A PIN that cannot be set (too short, not what was typed the second time, the current one wrong)."""


@dataclass(frozen=True)
class PinCheck:
    accepted: bool
    wait: timedelta = timedelta(0)  # locked: try again after this long

    def words(self) -> str:
        if self.accepted:
            return "PIN accepted."
        if self.wait:
            return f"Too many wrong PINs: try again in {max(1, round(self.wait.total_seconds()))} s."
        return "Wrong PIN."


class Privileged(StrEnum):
    """What needs the supervisor PIN once one is set; the value completes "Supervisor PIN to …"."""

    LEAVE_KIOSK = "leave the kiosk"
    MARK_PAID = "mark someone paid"
    MERGE = "merge records"
    ROTATE_KEYS = "rotate the badge keys"
    REVOKE_KEY = "revoke a badge key"
    WIPE = "wipe this station"
    DOOR_OVERRIDE = "let someone in past the door's refusal"
    CHANGE_STATION = "change what this station is, or its door's room"


def privilege_of_correction(changes: Mapping[str, str], status_now: str) -> Privileged | None:
    """A correction that marks someone paid who was not lets them in without paying: the PIN's business.
    Names, emails and other fields are a volunteer's to fix."""
    marks_paid = changes.get("status", "").strip() == "paid" and status_now != "paid"
    return Privileged.MARK_PAID if marks_paid else None


def privilege_of_override(needs_pin: bool) -> Privileged | None:
    """A door's override stays one key away unless the organiser's policy says it needs the PIN
    (Policy.override_needs_pin); it is recorded with its reason either way."""
    return Privileged.DOOR_OVERRIDE if needs_pin else None


KIND_SETTING = "station.kind"  # desk, kiosk, door or post: as enrolled, else as first started
ROOM_SETTING = "station.room"  # a door station's room, as first started


def privilege_of_start(kept_kind: str | None, kind: str, kept_room: str | None, room: str | None) -> Privileged | None:
    """What a station is, and a door's room, are set once (by its enrollment, or its first start); starting it
    as something else (a kiosk as a desk, which can mark people paid) or at another room's door needs the PIN."""
    if kept_kind is not None and kind != kept_kind:
        return Privileged.CHANGE_STATION
    if kind == "door" and kept_room is not None and (room or "").casefold() != kept_room.casefold():
        return Privileged.CHANGE_STATION
    return None


def lock_after(failures: int) -> timedelta:
    """How long a wrong PIN locks the check: nothing for the first tries, then 30 s, doubling, at most 15 min."""
    if failures < FREE_TRIES:
        return timedelta(0)
    return min(timedelta(seconds=30 * 2 ** (failures - FREE_TRIES)), timedelta(minutes=15))


def pin_is_set(store: Store) -> bool:
    with store.writing() as connection:
        return setting_text(connection, PIN_SETTING) is not None


def set_pin(store: Store, new: str, current: str = "") -> None:
    """Set (or change, given the ``current`` one) this station's supervisor PIN."""
    new = new.strip()
    if not SHORTEST <= len(new) <= LONGEST:
        raise PinProblem(f"A supervisor PIN has {SHORTEST} to {LONGEST} characters.")
    with store.writing() as connection:
        stored = setting_text(connection, PIN_SETTING)
        if stored is not None and not _matches(stored, current):
            raise PinProblem("The current PIN is wrong: the PIN was not changed.")
        set_setting(connection, PIN_SETTING, _hashed(new))
        set_setting(connection, FAILURES_SETTING, "0;")


def check_pin(store: Store, typed: str, now: datetime) -> PinCheck:
    """Whether ``typed`` is the PIN; wrong tries lock further tries for a while (even the right PIN)."""
    with store.writing() as connection:
        stored = setting_text(connection, PIN_SETTING)
        if stored is None:
            return PinCheck(True)
        count_text, _, until_text = (setting_text(connection, FAILURES_SETTING) or "0;").partition(";")
        failures = int(count_text or 0)
        if until_text and now < (until := datetime.fromisoformat(until_text)):
            return PinCheck(False, until - now)
        if _matches(stored, typed.strip()):
            set_setting(connection, FAILURES_SETTING, "0;")
            return PinCheck(True)
        failures += 1
        wait = lock_after(failures)
        set_setting(connection, FAILURES_SETTING, f"{failures};{(now + wait).isoformat() if wait else ''}")
        return PinCheck(False, wait)


def _hashed(pin: str) -> str:
    salt = os.urandom(16)
    digest = hashlib.scrypt(pin.encode(), salt=salt, n=_N, r=_R, p=_P)
    return f"scrypt${_N}${_R}${_P}${salt.hex()}${digest.hex()}"


def _matches(stored: str, typed: str) -> bool:
    _, n, r, p, salt, digest = stored.split("$")
    tried = hashlib.scrypt(typed.encode(), salt=bytes.fromhex(salt), n=int(n), r=int(r), p=int(p))
    return hmac.compare_digest(tried, bytes.fromhex(digest))
