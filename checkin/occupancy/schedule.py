"""Rooms and sessions as reference data: edit a room's setup and capacity, import a schedule CSV and the
pre-registration lists. Imports are all or nothing and name the file, line and column of every problem.

Schedule CSV columns (header names are matched without regard to case):
    title, room, start, end                                          required; times in the conference's zone
    date                                                             2027-06-30, 6/30/2027 or 30.06.2027;
                                                                     without it, start and end carry the date
    (times: 08:30, 8:30 AM, 1:15 pm, 14h05)
    track, kind, hours, prereg (yes/no)                              optional
Registrations CSV columns: session (the title), registration_id; date, start and room when a title repeats.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time
from pathlib import Path
from typing import TypeVar
from zoneinfo import ZoneInfo

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from checkin.conference import current_conference
from checkin.ids import new_id
from checkin.importers.reading import ImportFailed, Problem, Table, read_table
from checkin.occupancy import tracking
from checkin.store.models import Attendee, ConferenceSession, Room, SessionRegistration

T = TypeVar("T")
SETUPS = ("theater", "classroom", "banquet")
_YES = {"yes", "y", "true", "1", "x", "ja", "oui", "si", "sí"}
_NO = {"", "no", "n", "false", "0", "nein", "non"}


class RoomProblem(ValueError):
    pass


def set_room(session: Session, name: str, capacity: int | None = None, setup: str | None = None) -> Room:
    """Change a room's current setup (its capacity follows that setup's posted figure) or its capacity."""
    room = session.scalars(select(Room).where(func.lower(Room.name) == name.strip().lower())).first()
    if room is None:
        known = ", ".join(session.scalars(select(Room.name).order_by(Room.name)))
        raise RoomProblem(f"No room called '{name}'. Rooms: {known}.")
    if setup is not None:
        if setup not in SETUPS:
            raise RoomProblem(f"A setup is one of {', '.join(SETUPS)}, not '{setup}'.")
        room.setup = setup
        posted = (room.capacities or {}).get(setup)
        if posted and capacity is None:
            room.capacity = int(posted)
    if capacity is not None:
        if not 1 <= capacity <= 100_000:
            raise RoomProblem("A capacity is a number of people between 1 and 100,000.")
        room.capacity = capacity
        room.capacities = {**(room.capacities or {}), room.setup: capacity}
    session.flush()
    return room


@dataclass(frozen=True)
class RoomEdit:
    name: str
    setup: str
    capacity: int


@dataclass(frozen=True)
class SessionEdit:
    id: str
    title: str
    hours: float
    prereg_required: bool


def edit_rooms_and_sessions(session: Session, rooms: Sequence[RoomEdit], sessions: Sequence[SessionEdit]) -> None:
    """Rooms and sessions as edited in the app, all or nothing: a room changes only where its setup or its
    capacity differs from what is stored (a new setup brings its posted capacity unless another is typed)."""
    stored_rooms = {room.name: room for room in session.scalars(select(Room))}
    for edit in rooms:
        room = stored_rooms.get(edit.name)
        if room is not None and (edit.setup != room.setup or edit.capacity != room.capacity):
            set_room(
                session,
                edit.name,
                edit.capacity if edit.capacity != room.capacity else None,
                edit.setup if edit.setup != room.setup else None,
            )
    for row, change in enumerate(sessions, start=1):
        if not change.title.strip():
            raise RoomProblem(f"Row {row}: a session needs a title.")
        stored = session.get(ConferenceSession, change.id)
        if stored is None:
            raise RoomProblem(f"Row {row}: this session was removed meanwhile; open the dialog again.")
        stored.title, stored.hours, stored.prereg_required = change.title.strip(), change.hours, change.prereg_required
    session.flush()
    tracking.schedule_on(session.connection())  # the new schedule is read from here on


@dataclass(frozen=True)
class Booking:
    room: Room
    starts_at: datetime
    ends_at: datetime
    title: str

    def clashes_with(self, other: Booking) -> bool:
        """Both at once on the same floor: the same room, or a divisible hall and one of its parts (its
        partition is either open or closed)."""
        a, b = self.room, other.room
        same_floor = a.id == b.id or a.parent_id == b.id or b.parent_id == a.id
        return same_floor and self.starts_at < other.ends_at and other.starts_at < self.ends_at


@dataclass(frozen=True)
class ScheduleReport:
    added: int
    unchanged: int


def import_schedule(session: Session, path: Path) -> ScheduleReport:
    table = read_table(path)
    columns = _columns(table, ("title", "room", "start", "end"), ("date", "track", "kind", "hours", "prereg"))
    conference = current_conference(session)
    zone = ZoneInfo(conference.timezone)
    rooms = {room.name.casefold(): room for room in session.scalars(select(Room))}
    by_id = {room.id: room for room in rooms.values()}
    booked = [
        Booking(by_id[s.room_id], s.starts_at, s.ends_at, s.title) for s in session.scalars(select(ConferenceSession))
    ]
    existing = {(b.room.id, b.starts_at, b.title) for b in booked}
    problems: list[Problem] = []
    made: list[ConferenceSession] = []
    unchanged = 0
    for line, cells in table.rows:
        cell = _reader(cells, columns)
        title, room_name = cell("title"), cell("room")
        room = rooms.get(room_name.casefold())
        if "date" in columns:
            day = _parse(cell("date"), parse_day, problems, line, "date", A_DATE)
            start = _parse(cell("start"), parse_clock, problems, line, "start", "a time like 08:30 or 8:30 AM")
            end = _parse(cell("end"), parse_clock, problems, line, "end", "a time like 10:00 or 1:15 PM")
        else:  # no date column: start and end carry the date, e.g. "6/30/2027 8:30 AM" or "2027-06-30T08:30"
            begins = _parse(
                cell("start"), parse_moment, problems, line, "start", "a date and time like 2027-06-30 08:30"
            )
            ends = _parse(cell("end"), parse_moment, problems, line, "end", "a date and time like 2027-06-30 10:00")
            day, start = begins if begins else (None, None)
            end = ends[1] if ends else None
            if begins and ends and ends[0] != begins[0]:
                problems.append(Problem(line, "end", "A session ends on the day it starts."))
                continue
        hours_text = cell("hours")
        hours = _parse(hours_text or "0", float, problems, line, "hours", "a number of hours like 1.5")
        prereg = cell("prereg").casefold()
        if not title:
            problems.append(Problem(line, "title", "A session needs a title."))
        if room is None:
            problems.append(
                Problem(
                    line,
                    "room",
                    f"No room called '{room_name}'. Rooms: {', '.join(sorted(r.name for r in rooms.values()))}.",
                )
            )
        if prereg not in _YES | _NO:
            problems.append(Problem(line, "prereg", f"'{cell('prereg')}' is not yes or no."))
        if day is None or start is None or end is None or hours is None or room is None or not title:
            continue
        starts_at, ends_at = datetime.combine(day, start, zone), datetime.combine(day, end, zone)
        if ends_at <= starts_at:
            problems.append(Problem(line, "end", "The session ends before it starts."))
            continue
        if not 0 <= hours <= 24:
            problems.append(Problem(line, "hours", "Training hours must be between 0 and 24."))
            continue
        if (room.id, starts_at, title) in existing:
            unchanged += 1
            continue
        booking = Booking(room, starts_at, ends_at, title)
        if taken := next((b for b in booked if b.clashes_with(booking)), None):
            problems.append(
                Problem(
                    line,
                    "start",
                    f"{room.name} is taken then: '{taken.title}' is in "
                    f"{taken.room.name} from {taken.starts_at.astimezone(zone):%H:%M}"
                    f" to {taken.ends_at.astimezone(zone):%H:%M} that day.",
                )
            )
            continue
        booked.append(booking)
        existing.add((room.id, starts_at, title))
        made.append(
            ConferenceSession(
                id=new_id(),
                conference_id=conference.id,
                room_id=room.id,
                title=title,
                kind=cell("kind") or "breakout",
                track=cell("track"),
                starts_at=starts_at,
                ends_at=ends_at,
                hours=hours if hours_text else round((ends_at - starts_at).total_seconds() / 3600, 2),
                prereg_required=prereg in _YES,
            )
        )
    if problems:
        raise ImportFailed(table.file, problems)
    session.add_all(made)
    session.flush()
    return ScheduleReport(len(made), unchanged)


@dataclass(frozen=True)
class RegistrationReport:
    added: int
    # Attendees in the file registered for two sessions that overlap: allowed (people sign up for two and
    # pick one on the day), but worth a look, since the door admits them to either.
    at_once: list[str]


def import_registrations(session: Session, path: Path) -> RegistrationReport:
    """Add pre-registrations; reports how many were new, and who is now registered for two sessions at once.

    A title that repeats (a lab held in several sittings) needs the sitting's date, its start time when
    it repeats within a day, and its room when two run at once. Only a course runs under one title in
    several parts, and registering for it registers for every part."""
    table = read_table(path)
    columns = _columns(table, ("session", "registration_id"), ("date", "start", "room"))
    zone = ZoneInfo(current_conference(session).timezone)
    rooms = list(session.scalars(select(Room)))
    room_ids = {room.name.casefold(): room.id for room in rooms}
    by_title: dict[str, list[ConferenceSession]] = {}
    for item in session.scalars(select(ConferenceSession).order_by(ConferenceSession.starts_at)):
        by_title.setdefault(item.title.casefold(), []).append(item)
    named: dict[str, str] = dict(session.execute(select(Attendee.id, Attendee.external_id)).all())
    attendees = {external_id.casefold(): attendee_id for attendee_id, external_id in named.items()}
    touched: set[str] = set()
    known = {
        (r.session_id, r.attendee_id)
        for r in session.execute(select(SessionRegistration.session_id, SessionRegistration.attendee_id))
    }
    problems: list[Problem] = []
    new: set[tuple[str, str]] = set()
    for line, cells in table.rows:
        cell = _reader(cells, columns)
        matches = by_title.get(cell("session").casefold(), [])
        if not matches:
            problems.append(Problem(line, "session", f"No session titled '{cell('session')}'."))
        day = _parse(cell("date"), parse_day, problems, line, "date", A_DATE) if cell("date") else None
        start = (
            _parse(cell("start"), parse_clock, problems, line, "start", "a time like 08:30 or 8:30 AM")
            if cell("start")
            else None
        )
        room = cell("room").casefold()
        sittings = [
            m
            for m in matches
            if (day is None or m.starts_at.astimezone(zone).date() == day)
            and (start is None or m.starts_at.astimezone(zone).time() == start)
            and (not room or m.room_id == room_ids.get(room))
        ]
        if matches and not sittings:
            problems.append(
                Problem(
                    line,
                    "date" if day else "start" if start else "room",
                    f"'{cell('session')}' does not run then or there.",
                )
            )
        elif len(sittings) > 1 and not all(m.kind == "course" for m in sittings):
            when = ", ".join(f"{m.starts_at.astimezone(zone):%a %d %b %H:%M}" for m in sittings[:4])
            more = ", …" if len(sittings) > 4 else ""
            problems.append(
                Problem(
                    line,
                    "session",
                    f"'{cell('session')}' runs {len(sittings)} times ({when}{more}): "
                    "add date and start columns (and room, when two run "
                    "at once) to pick the sitting.",
                )
            )
            sittings = []
        attendee_id = attendees.get(cell("registration_id").casefold())
        if attendee_id is None:
            problems.append(
                Problem(line, "registration_id", f"No attendee with registration id '{cell('registration_id')}'.")
            )
            continue
        new.update((s.id, attendee_id) for s in sittings if (s.id, attendee_id) not in known)
        touched.add(attendee_id)
    if problems:
        raise ImportFailed(table.file, problems)
    session.add_all(SessionRegistration(session_id=s, attendee_id=a) for s, a in sorted(new))
    session.flush()
    sessions_by_id = {item.id: item for items in by_title.values() for item in items}
    registered: dict[str, list[ConferenceSession]] = {}
    for session_id, attendee_id in known | new:
        if attendee_id in touched:
            registered.setdefault(attendee_id, []).append(sessions_by_id[session_id])
    room_names = {room.id: room.name for room in rooms}
    at_once = [
        _at_once_words(named[a], first, second, room_names, zone)
        for a in sorted(registered, key=lambda a: named[a])
        for first, second in _overlapping(registered[a])
    ]
    return RegistrationReport(len(new), at_once)


def _overlapping(sessions: list[ConferenceSession]) -> list[tuple[ConferenceSession, ConferenceSession]]:
    """Each session that starts before an earlier one (in start order) has ended, with that one."""
    pairs: list[tuple[ConferenceSession, ConferenceSession]] = []
    ordered = sorted(sessions, key=lambda s: (s.starts_at, s.ends_at, s.id))
    for index, later in enumerate(ordered):
        pairs.extend((earlier, later) for earlier in ordered[:index] if later.starts_at < earlier.ends_at)
    return pairs


def _at_once_words(
    external_id: str, first: ConferenceSession, second: ConferenceSession, room_names: dict[str, str], zone: ZoneInfo
) -> str:
    def where(item: ConferenceSession) -> str:
        return f"'{item.title}' ({item.starts_at.astimezone(zone):%a %H:%M}, {room_names[item.room_id]})"

    return f"{external_id} is registered for two sessions at once: {where(first)} and {where(second)}"


# Seconds are allowed only as :00, the way a spreadsheet writes a time cell out ("14:00:00", "2:00:00 PM").
_CLOCK = re.compile(r"^(\d{1,2})(?:[:.h](\d{2})(?::00)?)?\s*([ap]\.?m\.?)?$", re.IGNORECASE)


def parse_clock(text: str) -> time:
    """08:30, 8:30, 8.30, 8h30, 14:05, 14:05:00, 8:30 AM, 1:15 pm, 2:00:00 PM, 9 am."""
    found = _CLOCK.match(text.strip())
    if not found:
        raise ValueError(text)
    hour, minute, half = int(found[1]), int(found[2] or 0), (found[3] or "").lower().replace(".", "")
    if half:
        if not 1 <= hour <= 12:
            raise ValueError(text)
        hour = hour % 12 + (12 if half == "pm" else 0)
    elif found[2] is None:
        raise ValueError(text)  # a bare "9" could be anything
    return time(hour, minute)


A_DATE = "a date like 2027-06-30, 6/30/2027 or Jun 30 2027"


def parse_day(text: str) -> date:
    """2027-06-30 (ISO), 6/30/2027 (US, as Wild Apricot and Excel in the US write it), 30.06.2027 (Europe), and
    a spreadsheet's long dates: "Jun 30 2027", "Wednesday, June 30, 2027", "30 June 2027", and a date cell
    written out with its midnight ("2027-06-30 00:00:00", as pandas and some spreadsheets do)."""
    text = _MIDNIGHT.sub("", text.strip())
    if any(ch.isalpha() for ch in text):
        return _spelled_day(text)
    if "/" in text:
        month, day, year = text.split("/")
        return date(int(year) + (2000 if len(year) == 2 else 0), int(month), int(day))
    if "." in text:
        day, month, year = text.split(".")
        return date(int(year), int(month), int(day))
    return date.fromisoformat(text)


_MIDNIGHT = re.compile(r"[T ]0?0:00(?::00)?$")
_SPELLED = ("%b %d %Y", "%B %d %Y", "%d %b %Y", "%d %B %Y")
_SEPT = re.compile(r"\bsept\b", re.IGNORECASE)  # the usual abbreviation, which strptime does not know
_WEEKDAYS = re.compile(r"^(mon|tue|tues|wed|thu|thur|thurs|fri|sat|sun)[a-z]*\.?\s+", re.IGNORECASE)


def _spelled_day(text: str) -> date:
    """A date with the month in English words, a weekday in front or not (the weekday is not checked)."""
    plain = _SEPT.sub("Sep", _WEEKDAYS.sub("", " ".join(text.replace(",", " ").split())))
    for spelling in _SPELLED:
        try:
            return datetime.strptime(plain, spelling).date()
        except ValueError:
            continue
    raise ValueError(f"not a date: {text}")


def parse_moment(text: str) -> tuple[date, time]:
    day, _, clock = text.strip().replace("T", " ", 1).partition(" ")
    return parse_day(day), parse_clock(clock)


def _columns(table: Table, required: tuple[str, ...], optional: tuple[str, ...]) -> dict[str, int]:
    found = {header.strip().casefold().replace(" ", "_"): n for n, header in enumerate(table.headers)}
    missing = [name for name in required if name not in found]
    if missing:
        raise ImportFailed(
            table.file,
            [Problem(1, None, f"Missing column(s): {', '.join(missing)}. The header has: {', '.join(table.headers)}.")],
        )
    return {name: found[name] for name in (*required, *optional) if name in found}


def _reader(cells: list[str], columns: dict[str, int]) -> Callable[[str], str]:
    def cell(name: str) -> str:
        index = columns.get(name)
        return cells[index].strip() if index is not None and index < len(cells) else ""

    return cell


def _parse(
    text: str, parse: Callable[[str], T], problems: list[Problem], line: int, column: str, expected: str
) -> T | None:
    try:
        return parse(text)
    except ValueError:
        problems.append(Problem(line, column, f"'{text}' is not {expected}."))
        return None
