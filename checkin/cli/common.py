"""What every `checkin` command shares: opening the database, the clock, output, exit codes.

Imported before any command is known (for the exit codes), so it imports the database only when one is opened."""

from __future__ import annotations

import argparse
import json
import os
import signal
import sys
import time
from collections.abc import Callable
from dataclasses import asdict
from pathlib import Path
from typing import TYPE_CHECKING, Any

from checkin.paths import default_db_path, demo_db_path, is_url

if TYPE_CHECKING:
    from checkin.domain import AttendeeView, Verdict
    from checkin.store import Store
    from checkin.supervisor import Privileged

OK, REFUSED, USAGE = 0, 1, 2

Handler = Callable[[argparse.Namespace], int]
Define = Callable[[str, Handler], argparse.ArgumentParser]  # names a command's handler, gives its parser


class UsageError(Exception):
    pass


class UnknownAttendee(LookupError):
    pass


def file_problem(error: OSError) -> str:
    """A file that could not be read or written, in words: which one, and what to do about it."""
    where = error.filename if error.filename is not None else ""
    if isinstance(error, IsADirectoryError):
        return f"{where} is a folder; name a file in it"
    if isinstance(error, FileExistsError):  # a folder to make where a file is
        return f"{where} is a file, not a folder"
    if isinstance(error, NotADirectoryError):
        return f"{where}: part of that path is a file, not a folder"
    if isinstance(error, FileNotFoundError):
        return f"{where}: no such file or folder (make the folder first)"
    if isinstance(error, PermissionError):
        return f"{where}: not allowed (choose a folder you can write to)"
    reason = error.strerror or str(error)
    return f"{where}: {reason}" if where else reason


def positive(text: str) -> int:
    """An argument type: a whole number above zero."""
    value = int(text)
    if value <= 0:
        raise argparse.ArgumentTypeError("must be a positive number")
    return value


def db_path(args: argparse.Namespace) -> Path | str:
    """The database file to use, or the hub's URL (postgresql+psycopg://...) for admin work on the hub."""
    if args.db and args.demo:
        raise UsageError("give either --db or --demo, not both")
    if args.db:
        return args.db if is_url(args.db) else Path(args.db)
    return demo_db_path() if args.demo else default_db_path()


def open_db(args: argparse.Namespace, create: bool = False) -> Store:
    """The database the command works on; a missing file is made only by commands that fill one (``create``)
    or by --demo: a mistyped --db must not leave an empty database, and its folders, behind."""
    from checkin.store import open_store

    path = db_path(args)
    if not create and not args.demo and isinstance(path, Path) and not path.exists():
        raise UsageError(
            f"there is no database at {path}: check the path (`checkin import FILE` or `checkin sync --hub URL` "
            "make one), or try Muster on the demo conference with --demo"
        )
    store = open_store(path, args.station)
    if args.demo:  # as `checkin-app --demo`: the demo conference, made the first time it is asked for
        from checkin.demo import ensure_demo

        if made := ensure_demo(store):
            print(f"Made the demo conference ({made.attendees.added:,} attendees) in {db_path(args)}.", file=sys.stderr)
    return store


def progress_bar(label: str) -> Callable[[int, int], None]:
    start = time.monotonic()

    def show(done: int, total: int) -> None:
        if not sys.stderr.isatty():
            return
        width = 30
        filled = int(width * done / total) if total else width
        print(
            f"\r{label} [{'#' * filled}{'.' * (width - filled)}] {done:,}/{total:,} {time.monotonic() - start:.1f}s",
            end="" if done < total else "\n",
            file=sys.stderr,
        )

    return show


def print_json(data: Any) -> None:
    print(json.dumps(data, indent=2, default=str, ensure_ascii=False))


def attendee_json(view: AttendeeView) -> dict[str, Any]:
    data = asdict(view)
    data["status"] = view.status.value
    return data


