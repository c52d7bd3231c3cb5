from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select

from checkin import desk
from checkin.attendees import get_view, likely_duplicates
from checkin.domain import CORRECTABLE_FIELDS, EventKind, RegistrationType, Status, Tone, VerdictCode
from checkin.importers import import_file
from checkin.rules.check_in import decide_check_in
from checkin.store import Store
from checkin.store.models import Attendee, Event


def first_with(store: Store, **where) -> str:
    with store.reading() as session:
        stmt = select(Attendee.id).order_by(Attendee.sort_key)
        for column, value in where.items():
            stmt = stmt.where(getattr(Attendee, column) == value)
        found = session.scalars(stmt).first()
    assert found, where
    return found


def event_count(store: Store) -> int:
    with store.reading() as session:
        return session.scalar(select(func.count()).select_from(Event)) or 0


def test_check_in_records_one_event_and_a_second_attempt_says_when_and_where(store: Store, now) -> None:
    target = first_with(store, status="paid")
    verdict = desk.check_in(store, target, now)
    assert verdict.code is VerdictCode.ACCEPTED and verdict.event_id
    assert verdict.attendee and verdict.attendee.checked_in_station == "Desk 3"
    again = desk.check_in(store, target, now + timedelta(hours=2))
    assert again.code is VerdictCode.ALREADY_CHECKED_IN
    assert "already checked in at 08:12 by Desk 3" in again.message
    assert event_count(store) == 1


def test_cancelled_registration_is_refused_with_its_reason(store: Store, now) -> None:
    target = first_with(store, status="cancelled")
    verdict = desk.check_in(store, target, now)
    assert verdict.code is VerdictCode.CANCELLED and verdict.tone is Tone.BAD
    assert "Refunded at attendee's request" in verdict.message
    assert event_count(store) == 0


def test_unpaid_is_refused_until_marked_paid(store: Store, now) -> None:
    target = first_with(store, status="unpaid")
    assert desk.check_in(store, target, now).code is VerdictCode.UNPAID
    desk.correct(store, target, {"status": "paid"}, now)
    assert desk.check_in(store, target, now).accepted


def test_unknown_attendee(now) -> None:
    verdict = decide_check_in(None, now.tzinfo, now)
    assert verdict.code is VerdictCode.UNKNOWN and verdict.tone is Tone.BAD


def test_entitlement_once_with_when_and_where_on_a_second_attempt(store: Store, now) -> None:
    target = first_with(store, registration_type=RegistrationType.MEMBER.value, status="paid")
    early = desk.give_entitlement(store, target, "coin", now)
    assert early.code is VerdictCode.NOT_CHECKED_IN and "check them in first" in early.message  # same for the CLI
    assert desk.check_in(store, target, now).accepted
    assert desk.give_entitlement(store, target, "coin", now).accepted
    again = desk.give_entitlement(store, target, "coin", now + timedelta(minutes=3))
    assert again.code is VerdictCode.ALREADY_GIVEN
    assert "Conference coin already given" in again.message and "08:12 by Desk 3" in again.message
    assert event_count(store) == 2  # the check-in and the coin


def test_no_entitlements_for_unpaid_or_cancelled(store: Store, now) -> None:
    assert desk.give_entitlement(store, first_with(store, status="unpaid"), "bag", now).code is VerdictCode.UNPAID
    assert desk.give_entitlement(store, first_with(store, status="cancelled"), "bag", now).code is VerdictCode.CANCELLED
    assert event_count(store) == 0


def test_entitlement_eligibility_follows_registration_type(store: Store, now) -> None:
    exhibitor = first_with(store, registration_type=RegistrationType.EXHIBITOR.value, status="paid")
    assert desk.check_in(store, exhibitor, now).accepted
    refused = desk.give_entitlement(store, exhibitor, "coin", now)
    assert refused.code is VerdictCode.NOT_ELIGIBLE
    assert "not included for Exhibitor" in refused.message
    assert desk.give_entitlement(store, exhibitor, "bag", now).accepted
    assert desk.give_entitlement(store, exhibitor, "no-such-thing", now).code is VerdictCode.UNKNOWN


def test_walk_in_requires_names_and_a_plausible_email(store: Store, now) -> None:
    with pytest.raises(desk.InvalidInput) as error:
        desk.register_walk_in(store, desk.WalkIn(" ", "", "not-an-email", status=Status.PAID), now)
    assert set(error.value.problems) == {"first_name", "last_name", "email"}
    with pytest.raises(desk.InvalidInput) as error:  # the focus was one box off: the email went in a name
        desk.register_walk_in(store, desk.WalkIn("bgarcia@x.org", "Garcia", status=Status.PAID), now)
    assert error.value.problems == {
        "first_name": "The first name looks like an email address: that goes in the Email box."
    }
    with pytest.raises(desk.InvalidInput) as error:  # would print a badge with no name on it
        desk.register_walk_in(store, desk.WalkIn("😀", "--", status=Status.PAID), now)
    assert error.value.problems == {
        "first_name": "The first name has no letters.",
        "last_name": "The last name has no letters.",
    }
    assert event_count(store) == 0
    assert desk.register_walk_in(store, desk.WalkIn("Ø", "Ng 2nd", status=Status.PAID), now).full_name == "Ø Ng 2nd"


