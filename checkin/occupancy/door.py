"""A session-room door: every scan answers welcome / already inside / room full / not registered / ...

Same shape as the desk: ``decide_door`` (checkin.rules.door) is pure; ``door_scan`` records the entry or exit
(and, when the policy admits people who skipped the desk, their check-in) in one durable transaction before it
answers.
"""

from __future__ import annotations

import functools
from dataclasses import replace
from datetime import datetime, tzinfo
from typing import Any

from sqlalchemy import Connection, bindparam, func, select

from checkin import keys, scanning
from checkin.conference import store_zone
from checkin.desk import record_check_in
from checkin.domain import AttendeeView, EventKind, StationContext, Tone, Verdict, VerdictCode
from checkin.events import NewEvent, append
from checkin.occupancy import tracking
from checkin.occupancy.policy import Policy
from checkin.occupancy.presence import Schedule
from checkin.rules.capacity import Fill
from checkin.rules.check_in import decide_check_in
from checkin.rules.door import Door, Mode, RoomNow, count_words, decide_door
from checkin.store import Store, direct
from checkin.store.models import ConferenceSession, Room, SessionRegistration


def open_door(store: Store, room_name: str, door: str = "Main door", **options: object) -> Door:
    with store.reading() as session:
        room = session.scalars(select(Room).where(func.lower(Room.name) == room_name.strip().lower())).first()
        if room is None:
            names = ", ".join(session.scalars(select(Room.name).order_by(Room.name)))
            raise LookupError(f"No room called '{room_name}'. Rooms: {names}.")
        return Door(room.id, room.name, door, **options)  # type: ignore[arg-type]


def hand_count_answer(fill: Fill, delta: int) -> tuple[Tone, str]:
    """What the door says after counting a person without a badge: the same colours as a scan at that level."""
    counted = f"Counted by hand: {'+1' if delta > 0 else '−1'}. {fill.count} of {fill.capacity} in the room"
    if fill.capacity and fill.count > fill.capacity:
        return Tone.BAD, f"{counted}: over capacity. Let nobody else in."
    if fill.tone is not Tone.GOOD:
        return Tone.WARN, f"{counted} ({100 * fill.share:.0f}%)."
    return Tone.GOOD, f"{counted}."


def room_fill(connection: Connection, room_id: str, now: datetime) -> Fill:
    """The room's headcount now against its capacity and the warning level, as they are set now."""
    return _fill(connection, room_id, now, *tracking.config_on(connection))


def _fill(connection: Connection, room_id: str, now: datetime, schedule: Schedule, policy: Policy) -> Fill:
    count = tracking.headcount(connection, room_id, now, schedule)
    capacity = direct.execute(connection, _capacity(), {"room_id": room_id}).scalar_one()
    return Fill(count, capacity, policy.warn_at)


@functools.cache
def _capacity() -> Any:
    return select(Room.capacity).where(Room.id == bindparam("room_id"))


def room_now(connection: Connection, door: Door, attendee_id: str | None, now: datetime) -> RoomNow:
    schedule, policy = tracking.config_on(connection)  # one look per scan
    fill = _fill(connection, door.room_id, now, schedule, policy)
    slot = schedule.session_at(door.room_id, now)
    inside = tracking.where_is(connection, attendee_id, now) if attendee_id else None
    if slot is None:
        return RoomNow(fill.count, fill.capacity, fill.warn_at, inside=inside)
    title, prereg = direct.execute(connection, _session(), {"session_id": slot.session_id}).one()
    registered = True
    if prereg and attendee_id:
        registration = {"session_id": slot.session_id, "attendee_id": attendee_id}
        registered = direct.execute(connection, _registration(), registration).first() is not None
    return RoomNow(fill.count, fill.capacity, fill.warn_at, slot.session_id, title, prereg, registered, inside)


@functools.cache
def _session() -> Any:
    return select(ConferenceSession.title, ConferenceSession.prereg_required).where(
        ConferenceSession.id == bindparam("session_id")
    )


@functools.cache
def _registration() -> Any:
    return select(SessionRegistration.attendee_id).where(
        SessionRegistration.session_id == bindparam("session_id"),
        SessionRegistration.attendee_id == bindparam("attendee_id"),
    )


