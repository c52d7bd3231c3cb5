"""`checkin` commands for rooms and doors: rooms, sessions, door, count, occupancy, attendance, hours,
roster, peaks."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from dataclasses import replace
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from sqlalchemy import func, select

from checkin.cli_common import OK, REFUSED, UsageError, open_db, print_json, utc_now, verdict_out
from checkin.conference import current_conference
from checkin.exports import write_csv
from checkin.occupancy import tracking
from checkin.occupancy.attendance import all_attendance, load_intervals, load_sessions, no_shows
from checkin.occupancy.door import (
    OVERRIDABLE,
    Mode,
    NobodyToCountOut,
    NotCheckedIn,
    adjust_count,
    door_scan,
    open_door,
    override,
)
from checkin.occupancy.policy import load_policy, save_policy
from checkin.occupancy.reports import (
    crowd_managers,
    hours_by_attendee,
    names_of,
    peaks,
    roster,
    write_attendance_csv,
    write_roster_csv,
)
from checkin.occupancy.schedule import SETUPS, RoomProblem, import_registrations, import_schedule, set_room
from checkin.printing.roster_pdf import render_roster
from checkin.store import Store
from checkin.store.models import Room
from checkin.text import counted

Command = Callable[[str, Callable[[argparse.Namespace], int], str], argparse.ArgumentParser]
PROBLEMS = (RoomProblem, LookupError)


def add_commands(command: Command) -> None:
    rooms = command("rooms", cmd_rooms, "list rooms with their count now, or change a room's setup or capacity")
    rooms.add_argument("action", nargs="?", choices=["list", "set"], default="list")
    rooms.add_argument("name", nargs="?", help="set: the room")
    rooms.add_argument("--capacity", type=int)
    rooms.add_argument("--setup", choices=SETUPS)
    _at(rooms)
    rooms.add_argument("--json", action="store_true")

    policy = command("policy", cmd_policy, "the counting rules: warning level, back-to-back sessions, hours rule")
    policy.add_argument("--warn-at", type=float, metavar="PERCENT", help="doors turn amber at this %% of capacity")
    policy.add_argument(
        "--keep-back-to-back",
        choices=["yes", "no"],
        help="people stay counted into a session that follows within 15 minutes",
    )
    policy.add_argument(
        "--early", type=int, metavar="MINUTES", help="an arrival this early counts for the coming session"
    )
    policy.add_argument(
        "--hours-share", type=float, metavar="PERCENT", help="present this %% of a session to earn its hours"
    )

    sessions = command("sessions", cmd_sessions, "list sessions, import a schedule CSV or pre-registrations")
    sessions.add_argument("action", nargs="?", choices=["list", "import", "register"], default="list")
    sessions.add_argument("file", nargs="?", type=Path)
    sessions.add_argument("--json", action="store_true")

    door = command("door", cmd_door, "a scan at a room's door, through the same path as the door station")
    door.add_argument("room")
    door.add_argument("text", help="the scanned badge or registration code")
    door.add_argument("--exit", action="store_true", help="an exit scan")
    door.add_argument("--door", default="Main door", help="which door of the room (several share one count)")
    door.add_argument("--send-to-desk", action="store_true", help="refuse people who have not checked in")
    door.add_argument("--override", metavar="REASON", help="let the person in despite a refusal, with a reason")
    _at(door)
    door.add_argument("--json", action="store_true")

    count = command("count", cmd_count, "count a person without a badge in (+1) or out (-1) of a room")
    count.add_argument("room")
    count.add_argument("delta", choices=["+1", "-1"])
    count.add_argument("--reason", default="no badge")
    _at(count)

    occupancy = command("occupancy", cmd_occupancy, "every room's headcount against its capacity")
    _at(occupancy)
    occupancy.add_argument("--json", action="store_true")

    attendance = command("attendance", cmd_attendance, "who attended a session, for how long, hours earned")
    attendance.add_argument("session", nargs="?", help="title (or part of it); none: every session")
    attendance.add_argument("--csv", type=Path, help="write the attendance as CSV")
    _at(attendance)
    attendance.add_argument("--json", action="store_true")

    hours = command("hours", cmd_hours, "training hours per attendee")
    hours.add_argument("--csv", type=Path)
    _at(hours)

    roster = command("roster", cmd_roster, "evacuation roster: who was last seen in which room, and when")
    roster.add_argument("--room")
    roster.add_argument("--pdf", type=Path)
    roster.add_argument("--csv", type=Path)
    _at(roster)

    peak = command("peaks", cmd_peaks, "each room's highest headcount per 15 minutes")
    peak.add_argument("--csv", type=Path)
    _at(peak)


def _at(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--at",
        metavar="TIME",
        help="act as if it were this time (conference local time, e.g. 2027-06-30T14:05); for replays and tests",
    )


def _moment(store: Store, args: argparse.Namespace) -> datetime:
    if not args.at:
        return utc_now()
    try:
        moment = datetime.fromisoformat(args.at)
    except ValueError:
        raise UsageError(f"--at takes a time like 2027-06-30T14:05, not '{args.at}'") from None
    if moment.tzinfo is None:
        with store.reading() as session:
            moment = moment.replace(tzinfo=ZoneInfo(current_conference(session).timezone))
    return moment


def _zone(store: Store) -> ZoneInfo:
    with store.reading() as session:
        return ZoneInfo(current_conference(session).timezone)


def cmd_rooms(args: argparse.Namespace) -> int:
    store = open_db(args)
    if args.action == "set":
        if not args.name or (args.capacity is None and args.setup is None):
            raise UsageError("rooms set NAME needs --capacity N and/or --setup theater|classroom|banquet")
        try:
            with store.unit_of_work() as session:
                room = set_room(session, args.name, args.capacity, args.setup)
                print(f"{room.name}: {room.setup}, capacity {room.capacity}.")
        except RoomProblem as error:
            print(f"checkin rooms: {error}", file=sys.stderr)
            return REFUSED
        return OK
    with store.writing() as connection:
        counts = tracking.room_counts(connection, _moment(store, args))
    if args.json:
        print_json(
            [
                {"room": c.name, "capacity": c.capacity, "count": c.count, "manual": c.manual, "doors": c.doors}
                for c in counts
            ]
        )
        return OK
    for c in counts:
        print(f"{c.name:<26} {c.count:>5} / {c.capacity:<6} {100 * c.share:5.0f}%")
    return OK


def cmd_policy(args: argparse.Namespace) -> int:
    store = open_db(args)
    with store.writing() as connection:
        current = load_policy(connection)
        changes: dict[str, object] = {}
        if args.warn_at is not None:
            changes["warn_at"] = args.warn_at / 100
        if args.keep_back_to_back is not None:
            changes["keep_back_to_back"] = args.keep_back_to_back == "yes"
        if args.early is not None:
            changes["early_minutes"] = args.early
        if args.hours_share is not None:
            changes["hours_share"] = args.hours_share / 100
        wanted = replace(current, **changes)  # type: ignore[arg-type]
        if wanted.problems():
            raise UsageError(" ".join(wanted.problems()))
        if changes:
            save_policy(connection, wanted)
            tracking.rebuild_presence(connection)  # presence ends where the new rules say
    print(
        f"Doors warn at {100 * wanted.warn_at:g}% of capacity; arrivals up to {wanted.early_minutes} min early "
        f"count for the coming session; back-to-back sessions "
        f"{'keep' if wanted.keep_back_to_back else 'do not keep'} people counted; "
        f"{100 * wanted.hours_share:g}% of a session earns its hours."
    )
    return OK


def cmd_sessions(args: argparse.Namespace) -> int:
    store = open_db(args)
    if args.action in ("import", "register"):
        if args.file is None or not args.file.is_file():
            raise UsageError(f"sessions {args.action} needs a CSV file")
        with store.unit_of_work() as session:
            if args.action == "import":
                report = import_schedule(session, args.file)
                print(
                    f"Added {_count(report.added, 'session')}; {report.unchanged} "
                    f"{'was' if report.unchanged == 1 else 'were'} already there."
                )
            else:
                registered = import_registrations(session, args.file)
                print(f"Added {_count(registered.added, 'pre-registration')}.")
                if registered.at_once:
                    print(f"To check ({len(registered.at_once)}), since the door admits them to either:")
                    for line in registered.at_once[:20]:
                        print(f"  {line}")
                    if len(registered.at_once) > 20:
                        print(f"  … and {len(registered.at_once) - 20} more")
        return OK
    zone = _zone(store)
    with store.writing() as connection:
        sessions = load_sessions(connection)
    if args.json:
        print_json(
            [
                {
                    "id": s.id,
                    "title": s.title,
                    "room": s.room,
                    "starts": s.starts_at.isoformat(),
                    "ends": s.ends_at.isoformat(),
                    "hours": s.hours,
                    "prereg": s.prereg_required,
                }
                for s in sessions
            ]
        )
        return OK
    for s in sessions:
        start, end = s.starts_at.astimezone(zone), s.ends_at.astimezone(zone)
        print(
            f"{start:%a %d %b %H:%M}-{end:%H:%M}  {s.room:<14.14} {s.title:<48.48} {s.hours:>4g} h"
            f"{'  pre-registration' if s.prereg_required else ''}"
        )
    return OK


def cmd_door(args: argparse.Namespace) -> int:
    store = open_db(args)
    policy = NotCheckedIn.DESK if args.send_to_desk else NotCheckedIn.ADMIT
    door = open_door(store, args.room, args.door, mode=Mode.EXIT if args.exit else Mode.ENTRY, not_checked_in=policy)
    moment = _moment(store, args)
    verdict = door_scan(store, door, args.text, moment)
    if not verdict.event_id and args.override and verdict.attendee is not None and verdict.code in OVERRIDABLE:
        verdict = override(store, door, verdict.attendee.id, args.override, verdict.code, moment)
    accepted = verdict.event_id is not None
    code = verdict_out(verdict, args.json)
    return OK if accepted else code


def cmd_count(args: argparse.Namespace) -> int:
    store = open_db(args)
    door = open_door(store, args.room)
    try:
        fill = adjust_count(store, door, 1 if args.delta == "+1" else -1, args.reason, _moment(store, args))
    except NobodyToCountOut as nobody:
        print(nobody)
        return REFUSED
    print(f"{door.room_name}: {fill.count} of {fill.capacity}.")
    return OK


def cmd_occupancy(args: argparse.Namespace) -> int:
    store = open_db(args)
    moment = _moment(store, args)
    with store.writing() as connection:
        counts = tracking.room_counts(connection, moment)
    total = sum(c.count for c in counts)
    if args.json:
        print_json(
            {
                "at": moment.isoformat(),
                "building": total,
                "crowd_managers": crowd_managers(total),
                "rooms": [
                    {
                        "room": c.name,
                        "count": c.count,
                        "capacity": c.capacity,
                        "percent": round(100 * c.share, 1),
                        "doors": c.doors,
                        "manual": c.manual,
                    }
                    for c in counts
                ],
            }
        )
        return OK
    for c in sorted(counts, key=lambda c: -c.share):
        bar = "#" * min(30, round(30 * c.share))
        print(f"{c.name:<26} {c.count:>5} / {c.capacity:<6} {100 * c.share:5.0f}% {bar}")
    print(f"In rooms now: {total:,}; crowd managers needed: {crowd_managers(total)}")
    return OK


def cmd_attendance(args: argparse.Namespace) -> int:
    store = open_db(args)
    moment, zone = _moment(store, args), _zone(store)
    with store.writing() as connection:
        attended = all_attendance(connection, moment)
        names = names_of(connection)
        sessions = load_sessions(connection)
        title = (args.session or "").strip()
        if title:
            wanted = [s for s in sessions if title.casefold() in s.title.casefold()]
            if not wanted:
                raise UsageError(f"no session title contains '{title}' (`checkin sessions` lists them)")
            ids = {s.id for s in wanted}
            attended = [a for a in attended if a.session.id in ids]
            missing = {
                s.title: no_shows(connection, s, attended)
                for s in wanted
                if s.prereg_required and s.starts_at <= moment
            }
        else:
            missing = {}
    if args.csv:
        with args.csv.open("w", newline="", encoding="utf-8-sig") as out:
            count = write_attendance_csv(attended, names, out, zone)
        print(f"Wrote {counted(count, 'attendance row')} to {args.csv}.", file=sys.stderr)
        return OK
    if args.json:
        print_json(
            [
                {
                    "session": a.session.title,
                    "room": a.session.room,
                    "registration_id": names[a.attendee_id][0],
                    "name": names[a.attendee_id][1],
                    "minutes": a.minutes,
                    "hours": a.hours,
                }
                for a in attended
            ]
        )
        return OK
    if not attended:
        print(
            f"Nobody has attended {f'a session matching {title!r}' if title else 'a session'} yet "
            f"(as of {moment.astimezone(zone):%a %d %b %H:%M})."
        )
    for a in sorted(attended, key=lambda a: (a.session.starts_at, names[a.attendee_id][1])):
        print(f"{a.session.title[:40]:<40} {names[a.attendee_id][1]:<30.30} {a.minutes:>6g} min {a.hours:>4g} h")
    for title, absent in missing.items():
        print(f"\nNo-shows for {title} ({len(absent)} registered, never came in):")
        for attendee_id in sorted(absent, key=lambda x: names[x][1].casefold()):
            print(f"  {names[attendee_id][0]:<12} {names[attendee_id][1]}")
    return OK


def cmd_hours(args: argparse.Namespace) -> int:
    store = open_db(args)
    with store.writing() as connection:
        lines = hours_by_attendee(all_attendance(connection, _moment(store, args)))
        names = names_of(connection)
    rows = sorted(lines.values(), key=lambda h: names[h.attendee_id][1].casefold())
    if args.csv:
        with args.csv.open("w", newline="", encoding="utf-8-sig") as out:
            write_csv(
                out,
                ["registration_id", "name", "sessions", "hours"],
                ([*names[h.attendee_id], h.sessions, f"{h.hours:g}"] for h in rows),
            )
        print(f"Wrote hours for {counted(len(rows), 'attendee')} to {args.csv}.", file=sys.stderr)
        return OK
    for h in rows:
        reg_id, name = names[h.attendee_id]
        print(f"{reg_id:<12} {name:<32.32} {h.sessions:>3} session(s) {h.hours:>6g} h")
    return OK


def cmd_roster(args: argparse.Namespace) -> int:
    store = open_db(args)
    moment, zone = _moment(store, args), _zone(store)
    with store.writing() as connection:
        room_id = None
        if args.room:
            named = func.lower(Room.name) == args.room.strip().lower()
            room_id = connection.execute(select(Room.id).where(named)).scalar()
            if room_id is None:
                raise UsageError(f"no room called '{args.room}'")
        lines = roster(connection, moment, room_id)
    with store.reading() as session:
        conference = current_conference(session).name
    if args.pdf:
        pages = render_roster(
            lines,
            args.pdf,
            conference,
            moment,
            zone,
            f"Evacuation roster: {args.room}" if args.room else "Evacuation roster",
        )
        print(
            f"Wrote {counted(len(lines), 'person', 'people')} on {counted(pages, 'page')} to {args.pdf}.",
            file=sys.stderr,
        )
    if args.csv:
        with args.csv.open("w", newline="", encoding="utf-8-sig") as out:
            write_roster_csv(lines, out, zone)
        print(f"Wrote {counted(len(lines), 'person', 'people')} to {args.csv}.", file=sys.stderr)
    if not args.pdf and not args.csv:
        write_roster_csv(lines, sys.stdout, zone)
    return OK


def cmd_peaks(args: argparse.Namespace) -> int:
    store = open_db(args)
    moment, zone = _moment(store, args), _zone(store)
    with store.writing() as connection:
        found = peaks(load_intervals(connection), moment, timedelta(minutes=15))
        rooms = {r.id: r.name for r in connection.execute(select(Room.id, Room.name))}
    rows = [
        [rooms.get(room_id, room_id), bucket.astimezone(zone).strftime("%Y-%m-%d %H:%M"), count]
        for room_id, buckets in found.items()
        for bucket, count in sorted(buckets.items())
    ]
    if args.csv:
        with args.csv.open("w", newline="", encoding="utf-8-sig") as out:
            write_csv(out, ["room", "from", "peak"], rows)
        print(f"Wrote {counted(len(rows), 'row')} to {args.csv}.", file=sys.stderr)
    else:
        write_csv(sys.stdout, ["room", "from", "peak"], rows)
    return OK


def _count(number: int, thing: str) -> str:
    return f"{number:,} {thing}{'' if number == 1 else 's'}"