def test_walk_in_is_an_event_and_searchable(store: Store, now) -> None:
    view = desk.register_walk_in(
        store, desk.WalkIn("Zoë", "Ó Briain", "zoe@example.ie", "Dublin Schools", status=Status.PAID), now
    )
    assert view.source == "walk_in" and view.external_id.startswith("W-")
    with store.reading() as session:
        kinds = list(session.scalars(select(Event.kind)))
        assert kinds == [EventKind.WALK_IN_REGISTERED.value]
        assert likely_duplicates(session, "ZOE@example.ie ", "", "")[0].id == view.id
        assert likely_duplicates(session, "", "zoe", "o briain")[0].id == view.id
    assert desk.check_in(store, view.id, now).accepted


def test_correction_is_an_event_and_survives_a_re_import(empty_store: Store, now) -> None:
    from tests.conftest import DATA

    with empty_store.unit_of_work() as session:
        from checkin.conference import ensure_conference

        ensure_conference(session, "Test")
        import_file(session, DATA / "wildapricot_registrants.csv")
    target = first_with(empty_store, external_id="71002")
    after = desk.correct(empty_store, target, {"last_name": "O'Bryan", "organization": "Harris County SO"}, now)
    assert (after.last_name, after.organization) == ("O'Bryan", "Harris County SO")
    with empty_store.unit_of_work() as session:
        import_file(session, DATA / "wildapricot_registrants.csv")
        view = get_view(session, target)
        assert view and view.last_name == "O'Bryan"


def test_correction_refuses_unknown_fields_and_empty_names(store: Store, now) -> None:
    target = first_with(store, status="paid")
    with pytest.raises(desk.InvalidInput):
        desk.correct(store, target, {"external_id": "X"}, now)
    with pytest.raises(desk.InvalidInput):
        desk.correct(store, target, {"first_name": "  "}, now)
    with pytest.raises(desk.InvalidInput):
        desk.correct(store, target, {"status": "maybe"}, now)
    with pytest.raises(desk.InvalidInput, match="look like an email"):
        desk.correct(store, target, {"email": "Jane Smith"}, now)  # typed into the wrong box
    with pytest.raises(desk.InvalidInput, match="last name looks like an email"):
        desk.correct(store, target, {"last_name": "jsmith@example.org"}, now)
    with pytest.raises(desk.InvalidInput, match=r"Organization is too long \(4,999 characters; at most 300\)"):
        desk.correct(store, target, {"organization": "Lincoln " * 625}, now)  # pasted by mistake (trailing space cut)
    assert event_count(store) == 0
    assert "status" in CORRECTABLE_FIELDS


def test_walk_in_values_longer_than_the_hub_holds_are_refused(store: Store, now) -> None:
    # SQLite would keep them, but the hub on PostgreSQL would refuse the record when it comes to be written there.
    with pytest.raises(desk.InvalidInput) as error:
        desk.register_walk_in(store, desk.WalkIn("A" * 201, "Lee", organization="B" * 301, status=Status.PAID), now)
    assert set(error.value.problems) == {"first_name", "organization"}
    assert error.value.problems["first_name"] == "First name is too long (201 characters; at most 200)."
    assert desk.register_walk_in(
        store, desk.WalkIn("A" * 200, "Lee", organization="B" * 300, status=Status.PAID), now
    ).first_name


def test_a_correction_that_changes_nothing_records_nothing(store: Store, now) -> None:
    target = first_with(store, status="paid")
    with store.reading() as session:
        view = get_view(session, target)
    assert view is not None
    desk.correct(store, target, {"first_name": view.first_name, "status": Status.PAID.value}, now)
    assert event_count(store) == 0


def test_a_killed_check_in_never_half_writes(tmp_path: Path, now) -> None:
    """An exception inside the unit of work rolls everything back: no event without its state, or vice versa."""
    from checkin.store import open_store

    store = open_store(tmp_path / "s.sqlite", "Desk 1")
    with store.unit_of_work() as session:
        from checkin.demo import build_demo

        build_demo(session, attendees=10, seed=1)
    target = first_with(store, status="paid")
    with pytest.raises(RuntimeError), store.unit_of_work() as session:
        from checkin.events import NewEvent, record

        record(session, NewEvent(EventKind.CHECKED_IN, store.station, now, target))
        raise RuntimeError("power cut")
    assert event_count(store) == 0
    with store.reading() as session:
        view = get_view(session, target)
    assert view is not None and not view.checked_in


@pytest.mark.parametrize(
    ("typed", "first", "last", "email"),
    [
        ("Okafor", "", "Okafor", ""),
        ("  okafor,   ngozi ", "Ngozi", "Okafor", ""),
        ("Ngozi Okafor", "", "", ""),
        ("okafor ngozi", "", "", ""),  # which is the surname? Nothing is guessed
        ("maria de la cruz", "", "", ""),
        ("de la cruz", "", "de la Cruz", ""),
        ("Van Dyke", "", "Van Dyke", ""),
        ("cruz, maria de la", "Maria de la", "Cruz", ""),
        ("o'brien", "", "O'Brien", ""),
        ("garcía-márquez", "", "García-Márquez", ""),
        ("McDonald", "", "McDonald", ""),
        ("n.okafor@x.org", "", "", "n.okafor@x.org"),
        ("R100042", "", "", ""),
        ("12345", "", "", ""),
        ("M1AEDK", "", "", ""),
        ("%%%", "", "", ""),
        ("", "", "", ""),
    ],
)
def test_a_walk_in_starts_from_what_the_search_was(typed: str, first: str, last: str, email: str) -> None:
    form = desk.walk_in_from_search(typed)
    assert (form.first_name, form.last_name, form.email) == (first, last, email)
