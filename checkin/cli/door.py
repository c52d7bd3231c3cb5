"""`checkin door` and `checkin count`: a scan or a hand count at a room's door, through the door station's path.
A module of its own, so a one-shot door scan loads the door's path and nothing of rooms, schedules or reports."""

from __future__ import annotations

import argparse
from datetime import datetime
from zoneinfo import ZoneInfo

from checkin.cli.common import OK, REFUSED, Define, UsageError, open_db, supervisor_allows, verdict_out
from checkin.conference import current_conference
from checkin.occupancy.door import NobodyToCountOut, adjust_count, door_scan, open_door, override
from checkin.occupancy.policy import load_policy
from checkin.rules.door import OVERRIDABLE, Mode, NotCheckedIn
from checkin.store import Store
from checkin.supervisor import privilege_of_override


def add_commands(command: Define) -> None:
    door = command("door", cmd_door)
    door.add_argument("room")
    door.add_argument("text", help="the scanned badge or registration code")
    door.add_argument("--exit", action="store_true", help="an exit scan")
    door.add_argument("--door", default="Main door", help="which door of the room (several share one count)")
    door.add_argument("--send-to-desk", action="store_true", help="refuse people who have not checked in")
    door.add_argument("--override", metavar="REASON", help="let the person in despite a refusal, with a reason")
    at_option(door)
    door.add_argument("--json", action="store_true")

    count = command("count", cmd_count)
    count.add_argument("room")
    count.add_argument("delta", choices=["+1", "-1"])
    count.add_argument("--reason", default="no badge")
    at_option(count)


def at_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--at",
        metavar="TIME",
        help="act as if it were this time (conference local time, e.g. 2027-06-30T14:05); for replays and tests",
    )


def moment_of(store: Store, args: argparse.Namespace) -> datetime:
    if not args.at:
        return store.now()
    try:
        moment = datetime.fromisoformat(args.at)
    except ValueError:
        raise UsageError(f"--at takes a time like 2027-06-30T14:05, not '{args.at}'") from None
    if moment.tzinfo is None:
        with store.reading() as session:
            moment = moment.replace(tzinfo=ZoneInfo(current_conference(session).timezone))
    return moment


def cmd_door(args: argparse.Namespace) -> int:
    store = open_db(args)
    policy = NotCheckedIn.DESK if args.send_to_desk else NotCheckedIn.ADMIT
    door = open_door(store, args.room, args.door, mode=Mode.EXIT if args.exit else Mode.ENTRY, not_checked_in=policy)
    moment = moment_of(store, args)
    verdict = door_scan(store, door, args.text, moment)
    if not verdict.event_id and args.override and verdict.attendee is not None and verdict.code in OVERRIDABLE:
        with store.reading() as session:
            privilege = privilege_of_override(load_policy(session.connection()).override_needs_pin)
        if privilege:
            supervisor_allows(store, privilege)
        verdict = override(store, door, verdict.attendee.id, args.override, verdict.code, moment)
    accepted = verdict.event_id is not None
    code = verdict_out(verdict, args.json)
    return OK if accepted else code


def cmd_count(args: argparse.Namespace) -> int:
    store = open_db(args)
    door = open_door(store, args.room)
    try:
        fill = adjust_count(store, door, 1 if args.delta == "+1" else -1, args.reason, moment_of(store, args))
    except NobodyToCountOut as nobody:
        print(nobody)
        return REFUSED
    print(f"{door.room_name}: {fill.count} of {fill.capacity}.")
    return OK
