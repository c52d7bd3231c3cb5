"""One verdict path for every scan: text -> read -> verify -> look up -> decide -> record -> verdict.

Keyboard-wedge scanners, serial scanners, the camera and ``checkin scan`` all end here. ``decide``
is pure; ``scan`` commits (fsyncs) the event before it returns an accepted verdict. This is the hot
path: statements are built once, and it runs on a bare connection rather than an ORM session.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass, replace
from datetime import datetime, timedelta, tzinfo
from enum import StrEnum
from typing import Any

from sqlalchemy import Connection, bindparam, or_

from checkin import codes, keys
from checkin.attendees import attendee_view_query, to_view, view_on
from checkin.conference import store_zone
from checkin.desk import decide_check_in, record_check_in
from checkin.domain import AttendeeView, EventKind, StationContext, Tone, Verdict, VerdictCode
from checkin.events import NewEvent, append
from checkin.store import Store
from checkin.store.models import Attendee

MAX_SCAN_LENGTH = 512  # longer input is not a code; it is someone typing or a stuck key


class Matched(StrEnum):
    """Which symbol named the attendee: stations differ in which they take, never in how a code is read."""

    BADGE = "badge"  # the signed QR
    BADGE_NUMBER = "badge_number"  # a badge's Code 128: registration id and badge revision
    TICKET_CODE = "ticket_code"  # the registration system's code from the confirmation email
    REGISTRATION_ID = "registration_id"  # a bare registration id: printed on lists, so only staff act on it


@dataclass(frozen=True)
class Presented:
    """What a scan put in front of the station: the text, cleaned, what checking it as a badge found, and
    (after the lookup) which symbol it matched and the badge revision it carries."""

    raw: str
    text: str
    checked: codes.Checked
    matched: Matched | None = None
    printed_revision: int | None = None

    @property
    def badge(self) -> codes.BadgeCode | None:
        return self.checked.badge


def read(text: str, keyring: codes.Keyring) -> Presented:
    raw = text.strip()[: MAX_SCAN_LENGTH + 1]
    if not (raw.isascii() and raw.isalnum()):
        raw = "".join(ch for ch in raw if ch.isprintable() and not ch.isspace())
    cleaned = codes.normalise(raw)
    checked = codes.check(cleaned, keyring)
    return Presented(raw, cleaned, checked, printed_revision=checked.badge.revision if checked.badge else None)


_REFUSALS = {
    codes.Check.FORGED: (
        VerdictCode.FORGED,
        "This badge does not verify: forged, altered or damaged. Check photo ID and send the person to the desk.",
    ),
    codes.Check.WRONG_CONFERENCE: (VerdictCode.WRONG_CONFERENCE, "This badge is from another conference."),
    codes.Check.UNKNOWN_KEY: (
        VerdictCode.UNKNOWN_KEY,
        "This badge was signed with a key this station does not "
        "have yet. Sync or import the public keys; meanwhile "
        "send the person to the desk.",
    ),
    codes.Check.REVOKED_KEY: (
        VerdictCode.REVOKED_KEY,
        "This badge was signed with a withdrawn key. Send the person to the desk for a reprint.",
    ),
}


def decide(
    presented: Presented, attendee: AttendeeView | None, station: StationContext, zone: tzinfo, now: datetime
) -> Verdict:
    """The station's answer to a scan; records nothing. Pure: the same inputs give the same verdict."""
    del station  # a desk checks in whoever it scans; door stations (rooms) will read their room from it
    if not presented.text:
        return Verdict(VerdictCode.UNREADABLE, Tone.BAD, "Nothing readable was scanned. Scan again.")
    refusal = _REFUSALS.get(presented.checked.check)
    if refusal is not None:
        return Verdict(refusal[0], Tone.BAD, refusal[1], attendee)
    if attendee is None:
        return Verdict(VerdictCode.UNKNOWN, Tone.BAD, "No registration matches this code. Search by name instead.")
    if presented.printed_revision is not None and presented.printed_revision < attendee.badge_revision:
        return Verdict(
            VerdictCode.REPLACED_BADGE,
            Tone.BAD,
            "Replaced badge: this one was reprinted and is void. Ask for the new badge or check photo ID.",
            attendee,
        )
    return decide_check_in(attendee, zone, now)


