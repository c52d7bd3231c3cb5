"""The `checkin` command: every desk action from a terminal. Exit codes: 0 ok, 1 refused or failed, 2 usage."""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import asdict
from datetime import UTC, date, datetime
from pathlib import Path

from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session

from checkin import badges, cli_rooms, cli_sync, desk, keys, scanning
from checkin.attendees import attendee_view_query, likely_duplicates, to_view
from checkin.cli_common import (
    OK,
    REFUSED,
    USAGE,
    UsageError,
    attendee_json,
    db_path,
    file_problem,
    open_db,
    print_json,
    progress_bar,
    resolve_id,
    utc_now,
    verdict_out,
)
from checkin.conference import NoConference, current_conference, ensure_conference, has_conference, stats
from checkin.demo import build_demo, this_week
from checkin.domain import AttendeeView, RegistrationType, Status
from checkin.exports import export_attendees
from checkin.importers import FORMATS, MAPPABLE_FIELDS, ImportFailed, import_file
from checkin.printing import spooler
from checkin.printing.badge_pdf import render_badges
from checkin.printing.documents import CertificateData, render_certificates, render_passes
from checkin.printing.layouts import DEFAULT_STOCK, STOCKS, UnknownStock, stock_named
from checkin.printing.log import record_printed
from checkin.printing.sources import Selection, select_badges, select_certificates, select_passes
from checkin.printing.template import TemplateError, load_template
from checkin.projection import rebuild
from checkin.search import search
from checkin.store import OPEN_PROBLEMS, Store, default_db_path, demo_db_path, open_store
from checkin.store.models import Attendee
from checkin.text import counted


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
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
        print(f"checkin {args.command}: {error}", file=sys.stderr)
        return USAGE
    except (
        ImportFailed,
        NoConference,
        desk.InvalidInput,
        keys.KeyProblem,
        *OPEN_PROBLEMS,
        *cli_rooms.PROBLEMS,
        *cli_sync.PROBLEMS,
    ) as error:
        print(f"checkin {args.command}: {error}", file=sys.stderr)
        return REFUSED
    except OSError as error:  # a file to read or write: missing, a folder, not allowed, the disk full
        print(f"checkin {args.command}: {file_problem(error)}", file=sys.stderr)
        return REFUSED
    except OperationalError as error:  # a hub given with --db URL that is down, or refuses the login
        detail = str(error.orig).strip().splitlines()[0] if error.orig else str(error)
        print(
            f"checkin {args.command}: {cli_sync.refused_login(error) or 'the database did not answer: ' + detail}",
            file=sys.stderr,
        )
        return REFUSED


PASSPHRASE_VARIABLE = "MUSTER_KEY_PASSPHRASE"
LEADING_OPTIONS = ("db", "demo", "station")


def _with_leading_options(args: argparse.Namespace) -> argparse.Namespace:
    """The database options given before the command count as if given after it (where they win)."""
    for option in LEADING_OPTIONS:
        given = vars(args).pop(f"leading_{option}", None)
        if given and not getattr(args, option, None):
            setattr(args, option, given)
    return args


