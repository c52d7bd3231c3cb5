"""The conference's badge-signing keys: create, rotate, revoke, and hand them to the stations.

Desks that print badges hold the private key; door stations hold only the public halves (from the hub,
or a public keys file), so a stolen door laptop cannot mint badges. The private key never travels
through the hub: it goes from the desk that made it to each other printing desk in a signing keys file,
sealed with a passphrase. Rotating adds a key and signs new badges with it; badges signed by older keys
keep verifying until that key is revoked.
"""

from __future__ import annotations

import base64
import json
import os
from datetime import datetime
from typing import Any

from cryptography.fernet import Fernet, InvalidToken
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.kdf.scrypt import Scrypt
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from checkin import codes, vault
from checkin.conference import current_conference
from checkin.store import Store
from checkin.store.models import BadgeKey

FILE_FORMAT = "muster-public-keys"
SIGNING_FORMAT = "muster-signing-keys"
MIN_PASSPHRASE = 10
SCRYPT = {"n": 2**15, "r": 8, "p": 1}  # 32 MB and about 0.1 s per guess here: slow to brute-force, quick to use
_SCRYPT_N = {2**k for k in range(14, 18)}


class KeyProblem(ValueError):
    """A key operation that cannot be done, with the words to tell the person why."""


def has_keys(session: Session) -> bool:
    return bool(session.scalar(select(func.count()).select_from(BadgeKey)))


def init_keys(session: Session, now: datetime) -> BadgeKey:
    if has_keys(session):
        raise KeyProblem("This conference already has badge keys. Use `checkin keys rotate` to add a new one.")
    return _add_key(session, 1, now)


def rotate(session: Session, now: datetime) -> BadgeKey:
    """Add the next key; new badges are signed with it, older badges still verify."""
    if session.scalar(select(BadgeKey.number).where(BadgeKey.private_key.is_not(None)).limit(1)) is None:
        raise KeyProblem(  # only the desk that made the keys (or holds their private halves) rotates
            "This station holds no private badge key, so it cannot rotate. Rotate at the desk "
            "that made the keys (or run `checkin keys init` on a new conference)."
        )
    newest = session.scalar(select(func.max(BadgeKey.number))) or 0
    if newest >= 0xFF:
        raise KeyProblem("A conference can have at most 255 badge keys.")
    return _add_key(session, newest + 1, now)


def revoke(session: Session, number: int, now: datetime) -> BadgeKey:
    """Refuse every badge signed with key ``number`` from now on (they must be reprinted)."""
    key = session.get(BadgeKey, number)
    if key is None:
        raise KeyProblem(f"There is no badge key {number}.")
    if key.revoked_at is None:
        key.revoked_at = now
    session.flush()
    return key


def _add_key(session: Session, number: int, now: datetime) -> BadgeKey:
    private = codes.new_private_key()
    key = BadgeKey(
        number=number,
        conference_id=current_conference(session).id,
        public_key=codes.public_bytes(private).hex(),
        private_key=_sealed(session, codes.private_bytes(private)),
        created_at=now,
    )
    session.add(key)
    session.flush()
    return key


def export_public(session: Session) -> str:
    """The public keys file a door station imports (JSON; safe to copy on a USB stick or by email)."""
    conference = current_conference(session)
    keys = session.scalars(select(BadgeKey).order_by(BadgeKey.number)).all()
    if not keys:
        raise KeyProblem("This conference has no badge keys yet. Run `checkin keys init` first.")
    document = {
        "format": FILE_FORMAT,
        "version": 1,
        "conference_id": conference.id,
        "conference": conference.name,
        "keys": [
            {
                "number": key.number,
                "public_key": key.public_key,
                "created_at": key.created_at.isoformat(),
                "revoked_at": key.revoked_at.isoformat() if key.revoked_at else None,
            }
            for key in keys
        ],
    }
    return json.dumps(document, indent=2) + "\n"


def import_public(session: Session, text: str) -> list[int]:
    """Take in a public keys file; returns the key numbers that were new or changed."""
    document = _parse_keys_file(text)
    conference = current_conference(session)
    if document["conference_id"] != conference.id:
        raise KeyProblem(
            f"These keys belong to another conference ({document.get('conference') or document['conference_id']}),"
            f" not {conference.name}."
        )
    changed = []
    for entry in document["keys"]:
        number, public_hex = entry["number"], entry["public_key"]
        revoked_at = datetime.fromisoformat(entry["revoked_at"]) if entry.get("revoked_at") else None
        key = session.get(BadgeKey, number)
        if key is None:
            session.add(
                BadgeKey(
                    number=number,
                    conference_id=conference.id,
                    public_key=public_hex,
                    created_at=datetime.fromisoformat(entry["created_at"]),
                    revoked_at=revoked_at,
                )
            )
            changed.append(number)
        elif key.public_key != public_hex:
            raise KeyProblem(
                f"Key {number} in the file differs from this station's key {number}. "
                "The file may come from another copy of the conference; nothing was imported."
            )
        elif revoked_at is not None and key.revoked_at is None:
            key.revoked_at = revoked_at
            changed.append(number)
    session.flush()
    return changed


