"""`checkin attendance`, `hours`, `roster` and `peaks`: what the rooms saw, as tables, CSV and PDF."""

from __future__ import annotations

import argparse
import sys
from datetime import timedelta
from pathlib import Path

from sqlalchemy import func, select

from checkin.cli.common import OK, Define, UsageError, open_db, print_json
from checkin.cli.door import at_option, moment_of
from checkin.conference import current_conference, store_zone
from checkin.exports import write_csv
from checkin.occupancy.attendance import all_attendance, load_intervals, load_sessions, no_shows
from checkin.occupancy.reports import (
    hours_by_attendee,
    names_of,
    peaks,
    roster,
    write_attendance_csv,
    write_roster_csv,
)
from checkin.printing.roster_pdf import render_roster
from checkin.store.models import Room
from checkin.text import counted


def add_commands(command: Define) -> None:
    attendance = command("attendance", cmd_attendance)
    attendance.add_argument("session", nargs="?", help="title (or part of it); none: every session")
    attendance.add_argument("--csv", type=Path, help="write the attendance as CSV")
    at_option(attendance)
    attendance.add_argument("--json", action="store_true")

    hours = command("hours", cmd_hours)
    hours.add_argument("--csv", type=Path)
    at_option(hours)

    roster = command("roster", cmd_roster)
    roster.add_argument("--room")
    roster.add_argument("--pdf", type=Path)
    roster.add_argument("--csv", type=Path)
    at_option(roster)

    peak = command("peaks", cmd_peaks)
    peak.add_argument("--csv", type=Path)
    at_option(peak)


def cmd_attendance(args: argparse.Namespace) -> int:
    store = open_db(args)
    moment, zone = moment_of(store, args), store_zone(store)
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
        lines = hours_by_attendee(all_attendance(connection, moment_of(store, args)))
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
    moment, zone = moment_of(store, args), store_zone(store)
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
    moment, zone = moment_of(store, args), store_zone(store)
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