def build_parser() -> argparse.ArgumentParser:
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
            action="store_true" if option == "demo" else None,
            help=argparse.SUPPRESS,
        )
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")

    def command(name: str, handler: Callable[[argparse.Namespace], int], help_: str) -> argparse.ArgumentParser:
        sub = commands.add_parser(name, parents=[common], help=help_, description=help_)
        sub.set_defaults(handler=handler)
        return sub

    demo = command("demo", cmd_demo, "create the demo conference (fixed seed)")
    demo.add_argument("--attendees", type=_positive, default=2400, help="number of attendees (default 2400)")
    demo.add_argument("--seed", type=int, default=2027)
    demo.add_argument("--replace", action="store_true", help="delete the database file first")
    demo.add_argument(
        "--first-day",
        type=date.fromisoformat,
        metavar="YYYY-MM-DD",
        help="the conference's Monday (default: this week's, so sessions are running now)",
    )

    imp = command("import", cmd_import, "import a registrant export (Wild Apricot, Eventbrite, pretix or generic CSV)")
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

    attendees = command("attendees", cmd_attendees, "search attendees (or list them all)")
    attendees.add_argument("query", nargs="?", default="")
    attendees.add_argument("--limit", type=_positive, default=50)
    attendees.add_argument("--json", action="store_true")

    check = command("checkin", cmd_checkin, "check an attendee in (ID: registration id or ticket code)")
    check.add_argument("id")
    check.add_argument("--json", action="store_true")

    walk = command("walk-in", cmd_walk_in, "register a walk-in attendee")
    walk.add_argument("--first", required=True)
    walk.add_argument("--last", required=True)
    walk.add_argument("--email", default="")
    walk.add_argument("--org", default="")
    walk.add_argument(
        "--type",
        default=RegistrationType.NON_MEMBER.value,
        help=f"registration type (e.g. {', '.join(t.value for t in RegistrationType)})",
    )
    walk.add_argument("--unpaid", action="store_true", help="payment still to be taken")
    walk.add_argument("--check-in", action="store_true", help="check the new attendee in straight away")
    walk.add_argument("--force", action="store_true", help="register even if a likely duplicate exists")
    walk.add_argument("--json", action="store_true")

    fix = command(
        "correct",
        cmd_correct,
        "correct an attendee's record, e.g. mark it paid once payment is taken (ID: registration id or ticket code)",
    )
    fix.add_argument("id")
    fix.add_argument("--first")
    fix.add_argument("--last")
    fix.add_argument("--email")
    fix.add_argument("--org")
    fix.add_argument("--type", help="registration type")
    fix.add_argument("--status", choices=[s.value for s in Status])
    fix.add_argument("--json", action="store_true")

    give = command("give", cmd_give, "hand over an entitlement (e.g. coin, lunch) once")
    give.add_argument("id")
    give.add_argument("entitlement")
    give.add_argument("--json", action="store_true")

    export = command("export", cmd_export, "attendees with check-in status as CSV")
    export.add_argument("--out", type=Path, help="file to write (default: standard output)")

    st = command("stats", cmd_stats, "check-in progress")
    st.add_argument("--json", action="store_true")

    command("rebuild", cmd_rebuild, "recompute derived state from the event log")

    key = command(
        "keys",
        cmd_keys,
        "badge-signing keys: init, list, export-public, import-public, export-signing, import-signing, rotate, revoke",
    )
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
    key.add_argument(
        "arg",
        nargs="?",
        help="import-public, import-signing, export-signing: the keys file; "
        "revoke: the key number; export-public: the file to write "
        "(default: standard output). The signing keys file's passphrase "
        f"is asked for, or read from {PASSPHRASE_VARIABLE}",
    )

    code = command("code", cmd_code, "print an attendee's badge code (ID: registration id or ticket code)")
    code.add_argument("id")
    code.add_argument("--reissue", metavar="REASON", help="reprint: void the current badge and make the next one")
    code.add_argument("--json", action="store_true")

    prints = command("print", cmd_print, "print badges, session passes or certificates (to a PDF or a printer)")
    prints.add_argument("what", choices=["badges", "passes", "certificates"])
    prints.add_argument(
        "--layout", default=DEFAULT_STOCK, help=f"badge stock (default {DEFAULT_STOCK}; see `checkin layouts`)"
    )
    prints.add_argument("--template", type=Path, help="badge template file (default: the shipped one)")
    prints.add_argument(
        "--attendee",
        action="append",
        default=[],
        metavar="ID",
        help="only this attendee (registration id or ticket code); repeatable",
    )
    prints.add_argument(
        "--filter",
        action="append",
        default=[],
        metavar="RULE",
        help="type=NAME (registration type) or not-printed; repeatable",
    )
    target = prints.add_mutually_exclusive_group(required=True)
    target.add_argument("--out", type=Path, help="write a PDF file")
    target.add_argument("--printer", help="send to this printer (see `checkin printers`)")
    target.add_argument("--out-dir", type=Path, help="certificates: one PDF file per attendee in this folder")
    prints.add_argument("--copies", type=_positive, default=1)
    prints.add_argument("--signer", default="Conference Director", help="certificates: who signs")

    command("layouts", cmd_layouts, "list the badge stocks Muster can print on")
    command("printers", cmd_printers, "list the printers the print system knows")

    cli_rooms.add_commands(command)
    cli_sync.add_commands(command)

    scan_ = command("scan", cmd_scan, "run a scan through the station's verdict path ('-' reads one per line)")
    scan_.add_argument("text")
    scan_.add_argument("--json", action="store_true")
    return parser


