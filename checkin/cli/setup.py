"""`checkin demo`, `import` and `keys`: making a conference and its badge keys."""

from __future__ import annotations

import argparse
import contextlib
import os
import sys
import tempfile
from dataclasses import asdict
from datetime import UTC, date, datetime
from pathlib import Path

from sqlalchemy import select

from checkin import keys
from checkin.cli.common import (
    OK,
    REFUSED,
    Define,
    UsageError,
    db_path,
    open_db,
    positive,
    print_json,
    progress_bar,
    secret,
    supervisor_allows,
)
from checkin.conference import ensure_conference, has_conference
from checkin.demo import build_demo, this_week
from checkin.importers import FORMATS, MAPPABLE_FIELDS, import_file
from checkin.store import open_store
from checkin.store.models import BadgeKey
from checkin.supervisor import Privileged

PASSPHRASE_VARIABLE = "MUSTER_KEY_PASSPHRASE"
PIN_VARIABLES = ("MUSTER_PIN", "MUSTER_CURRENT_PIN")  # the new PIN and the one it replaces, for scripts


def add_commands(command: Define) -> None:
    demo = command("demo", cmd_demo)
    demo.add_argument("--attendees", type=positive, default=2400, help="number of attendees (default 2400)")
    demo.add_argument("--seed", type=int, default=2027)
    demo.add_argument("--replace", action="store_true", help="delete the database file first")
    demo.add_argument(
        "--first-day",
        type=date.fromisoformat,
        metavar="YYYY-MM-DD",
        help="the conference's Monday (default: this week's, so sessions are running now)",
    )

    imp = command("import", cmd_import)
    imp.add_argument("file", type=Path)
    imp.add_argument("--format", choices=sorted(FORMATS), help="skip detection and read the file as this format")
    imp.add_argument(
        "--map",
        action="append",
        default=[],
        metavar="FIELD=HEADER",
        help=f"name the column for a field (generic CSV); fields: {', '.join(MAPPABLE_FIELDS)}",
    )
    imp.add_argument("--conference", help="conference name, when this database has none yet")
    imp.add_argument("--dry-run", action="store_true", help="check and report, write nothing")
    imp.add_argument("--max-mb", type=float, default=32.0, help="refuse files larger than this (default 32)")
    imp.add_argument("--json", action="store_true")

    handouts = command("handouts", cmd_handouts)
    handouts.add_argument("action", nargs="?", choices=["list", "add", "remove"], default="list")
    handouts.add_argument("code", nargs="?", help="the item's short code, e.g. coin")
    handouts.add_argument("name", nargs="?", help="add: the name people read, e.g. 'Conference coin'")
    handouts.add_argument(
        "--for",
        dest="for_types",
        action="append",
        default=[],
        metavar="TYPE",
        help="add: only this registration type gets it (repeatable; none: everyone who came)",
    )

    pin = command("pin", cmd_pin)
    pin.add_argument("action", choices=["set"])

    key = command("keys", cmd_keys)
    key.add_argument(
        "action",
        choices=[
            "init",
            "list",
            "export-public",
            "import-public",
            "export-signing",
            "import-signing",
            "rotate",
            "revoke",
        ],
    )
    key.add_argument("--yes", action="store_true", help="import-public: accept new keys without asking")
    key.add_argument(
        "arg",
        nargs="?",
        help="import-public, import-signing, export-signing: the keys file; "
        "revoke: the key number; export-public: the file to write "
        "(default: standard output). The signing keys file's passphrase "
        f"is asked for, or read from {PASSPHRASE_VARIABLE}",
    )


def cmd_demo(args: argparse.Namespace) -> int:
    path = db_path(args)
    if args.replace and isinstance(path, str):
        raise UsageError("--replace deletes a database file; it cannot drop a hub")
    if args.replace:
        for suffix in ("", "-wal", "-shm"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)
    store = open_store(path, args.station)
    with store.unit_of_work() as session:
        if has_conference(session):
            print(f"{path} already holds a conference; use --replace to start over.", file=sys.stderr)
            return REFUSED
        summary = build_demo(
            session,
            args.attendees,
            args.seed,
            progress_bar("Creating attendees"),
            args.first_day or this_week(datetime.now(UTC)),
        )
    print(
        f"Demo conference in {path}: {summary.attendees.added:,} attendees, {summary.rooms} rooms, "
        f"{summary.sessions} sessions."
    )
    return OK