def _load(text: str, file_format: str, kind: str, made_by: str) -> dict[str, Any]:
    try:
        document = json.loads(text)
    except ValueError as error:
        raise KeyProblem(f"Not a Muster {kind} keys file (not JSON: {error}).") from None
    if not isinstance(document, dict) or document.get("format") != file_format:
        raise KeyProblem(f"Not a Muster {kind} keys file (made by `checkin keys {made_by}`).")
    return document


def _parse_keys_file(text: str) -> dict[str, Any]:
    document = _load(text, FILE_FORMAT, "public", "export-public")
    keys = document.get("keys")
    if not isinstance(document.get("conference_id"), str) or not isinstance(keys, list) or not keys:
        raise KeyProblem("The public keys file names no conference or holds no keys.")
    for entry in keys:
        try:
            number = entry["number"]
            ok = isinstance(number, int) and 1 <= number <= 0xFF and len(bytes.fromhex(entry["public_key"])) == 32
            datetime.fromisoformat(entry["created_at"])
            if entry.get("revoked_at"):
                datetime.fromisoformat(entry["revoked_at"])
        except (KeyError, TypeError, ValueError):
            ok = False
        if not ok:
            raise KeyProblem(f"The public keys file has a damaged key entry: {json.dumps(entry)[:120]}")
    if len({entry["number"] for entry in keys}) != len(keys):
        raise KeyProblem("The public keys file lists a key number twice: nothing was imported.")
    return document


def export_signing(session: Session, passphrase: str) -> str:
    """The signing keys file another printing desk imports: the private halves, sealed with the passphrase."""
    if len(passphrase) < MIN_PASSPHRASE:
        raise KeyProblem(f"Choose a passphrase of at least {MIN_PASSPHRASE} characters: this file makes badges.")
    rows = session.scalars(
        select(BadgeKey)
        .where(BadgeKey.private_key.is_not(None), BadgeKey.revoked_at.is_(None))
        .order_by(BadgeKey.number)
    ).all()
    if not rows:
        raise KeyProblem(
            "This station holds no private badge key to hand on. Export from the desk that made "
            "the keys (`checkin keys list` there says 'signs badges')."
        )
    conference = current_conference(session)
    salt = os.urandom(16)
    sealer = Fernet(_sealing_key(passphrase, salt, SCRYPT))
    document = {
        "format": SIGNING_FORMAT,
        "version": 1,
        "conference_id": conference.id,
        "conference": conference.name,
        "kdf": {"name": "scrypt", "salt": salt.hex(), **SCRYPT},
        "keys": [
            {
                "number": row.number,
                "public_key": row.public_key,
                "created_at": row.created_at.isoformat(),
                "sealed_private_key": sealer.encrypt(private_half(session, row)).decode("ascii"),
            }
            for row in rows
        ],
    }
    return json.dumps(document, indent=2) + "\n"


def import_signing(session: Session, text: str, passphrase: str) -> list[int]:
    """Take in a signing keys file; returns the numbers of the keys this station can now sign with.

    All or nothing: a wrong passphrase, a key that does not match its public half or this station's,
    or another conference's file imports nothing.
    """
    document = _parse_signing_file(text)
    conference = current_conference(session)
    if document["conference_id"] != conference.id:
        raise KeyProblem(
            f"These keys belong to another conference ({document.get('conference') or '?'}), not {conference.name}."
        )
    kdf = document["kdf"]
    sealer = Fernet(_sealing_key(passphrase, bytes.fromhex(kdf["salt"]), {k: kdf[k] for k in SCRYPT}))
    opened = []
    for entry in document["keys"]:
        try:
            private = sealer.decrypt(entry["sealed_private_key"].encode("ascii"))
        except (InvalidToken, UnicodeEncodeError):
            raise KeyProblem("Wrong passphrase, or the signing keys file is damaged: nothing was imported.") from None
        if (
            len(private) != 32
            or codes.public_bytes(Ed25519PrivateKey.from_private_bytes(private)).hex() != entry["public_key"]
        ):
            raise KeyProblem(
                f"Key {entry['number']} in the file does not match its own public half: nothing was imported."
            )
        local = session.get(BadgeKey, entry["number"])
        if local is not None and local.public_key != entry["public_key"]:
            raise KeyProblem(
                f"Key {entry['number']} in the file differs from this station's key "
                f"{entry['number']}; the file may come from another copy of the conference. "
                "Nothing was imported."
            )
        opened.append((entry, local, private))
    usable = []
    for entry, local, private in opened:
        if local is None:
            local = BadgeKey(
                number=entry["number"],
                conference_id=conference.id,
                public_key=entry["public_key"],
                created_at=datetime.fromisoformat(entry["created_at"]),
            )
            session.add(local)
        local.private_key = _sealed(session, private)
        if local.revoked_at is None:
            usable.append(local.number)
    session.flush()
    return usable