def _positive(text: str) -> int:
    value = int(text)
    if value <= 0:
        raise argparse.ArgumentTypeError("must be a positive number")
    return value


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
    store = open_db(args)
    with store.unit_of_work() as session:
        ensure_conference(session, args.conference or args.file.stem)
        report = import_file(session, args.file, args.format, mapping, args.max_mb, progress_bar("Importing"))
        if args.dry_run:
            session.rollback()
    if args.json:
        print_json({**asdict(report), "dry_run": args.dry_run})
    else:
        print(("Dry run, nothing written. " if args.dry_run else "") + report.summary())
    return OK


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
    return verdict_out(desk.check_in(store, attendee.id, utc_now()), args.json)


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
    view = desk.register_walk_in(store, form, utc_now())
    if args.check_in:
        return verdict_out(desk.check_in(store, view.id, utc_now()), args.json)
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
    after = desk.correct(store, before.id, changes, utc_now())
    changed = sorted(f for f in changes if getattr(before, f) != getattr(after, f))
    if args.json:
        print_json({"changed": changed, "attendee": attendee_json(after)})
    elif changed:
        print(f"Corrected {after.full_name} ({after.external_id}): {', '.join(f.replace('_', ' ') for f in changed)}.")
    else:
        print(f"Nothing changed: the record of {after.full_name} ({after.external_id}) already says that.")
    return OK


def cmd_give(args: argparse.Namespace) -> int:
    store = open_db(args)
    attendee = resolve_id(store, args.id)
    return verdict_out(desk.give_entitlement(store, attendee.id, args.entitlement, utc_now()), args.json)


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


def cmd_stats(args: argparse.Namespace) -> int:
    store = open_db(args)
    with store.reading() as session:
        figures = stats(session)
    if args.json:
        print_json({**asdict(figures), "percent_checked_in": round(figures.percent_checked_in, 1)})
        return OK
    print(figures.conference)
    print(
        f"Checked in {figures.checked_in:,} of {figures.registered:,} ({figures.percent_checked_in:.1f}%); "
        f"{figures.unpaid:,} unpaid, {figures.cancelled:,} cancelled, {figures.walk_ins:,} walk-ins"
    )
    for reg_type, (registered, arrived) in figures.by_type.items():
        print(f"  {reg_type or '(none)':<18} {arrived:>6,} / {registered:<6,}")
    for code, count in figures.entitlements_given.items():
        print(f"  given: {code:<12} {count:,}")
    return OK


def cmd_rebuild(args: argparse.Namespace) -> int:
    store = open_db(args)
    started = time.perf_counter()
    with store.unit_of_work() as session:
        rebuild(session)
    print(f"Rebuilt derived state in {time.perf_counter() - started:.2f}s.")
    return OK


def cmd_keys(args: argparse.Namespace) -> int:
    store = open_db(args)
    action, arg = args.action, args.arg
    if action in ("import-public", "import-signing", "export-signing", "revoke") and not arg:
        raise UsageError(f"keys {action} needs {'a key number' if action == 'revoke' else 'a keys file'}")
    if action in ("import-public", "import-signing") and not Path(arg).is_file():
        raise UsageError(f"no such file: {arg}")
    passphrase = _passphrase(confirm=action == "export-signing") if action.endswith("-signing") else ""
    with store.unit_of_work() as session:
        if action == "init":
            made = keys.init_keys(session, utc_now())
            print(f"Made badge key {made.number}. Give door stations its public half: checkin keys export-public")
        elif action == "rotate":
            made = keys.rotate(session, utc_now())
            print(f"Made badge key {made.number}; new badges are signed with it, older ones still verify.")
        elif action == "revoke":
            if not arg.isdigit():
                raise UsageError(f"a key number is a whole number, not '{arg}'")
            keys.revoke(session, int(arg), utc_now())
            print(f"Key {arg} revoked: badges signed with it are refused here. Export the keys to the doors.")
        elif action == "import-public":
            changed = keys.import_public(session, Path(arg).read_text(encoding="utf-8", errors="replace"))
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


def _passphrase(confirm: bool) -> str:
    given = os.environ.get(PASSPHRASE_VARIABLE)
    if given is not None:
        return given
    if not sys.stdin.isatty():
        raise UsageError(f"give the signing keys file's passphrase in {PASSPHRASE_VARIABLE}, or run this in a terminal")
    import getpass

    passphrase = getpass.getpass("Passphrase for the signing keys file: ")
    if confirm and getpass.getpass("The same passphrase again: ") != passphrase:
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


def cmd_code(args: argparse.Namespace) -> int:
    store = open_db(args)
    attendee = resolve_id(store, args.id)
    if args.reissue is not None:
        if not args.reissue.strip():
            raise UsageError("--reissue needs a reason (lost, damaged, name corrected, ...)")
        revision, code = badges.reissue(store, attendee.id, args.reissue, utc_now())
    else:
        with store.reading() as session:
            revision = badges.current_revision(session, attendee.id)
            code = badges.badge_code(session, attendee.id, revision)
    if args.json:
        print_json({"attendee_id": attendee.id, "name": attendee.full_name, "revision": revision, "code": code})
    else:
        print(code)
    return OK


