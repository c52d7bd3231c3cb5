"""The `checkin` command: every desk action from a terminal. Exit codes: 0 ok, 1 refused or failed, 2 usage.

Each command's module is imported only when that command runs, so `checkin --help` and a one-shot scan do not
pay for PostgreSQL, PDF and hub code they never touch.
"""

from __future__ import annotations

import argparse
import gc
import importlib
import json
import os
import sys
from collections.abc import Sequence
from typing import NoReturn

from checkin.cli.common import OK, REFUSED, USAGE, Handler, UsageError
from checkin.paths import default_db_path, demo_db_path

# name: (module in checkin.cli, what it does). The order is the order of `checkin --help`.
COMMANDS: dict[str, tuple[str, str]] = {
    "demo": ("setup", "create the demo conference (fixed seed)"),
    "import": ("setup", "import a registrant export (Wild Apricot, Eventbrite, pretix or generic CSV)"),
    "attendees": ("desk", "search attendees (or list them all)"),
    "checkin": ("desk", "check an attendee in (ID: registration id or ticket code)"),
    "undo": ("desk", "take back a check-in this station made by mistake in the last 5 minutes, with --reason"),
    "walk-in": ("desk", "register a walk-in attendee"),
    "correct": (
        "desk",
        "correct an attendee's record, e.g. mark it paid once payment is taken (ID: registration id or ticket code)",
    ),
    "give": ("desk", "hand over an entitlement (e.g. coin, lunch) once"),
    "handouts": ("setup", "the items this conference hands out (list, add, remove) and who gets each"),
    "export": ("desk", "attendees with check-in status as CSV"),
    "stats": ("figures", "check-in progress"),
    "rebuild": ("desk", "recompute derived state from the event log"),
    "keys": (
        "setup",
        "badge-signing keys: init, list, export-public, import-public, export-signing, import-signing, rotate, revoke",
    ),
    "send-codes": ("mail", "email every attendee their check-in QR ahead of the conference (or --to-folder)"),
    "pin": ("setup", "set this station's supervisor PIN (staff type it to leave a kiosk)"),
    "code": ("desk", "print an attendee's badge code (ID: registration id or ticket code)"),
    "print": ("printing", "print badges, session passes or certificates (to a PDF or a printer)"),
    "layouts": ("printing", "list the badge stocks Muster can print on"),
    "printers": ("printing", "list the printers the print system knows"),
    "rooms": ("rooms", "list rooms with their count now, or change a room's setup or capacity"),
    "policy": ("rooms", "the counting rules: warning level, back-to-back sessions, hours rule"),
    "sessions": ("rooms", "list sessions, import a schedule CSV or pre-registrations"),
    "door": ("door", "a scan at a room's door, through the same path as the door station"),
    "count": ("door", "count a person without a badge in (+1) or out (-1) of a room"),
    "occupancy": ("rooms", "every room's headcount against its capacity"),
    "attendance": ("reports", "who attended a session, for how long, hours earned"),
    "hours": ("reports", "training hours per attendee"),
    "roster": ("reports", "evacuation roster: who was last seen in which room, and when"),
    "peaks": ("reports", "each room's highest headcount per 15 minutes"),
    "hub": ("hub", "prepare a venue hub (init URL) or run one on this machine (serve)"),
    "sync": ("hub", "sync this station with the hub (until Ctrl+C, or --once)"),
    "stations": ("hub", "every station the hub knows; add one (prints its enrollment code) or revoke one"),
    "station": ("hub", "wipe this station's data and hub login (once the hub holds all it recorded)"),
    "join": ("hub", "join the venue hub with the enrollment code from `checkin stations add`"),
    "conflicts": ("hub", "duplicate badges and duplicate walk-ins waiting for staff"),
    "review": ("hub", "mark a flagged duplicate badge as dealt with"),
    "merge": ("hub", "merge a duplicate record into another (the duplicate is cancelled)"),
    "scan": ("desk", "run a scan through the station's verdict path ('-' reads one per line)"),
    "refusals": ("desk", "refused scans, newest first: forged or replaced badges, door disputes (kept for review)"),
}
LEADING_OPTIONS = ("db", "demo", "station")


