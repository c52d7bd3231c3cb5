"""`checkin` commands for the desk: find, check in, register, correct, hand out, badge codes, scans."""

from __future__ import annotations

import argparse
import os
import re
import sys
import time
from collections.abc import Iterator
from dataclasses import asdict
from pathlib import Path
from typing import BinaryIO

from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session

from checkin import badges, desk, scanning
from checkin.attendees import attendee_view_query, likely_duplicates, to_view
from checkin.cli.common import (
    OK,
    REFUSED,
    Define,
    UsageError,
    attendee_json,
    open_db,
    positive,
    print_json,
    resolve_id,
    supervisor_allows,
    verdict_out,
)
from checkin.conference import store_zone
from checkin.domain import AttendeeView, RegistrationType, Status, VerdictCode, editable_fields
from checkin.exports import export_attendees
from checkin.projection import rebuild
from checkin.refusals import refusals
from checkin.rules.corrections import what_changed
from checkin.search import search
from checkin.store.models import Attendee
from checkin.store.problems import storage_problem
from checkin.supervisor import privilege_of_correction
from checkin.text import counted


def add_commands(command: Define) -> None:
    attendees = command("attendees", cmd_attendees)
    attendees.add_argument("query", nargs="?", default="")
    attendees.add_argument("--limit", type=positive, default=50)
    attendees.add_argument("--json", action="store_true")

    check = command("checkin", cmd_checkin)
    check.add_argument("id")
    check.add_argument("--json", action="store_true")

    refused = command("refusals", cmd_refusals)
    refused.add_argument("--limit", type=positive, default=50)
    refused.add_argument("--json", action="store_true")

    undo = command("undo", cmd_undo)
    undo.add_argument("id")
    undo.add_argument("--reason", required=True, help="why, e.g. 'wrong person selected'")
    undo.add_argument("--json", action="store_true")

    walk = command("walk-in", cmd_walk_in)
    walk.add_argument("--first", required=True)
    walk.add_argument("--last", required=True)
    walk.add_argument("--email", default="")
    walk.add_argument("--org", default="")
    walk.add_argument(
        "--type",
        default=RegistrationType.NON_MEMBER.value,
        help=f"registration type (e.g. {', '.join(t.value for t in RegistrationType)})",
    )
    payment = walk.add_mutually_exclusive_group(required=True)  # never a silent default: say which
    payment.add_argument("--paid", action="store_true", help="payment taken (or nothing to pay)")
    payment.add_argument("--unpaid", action="store_true", help="payment still to be taken")
    walk.add_argument("--check-in", action="store_true", help="check the new attendee in straight away")
    walk.add_argument("--force", action="store_true", help="register even if a likely duplicate exists")
    walk.add_argument("--json", action="store_true")

    fix = command("correct", cmd_correct)
    fix.add_argument("id")
    fix.add_argument("--first")
    fix.add_argument("--last")
    fix.add_argument("--email")
    fix.add_argument("--org")
    fix.add_argument("--type", help="registration type")
    fix.add_argument("--status", choices=[s.value for s in Status])
    fix.add_argument("--json", action="store_true")

    give = command("give", cmd_give)
    give.add_argument("id")
    give.add_argument("entitlement")
    give.add_argument("--json", action="store_true")

    export = command("export", cmd_export)
    export.add_argument("--out", type=Path, help="file to write (default: standard output)")

    command("rebuild", cmd_rebuild)

    code = command("code", cmd_code)
    code.add_argument("id")
    code.add_argument("--reissue", metavar="REASON", help="reprint: void the current badge and make the next one")
    code.add_argument("--json", action="store_true")

    scan_ = command("scan", cmd_scan)
    scan_.add_argument("text")
    scan_.add_argument("--json", action="store_true")


def cmd_attendees(args: argparse.Namespace) -> int:
    store = open_db(args)
    with store.reading() as session:
        found = search(session, args.query, args.limit) if args.query.strip() else _all(session, args.limit)
    if args.json:
        print_json([attendee_json(a) for a in found])
        return OK
    for a in found:
        arrived = "checked in" if a.checked_in else ""
        print(
            f"{a.external_id:<14} {a.full_name:<32.32} {a.organization:<36.36} {a.registration_type:<16.16} "
            f"{a.status.value:<9} {arrived}"
        )
    if not found:
        print("No attendees found.", file=sys.stderr)
    return OK


def _all(session: Session, limit: int) -> list[AttendeeView]:
    return [to_view(row) for row in session.execute(attendee_view_query().order_by(Attendee.sort_key).limit(limit))]


def cmd_checkin(args: argparse.Namespace) -> int:
    store = open_db(args)
    attendee = resolve_id(store, args.id)
    return verdict_out(desk.check_in(store, attendee.id, store.now()), args.json)


def cmd_refusals(args: argparse.Namespace) -> int:
    store = open_db(args)
    zone = store_zone(store)
    with store.writing() as connection:
        found = refusals(connection, limit=args.limit)
    if args.json:
        print_json([{**asdict(r), "at": r.at.isoformat()} for r in found])
        return OK
    for r in found:
        where = r.place or r.where
        print(
            f"{r.at.astimezone(zone):%a %H:%M:%S}  {r.station:<14.14} {where:<24.24} {r.verdict:<18} "
            f"{r.attendee or '-':<24.24} {r.scanned[:40]}"
        )
    if not found:
        print("No refused scans.", file=sys.stderr)
    return OK


