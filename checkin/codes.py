"""Badge codes: short, signed, scanner-safe texts that name an attendee and a badge revision.

Layout of a version-1 code (138 characters, QR alphanumeric mode, version 6-M):

    "M1" + base32(body + signature), without padding, alphabet A-Z 2-7

    body (21 bytes)     key number     1 byte   which conference key signed it (rotation adds one)
                        conference     2 bytes  first bytes of SHA-256(conference id): tells
                                                "another conference's badge" apart from a forgery
                        revision       2 bytes  badge revision; a reprint bumps it, older ones are refused
                        attendee id   16 bytes  the attendee's UUID
    signature (64 bytes)               Ed25519 over b"muster-badge-1" + body

The signature is the floor on length: Ed25519 signatures cannot be shortened without losing the
guarantee, and everything else is as small as it can be. Only upper-case letters and digits appear,
so every keyboard layout types the code the same and Caps Lock is undone by upper-casing.
Verification needs only the public keys, so a door laptop can check a badge printed a minute ago
at another desk, and a stolen door laptop cannot mint badges.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import re
import uuid
from dataclasses import dataclass, field
from enum import StrEnum

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.serialization import Encoding, NoEncryption, PrivateFormat, PublicFormat

PREFIX = "M1"
_DOMAIN = b"muster-badge-1"
_BODY_LENGTH = 21
_SIGNATURE_LENGTH = 64
CODE_LENGTH = len(PREFIX) + len(base64.b32encode(bytes(_BODY_LENGTH + _SIGNATURE_LENGTH)).rstrip(b"="))
MAX_REVISION = 0xFFFF

# What a US-configured scanner types on a French AZERTY host (Shift held for capitals, digits unshifted),
# mapped back. A mismatched scanner is the most common desk set-up mistake in Europe.
_AZERTY_DIGITS = "&é\"'(-è_çà"
_AZERTY_BACK = str.maketrans(dict(zip(_AZERTY_DIGITS, "1234567890", strict=True)))
_AZERTY_LETTERS_BACK = str.maketrans({"Q": "A", "A": "Q", "W": "Z", "Z": "W", "?": "M"})
# On a German, Swiss or Czech QWERTZ host the same scanner swaps Y and Z, which base32 both uses: nothing in
# the text tells, so a code that does not verify is tried once more with them swapped back.
_QWERTZ_BACK = str.maketrans({"Y": "Z", "Z": "Y"})


class Check(StrEnum):
    """What checking a scanned text as a badge code found."""

    VALID = "valid"
    NOT_A_BADGE = "not_a_badge"  # some other code, e.g. a registration system's barcode
    FORGED = "forged"  # looks like a badge but does not verify: forged, altered or damaged
    WRONG_CONFERENCE = "wrong_conference"
    UNKNOWN_KEY = "unknown_key"  # signed by a key this station has not been given yet
    REVOKED_KEY = "revoked_key"


@dataclass(frozen=True)
class BadgeCode:
    attendee_id: str
    revision: int
    key_number: int
    conference_tag: bytes

    def body(self) -> bytes:
        return (
            bytes([self.key_number])
            + self.conference_tag
            + self.revision.to_bytes(2, "big")
            + uuid.UUID(self.attendee_id).bytes
        )


@dataclass(frozen=True)
class Checked:
    check: Check
    badge: BadgeCode | None = None


@dataclass(frozen=True)
class PublicKey:
    number: int
    key: Ed25519PublicKey
    revoked: bool = False


@dataclass
class Keyring:
    """The conference's public keys as one station knows them, ready to verify."""

    conference_tag: bytes
    keys: dict[int, PublicKey] = field(default_factory=dict)


def conference_tag(conference_id: str) -> bytes:
    return hashlib.sha256(conference_id.encode()).digest()[:2]


def new_private_key() -> Ed25519PrivateKey:
    return Ed25519PrivateKey.generate()


def private_bytes(key: Ed25519PrivateKey) -> bytes:
    return key.private_bytes(Encoding.Raw, PrivateFormat.Raw, NoEncryption())


def public_bytes(key: Ed25519PrivateKey | Ed25519PublicKey) -> bytes:
    public = key.public_key() if isinstance(key, Ed25519PrivateKey) else key
    return public.public_bytes(Encoding.Raw, PublicFormat.Raw)


