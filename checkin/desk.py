"""What a registration desk does: check in, hand over entitlements, register walk-ins, correct records.

Each action is split into a pure decision (``decide_*``: state in, verdict out) and the recording
of its event; the event is committed (fsynced) before the verdict is returned as accepted.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, select
from sqlalchemy.orm import Session

from checkin.attendees import get_view, too_long, view_on
from checkin.conference import current_conference, entitlements, store_zone
from checkin.domain import (
    CORRECTABLE_FIELDS,
    AttendeeView,
    EventKind,
    StationContext,
    Status,
    Tone,
    Verdict,
    VerdictCode,
)
from checkin.events import NewEvent, append, record
from checkin.ids import new_id
from checkin.rules.check_in import decide_check_in
from checkin.rules.hand_out import decide_entitlement
from checkin.rules.undo import why_not_undo
from checkin.store import Store
from checkin.store.models import AttendeeState, EntitlementGiven, Event


def check_in(store: Store, attendee_id: str, now: datetime) -> Verdict:
    """Check in; returns only after the event is committed (fsynced). The hot path: keep it lean."""
    zone = store_zone(store)
    with store.writing() as connection:
        view = view_on(connection, attendee_id)
        verdict = decide_check_in(view, zone, now)
        if verdict.accepted:
            verdict = record_check_in(connection, store.station, verdict, now)
    return verdict


def record_check_in(
    connection: Connection, station: StationContext, accepted: Verdict, now: datetime, via: dict[str, Any] | None = None
) -> Verdict:
    """Append the check-in an accepted verdict stands for; the verdict, now carrying the arrival and event id."""
    assert accepted.accepted and accepted.attendee is not None
    event = NewEvent(EventKind.CHECKED_IN, station, now, accepted.attendee.id, via or {})
    append(connection, event)
    arrived = replace(accepted.attendee, checked_in_at=now, checked_in_station=station.name)
    return replace(accepted, attendee=arrived, event_id=event.id)


def undo_check_in(store: Store, attendee_id: str, reason: str, now: datetime) -> Verdict:
    """Take back a check-in this station made by mistake a moment ago (rules.undo says which), as an event that
    every station applies: the attendee is not checked in again, and the counts follow."""
    with store.writing() as connection:
        view = view_on(connection, attendee_id)
        if view is None:
            return Verdict(VerdictCode.UNKNOWN, Tone.BAD, "No such registration.")
        made = connection.execute(
            select(Event.id, Event.station_id, Event.station_time)
            .join(AttendeeState, AttendeeState.checked_in_event == Event.id)
            .where(AttendeeState.attendee_id == attendee_id)
        ).first()
        problem = why_not_undo(
            made.station_time if made else None, made.station_id if made else None, store.station.id, now, reason
        )
        if made is None or problem is not None:
            return Verdict(VerdictCode.CANNOT_UNDO, Tone.BAD, f"{view.full_name} {problem}.", view)
        event = NewEvent(
            EventKind.CHECK_IN_UNDONE, store.station, now, attendee_id, {"undoes": made.id, "reason": reason.strip()}
        )
        append(connection, event)
        after = view_on(connection, attendee_id)
    return Verdict(
        VerdictCode.UNDONE, Tone.WARN, f"Check-in of {view.full_name} undone ({reason.strip()}).", after, event.id
    )


def give_entitlement(store: Store, attendee_id: str, code: str, now: datetime) -> Verdict:
    with store.unit_of_work() as session:
        zone = store_zone(store)
        offered = entitlements(session)
        entitlement = next((e for e in offered if e.code.casefold() == code.strip().casefold()), None)
        code = entitlement.code if entitlement else code  # "Coin" typed at a terminal is the coin
        given = session.get(EntitlementGiven, (attendee_id, code))
        verdict = decide_entitlement(get_view(session, attendee_id), entitlement, given, zone, now, offered)
        if not verdict.accepted:
            return verdict
        event = NewEvent(EventKind.ENTITLEMENT_GIVEN, store.station, now, attendee_id, {"entitlement": code})
        record(session, event)
    return Verdict(verdict.code, verdict.tone, verdict.message, verdict.attendee, event.id)


def given_entitlements(session: Session, attendee_id: str) -> dict[str, EntitlementGiven]:
    rows = session.scalars(select(EntitlementGiven).where(EntitlementGiven.attendee_id == attendee_id))
    return {row.entitlement: row for row in rows}


@dataclass(frozen=True)
class WalkIn:
    first_name: str
    last_name: str
    email: str = ""
    organization: str = ""
    city: str = ""
    region: str = ""
    registration_type: str = "Non-member"
    status: Status | None = None  # paid or unpaid: the volunteer says which, never a silent default

    def problems(self) -> dict[str, str]:
        """Field -> what is wrong with it; empty when the form can be saved."""
        found: dict[str, str] = {}
        if not self.first_name.strip():
            found["first_name"] = "First name is required."
        if not self.last_name.strip():
            found["last_name"] = "Last name is required."
        found |= _names_problems({"first_name": self.first_name, "last_name": self.last_name})
        if not looks_like_email(self.email):
            found["email"] = NOT_AN_EMAIL
        if not self.registration_type.strip():
            found["registration_type"] = "Pick a registration type."
        if self.status not in (Status.PAID, Status.UNPAID):
            found["status"] = "Say whether they have paid: Paid, or Payment still to be taken."
        typed = ("first_name", "last_name", "email", "organization", "city", "region", "registration_type")
        return too_long({name: getattr(self, name).strip() for name in typed}) | found


NOT_AN_EMAIL = "The email does not look like an email address (name@example.org)."


def walk_in_from_search(typed: str) -> WalkIn:
    """A walk-in form started from what the volunteer searched for and did not find: "Okafor" or "de la Cruz"
    is a surname, "Okafor, Ngozi" a surname and first name (as the desk lists names), "n.okafor@x.org" an
    email. Two names without a comma could be in either order, and a code or a number is no name: those
    start a blank form."""
    text = " ".join(typed.split())
    if "@" in text and " " not in text:
        return WalkIn("", "", email=text)
    if not text or not _NAME_LIKE.fullmatch(text) or not any(ch.isalpha() for ch in text):
        return WalkIn("", "")
    if text.islower():  # typed fast into a search box; a badge wants "Ngozi Okafor"
        text = " ".join(word if word in _PARTICLES else _capitalised(word) for word in text.split())
    if "," in text:
        last, _, first = text.partition(",")
        return WalkIn(first.strip(" ,"), last.strip())
    if " " in text and text.split()[0].lower() not in _PARTICLES:
        return WalkIn("", "")  # "Okafor Ngozi" or "Ngozi Okafor"? A swapped name would print on the badge.
    return WalkIn("", text)


_NAME_LIKE = re.compile(r"[^\W\d_]+(?:[ ,.'’-]+[^\W\d_]*)*[.,]?")  # letters, with spaces and name punctuation
_PARTICLES = {"da", "de", "del", "della", "der", "di", "du", "la", "le", "van", "von", "y"}


def _capitalised(word: str) -> str:
    """ "o'brien" -> "O'Brien", "garcía-márquez" -> "García-Márquez" (each part after ' or - too)."""
    return re.sub(r"(^|['’-])(\w)", lambda m: m.group(1) + m.group(2).upper(), word)


def _names_problems(fields: Mapping[str, str]) -> dict[str, str]:
    """An email typed into a name box (the focus was one field off), or a name without a single letter
    (only emoji or punctuation): said, rather than printed on a badge."""
    found = {}
    for name in ("first_name", "last_name"):
        value, words = fields.get(name, "").strip(), name.replace("_", " ")
        if "@" in value:
            found[name] = f"The {words} looks like an email address: that goes in the Email box."
        elif value and not any(ch.isalpha() for ch in value):
            found[name] = f"The {words} has no letters."
    return found


def looks_like_email(text: str) -> bool:
    """Empty, or something@domain.tld without spaces: enough to catch a name typed into the email box."""
    email = text.strip()
    return not email or ("@" in email and "." in email.rpartition("@")[2] and " " not in email)


class InvalidInput(ValueError):
    def __init__(self, problems: dict[str, str]) -> None:
        super().__init__(" ".join(problems.values()))  # each one a sentence
        self.problems = problems


def register_walk_in(store: Store, form: WalkIn, now: datetime) -> AttendeeView:
    """Create a new attendee from the desk's form (recorded as an event, so it syncs)."""
    problems = form.problems()
    if problems or form.status is None:
        raise InvalidInput(problems)
    attendee_id = new_id()
    record_fields = {
        "first_name": form.first_name.strip(),
        "last_name": form.last_name.strip(),
        "email": form.email.strip(),
        "organization": form.organization.strip(),
        "city": form.city.strip(),
        "region": form.region.strip(),
        "registration_type": form.registration_type.strip(),
        "ticket": "Walk-in",
        "status": form.status.value,
        "status_reason": "",
        "external_id": f"W-{attendee_id.replace('-', '')[-10:].upper()}",
    }
    with store.unit_of_work() as session:
        conference = current_conference(session)
        payload = {"conference_id": conference.id, "attendee": record_fields}
        record(session, NewEvent(EventKind.WALK_IN_REGISTERED, store.station, now, attendee_id, payload))
        view = get_view(session, attendee_id)
    assert view is not None
    return view


def correction_problems(changes: dict[str, str]) -> dict[str, str]:
    """Field -> what is wrong with the corrected value; empty when the correction can be recorded."""
    found = {f: f"{f} cannot be corrected at the desk." for f in sorted(set(changes) - set(CORRECTABLE_FIELDS))}
    cleaned = {k: v.strip() for k, v in changes.items() if k in CORRECTABLE_FIELDS}
    if "status" in cleaned and cleaned["status"] not in {s.value for s in Status}:
        found["status"] = "Status must be paid, unpaid or cancelled."
    for required in ("first_name", "last_name"):
        if required in cleaned and not cleaned[required]:
            found[required] = "A name cannot be empty."
    found |= _names_problems(cleaned)
    if not looks_like_email(cleaned.get("email", "")):
        found["email"] = NOT_AN_EMAIL
    return too_long(cleaned) | found


def correct(store: Store, attendee_id: str, changes: dict[str, str], now: datetime) -> AttendeeView:
    """Record a correction of some of the attendee's fields; unchanged values are left out."""
    problems = correction_problems(changes)
    if problems:
        raise InvalidInput(problems)
    cleaned = {k: v.strip() for k, v in changes.items()}
    with store.unit_of_work() as session:
        before = get_view(session, attendee_id)
        if before is None:
            raise InvalidInput({"attendee": "No such registration."})
        real = {k: v for k, v in cleaned.items() if getattr(before, k) != v}
        if real:
            event = NewEvent(EventKind.ATTENDEE_CORRECTED, store.station, now, attendee_id, {"changes": real})
            record(session, event)
        after = get_view(session, attendee_id)
    assert after is not None
    return after
