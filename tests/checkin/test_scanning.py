"""The verdict path: every scan outcome, repeats, reprints, key handling, and arbitrary input."""

from __future__ import annotations

import sqlite3
from datetime import timedelta
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select, update

from checkin import badges, codes, keys, scanning
from checkin.demo import build_demo
from checkin.domain import VerdictCode
from checkin.rules.scan import decide_scan
from checkin.store import Store, open_store
from checkin.store.models import Attendee, BadgeKey, Event


def attendee(store: Store, number: int = 1, status: str = "paid") -> Attendee:
    with store.reading() as session:
        rows = session.scalars(select(Attendee).where(Attendee.status == status).order_by(Attendee.external_id))
        return rows.all()[number]


def code_for(store: Store, person: Attendee) -> str:
    with store.reading() as session:
        return badges.badge_code(session, person.id)


def events_on_disk(store: Store) -> list[tuple[str, str]]:
    """Read with a separate sqlite3 connection: what a power cut would leave (less the refusals kept for
    review, which tests/checkin/test_refusals.py checks)."""
    with sqlite3.connect(store.engine.url.database or "") as connection:
        return connection.execute(
            "SELECT id, attendee_id FROM event WHERE kind != 'scan_refused' ORDER BY id"
        ).fetchall()


def test_valid_badge_checks_in_and_is_committed_before_the_verdict(store: Store, now) -> None:
    person = attendee(store)
    verdict = scanning.scan(store, code_for(store, person), now)
    assert verdict.code is VerdictCode.ACCEPTED
    assert verdict.attendee is not None and verdict.attendee.id == person.id and verdict.attendee.checked_in
    assert (verdict.event_id, person.id) in events_on_disk(store)


def test_second_scan_within_seconds_is_just_scanned_and_later_already_checked_in(store: Store, now) -> None:
    person = attendee(store)
    text = code_for(store, person)
    recent = scanning.RecentScans(timedelta(seconds=5))
    assert scanning.scan(store, text, now, recent).accepted
    before = events_on_disk(store)
    again = scanning.scan(store, text, now + timedelta(seconds=2), recent)
    assert again.code is VerdictCode.JUST_SCANNED and "Just scanned" in again.message
    later = scanning.scan(store, text, now + timedelta(seconds=30), recent)
    assert later.code is VerdictCode.ALREADY_CHECKED_IN
    assert "already checked in at 08:12 by Desk 3" in later.message
    assert events_on_disk(store) == before


def test_reprint_voids_the_old_badge(store: Store, now) -> None:
    person = attendee(store)
    old = code_for(store, person)
    revision, new = badges.reissue(store, person.id, "lost", now)
    assert revision == 2 and new != old
    refused = scanning.scan(store, old, now)
    assert refused.code is VerdictCode.REPLACED_BADGE and "reprinted" in refused.message
    assert refused.attendee is not None and refused.attendee.id == person.id
    assert scanning.scan(store, new, now).accepted
    with pytest.raises(ValueError, match="why"):
        badges.reissue(store, person.id, "  ", now)


def test_refusals_by_registration_status(store: Store, now) -> None:
    cancelled = scanning.scan(store, code_for(store, attendee(store, 0, "cancelled")), now)
    assert cancelled.code is VerdictCode.CANCELLED
    unpaid = scanning.scan(store, code_for(store, attendee(store, 0, "unpaid")), now)
    assert unpaid.code is VerdictCode.UNPAID
    assert events_on_disk(store) == []


def test_registration_systems_own_codes_check_in(store: Store, now) -> None:
    with store.unit_of_work() as session:
        people = session.scalars(select(Attendee).where(Attendee.status == "paid").limit(3)).all()
        session.execute(update(Attendee).where(Attendee.id == people[0].id).values(ticket_code="123456789012345678"))
        session.execute(
            update(Attendee).where(Attendee.id == people[1].id).values(ticket_code="az5e5c8m3hwbs1cqy5ve5ghp0u8tjf4f")
        )  # a pretix secret
        external_id = people[2].external_id
    assert scanning.scan(store, "123456789012345678\r\n", now).accepted
    # Caps Lock on: the scanner typed the lower-case pretix secret in capitals.
    assert scanning.scan(store, "AZ5E5C8M3HWBS1CQY5VE5GHP0U8TJF4F", now).accepted
    assert scanning.scan(store, external_id.lower(), now).accepted
    assert scanning.scan(store, "999999999999", now).code is VerdictCode.UNKNOWN


def test_another_conference_is_refused(store: Store, tmp_path: Path, now) -> None:
    other = open_store(tmp_path / "other.sqlite", "Elsewhere")
    with other.unit_of_work() as session:
        build_demo(session, attendees=5, seed=99)
    foreign = code_for(other, attendee(other, 0))
    other.close()
    assert scanning.scan(store, foreign, now).code is VerdictCode.WRONG_CONFERENCE