def verdict_out(verdict: Verdict, as_json: bool, indent: int | None = 2) -> int:
    if as_json:
        data = {
            "code": verdict.code.value,
            "accepted": verdict.accepted,
            "message": verdict.message,
            "event_id": verdict.event_id,
            "attendee": attendee_json(verdict.attendee) if verdict.attendee else None,
        }
        print(json.dumps(data, indent=indent, default=str, ensure_ascii=False), flush=True)
    else:
        print(verdict.message, flush=True)
    return OK if verdict.accepted else REFUSED


def resolve_id(store: Store, ref: str) -> AttendeeView:
    from checkin.attendees import find_by_code

    with store.reading() as session:
        found = find_by_code(session, ref)
    if found is None:  # a refusal, as `checkin scan` says of an unknown code: exit 1, not a usage error
        raise UnknownAttendee(f"no attendee with id, registration id or ticket code '{ref}'")
    return found


class StopRequests:
    """SIGTERM (a service manager, `kill`) taken as a request to stop, from ``with`` on: one that comes
    before ``wait`` (right after "Serving" was printed, say) must still let cleanup such as stopping the
    hub's PostgreSQL run, where SIGTERM's default would end the process on the spot.

    ``wait`` polls rather than blocks: the kernel may hand SIGTERM to a worker thread, and then nothing
    wakes a main thread blocked in Event.wait(). The handler only appends to a list, because a handler
    that takes a lock (Event.set) can run while the main thread itself holds that lock, and hang.
    """

    def __init__(self) -> None:
        self._asked: list[int] = []
        self._previous: Any = None

    def __enter__(self) -> StopRequests:
        self._previous = signal.signal(signal.SIGTERM, lambda signum, _frame: self._asked.append(signum))
        return self

    def __exit__(self, *_exc: object) -> None:
        signal.signal(signal.SIGTERM, self._previous)

    def wait(self, still_running: Callable[[], bool] = lambda: True, poll_s: float = 0.25) -> None:
        """Return on SIGTERM (also one that came before), on Ctrl+C, or once ``still_running`` says no."""
        try:
            while not self._asked and still_running():
                time.sleep(poll_s)
        except KeyboardInterrupt:
            self._asked.append(signal.SIGINT)

    @property
    def asked(self) -> bool:
        """Whether someone asked to stop (SIGTERM, Ctrl+C)."""
        return bool(self._asked)


class SupervisorRefused(Exception):
    """A privileged command without the right supervisor PIN: nothing was done."""


SUPERVISOR_PIN = "MUSTER_SUPERVISOR_PIN"  # for scripts; a person types it at the terminal


def secret(variable: str, prompt: str) -> str:
    """A secret from the environment (scripts), else typed at a terminal without echo; never an argument, which
    every user of the machine can read in the process list."""
    if variable and (given := os.environ.get(variable)) is not None:
        return given
    if not sys.stdin.isatty():
        raise UsageError(f"give it in {variable}, or run this in a terminal")
    import getpass

    return getpass.getpass(prompt)


def supervisor_allows(store: Store, action: Privileged) -> None:
    """Go on only with the supervisor PIN, when this station has one (SupervisorRefused otherwise)."""
    from checkin.supervisor import check_pin, pin_is_set

    if not pin_is_set(store):
        return
    typed = secret(SUPERVISOR_PIN, f"Supervisor PIN to {action}: ")
    check = check_pin(store, typed, store.now())
    if not check.accepted:
        raise SupervisorRefused(f"{check.words()} Nothing was done: to {action} needs the supervisor PIN.")


def host_and_port(text: str, default_port: int) -> tuple[str, int]:
    """``HOST`` or ``HOST:PORT`` as typed (an IPv6 address, with its several colons, is a host alone)."""
    host, _, port = text.rpartition(":") if text.count(":") == 1 else (text, "", "")
    return (host, int(port)) if port.isdigit() else (text, default_port)