class RecentScans:
    """Remembers accepted scans for a few seconds, so a badge held in front of the scanner twice counts once."""

    def __init__(self, window: timedelta = timedelta(seconds=5)) -> None:
        self.window = window
        self._seen: dict[str, tuple[datetime, Verdict]] = {}

    def repeat_of(self, text: str, now: datetime) -> Verdict | None:
        seen = self._seen.get(text)
        if seen is None or not timedelta(0) <= now - seen[0] <= self.window:
            return None
        attendee = seen[1].attendee
        name = attendee.full_name if attendee else "this badge"
        return Verdict(VerdictCode.JUST_SCANNED, Tone.GOOD, f"Just scanned: {name}. Nothing more to do.", attendee)

    def remember(self, text: str, now: datetime, verdict: Verdict) -> None:
        if len(self._seen) > 1000:  # a day's worth would be harmless, but keep it bounded
            self._seen = {k: v for k, v in self._seen.items() if now - v[0] <= self.window}
        self._seen[text] = (now, verdict)


def scan(store: Store, text: str, now: datetime, recent: RecentScans | None = None, where: str = "desk") -> Verdict:
    """Run one scan through the verdict path; an accepted check-in is committed before this returns, and a
    refusal is kept for review (``where``: the kind of station that refused)."""
    presented = read(text, keys.store_keyring(store))
    if recent is not None and (repeat := recent.repeat_of(presented.text, now)):
        return repeat
    zone = store_zone(store)
    with store.writing() as connection:
        attendee, presented = identify(connection, presented)
        verdict = decide(presented, attendee, store.station, zone, now)
        if not verdict.accepted:
            record_refusal(connection, store.station, presented.raw, verdict, now, where)
            return verdict
        verdict = record_check_in(connection, store.station, verdict, now, how_presented(presented))
    if recent is not None:
        recent.remember(presented.text, now, verdict)
    return verdict


SCANNED_KEPT = 200  # characters of a refused scan kept: a whole badge code, not a pasted page


def record_refusal(
    connection: Connection,
    station: StationContext,
    scanned: str,
    verdict: Verdict,
    now: datetime,
    where: str,
    place: str = "",
) -> None:
    """Keep a refused scan (a forged badge, a replaced one, a door dispute) so staff can review it later,
    at the hub too: what was scanned, where, and the answer given."""
    text = "".join(ch for ch in scanned if ch.isprintable())[:SCANNED_KEPT]
    payload = {"where": where, "place": place, "verdict": verdict.code.value, "scanned": text}
    attendee_id = verdict.attendee.id if verdict.attendee is not None else None
    append(connection, NewEvent(EventKind.SCAN_REFUSED, station, now, attendee_id, payload))


def how_presented(presented: Presented) -> dict[str, Any]:
    """What the recorded event says about the symbol that was scanned."""
    if presented.badge is not None:
        return {"badge_revision": presented.badge.revision}
    if presented.matched is Matched.BADGE_NUMBER:
        return {"badge_number": presented.printed_revision}
    return {"registration_code": True, "matched": (presented.matched or Matched.REGISTRATION_ID).value}


def identify(connection: Connection, presented: Presented) -> tuple[AttendeeView | None, Presented]:
    """The attendee a scan names, and the scan marked with the symbol it matched: a badge's attendee id, a
    registration system's own code (ticket code or registration id), or a badge's Code 128."""
    if presented.badge is not None:
        view = view_on(connection, presented.badge.attendee_id)
        return view, replace(presented, matched=Matched.BADGE)
    if presented.checked.check is not codes.Check.NOT_A_BADGE or not presented.text:
        return None, presented
    # Registration systems' codes may be lower case (pretix) and Caps Lock may have flipped them.
    candidates = sorted({presented.raw, presented.text, presented.text.lower()})
    row = connection.execute(_by_code(), {"codes": candidates}).first()
    if row is not None:
        view = to_view(row)
        matched = Matched.REGISTRATION_ID if view.external_id in candidates else Matched.TICKET_CODE
        return view, replace(presented, matched=matched)
    number = codes.parse_badge_number(presented.text)
    if number is None:
        return None, presented
    registration_id, revision = number
    row = connection.execute(_by_registration_id(), {"ids": [registration_id, registration_id.lower()]}).first()
    if row is None:
        return None, presented
    return to_view(row), replace(presented, matched=Matched.BADGE_NUMBER, printed_revision=revision)


@functools.cache
def _by_registration_id() -> Any:
    return attendee_view_query().where(Attendee.external_id.in_(bindparam("ids", expanding=True))).limit(1)


@functools.cache
def _by_code() -> Any:
    codes_param: Any = bindparam("codes", expanding=True)
    return (
        attendee_view_query()
        .where(or_(Attendee.external_id.in_(codes_param), Attendee.ticket_code.in_(codes_param)))
        .limit(1)
    )