def run() -> NoReturn:
    """The `checkin` program: the command, then exit. Python's last garbage collection at exit would walk every
    object the command made (SQLAlchemy's among them) only to free memory the process is giving back anyway:
    frozen out of its way, a one-shot command ends about a tenth of a second sooner."""
    code = main()
    gc.freeze()
    sys.exit(code)


def main(argv: Sequence[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    parser = build_parser(_command_named(argv))
    args = _with_leading_options(parser.parse_args(argv))
    if not getattr(args, "handler", None):
        parser.print_help()
        return USAGE
    try:
        return int(args.handler(args))
    except BrokenPipeError:  # `checkin occupancy | head`: the reader has all it wanted
        sys.stdout = open(os.devnull, "w")  # noqa: SIM115 - Python flushes stdout again at exit
        return OK
    except UsageError as error:
        return _said(args, str(error), USAGE)
    except Exception as error:
        from checkin.cli.problems import explain

        said = explain(error)
        if said is None:  # a bug: keep its traceback
            raise
        return _said(args, said, REFUSED, getattr(error, "problems", ()))


def _said(args: argparse.Namespace, problem: str, code: int, problems: Sequence[object] = ()) -> int:
    """Why the command did nothing: in words on stderr, and under --json also as JSON on stdout, which a
    script reading the output parses whatever happened (with each of a refused file's problems)."""
    print(f"checkin {args.command}: {problem}", file=sys.stderr)
    if getattr(args, "json", False):
        listed = [vars(p) for p in problems if hasattr(p, "__dict__")]
        said = {"error": problem, "exit_code": code, "problems": listed}
        print(json.dumps(said, ensure_ascii=False, default=str), flush=True)
    return code


def build_parser(command: str | None = None) -> argparse.ArgumentParser:
    """Every command's name and help; the arguments of ``command`` only (every command's when it is "*")."""
    common = argparse.ArgumentParser(add_help=False)
    where = common.add_argument_group("database")
    where.add_argument("--db", help=f"database file (default: {default_db_path()}), or the hub's URL")
    where.add_argument("--demo", action="store_true", help=f"use the demo database ({demo_db_path()})")
    where.add_argument("--station", help="this station's name as people see it, e.g. 'Desk 3' (remembered)")

    parser = argparse.ArgumentParser(prog="checkin", description="Muster: conference check-in from the terminal.")
    for option in LEADING_OPTIONS:  # `checkin --db x stations` works as well as `checkin stations --db x`
        parser.add_argument(
            f"--{option}",
            dest=f"leading_{option}",
            action="store_true" if option == "demo" else "store",
            help=argparse.SUPPRESS,
        )
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")
    subparsers = {
        name: commands.add_parser(name, parents=[common], help=help_, description=help_)
        for name, (_module, help_) in COMMANDS.items()
    }

    def define(name: str, handler: Handler) -> argparse.ArgumentParser:
        subparsers[name].set_defaults(handler=handler)
        return subparsers[name]

    wanted = {module for name, (module, _help) in COMMANDS.items() if command in (name, "*")}
    for module in sorted(wanted):
        importlib.import_module(f"checkin.cli.{module}").add_commands(define)
    return parser


def _command_named(argv: Sequence[str]) -> str | None:
    """The command in ``argv``: its first word that is neither a leading option nor that option's value."""
    words = iter(argv)
    for word in words:
        if word in ("--db", "--station"):
            next(words, None)
        elif not word.startswith("-"):
            return word
    return None


def _with_leading_options(args: argparse.Namespace) -> argparse.Namespace:
    """The database options given before the command count as if given after it (where they win)."""
    for option in LEADING_OPTIONS:
        given = vars(args).pop(f"leading_{option}", None)
        if given and not getattr(args, option, None):
            setattr(args, option, given)
    return args