def cmd_import(args: argparse.Namespace) -> int:
    mapping: dict[str, str] = {}
    for item in args.map:
        field, sep, header = item.partition("=")
        if not sep or not field.strip() or not header.strip():
            raise UsageError(f"--map takes FIELD=HEADER, got '{item}'")
        mapping[field.strip()] = header.strip()
    path = db_path(args)
    new = isinstance(path, Path) and not path.exists()
    with contextlib.ExitStack() as scratch:
        if new and args.dry_run:  # a dry run writes nothing, not even an empty database
            args.db, args.demo = str(Path(scratch.enter_context(tempfile.TemporaryDirectory())) / "dry.sqlite"), False
        store = open_db(args, create=True)
        scratch.callback(store.close)
        try:
            with store.unit_of_work() as session:
                ensure_conference(session, args.conference or args.file.stem)
                report = import_file(session, args.file, args.format, mapping, args.max_mb, progress_bar("Importing"))
                if args.dry_run:
                    session.rollback()
        except BaseException:
            if new and not args.dry_run:  # a failed first import leaves no empty database behind
                store.close()
                for suffix in ("", "-wal", "-shm"):
                    Path(f"{path}{suffix}").unlink(missing_ok=True)
            raise
    if args.json:
        print_json({**asdict(report), "dry_run": args.dry_run})
    else:
        print(("Dry run, nothing written. " if args.dry_run else "") + report.summary())
    return OK


PRIVILEGED_KEY_ACTIONS = {"rotate": Privileged.ROTATE_KEYS, "revoke": Privileged.REVOKE_KEY}


def cmd_keys(args: argparse.Namespace) -> int:
    store = open_db(args)
    action, arg = args.action, args.arg
    if action in ("import-public", "import-signing", "export-signing", "revoke") and not arg:
        raise UsageError(f"keys {action} needs {'a key number' if action == 'revoke' else 'a keys file'}")
    if action in ("import-public", "import-signing") and not Path(arg).is_file():
        raise UsageError(f"no such file: {arg}")
    passphrase = _passphrase(confirm=action == "export-signing") if action.endswith("-signing") else ""
    if action in PRIVILEGED_KEY_ACTIONS:
        supervisor_allows(store, PRIVILEGED_KEY_ACTIONS[action])
    with store.unit_of_work() as session:
        if action == "init":
            made = keys.init_keys(session, store.now())
            print(f"Made badge key {made.number}. Give door stations its public half: checkin keys export-public")
        elif action == "rotate":
            made = keys.rotate(session, store.now())
            print(f"Made badge key {made.number}; new badges are signed with it, older ones still verify.")
        elif action == "revoke":
            if not arg.isdigit():
                raise UsageError(f"a key number is a whole number, not '{arg}'")
            keys.revoke(session, int(arg), store.now())
            print(f"Key {arg} revoked: badges signed with it are refused here. Export the keys to the doors.")
        elif action == "import-public":
            known = set(session.scalars(select(BadgeKey.number)))
            changed = keys.import_public(session, Path(arg).read_text(encoding="utf-8", errors="replace"))
            added = [session.get(BadgeKey, n) for n in changed if n not in known]
            if added and not _trusted([key for key in added if key is not None], args.yes):
                raise keys.KeyProblem("Not imported: the new keys were not accepted.")  # the unit of work rolls back
            print(f"Imported {len(changed)} new or changed key(s)." if changed else "Already up to date.")
        elif action == "import-signing":
            usable = keys.import_signing(session, Path(arg).read_text(encoding="utf-8", errors="replace"), passphrase)
            print(
                f"This station now signs badges (key {max(usable)})."
                if usable
                else "Imported; every key in the file is revoked, so this station still cannot sign badges."
            )
        elif action == "export-signing":
            _write_private(Path(arg), keys.export_signing(session, passphrase))
            print(
                f"Wrote the signing keys to {arg}. Import them at each printing desk with `checkin keys "
                "import-signing`, then delete the file; never copy it to door stations."
            )
        elif action == "export-public":
            text = keys.export_public(session)
            if arg:
                Path(arg).write_text(text, encoding="utf-8")
                print(f"Wrote the public keys to {arg}.", file=sys.stderr)
            else:
                print(text, end="")
        else:
            for row in keys.listing(session):
                print(row)
    keys.forget_keys(store)
    return OK