def _sealing_key(passphrase: str, salt: bytes, cost: dict[str, int]) -> bytes:
    derived = Scrypt(salt=salt, length=32, n=cost["n"], r=cost["r"], p=cost["p"]).derive(passphrase.encode("utf-8"))
    return base64.urlsafe_b64encode(derived)


def _parse_signing_file(text: str) -> dict[str, Any]:
    document = _load(text, SIGNING_FORMAT, "signing", "export-signing")
    try:
        kdf, keys = document["kdf"], document["keys"]
        ok = (
            isinstance(document["conference_id"], str)
            and kdf["name"] == "scrypt"
            and len(bytes.fromhex(kdf["salt"])) >= 16
            and all(isinstance(kdf[k], int) for k in SCRYPT)
            and kdf["n"] in _SCRYPT_N
            and 1 <= kdf["r"] <= 16
            and 1 <= kdf["p"] <= 4  # a hostile file must not ask for gigabytes
            and isinstance(keys, list)
            and bool(keys)
            and len({entry["number"] for entry in keys}) == len(keys)
        )
        for entry in keys:
            ok = (
                ok
                and isinstance(entry["number"], int)
                and 1 <= entry["number"] <= 0xFF
                and len(bytes.fromhex(entry["public_key"])) == 32
                and isinstance(entry["sealed_private_key"], str)
            )
            datetime.fromisoformat(entry["created_at"])
    except (KeyError, TypeError, ValueError):
        ok = False
    if not ok:
        raise KeyProblem("The signing keys file is damaged (a field is missing or wrong): nothing was imported.")
    return document


def fingerprint(public_hex: str) -> str:
    """What people compare between stations to know a key is the conference's: its first 8 bytes, in groups
    (matching 64 bits of an Ed25519 public key by chance, or on purpose, is out of reach)."""
    head = public_hex[:16].upper()
    return " ".join(head[n : n + 4] for n in range(0, 16, 4))


def listing(session: Session) -> list[str]:
    """One line per key, for people."""
    lines = []
    signing = signing_row(session)
    for key in session.scalars(select(BadgeKey).order_by(BadgeKey.number)):
        role = "signs badges" if signing is not None and key.number == signing.number else "verifies only"
        state = f"REVOKED {key.revoked_at:%Y-%m-%d %H:%M} UTC" if key.revoked_at else role
        made = f"{key.created_at:%Y-%m-%d %H:%M} UTC"
        lines.append(f"key {key.number:>3}  {fingerprint(key.public_key)}  made {made}  {state}")
    return lines or ["No badge keys yet: run `checkin keys init`."]


def keyring(session: Session) -> codes.Keyring:
    ring = codes.Keyring(codes.conference_tag(current_conference(session).id))
    for key in session.scalars(select(BadgeKey)):
        public = Ed25519PublicKey.from_public_bytes(bytes.fromhex(key.public_key))
        ring.keys[key.number] = codes.PublicKey(key.number, public, key.revoked_at is not None)
    return ring


def store_keyring(store: Store) -> codes.Keyring:
    """The station's keyring, loaded once; ``forget_keys`` after keys change."""
    ring = store.memo.get("keyring")
    if ring is None:
        with store.reading() as session:
            ring = store.memo["keyring"] = keyring(session)
    return ring


def forget_keys(store: Store) -> None:
    store.memo.pop("keyring", None)


def why_no_signing_key(session: Session) -> str:
    """What to do on a station that cannot sign badges, by what it holds."""
    held = session.scalars(select(BadgeKey)).all()
    if not held:
        return "This station holds no badge keys yet: `checkin keys init` makes the conference's first one."
    if any(key.private_key for key in held):
        return (
            "Every badge key this station could sign with is revoked. Make a new one with `checkin keys rotate`, "
            "then export the public keys to the doors."
        )
    return (
        "This station cannot make badges: it holds no private badge key. Bring it from the desk that made the "
        "keys: `checkin keys export-signing FILE` there, `checkin keys import-signing FILE` here."
    )


def private_half(session: Session, row: BadgeKey) -> bytes:
    """The key's private half, unsealed (see checkin.vault); one an older Muster left in clear is sealed now."""
    assert row.private_key is not None
    try:
        private = vault.unseal(session.connection(), row.private_key)
    except vault.VaultLocked as locked:
        raise KeyProblem(f"This station cannot sign badges now: {locked}.") from locked
    if not vault.is_sealed(row.private_key):
        row.private_key = _sealed(session, private)
    return private


def _sealed(session: Session, private: bytes) -> str:
    try:
        return vault.seal(session.connection(), private)
    except vault.VaultLocked as locked:
        raise KeyProblem(f"No badge key was made or taken in: {locked}.") from locked


def signing_row(session: Session) -> BadgeKey | None:
    return session.scalars(
        select(BadgeKey)
        .where(BadgeKey.private_key.is_not(None), BadgeKey.revoked_at.is_(None))
        .order_by(BadgeKey.number.desc())
        .limit(1)
    ).first()
