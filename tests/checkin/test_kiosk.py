"""The kiosk's answers to attendees: what checks in, what prints, and what goes to the desk."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import select

from checkin import badges, scanning
from checkin.conference import checked_in_count
from checkin.domain import Tone, VerdictCode
from checkin.kiosk import kiosk_scan
from checkin.rules import kiosk
from checkin.store import Store
from checkin.store.models import Attendee


def someone(store: Store, status: str, n: int = 0) -> Attendee:
    with store.reading() as session:
        return session.scalars(select(Attendee).where(Attendee.status == status).order_by(Attendee.sort_key)).all()[n]


def test_a_ticket_code_checks_in_and_prints_once(store: Store, now: datetime) -> None:
    person = someone(store, "paid")
    assert person.ticket_code
    verdict, said = kiosk_scan(store, person.ticket_code, now)
    assert verdict.code is VerdictCode.ACCEPTED
    assert said == kiosk.KioskAnswer(
        Tone.GOOD, f"Welcome, {person.first_name}!", "Your badge is printing below.", person.id
    )
    again_verdict, again = kiosk_scan(store, person.ticket_code, now + timedelta(minutes=5))
    assert again_verdict.code is VerdictCode.ALREADY_CHECKED_IN and again.print_for is None
    assert again.detail.startswith("Lost your badge?") and kiosk.DESK in again.detail
    with store.reading() as session:
        assert checked_in_count(session)[0] == 1


def test_a_badge_checks_in_without_printing_another(store: Store, now: datetime) -> None:
    person = someone(store, "paid", 1)
    with store.reading() as session:
        code = badges.badge_code(session, person.id)
    verdict, said = kiosk_scan(store, code, now)
    assert verdict.accepted and said.print_for is None and "checked in" in said.detail


def test_registration_numbers_and_troubles_go_to_the_desk(store: Store, now: datetime) -> None:
    paid = someone(store, "paid", 2)
    guessed_verdict, guessed = kiosk_scan(store, paid.external_id, now)  # on lists, easy to guess
    assert guessed_verdict.code is VerdictCode.UNKNOWN and guessed.print_for is None
    assert guessed.detail == kiosk.DESK and paid.first_name not in guessed.headline
    unpaid = someone(store, "unpaid")
    assert kiosk_scan(store, unpaid.ticket_code or "", now)[1].headline == "Your registration has a payment due."
    cancelled = someone(store, "cancelled")
    assert kiosk_scan(store, cancelled.ticket_code or "", now)[1].headline == "This registration is cancelled."
    assert kiosk_scan(store, "M1" + "A" * 136, now)[1] == kiosk.KioskAnswer(
        Tone.BAD, "We could not check you in here.", kiosk.DESK
    )  # forged
    assert kiosk_scan(store, "\x00 \t", now)[1].headline == "That did not scan."
    with store.reading() as session:
        assert checked_in_count(session)[0] == 0  # none of these checked anyone in


def test_the_same_code_twice_at_once_prints_once(store: Store, now: datetime) -> None:
    person = someone(store, "paid", 3)
    recent = scanning.RecentScans()
    first = kiosk_scan(store, person.ticket_code or "", now, recent)[1]
    second_verdict, second = kiosk_scan(store, person.ticket_code or "", now + timedelta(seconds=1), recent)
    assert first.print_for == person.id
    assert second_verdict.code is VerdictCode.JUST_SCANNED and second.print_for is None
    assert second.detail == "You are checked in."