def cmd_undo(args: argparse.Namespace) -> int:
    store = open_db(args)
    attendee = resolve_id(store, args.id)
    verdict = desk.undo_check_in(store, attendee.id, args.reason, store.now())
    verdict_out(verdict, args.json)
    return OK if verdict.code is VerdictCode.UNDONE else REFUSED


def cmd_walk_in(args: argparse.Namespace) -> int:
    store = open_db(args)
    form = desk.WalkIn(
        args.first,
        args.last,
        args.email,
        args.org,
        registration_type=args.type,
        status=Status.UNPAID if args.unpaid else Status.PAID,
    )
    with store.reading() as session:
        duplicates = likely_duplicates(session, form.email, form.first_name, form.last_name)
    if duplicates and not args.force:
        print("Possibly already registered (use --force to register anyway):", file=sys.stderr)
        for d in duplicates:
            print(f"  {d.external_id}  {d.full_name}  {d.email}  {d.organization}", file=sys.stderr)
        return REFUSED
    view = desk.register_walk_in(store, form, store.now())
    if args.check_in:
        return verdict_out(desk.check_in(store, view.id, store.now()), args.json)
    if args.json:
        print_json(attendee_json(view))
    else:
        print(f"Registered {view.full_name} as {view.external_id}.")
    return OK


CORRECTION_OPTIONS = {
    "first": "first_name",
    "last": "last_name",
    "email": "email",
    "org": "organization",
    "type": "registration_type",
    "status": "status",
}


def cmd_correct(args: argparse.Namespace) -> int:
    changes = {
        field: getattr(args, option)
        for option, field in CORRECTION_OPTIONS.items()
        if getattr(args, option) is not None
    }
    if not changes:
        raise UsageError(f"say what to correct: {', '.join('--' + o for o in CORRECTION_OPTIONS)}")
    store = open_db(args)
    before = resolve_id(store, args.id)
    if privilege := privilege_of_correction(changes, before.status):
        supervisor_allows(store, privilege)
    after = desk.correct(store, before.id, changes, store.now())
    changed = sorted(f for f in changes if getattr(before, f) != getattr(after, f))
    if args.json:
        print_json({"changed": changed, "attendee": attendee_json(after)})
    elif changed:
        said = what_changed(editable_fields(before), editable_fields(after))
        print(f"Corrected {after.full_name} ({after.external_id}): {said}.")
    else:
        print(f"Nothing changed: the record of {after.full_name} ({after.external_id}) already says that.")
    return OK


def cmd_give(args: argparse.Namespace) -> int:
    store = open_db(args)
    attendee = resolve_id(store, args.id)
    return verdict_out(desk.give_entitlement(store, attendee.id, args.entitlement, store.now()), args.json)


def cmd_export(args: argparse.Namespace) -> int:
    store = open_db(args)
    with store.reading() as session:
        if args.out:
            with args.out.open("w", newline="", encoding="utf-8-sig") as out:
                count = export_attendees(session, out)
            print(f"Wrote {counted(count, 'attendee')} to {args.out}.", file=sys.stderr)
        else:
            export_attendees(session, sys.stdout)
    return OK


def cmd_rebuild(args: argparse.Namespace) -> int:
    store = open_db(args)
    started = time.perf_counter()
    with store.unit_of_work() as session:
        rebuild(session)
    print(f"Rebuilt derived state in {time.perf_counter() - started:.2f}s.")
    return OK


def cmd_code(args: argparse.Namespace) -> int:
    store = open_db(args)
    attendee = resolve_id(store, args.id)
    if args.reissue is not None:
        if not args.reissue.strip():
            raise UsageError("--reissue needs a reason (lost, damaged, name corrected, ...)")
        revision, code = badges.reissue(store, attendee.id, args.reissue, store.now())
    else:
        with store.reading() as session:
            revision = badges.current_revision(session, attendee.id)
            code = badges.badge_code(session, attendee.id, revision)
    if args.json:
        print_json({"attendee_id": attendee.id, "name": attendee.full_name, "revision": revision, "code": code})
    else:
        print(code)
    return OK


def cmd_scan(args: argparse.Namespace) -> int:
    store = open_db(args)
    if args.text != "-":
        return verdict_out(scanning.scan(store, args.text, store.now(), where="cli"), args.json)
    recent = scanning.RecentScans()
    worst = OK
    for number, line in enumerate(scanned_lines(sys.stdin.buffer), start=1):
        try:
            verdict = scanning.scan(store, line, store.now(), recent, where="cli")
        except DBAPIError as error:  # the disk full, the file read-only: say where it stopped, not a traceback
            why = storage_problem(error) or f"the database did not record it ({error.orig})"
            print(
                f"checkin scan: stopped at line {number} ({line[:40]}): {why}. That line and the lines after "
                "it got no verdict.",
                file=sys.stderr,
            )
            return REFUSED
        worst = max(worst, verdict_out(verdict, args.json, indent=None))  # flushed: seen as soon as it is durable
    return worst


def scanned_lines(stream: BinaryIO) -> Iterator[str]:
    """Lines as scanners end them: Enter (CR), LF or CR LF. Each is handed over as soon as its end arrives
    (a text stream would hold a line ending in CR until the next character, to see whether LF follows)."""
    pending = b""
    while chunk := os.read(stream.fileno(), 4096):
        pending += chunk
        *lines, pending = re.split(rb"\r\n|\r|\n", pending)
        yield from (line.decode("utf-8", "replace") for line in lines if line.strip())
    if pending.strip():
        yield pending.decode("utf-8", "replace")
