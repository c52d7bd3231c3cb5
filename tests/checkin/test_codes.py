"""Badge codes: layout, round trips, every kind of tamper, and keyboard layouts."""

from __future__ import annotations

import string
import uuid

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from checkin import codes
from checkin.codes import BadgeCode, Check, Keyring, PublicKey

CONFERENCE = "01a201dd-2c07-7c67-a93d-4cf5494ce448"


@pytest.fixture
def key() -> Ed25519PrivateKey:
    # Fixed (Ed25519 signs deterministically): the same codes every run, so the layout tests always
    # find the letters a layout garbles.
    return Ed25519PrivateKey.from_private_bytes(bytes(range(32)))


@pytest.fixture
def ring(key) -> Keyring:
    ring = Keyring(codes.conference_tag(CONFERENCE))
    ring.keys[1] = PublicKey(1, key.public_key())
    return ring


def badge(revision: int = 1, key_number: int = 1, conference: str = CONFERENCE) -> BadgeCode:
    return BadgeCode(
        str(uuid.UUID(int=0x0192_3456_789A_7BCD_8123_4567_89AB_CDEF)),
        revision,
        key_number,
        codes.conference_tag(conference),
    )


def test_code_is_short_upper_case_alphanumeric_and_round_trips(key, ring) -> None:
    text = codes.sign(badge(revision=7), key)
    assert len(text) == codes.CODE_LENGTH == 138
    assert set(text) <= set(string.ascii_uppercase + string.digits)
    checked = codes.check(text, ring)
    assert checked.check is Check.VALID
    assert checked.badge == badge(revision=7)


def test_every_single_character_change_is_refused(key, ring) -> None:
    text = codes.sign(badge(), key)
    header_end = len(codes.PREFIX) + 5  # key number and conference tag: a change there reads as another conference
    for position in range(len(codes.PREFIX), len(text)):
        for replacement in ("A", "7", "0"):
            if text[position] == replacement:
                continue
            altered = text[:position] + replacement + text[position + 1 :]
            found = codes.check(altered, ring).check
            assert found is not Check.VALID, (position, replacement)
            expected = (
                {Check.FORGED, Check.WRONG_CONFERENCE, Check.UNKNOWN_KEY} if position < header_end else {Check.FORGED}
            )
            assert found in expected, (position, replacement, found)


def test_truncated_and_extended_codes_are_forged(key, ring) -> None:
    text = codes.sign(badge(), key)
    for cut in (len(text) - 1, len(text) - 8, 100, 60):
        assert codes.check(text[:cut], ring).check is Check.FORGED
    assert codes.check(text + "AAAAAAAA", ring).check is Check.FORGED


def test_another_conference_and_another_key(key, ring) -> None:
    other_conference = codes.sign(badge(conference="another-conference"), codes.new_private_key())
    assert codes.check(other_conference, ring).check is Check.WRONG_CONFERENCE
    # Same conference tag and key number, signed by a key that is not ours: a forgery.
    assert codes.check(codes.sign(badge(), codes.new_private_key()), ring).check is Check.FORGED


def test_unknown_and_revoked_keys(key, ring) -> None:
    rotated = codes.new_private_key()
    text = codes.sign(badge(key_number=2), rotated)
    assert codes.check(text, ring).check is Check.UNKNOWN_KEY
    ring.keys[2] = PublicKey(2, rotated.public_key())
    assert codes.check(text, ring).check is Check.VALID
    assert codes.check(codes.sign(badge(), key), ring).check is Check.VALID  # older key still verifies
    ring.keys[1] = PublicKey(1, key.public_key(), revoked=True)
    assert codes.check(codes.sign(badge(), key), ring).check is Check.REVOKED_KEY


def test_other_codes_are_not_badges(ring) -> None:
    for text in ("R100001", "123456789012345678", "az5e5c8m3hwbs1cqy5ve5ghp0u8tjf4f".upper(), "", "M1"):
        assert codes.check(text, ring).check is Check.NOT_A_BADGE


# What a scanner configured for a US keyboard types on other hosts: the key it presses for each character
# is read back through the host's layout. Letters and digits are where they are on US keyboards.
US_TO_UK = {'"': "@", "@": '"', "#": "£"}
US_TO_AZERTY = {
    **dict(zip("1234567890", "&é\"'(-è_çà", strict=True)),
    "A": "Q",
    "Q": "A",
    "Z": "W",
    "W": "Z",
    "M": "?",
}


def typed_through(text: str, layout: dict[str, str], caps_lock: bool = False) -> str:
    typed = "".join(layout.get(ch, ch) for ch in text)
    return typed.swapcase() if caps_lock else typed


US_TO_QWERTZ = {"Y": "Z", "Z": "Y"}


@pytest.mark.parametrize("layout", [US_TO_UK, US_TO_AZERTY, US_TO_QWERTZ], ids=["uk", "azerty", "qwertz"])
def test_code_survives_keyboard_layouts(key, ring, layout) -> None:
    text = codes.sign(badge(revision=3), key)
    typed = typed_through(text, layout)
    if layout is not US_TO_UK:
        assert typed != text  # the layout really garbled it
    assert codes.check(codes.normalise(typed), ring).badge == badge(revision=3)


def conference_whose_tag_has_y_or_z() -> str:
    """A conference id whose tag is spelled with Y or Z, so a QWERTZ swap lands in the code's header."""
    header = slice(len(codes.PREFIX) + 1, len(codes.PREFIX) + 4)  # the characters carrying the tag's bits
    return next(
        name
        for name in (f"conference-{n}" for n in range(1000))
        if set(codes.sign(badge(conference=name), codes.new_private_key())[header]) & {"Y", "Z"}
    )


def test_qwertz_swap_in_the_header_still_verifies_and_never_turns_a_forgery_into_another_conference(key) -> None:
    conference = conference_whose_tag_has_y_or_z()
    ring = Keyring(codes.conference_tag(conference), {1: PublicKey(1, key.public_key())})
    text = codes.sign(badge(conference=conference), key)
    assert codes.check(codes.normalise(typed_through(text, US_TO_QWERTZ)), ring).check is Check.VALID
    forged = text[:-20] + "A" * 20
    assert codes.check(forged, ring).check is Check.FORGED
    assert codes.check(typed_through(forged, US_TO_QWERTZ), ring).check is Check.FORGED


def test_caps_lock_and_stray_whitespace_are_undone(key, ring) -> None:
    text = codes.sign(badge(), key)
    typed = " \t" + typed_through(text, {}, caps_lock=True) + "\r\n"
    assert codes.check(codes.normalise(typed), ring).check is Check.VALID


def test_out_of_range_values_are_refused_when_signing(key) -> None:
    with pytest.raises(ValueError):
        codes.sign(badge(revision=codes.MAX_REVISION + 1), key)
    with pytest.raises(ValueError):
        codes.sign(badge(key_number=256), key)