def door_scan(
    store: Store, door: Door, text: str, now: datetime, recent: scanning.RecentScans | None = None
) -> Verdict:
    """A scan at the door; an entry or exit is committed before this returns."""
    presented = scanning.read(text, keys.store_keyring(store))
    if recent is not None and (repeat := recent.repeat_of(f"{door.mode}:{presented.text}", now)):
        return repeat
    zone = store_zone(store)
    with store.writing() as connection:
        attendee, presented = scanning.identify(connection, presented)
        room = room_now(connection, door, attendee.id if attendee else None, now)
        verdict = decide_door(presented, attendee, door, room, zone, now)
        if attendee is None or verdict.code not in (VerdictCode.ACCEPTED, VerdictCode.EXITED, VerdictCode.NOT_INSIDE):
            place = f"{door.room_name} · {door.name}"
            scanning.record_refusal(connection, store.station, presented.raw, verdict, now, "door", place)
            return verdict
        verdict = _record(connection, store.station, door, room, verdict, attendee, now, zone)
    if recent is not None:
        recent.remember(f"{door.mode}:{presented.text}", now, verdict)
    return verdict


def override(store: Store, door: Door, attendee_id: str, reason: str, refused: VerdictCode, now: datetime) -> Verdict:
    """Staff let someone in despite a refusal (a speaker, the fire marshal); the reason is recorded."""
    if not reason.strip():
        raise ValueError("An override needs a reason (speaker, fire marshal, staff, ...).")
    zone = store_zone(store)
    with store.writing() as connection:
        from checkin.attendees import view_on

        attendee = view_on(connection, attendee_id)
        if attendee is None:
            raise LookupError(f"No attendee with id {attendee_id}.")
        room = room_now(connection, door, attendee_id, now)
        granted = Verdict(
            VerdictCode.ACCEPTED,
            Tone.WARN,
            f"Let in by staff: {attendee.full_name} ({reason.strip()}). {count_words(room.count + 1, room)}",
            attendee,
        )
        return _record(
            connection,
            store.station,
            door,
            room,
            granted,
            attendee,
            now,
            zone,
            {"override": reason.strip(), "refused": refused.value},
        )


def _record(
    connection: Connection,
    station: StationContext,
    door: Door,
    room: RoomNow,
    verdict: Verdict,
    attendee: AttendeeView,
    now: datetime,
    zone: tzinfo,
    extra: dict[str, str] | None = None,
) -> Verdict:
    if door.mode is Mode.ENTRY and not attendee.checked_in:
        check_in = decide_check_in(attendee, zone, now)
        if check_in.accepted:  # admitted at the door: the desk's check-in is recorded too
            attendee = record_check_in(connection, station, check_in, now, {"at_door": door.name}).attendee or attendee
    kind = EventKind.ENTERED if door.mode is Mode.ENTRY else EventKind.EXITED
    payload = {"room_id": door.room_id, "door": door.name, **(extra or {})}
    if kind is EventKind.ENTERED and room.session_id:
        payload["session_id"] = room.session_id
    event = NewEvent(kind, station, now, attendee.id, payload)
    append(connection, event)
    return replace(verdict, attendee=attendee, event_id=event.id)


class NobodyToCountOut(ValueError):
    """A −1 when nobody counted in by hand is inside: it would change nothing, so it is not recorded."""


def adjust_count(store: Store, door: Door, delta: int, reason: str, now: datetime) -> Fill:
    """+1 / -1 for people without badges; recorded (audited) and never taking the count below zero. A −1 with
    nobody counted in by hand raises NobodyToCountOut rather than pretending to take someone off."""
    if delta not in (1, -1):
        raise ValueError("Count people one at a time: +1 or -1.")
    with store.writing() as connection:
        if delta < 0 and tracking.manual_in(connection, door.room_id, now) == 0:
            raise NobodyToCountOut(
                f"Nobody counted in by hand is in {door.room_name}: −1 only takes off people "
                "counted in with +1. Badge holders leave by scanning out."
            )
        payload = {"room_id": door.room_id, "door": door.name, "delta": delta, "reason": reason.strip() or "manual"}
        append(connection, NewEvent(EventKind.COUNTER_ADJUSTED, store.station, now, None, payload))
        return room_fill(connection, door.room_id, now)