def test_door_station_verifies_with_public_keys_only_and_follows_rotation(store: Store, tmp_path: Path, now) -> None:
    door = open_store(tmp_path / "door.sqlite", "Door 201A")
    with store.reading() as session:
        snapshot = [(a.id, a.external_id) for a in session.scalars(select(Attendee))]
    _copy_reference_data(store, door)
    with store.reading() as session, door.unit_of_work() as door_session:
        keys.import_public(door_session, keys.export_public(session))
    person = attendee(store)
    assert scanning.scan(door, code_for(store, person), now).accepted
    with door.reading() as session, pytest.raises(keys.KeyProblem, match="private"):
        badges.badge_code(session, snapshot[0][0])

    with store.unit_of_work() as session:
        keys.rotate(session, now)
    keys.forget_keys(store)
    newer = code_for(store, attendee(store, 2))
    assert scanning.scan(door, newer, now).code is VerdictCode.UNKNOWN_KEY
    with store.reading() as session, door.unit_of_work() as door_session:
        assert keys.import_public(door_session, keys.export_public(session)) == [2]
    keys.forget_keys(door)
    assert scanning.scan(door, newer, now).accepted
    assert scanning.scan(door, code_for(store, attendee(store, 3)), now).accepted  # signed by key 2 now

    with store.unit_of_work() as session:
        keys.revoke(session, 1, now)
    with store.reading() as session, door.unit_of_work() as door_session:
        assert keys.import_public(door_session, keys.export_public(session)) == [1]
    keys.forget_keys(door)
    old_key_badge = _code_signed_by(store, attendee(store, 4), 1)
    assert scanning.scan(door, old_key_badge, now).code is VerdictCode.REVOKED_KEY
    door.close()


def _code_signed_by(store: Store, person: Attendee, number: int) -> str:
    with store.reading() as session:
        row = session.get(BadgeKey, number)
        assert row is not None and row.private_key
        private = codes.Ed25519PrivateKey.from_private_bytes(keys.private_half(session, row))
        badge = codes.BadgeCode(person.id, 1, number, codes.conference_tag(row.conference_id))
    return codes.sign(badge, private)


def _copy_reference_data(source: Store, target: Store) -> None:
    """Until sync exists (issue 6), a door station is prepared by copying the conference and attendees."""
    from checkin.store.models import Conference

    with source.reading() as session:
        conference = session.scalars(select(Conference)).one()
        people = session.scalars(select(Attendee)).all()
        with target.unit_of_work() as door_session:
            door_session.merge(conference)
            for person in people:
                door_session.merge(person)


def test_keys_file_problems_are_explained(store: Store, tmp_path: Path, now) -> None:
    with store.unit_of_work() as session:
        with pytest.raises(keys.KeyProblem, match="already has badge keys"):
            keys.init_keys(session, now)
        good = keys.export_public(session)
        for text, words in [
            ("", "not JSON"),
            ("{}", "Not a Muster public keys file"),
            (good.replace('"number": 1', '"number": "x"'), "damaged key entry"),
            (good.replace('"public_key": "', '"public_key": "zz'), "damaged key entry"),
            (
                good.replace(session.scalars(select(Attendee.conference_id)).first() or "", "someone-else"),
                "another conference",
            ),
        ]:
            with pytest.raises(keys.KeyProblem, match=words):
                keys.import_public(session, text)
    with pytest.raises(keys.KeyProblem, match="There is no badge key 9"), store.unit_of_work() as session:
        keys.revoke(session, 9, now)


def test_decide_is_pure_and_covers_unreadable_and_forged(store: Store, now) -> None:
    ring = keys.store_keyring(store)
    from zoneinfo import ZoneInfo

    zone = ZoneInfo("America/Chicago")
    empty = scanning.read(" \r\n\t", ring)
    assert decide_scan(empty, None, zone, now).code is VerdictCode.UNREADABLE
    genuine = code_for(store, attendee(store))
    forged = scanning.read(genuine[:-20] + "A" * 20, ring)
    first = decide_scan(forged, None, zone, now)
    assert first.code is VerdictCode.FORGED
    assert decide_scan(forged, None, zone, now) == first
    assert events_on_disk(store) == []


TEXT = st.one_of(
    st.text(max_size=300),
    st.text(alphabet=st.characters(codec="utf-8"), max_size=200),
    st.text(alphabet="ABCDEFGHIJKLMNOPQRSTUVWXYZ234567", min_size=130, max_size=140).map(lambda s: "M1" + s),
    st.binary(max_size=200).map(lambda b: b.decode("latin-1")),  # control characters and NULs
    st.integers(1, 10_240).map(lambda n: "M1" + "Z" * n),  # up to 10 kB
    st.just("\x00" * 10_000),
)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(text=TEXT)
def test_arbitrary_text_never_raises_and_never_checks_anyone_in(store: Store, now, text: str) -> None:
    verdict = scanning.scan(store, text, now)
    assert not verdict.accepted
    assert verdict.message
    with store.reading() as session:
        assert session.scalar(select(func.count()).select_from(Event).where(Event.kind != "scan_refused")) == 0
