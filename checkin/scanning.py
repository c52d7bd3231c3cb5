"""One verdict path for every scan: text -> read -> verify -> look up -> decide -> record -> verdict.

Keyboard-wedge scanners, serial scanners, the camera and ``checkin scan`` all end here. ``decide``
is pure; ``scan`` commits (fsyncs) the event before it returns an accepted verdict. This is the hot
path: statements are built once, and it runs on a bare connection rather than an ORM session.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import replace
from datetime import datetime, timedelta, tzinfo
from typing import Any

from sqlalchemy import Connection, bindparam, or_

from checkin import codes, keys
from checkin.attendees import attendee_view_query, to_view, view_on
from checkin.conference import store_zone
from checkin.desk import record_check_in
from checkin.domain import AttendeeView, EventKind, StationContext, Tone, Verdict, VerdictCode
from checkin.events import NewEvent, append
from checkin.rules.scan import Matched, Presented, decide_scan
from checkin.store import Store
from checkin.store.models import Attendee

MAX_SCAN_LENGTH = 512  # longer input is not a code; it is someone typing or a stuck key


def read(text: str, keyring: codes.Keyring) -> Presented:
    raw = text.strip()[: MAX_SCAN_LENGTH + 1]
    if not (raw.isascii() and raw.isalnum()):
        raw = "".join(ch for ch in raw if ch.isprintable() and not ch.isspace())
    cleaned = codes.normalise(raw)
    checked = codes.check(cleaned, keyring)
    return Presented(raw, cleaned, checked, printed_revision=checked.badge.revision if checked.badge else None)


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


Decide = Callable[[Presented, AttendeeView | None, tzinfo, datetime], Verdict]


def scan(
    store: Store,
    scanned: str | Presented,
    now: datetime,
    recent: RecentScans | None = None,
    where: str = "desk",
    decide: Decide = decide_scan,
) -> Verdict:
    """Run one scan through the verdict path; an accepted check-in is committed before this returns, and a
    refusal is kept for review (``where``: the kind of station that refused; ``decide``: its policy, a
    rule from checkin.rules). ``scanned`` is the text, or what ``read`` made of it already."""
    presented = read(scanned, keys.store_keyring(store)) if isinstance(scanned, str) else scanned
    if recent is not None and (repeat := recent.repeat_of(presented.text, now)):
        return repeat
    zone = store_zone(store)
    with store.writing() as connection:
        attendee, presented = identify(connection, presented)
        verdict = decide(presented, attendee, zone, now)
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