def sign(badge: BadgeCode, key: Ed25519PrivateKey) -> str:
    if not 0 <= badge.revision <= MAX_REVISION or not 0 <= badge.key_number <= 0xFF:
        raise ValueError("badge revision or key number out of range")
    body = badge.body()
    signature = key.sign(_DOMAIN + body)
    return PREFIX + base64.b32encode(body + signature).decode("ascii").rstrip("=")


def normalise(text: str) -> str:
    """What the scanner meant: no whitespace or control characters, upper case, AZERTY mix-ups undone."""
    if text.isascii() and text.isalnum():  # the usual case, ten times faster than the general one
        return text.upper()
    cleaned = "".join(ch for ch in text if ch.isprintable() and not ch.isspace())
    # Such a scanner never yields an ASCII digit, so "W-1234" (a real hyphen) is left alone.
    if any(ch in _AZERTY_DIGITS for ch in cleaned) and not any(ch.isdigit() and ch.isascii() for ch in cleaned):
        return cleaned.translate(_AZERTY_BACK).upper().translate(_AZERTY_LETTERS_BACK)
    return cleaned.upper()


BADGE_NUMBER_MARK = "V"  # a letter every keyboard layout types the same (AZERTY and QWERTZ swap A/Q, W/Z, Y/Z)
_BADGE_NUMBER = re.compile(rf"(.+){BADGE_NUMBER_MARK}([1-9][0-9]{{0,4}})")


def badge_number(external_id: str, revision: int) -> str:
    """What a badge's Code 128 carries: the registration id and the badge's revision ("R100042V2"), so a
    reprint voids the old barcode as it voids the old QR. Not secret: doors and desks take it, kiosks do not."""
    return f"{external_id}{BADGE_NUMBER_MARK}{revision}"


def parse_badge_number(text: str) -> tuple[str, int] | None:
    """(registration id, revision) when `text` has a badge number's shape; the id must still be looked up."""
    found = _BADGE_NUMBER.fullmatch(text)
    return (found.group(1), int(found.group(2))) if found else None


def looks_like_badge(text: str) -> bool:
    """Whether a normalised scan is meant to be one of our badge codes (and must verify to be accepted)."""
    return text.startswith(PREFIX) and len(text) >= 40


def check(text: str, keyring: Keyring) -> Checked:
    """Verify a normalised scan as a badge code against the station's keys."""
    checked = _check(text, keyring)
    if checked.check is not Check.VALID and ("Y" in text or "Z" in text):
        swapped = _check(text.translate(_QWERTZ_BACK), keyring)
        # A signature that verifies proves the swap right. Short of that, a header that names this
        # conference only once swapped back was typed on a QWERTZ host too; any other reading of the
        # swapped text is just what swapping letters of a forgery happens to spell.
        names_us_only_swapped = checked.check is Check.WRONG_CONFERENCE and swapped.check is not Check.WRONG_CONFERENCE
        if swapped.check in (Check.VALID, Check.REVOKED_KEY) or names_us_only_swapped:
            return swapped
    return checked


def _check(text: str, keyring: Keyring) -> Checked:
    if not looks_like_badge(text):
        return Checked(Check.NOT_A_BADGE)
    raw = _decode(text[len(PREFIX) :])
    if raw is None or len(raw) != _BODY_LENGTH + _SIGNATURE_LENGTH:
        return Checked(Check.FORGED)
    body, signature = raw[:_BODY_LENGTH], raw[_BODY_LENGTH:]
    badge = BadgeCode(
        attendee_id=str(uuid.UUID(bytes=body[5:21])),
        revision=int.from_bytes(body[3:5], "big"),
        key_number=body[0],
        conference_tag=body[1:3],
    )
    key = keyring.keys.get(badge.key_number)
    if badge.conference_tag != keyring.conference_tag:
        return Checked(Check.WRONG_CONFERENCE)
    if key is None:
        return Checked(Check.UNKNOWN_KEY, badge)
    try:
        key.key.verify(signature, _DOMAIN + body)
    except InvalidSignature:
        return Checked(Check.FORGED)
    if key.revoked:
        return Checked(Check.REVOKED_KEY, badge)
    return Checked(Check.VALID, badge)


def _decode(text: str) -> bytes | None:
    try:
        return base64.b32decode(text + "=" * (-len(text) % 8))
    except (binascii.Error, ValueError):
        return None
