"""A realistic demo conference from a fixed seed: a week-long national school-safety training conference.

The attendees go through the same writer as a real import, so the demo exercises the real paths.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from checkin.conference import create_conference, has_conference, set_entitlements
from checkin.domain import Entitlement, RegistrationType, Status
from checkin.ids import new_id
from checkin.importers.registrants import Record
from checkin.importers.writing import ImportReport, write_records
from checkin.keys import has_keys, init_keys
from checkin.store.models import Attendee, ConferenceSession, Room, SessionRegistration

if TYPE_CHECKING:
    from checkin.store import Store

NAME = "National School Safety Training Conference"  # and the year it runs
TIMEZONE = "America/Chicago"
FIRST_DAY = date(2027, 6, 28)  # a Monday

FIRST_NAMES = (
    "James",
    "Mary",
    "Robert",
    "Patricia",
    "John",
    "Jennifer",
    "Michael",
    "Linda",
    "David",
    "Elizabeth",
    "William",
    "Barbara",
    "Richard",
    "Susan",
    "Joseph",
    "Jessica",
    "Thomas",
    "Sarah",
    "Charles",
    "Karen",
    "Christopher",
    "Lisa",
    "Daniel",
    "Nancy",
    "Matthew",
    "Betty",
    "Anthony",
    "Sandra",
    "Mark",
    "Ashley",
    "Donald",
    "Kimberly",
    "Steven",
    "Emily",
    "Andrew",
    "Donna",
    "Joshua",
    "Michelle",
    "Kevin",
    "Carol",
    "Brian",
    "Amanda",
    "George",
    "Melissa",
    "Timothy",
    "Deborah",
    "Ronald",
    "Stephanie",
    "Jason",
    "Rebecca",
    "José",
    "María",
    "Luis",
    "Carmen",
    "Zoë",
    "Siobhán",
    "Seán",
    "Chloé",
    "André",
    "Renée",
    "Jürgen",
    "Björn",
    "Dagný",
    "Thảo",
    "Minh",
    "Huỳnh",
    "Nikos",
    "Γιώργος",
    "Aaliyah",
    "DeShawn",
    "Marisol",
    "Tomás",
    "Ngozi",
    "Oluwaseun",
    "Priya",
    "Rahul",
    "Mei",
    "Hiroshi",
    "Yuki",
    "Fatima",
    "Omar",
    "Maximilian",
)
LAST_NAMES = (
    "Smith",
    "Johnson",
    "Williams",
    "Brown",
    "Jones",
    "Garcia",
    "Miller",
    "Davis",
    "Rodriguez",
    "Martinez",
    "Hernandez",
    "Lopez",
    "Gonzalez",
    "Wilson",
    "Anderson",
    "Thomas",
    "Taylor",
    "Moore",
    "Jackson",
    "Martin",
    "Lee",
    "Perez",
    "Thompson",
    "White",
    "Harris",
    "Sanchez",
    "Clark",
    "Ramirez",
    "Lewis",
    "Robinson",
    "Walker",
    "Young",
    "Allen",
    "King",
    "Wright",
    "Scott",
    "Torres",
    "Nguyen",
    "Hill",
    "Flores",
    "Green",
    "Adams",
    "Nelson",
    "Baker",
    "Hall",
    "Rivera",
    "Campbell",
    "Mitchell",
    "Carter",
    "Roberts",
    "Müller",
    "O'Brien",
    "O'Connor",
    "Ñúñez",
    "Ó Briain",
    "Nguyễn",
    "Trần",
    "Papadopoulos",
    "Παπαδόπουλος",
    "Søren",
    "McAllister",
    "D'Angelo",
    "St. John",
    "van der Berg",
    "de la Cruz",
    "Hohenzollern-Sigmaringen",
    "Kowalczyk",
    "Okonkwo",
    "Adeyemi",
    "Patel",
    "Tanaka",
    "Yamamoto",
    "Al-Sayed",
    "Schröder",
    "Ångström",
)
CITIES = (
    ("Houston", "TX"),
    ("Phoenix", "AZ"),
    ("Columbus", "OH"),
    ("Charlotte", "NC"),
    ("Denver", "CO"),
    ("Nashville", "TN"),
    ("Louisville", "KY"),
    ("Tulsa", "OK"),
    ("Omaha", "NE"),
    ("Raleigh", "NC"),
    ("Tampa", "FL"),
    ("Wichita", "KS"),
    ("Boise", "ID"),
    ("Spokane", "WA"),
    ("Des Moines", "IA"),
    ("Little Rock", "AR"),
    ("Albuquerque", "NM"),
    ("Baton Rouge", "LA"),
    ("Madison", "WI"),
    ("Reno", "NV"),
    ("Fargo", "ND"),
    ("Billings", "MT"),
    ("Savannah", "GA"),
    ("Akron", "OH"),
    ("Provo", "UT"),
    ("San Antonio", "TX"),
    ("Fort Worth", "TX"),
    ("Jacksonville", "FL"),
    ("Indianapolis", "IN"),
    ("Minneapolis", "MN"),
    ("Birmingham", "AL"),
    ("Jackson", "MS"),
    ("Portland", "ME"),
    ("Burlington", "VT"),
)
ORG_PATTERNS = (
    "{city} Police Department",
    "{city} Independent School District",
    "{city} Public Schools",
    "{county} County Sheriff's Office",
    "{city} School Police",
    "{state} Department of Education",
    "{county} County Schools",
    "{city} Unified School District",
)
COUNTIES = (
    "Harris",
    "Maricopa",
    "Franklin",
    "Mecklenburg",
    "Jefferson",
    "Davidson",
    "Tulsa",
    "Douglas",
    "Wake",
    "Hillsborough",
    "Sedgwick",
    "Ada",
    "Polk",
    "Pulaski",
    "Bernalillo",
    "Dane",
    "Washoe",
    "Cass",
)
VENDORS = (
    "SafeCampus Systems",
    "Raptor Technologies",
    "Guardian Radios",
    "ShieldEd Training",
    "K12 Secure",
    "Vigilant Doors Inc.",
    "Campus Camera Co.",
    "CrisisGo",
    "Navigate Response",
    "SchoolGate",
)
COURSES = (("Basic SRO", 40, 5, "101"), ("Advanced SRO", 24, 3, "102"), ("Supervisors", 24, 3, "103"))
TYPE_SHARES = (
    (RegistrationType.MEMBER, 44),
    (RegistrationType.NON_MEMBER, 20),
    (RegistrationType.COURSE_ONLY, 12),
    (RegistrationType.ONE_DAY, 6),
    (RegistrationType.EXHIBITOR, 7),
    (RegistrationType.SPONSOR, 2),
    (RegistrationType.SPEAKER, 4),
    (RegistrationType.STAFF, 2),
    (RegistrationType.MEDIA, 1),
    (RegistrationType.GUEST, 2),
)
TOPICS = (
    "Behavioral Threat Assessment in K-12",
    "Social Media Threats: Investigation and Response",
    "De-escalating Students in Crisis",
    "Legal Update: Search and Seizure on Campus",
    "Vaping and Emerging Drugs",
    "Human Trafficking: Signs in Schools",
    "Family Reunification Planning",
    "Youth Mental Health First Aid",
    "Building Trust with Students",
    "Cyberbullying Investigations",
    "Gang Awareness for Schools",
    "Writing an Emergency Operations Plan",
    "Trauma-Informed School Policing",
    "SROs and Special Education",
    "Lessons Learned from School Shootings",
    "Drills Without Trauma",
    "Anonymous Tip Lines That Work",
    "Restorative Practices for SROs",
    "Partnering with School Administrators",
    "Bus and Transportation Safety",
    "Athletic Event Security",
    "Access Control and Visitor Management",
    "Digital Forensics for Campus Cases",
    "Juvenile Law Fundamentals",
    "Recognizing Grooming Behavior",
    "Suicide Prevention and Postvention",
    "Officer Wellness and Resilience",
    "Managing Parent Confrontations",
    "Weapons Screening Programs",
    "Data-Driven School Safety",
    "Hands-on: Stop the Bleed",
    "Hands-on: Radio Communications Lab",
)
BREAKOUT_ROOMS = ("201A", "201B", "202A", "202B", "203A", "203B", "104A", "104B", "Hall B1", "Hall B2")
LUNCHEON = (3, "Hall B", time(12, 0), time(13, 45))  # day, room, from, to
SLOTS = (
    (time(10, 0), time(11, 15)),
    (time(11, 30), time(12, 45)),
    (time(14, 0), time(15, 15)),
    (time(15, 30), time(16, 45)),
)

ENTITLEMENTS = (
    Entitlement(
        "coin",
        "Conference coin",
        (RegistrationType.MEMBER, RegistrationType.NON_MEMBER, RegistrationType.COURSE_ONLY, RegistrationType.ONE_DAY),
    ),
    Entitlement("bag", "Conference bag"),
    Entitlement(
        "lunch",
        "Awards luncheon ticket",
        (
            RegistrationType.MEMBER,
            RegistrationType.NON_MEMBER,
            RegistrationType.SPEAKER,
            RegistrationType.SPONSOR,
            RegistrationType.STAFF,
        ),
    ),
    Entitlement("kit", "Course kit", (RegistrationType.COURSE_ONLY,)),
)


@dataclass(frozen=True)
class DemoSummary:
    attendees: ImportReport
    rooms: int
    sessions: int


def build_demo(
    session: Session,
    attendees: int = 2400,
    seed: int = 2027,
    progress: Callable[[int, int], None] | None = None,
    first_day: date = FIRST_DAY,
) -> DemoSummary:
    """Fill an empty database with the demo conference, Monday ``first_day`` to Friday."""
    rng = random.Random(seed)
    conference = create_conference(
        session, f"{NAME} {first_day.year}", TIMEZONE, first_day, first_day + timedelta(days=4)
    )
    set_entitlements(session, ENTITLEMENTS)
    init_keys(session, datetime.combine(first_day - timedelta(days=30), time(9), UTC))
    rooms = _rooms(session, conference.id)
    sessions = _sessions(session, conference.id, rooms, rng, first_day)
    records = [_attendee(rng, number) for number in range(1, attendees + 1)]
    report = write_records(session, records, "demo", progress)
    _registrations(session, rng)
    return DemoSummary(report, len(rooms), sessions)


def ensure_demo(store: Store, progress: Callable[[int, int], None] | None = None) -> DemoSummary | None:
    """The demo conference in ``store``'s database, made on first use (what `--demo` opens, in the app and in
    every command); None when the database already holds a conference."""
    with store.unit_of_work() as session:
        if has_conference(session):
            if not has_keys(session):  # a demo older than signed badges
                init_keys(session, store.now())
            return None
        return build_demo(session, progress=progress, first_day=this_week(store.now()))


def this_week(now: datetime) -> date:
    """The Monday that puts the demo conference around ``now``: this week's, or the next one at a weekend
    (the conference runs Monday to Friday), so a demo made today has sessions running."""
    today = now.astimezone(ZoneInfo(TIMEZONE)).date()
    monday = today - timedelta(days=today.weekday())
    return monday + timedelta(days=7) if today.weekday() >= 5 else monday


def _registrations(session: Session, rng: random.Random) -> None:
    """Course-only attendees are registered for their course; hands-on breakouts fill to ~80% of their room
    with people free then (as a registration system would see to: nobody is booked into two rooms at once)."""
    people = session.execute(select(Attendee.id, Attendee.ticket).where(Attendee.status != "cancelled")).all()
    busy: dict[str, list[tuple[datetime, datetime]]] = {}
    rows = []
    sessions = session.execute(
        select(
            ConferenceSession.id,
            ConferenceSession.track,
            ConferenceSession.kind,
            ConferenceSession.starts_at,
            ConferenceSession.ends_at,
            Room.capacity,
        )
        .join(Room, Room.id == ConferenceSession.room_id)
        .where(ConferenceSession.prereg_required)
        .order_by(ConferenceSession.kind != "course", ConferenceSession.starts_at, ConferenceSession.id)
    ).all()
    for item in sessions:
        if item.kind == "course":
            chosen = [p.id for p in people if p.ticket.startswith(f"{item.track} Course")]
        else:
            free = [
                p.id
                for p in people
                if not any(start < item.ends_at and item.starts_at < end for start, end in busy.get(p.id, ()))
            ]
            chosen = rng.sample(free, min(len(free), int(item.capacity * 0.8)))
        for attendee_id in chosen:
            busy.setdefault(attendee_id, []).append((item.starts_at, item.ends_at))
        rows += [{"session_id": item.id, "attendee_id": attendee_id} for attendee_id in chosen]
    if rows:
        session.execute(insert(SessionRegistration), rows)


def _rooms(session: Session, conference_id: str) -> dict[str, Room]:
    rooms: dict[str, Room] = {}

    def add(name: str, theater: int, classroom: int, setup: str = "theater", parent: str | None = None) -> None:
        capacities = {"theater": theater, "classroom": classroom, "banquet": round(theater * 0.6)}
        room = Room(
            id=new_id(),
            conference_id=conference_id,
            name=name,
            capacity=capacities[setup],
            setup=setup,
            capacities=capacities,
            parent_id=rooms[parent].id if parent else None,
        )
        session.add(room)
        session.flush()
        rooms[name] = room

    add("Main Hall", 5200, 2600)
    add("Exhibit Hall", 3000, 3000)
    add("Hall B", 2400, 1200)
    add("Hall B1", 1200, 600, parent="Hall B")
    add("Hall B2", 1200, 600, parent="Hall B")
    for number in ("201", "202", "203"):
        add(number, 280, 130)
        add(f"{number}A", 140, 65, parent=number)
        add(f"{number}B", 140, 65, parent=number)
    for number in ("101", "102", "103", "104"):
        add(number, 140, 65, setup="classroom")
    add("104A", 70, 32, parent="104")
    add("104B", 70, 32, parent="104")
    add("105 Speaker Ready Room", 50, 24)
    return rooms


def _sessions(session: Session, conference_id: str, rooms: dict[str, Room], rng: random.Random, first_day: date) -> int:
    zone = ZoneInfo(TIMEZONE)
    count = 0

    def add(
        title: str, room: str, day: int, start: time, end: time, kind: str, track: str = "", prereg: bool = False
    ) -> None:
        nonlocal count
        day_date = first_day + timedelta(days=day)
        starts = datetime.combine(day_date, start, zone)
        ends = datetime.combine(day_date, end, zone)
        hours = round((ends - starts).total_seconds() / 3600, 2)
        session.add(
            ConferenceSession(
                id=new_id(),
                conference_id=conference_id,
                room_id=rooms[room].id,
                title=title,
                kind=kind,
                track=track,
                starts_at=starts,
                ends_at=ends,
                hours=hours,
                prereg_required=prereg,
            )
        )
        count += 1

    for course, _hours, days, room in COURSES:
        for day in range(days):
            add(
                f"{course} Course (day {day + 1} of {days})",
                room,
                day,
                time(8, 0),
                time(12, 0),
                "course",
                course,
                prereg=True,
            )
            add(
                f"{course} Course (day {day + 1} of {days})",
                room,
                day,
                time(13, 0),
                time(17, 0),
                "course",
                course,
                prereg=True,
            )
    for day in range(2, 5):
        add(f"General Session {day - 1}", "Main Hall", day, time(8, 0), time(9, 30), "general")
        add("Exhibit Hall Open", "Exhibit Hall", day, time(9, 30), time(16, 0), "exhibits")
        for slot_start, slot_end in SLOTS:
            for room in BREAKOUT_ROOMS:
                topic = rng.choice(TOPICS)
                if (
                    day == LUNCHEON[0]
                    and rooms[room].parent_id == rooms[LUNCHEON[1]].id
                    and slot_start < LUNCHEON[3]
                    and LUNCHEON[2] < slot_end
                ):
                    continue  # the halves are one hall for the luncheon (the topic is still drawn: same demo)
                add(topic, room, day, slot_start, slot_end, "breakout", "Breakouts", prereg=topic.startswith("Hands"))
    add("Awards Luncheon", LUNCHEON[1], LUNCHEON[0], LUNCHEON[2], LUNCHEON[3], "luncheon")
    return count


def _attendee(rng: random.Random, number: int) -> Record:
    reg_type = rng.choices([t for t, _ in TYPE_SHARES], [w for _, w in TYPE_SHARES])[0]
    first, last = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
    city, state = rng.choice(CITIES)
    if reg_type in (RegistrationType.EXHIBITOR, RegistrationType.SPONSOR):
        organization = rng.choice(VENDORS)
    elif reg_type is RegistrationType.MEDIA:
        organization = f"{city} {rng.choice(('Herald', 'Tribune', 'Public Radio', 'News 4'))}"
    else:
        organization = rng.choice(ORG_PATTERNS).format(city=city, county=rng.choice(COUNTIES), state=state)
    domain = "".join(ch for ch in organization.lower() if ch.isalnum())[:18] + ".org"
    local = "".join(ch for ch in f"{first[0]}{last}".lower() if ch.isascii() and ch.isalnum()) or "attendee"
    ticket = reg_type.value
    if reg_type is RegistrationType.COURSE_ONLY:
        course, hours, _days, _room = rng.choice(COURSES)
        ticket = f"{course} Course ({hours} h)"
    roll = rng.random()
    status = Status.CANCELLED if roll < 0.02 else Status.UNPAID if roll < 0.05 else Status.PAID
    fields = {
        "first_name": first,
        "last_name": last,
        "email": f"{local}{number}@{domain}",
        "organization": organization,
        "city": city,
        "region": state,
        "registration_type": reg_type.value,
        "ticket": ticket,
        "status": status.value,
        "status_reason": "Refunded at attendee's request" if status is Status.CANCELLED else "",
        "ticket_code": f"{rng.randrange(10**17, 10**18)}",
    }
    return Record(number + 1, f"R{100000 + number}", fields)