def cmd_handouts(args: argparse.Namespace) -> int:
    from checkin.conference import entitlements
    from checkin.handouts import HandoutProblem, add_handout, remove_handout

    if args.action == "add" and not (args.code and args.name):
        raise UsageError(
            "handouts add CODE NAME [--for TYPE ...], e.g. handouts add coin 'Conference coin' --for Member"
        )
    if args.action == "remove" and not args.code:
        raise UsageError("handouts remove CODE")
    store = open_db(args)
    try:
        with store.unit_of_work() as session:
            if args.action == "add":
                item = add_handout(session, args.code, args.name, args.for_types)
                print(f"{item.name} ({item.code}): for {', '.join(item.eligible_types) or 'everyone who came'}.")
            elif args.action == "remove":
                remove_handout(session, args.code)
                print(f"Removed {args.code}.")
            else:
                items = entitlements(session)
                for e in items:
                    print(f"{e.code:<12} {e.name:<30} for {', '.join(e.eligible_types) or 'everyone who came'}")
                if not items:
                    print("No hand-outs set up: checkin handouts add coin 'Conference coin' --for Member")
    except HandoutProblem as problem:
        print(f"checkin handouts: {problem}", file=sys.stderr)
        return REFUSED
    return OK


def cmd_pin(args: argparse.Namespace) -> int:
    from checkin.supervisor import PinProblem, pin_is_set, set_pin

    store = open_db(args)
    current = secret(PIN_VARIABLES[1], "The current supervisor PIN: ") if pin_is_set(store) else ""
    new = secret(PIN_VARIABLES[0], "The new supervisor PIN: ")
    if PIN_VARIABLES[0] not in os.environ and secret("", "The new PIN again: ") != new:
        raise UsageError("the two PINs differ; nothing was changed")
    try:
        set_pin(store, new, current)
    except PinProblem as problem:
        print(f"checkin pin: {problem}", file=sys.stderr)
        return REFUSED
    print("Supervisor PIN set: staff need it to leave a kiosk on this station.")
    return OK


def _trusted(added: list[BadgeKey], yes: bool) -> bool:
    """A key from a file decides which badges this station accepts: show each new one's fingerprint, to compare
    with `checkin keys list` on the desk that made the keys, and ask (a revocation needs no asking)."""
    for key in added:
        print(f"New badge key {key.number}: {keys.fingerprint(key.public_key)}", file=sys.stderr)
    if yes:
        return True
    if not sys.stdin.isatty():
        raise UsageError("new keys need a person's yes: compare the fingerprints above, then run again with --yes")
    print(
        "Do they match `checkin keys list` on the desk that made the keys? Accept them [y/N] ", end="", file=sys.stderr
    )
    return input().strip().lower() in ("y", "yes")


def _passphrase(confirm: bool) -> str:
    passphrase = secret(PASSPHRASE_VARIABLE, "Passphrase for the signing keys file: ")
    if confirm and PASSPHRASE_VARIABLE not in os.environ and secret("", "The same passphrase again: ") != passphrase:
        raise UsageError("the two passphrases differ; nothing was written")
    return passphrase


def _write_private(path: Path, text: str) -> None:
    """Write a file only its owner can read (on Windows the user's folders are private already)."""
    try:
        path.unlink(missing_ok=True)
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(descriptor, "w", encoding="utf-8") as out:
            out.write(text)
    except OSError as error:
        raise UsageError(f"cannot write {path}: {error.strerror}") from None
