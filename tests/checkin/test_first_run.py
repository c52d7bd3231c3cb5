from __future__ import annotations

from datetime import datetime
from pathlib import Path

import pytest
from sqlalchemy import func, select

from checkin import badges, codes, keys
from checkin.conference import current_conference, has_conference
from checkin.first_run import start_from_export
from checkin.importers import ImportFailed
from checkin.store import Store
from checkin.store.models import Attendee

DATA = Path(__file__).resolve().parents[1] / "data"


def test_a_new_laptop_gets_its_conference_registrants_and_badge_keys_in_one_step(
    empty_store: Store, now: datetime
) -> None:
    report = start_from_export(empty_store, DATA / "wildapricot_registrants.csv", "  NASRO 2027 ", now)
    assert report.added > 0 and report.format == "wildapricot"
    with empty_store.reading() as session:
        assert current_conference(session).name == "NASRO 2027"
        assert session.scalar(select(func.count()).select_from(Attendee)) == report.added
        assert keys.signing_row(session) is not None  # this laptop can print badges at once
        person = session.scalars(select(Attendee)).first()
        assert person is not None
        code = badges.badge_code(session, person.id)
        assert codes.check(code, keys.keyring(session)).badge is not None  # a badge this laptop can sign and read


def test_a_file_with_a_bad_row_leaves_the_new_laptop_empty(empty_store: Store, tmp_path: Path, now: datetime) -> None:
    bad = tmp_path / "bad.csv"
    bad.write_text("Registration ID,First Name,Last Name\nA1,Ann,Lee\nA1,Bo,Li\n", encoding="utf-8")  # the id twice
    with pytest.raises(ImportFailed) as failed:
        start_from_export(empty_store, bad, "Conference", now)
    assert failed.value.problems[0].line == 3
    with empty_store.reading() as session:
        assert not has_conference(session)  # all or nothing: not even the conference or its keys
        assert not session.scalar(select(func.count()).select_from(Attendee))


def test_a_plain_csv_of_registration_ids_and_names_is_read_as_a_generic_export(
    empty_store: Store, tmp_path: Path, now: datetime
) -> None:
    plain = tmp_path / "members.csv"
    plain.write_text("Registration ID,First Name,Last Name,Email\nA1,Ann,Lee,ann@x.org\n", encoding="utf-8")
    assert start_from_export(empty_store, plain, "", now).format == "generic"
    with empty_store.reading() as session:
        assert current_conference(session).name == "members"  # no name given: the file's
    nameless = tmp_path / "nameless.csv"
    nameless.write_text("Surname,Given\nLee,Ann\n", encoding="utf-8")
    with pytest.raises(ImportFailed, match="missing the registration id column"):
        start_from_export(empty_store, nameless, "", now)