def _selection(store: Store, args: argparse.Namespace) -> Selection:
    ids = [resolve_id(store, ref).id for ref in args.attendee]
    reg_type, not_printed = None, False
    for rule in args.filter:
        name, sep, value = rule.partition("=")
        if name == "not-printed" and not sep:
            not_printed = True
        elif name == "type" and value.strip():
            reg_type = value.strip()
        else:
            raise UsageError(f"unknown --filter '{rule}'; use type=NAME or not-printed")
    return Selection(ids, reg_type, not_printed)


def cmd_print(args: argparse.Namespace) -> int:
    try:
        stock = stock_named(args.layout)
        template = load_template(args.template)
    except (UnknownStock, TemplateError) as error:
        raise UsageError(str(error)) from None
    store = open_db(args)
    selection = _selection(store, args)
    with store.reading() as session:
        conference = current_conference(session)
        zone = desk.conference_zone(session)
        if args.what == "badges":
            chosen = select_badges(session, selection)
        elif args.what == "passes":
            passes = select_passes(session, selection)
        else:
            certificates = select_certificates(session, selection, zone)
    if args.out_dir:
        if args.what != "certificates":
            raise UsageError("--out-dir is for certificates (one file per attendee); use --out for one PDF")
        return _certificates_per_attendee(certificates, args.out_dir, conference.name, args.signer)
    pdf = args.out or Path(tempfile.mkstemp(suffix=".pdf", prefix="muster-")[1])
    try:
        if args.what == "badges":
            if not chosen:
                print("No badges match.", file=sys.stderr)
                return REFUSED
            count = render_badges(chosen, stock, template, pdf, len(chosen), progress_bar("Badges"))
        elif args.what == "passes":
            count = render_passes(passes, zone, pdf, conference.name)
        else:
            count = render_certificates(certificates, pdf, conference.name, args.signer, progress_bar("Certificates"))
        if args.printer:
            job = spooler.send(
                pdf,
                args.printer,
                stock if args.what == "badges" else STOCKS["avery-5392"],
                args.copies,
                f"Muster {args.what}",
            )
            print(f"Sent {counted(count, *_NOUNS[args.what])} to {args.printer} ({job}).")
        else:
            print(f"Wrote {counted(count, *_NOUNS[args.what])} to {pdf}.")
    except (ValueError, spooler.PrintFailed) as error:
        print(f"checkin print: {error}", file=sys.stderr)
        return REFUSED
    finally:
        if args.printer:
            pdf.unlink(missing_ok=True)
    if args.what == "badges":
        record_printed(store, chosen, stock.name, args.printer or f"file:{pdf}", args.copies, utc_now())
    return OK


_NOUNS = {"badges": ("badge",), "passes": ("session pass", "session passes"), "certificates": ("certificate",)}


def _certificates_per_attendee(certificates: list[CertificateData], folder: Path, conference: str, signer: str) -> int:
    if not certificates:
        print("No certificates: nobody attended yet.", file=sys.stderr)
        return REFUSED
    folder.mkdir(parents=True, exist_ok=True)
    show = progress_bar("Certificates")
    for n, certificate in enumerate(certificates, start=1):
        badge = certificate.badge
        name = "".join(ch for ch in f"{badge.last_name}-{badge.first_name}" if ch.isalnum() or ch in "-_")
        render_certificates([certificate], folder / f"{badge.external_id}-{name}.pdf", conference, signer)
        show(n, len(certificates))
    print(f"Wrote {counted(len(certificates), 'certificate')} to {folder}.")
    return OK


def cmd_layouts(args: argparse.Namespace) -> int:
    for stock in STOCKS.values():
        w, h = (v / 72 for v in stock.badge)
        print(f"{stock.name:<12} {w:.3g} x {h:.3g} in, {stock.per_page} per page   {stock.description}")
    return OK


def cmd_printers(args: argparse.Namespace) -> int:
    try:
        found = spooler.printers()
    except spooler.PrintFailed as error:
        print(f"checkin printers: {error}", file=sys.stderr)
        return REFUSED
    for name, default in found:
        print(f"{name}{'  (default)' if default else ''}")
    if not found:
        print("No printers are set up.", file=sys.stderr)
    return OK


def cmd_scan(args: argparse.Namespace) -> int:
    store = open_db(args)
    if args.text != "-":
        return verdict_out(scanning.scan(store, args.text, utc_now()), args.json)
    recent = scanning.RecentScans()
    worst = OK
    for line in sys.stdin:  # one verdict per line, flushed, so a caller sees each as soon as it is durable
        worst = max(worst, verdict_out(scanning.scan(store, line, utc_now(), recent), args.json, indent=None))
    return worst


if __name__ == "__main__":
    raise SystemExit(main())
