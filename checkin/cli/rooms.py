"""`checkin` commands for rooms and doors: rooms, policy, sessions, door, count, occupancy; and the --at
option every room command shares."""

from __future__ import annotations

import argparse
import sys
from dataclasses import replace
from pathlib import Path

from checkin.cli.common import OK, REFUSED, Define, UsageError, open_db, print_json
from checkin.cli.door import at_option, moment_of
from checkin.conference import store_zone
from checkin.occupancy import tracking
from checkin.occupancy.attendance import load_sessions
from checkin.occupancy.policy import load_policy, save_policy
from checkin.occupancy.reports import (
    crowd_managers,
)
from checkin.occupancy.schedule import SETUPS, RoomProblem, import_registrations, import_schedule, set_room
from checkin.text import counted

PROBLEMS = (RoomProblem, LookupError)


def add_commands(command: Define) -> None:
    rooms = command("rooms", cmd_rooms)
    rooms.add_argument("action", nargs="?", choices=["list", "set"], default="list")
    rooms.add_argument("name", nargs="?", help="set: the room")
    rooms.add_argument("--capacity", type=int)
    rooms.add_argument("--setup", choices=SETUPS)
    at_option(rooms)
    rooms.add_argument("--json", action="store_true")

    policy = command("policy", cmd_policy)
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
    policy.add_argument(
        "--day-ends",
        type=int,
        metavar="HOUR",
        help="presence in a room outside any session ends at this hour, conference time (default 22)",
    )
    policy.add_argument(
        "--override-needs-pin",
        choices=["yes", "no"],
        help="letting someone in past a door's refusal (F8, door --override) needs the supervisor PIN (default no)",
    )

    sessions = command("sessions", cmd_sessions)
    sessions.add_argument("action", nargs="?", choices=["list", "import", "register"], default="list")
    sessions.add_argument("file", nargs="?", type=Path)
    sessions.add_argument("--json", action="store_true")

    occupancy = command("occupancy", cmd_occupancy)
    at_option(occupancy)
    occupancy.add_argument("--json", action="store_true")


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
        counts = tracking.room_counts(connection, moment_of(store, args))
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
        if args.day_ends is not None:
            changes["day_ends_hour"] = args.day_ends
        if args.override_needs_pin is not None:
            changes["override_needs_pin"] = args.override_needs_pin == "yes"
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
        f"{100 * wanted.hours_share:g}% of a session earns its hours; presence outside any session ends at "
        f"{wanted.day_ends_hour:02d}:00; letting someone in past a door's refusal "
        f"{'needs' if wanted.override_needs_pin else 'does not need'} the supervisor PIN."
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
                    f"Added {counted(report.added, 'session')}; {report.unchanged} "
                    f"{'was' if report.unchanged == 1 else 'were'} already there."
                )
            else:
                registered = import_registrations(session, args.file)
                print(f"Added {counted(registered.added, 'pre-registration')}.")
                if registered.at_once:
                    print(f"To check ({len(registered.at_once)}), since the door admits them to either:")
                    for line in registered.at_once[:20]:
                        print(f"  {line}")
                    if len(registered.at_once) > 20:
                        print(f"  … and {len(registered.at_once) - 20} more")
        return OK
    zone = store_zone(store)
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


def cmd_occupancy(args: argparse.Namespace) -> int:
    store = open_db(args)
    moment = moment_of(store, args)
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
