"""`checkin print`, `layouts` and `printers`: badges, passes and certificates to PDF files or printers."""

from __future__ import annotations

import argparse
import sys
import tempfile
from datetime import date
from pathlib import Path

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from checkin.cli.common import (
    OK,
    REFUSED,
    Define,
    UsageError,
    open_db,
    positive,
    progress_bar,
    resolve_id,
)
from checkin.conference import conference_zone, current_conference
from checkin.printing import spooler
from checkin.printing.badge_pdf import BadgeData
from checkin.printing.bulk import render_many
from checkin.printing.documents import CertificateData, render_certificates, render_passes
from checkin.printing.layouts import DEFAULT_STOCK, STOCKS, UnknownStock, stock_named
from checkin.printing.log import record_printed
from checkin.printing.sources import Selection, select_badges, select_certificates, select_passes
from checkin.printing.template import TemplateError, load_template
from checkin.store import Store
from checkin.store.models import ConferenceSession
from checkin.text import counted


def add_commands(command: Define) -> None:
    prints = command("print", cmd_print)
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
    prints.add_argument(
        "--mark-printed",
        action="store_true",
        help="badges written to --out count as printed (a PDF is otherwise a preview; a printer always counts)",
    )
    prints.add_argument(
        "--day",
        type=date.fromisoformat,
        metavar="YYYY-MM-DD",
        help="passes: the sessions of this day (default: today, on the conference's clock)",
    )
    prints.add_argument("--session", action="append", default=[], metavar="TITLE", help="passes: this session only")
    prints.add_argument(
        "--attendance-only",
        action="store_true",
        help="certificates: also for those who earned no training hours (labelled attendance only)",
    )
    prints.add_argument("--copies", type=positive, default=1)
    prints.add_argument("--signer", default="Conference Director", help="certificates: who signs")

    command("layouts", cmd_layouts)
    command("printers", cmd_printers)


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
        zone = conference_zone(session)
        if args.what == "badges":
            chosen = select_badges(session, selection)
        elif args.what == "passes":
            chosen_sessions = _sessions_named(session, args.session)
            day = None if chosen_sessions else args.day or store.now().astimezone(zone).date()
            passes = select_passes(session, selection, chosen_sessions, day, zone)
        else:
            certificates = select_certificates(session, selection, zone, store.now(), args.attendance_only)
    if args.what == "certificates" and not certificates:
        why = "nobody attended yet" if args.attendance_only else "nobody has earned training hours yet"
        print(f"No certificates: {why} (--attendance-only: certificates of attendance).", file=sys.stderr)
        return REFUSED
    if args.what == "passes" and not passes:
        print("No session passes: no pre-registered session on that day (--day, --session).", file=sys.stderr)
        return REFUSED
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
            count = render_many(chosen, stock, template, pdf, progress_bar("Badges"))
            _say_transliterated(chosen)
        elif args.what == "passes":
            count = render_passes(passes, zone, pdf, conference.name)
        else:
            count = render_certificates(certificates, pdf, conference.name, args.signer, progress_bar("Certificates"))
        if args.printer:
            job = spooler.send(
                pdf,
                args.printer,
                stock.page if args.what == "badges" else STOCKS["avery-5392"].page,
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
    if args.what == "badges" and (args.printer or args.mark_printed):  # a preview changes nothing
        record_printed(store, chosen, stock.name, args.printer or f"file:{pdf}", args.copies, store.now())
    return OK


def _say_transliterated(badges: list[BadgeData]) -> None:
    lacking = [(badge, missing) for badge in badges if (missing := badge.without_font())]
    if not lacking:
        return
    names = ", ".join(
        f"{badge.first_name} {badge.last_name} ({badge.external_id})".strip() for badge, _ in lacking[:5]
    ) + ("" if len(lacking) <= 5 else f" and {len(lacking) - 5} more")
    letters = "".join(dict.fromkeys("".join(missing for _, missing in lacking)))[:20]
    print(
        f"Warning: no font on this computer has the letters {letters}: {counted(len(lacking), 'badge', 'badges')} "
        f"spell them in Latin letters instead ({names}). Install a font for that script (Noto fonts cover every "
        "script) and print them again.",
        file=sys.stderr,
    )


def _sessions_named(session: Session, titles: list[str]) -> list[str]:
    """The ids of the sessions whose titles contain each of ``titles`` (UsageError when one matches none)."""
    found: list[str] = []
    for title in titles:
        ids = session.scalars(
            select(ConferenceSession.id).where(func.lower(ConferenceSession.title).contains(title.strip().lower()))
        ).all()
        if not ids:
            raise UsageError(f"no session's title contains '{title}' (see `checkin sessions`)")
        found += ids
    return found


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
