"""`checkin send-codes`: every attendee's check-in QR by email, ahead of the conference."""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from checkin.cli.common import OK, REFUSED, Define, UsageError, host_and_port, open_db, secret
from checkin.send_codes import MailProblem, Progress, Smtp, send, still_to_send, write_to_folder
from checkin.text import counted

PASSWORD_VARIABLE = "MUSTER_SMTP_PASSWORD"
KEYRING_SERVICE = "Muster mail"  # the SMTP password, by user@host


def add_commands(command: Define) -> None:
    mail = command("send-codes", cmd_send_codes)
    mail.add_argument("--smtp", metavar="HOST[:PORT]", help="the organiser's mail server (port 587 unless given)")
    mail.add_argument("--from", dest="sender", metavar="ADDRESS", help="e.g. 'Registration <reg@example.org>'")
    mail.add_argument("--user", default="", help="the mail server login (its password: keyring, or asked)")
    mail.add_argument("--ssl", action="store_true", help="TLS from the first byte (port 465) instead of STARTTLS")
    mail.add_argument("--cafile", type=Path, help="the mail server's certificate, if no public authority signed it")
    mail.add_argument("--per-minute", type=float, default=30.0, help="at most this many mails a minute (default 30)")
    mail.add_argument("--dry-run", action="store_true", help="say who would get a code, send nothing")
    mail.add_argument("--to-folder", type=Path, metavar="DIR", help="write one QR picture per attendee instead")


def cmd_send_codes(args: argparse.Namespace) -> int:
    store = open_db(args)
    waiting = still_to_send(store)
    if args.dry_run:
        print(f"Would send {counted(len(waiting), 'check-in code')}, one per attendee who has none yet:")
        for recipient in waiting[:10]:
            print(f"  {recipient.external_id}  {recipient.name}")
        if len(waiting) > 10:
            print(f"  … and {len(waiting) - 10:,} more")
        return OK
    if args.to_folder:
        written = write_to_folder(store, args.to_folder)
        print(f"Wrote {counted(written, 'QR picture')} to {args.to_folder}.")
        return OK
    if not args.smtp or not args.sender:
        raise UsageError("say which mail server and sender: --smtp HOST[:PORT] --from ADDRESS (or --to-folder DIR)")
    if not 0 < args.per_minute <= 6000:
        raise UsageError("--per-minute takes a number from 1 to 6000")
    host, port = host_and_port(args.smtp, 465 if args.ssl else 587)
    smtp = Smtp(
        host=host,
        port=port,
        sender=args.sender,
        user=args.user,
        password=_password(args.user, host) if args.user else "",
        tls_from_start=args.ssl,
        cafile=args.cafile,
    )
    if not waiting:
        print("Every attendee with an email already has their code: nothing to send.")
        return OK

    def show(progress: Progress) -> None:
        print(f"{progress.done:,} of {progress.total:,}: {progress.name}", flush=True)

    try:
        sent = send(store, smtp, args.per_minute, show)
    except MailProblem as problem:
        print(f"checkin send-codes: {problem}; nothing more was sent.", file=sys.stderr)
        return REFUSED
    except KeyboardInterrupt:
        left = len(still_to_send(store))
        print(f"Stopped: {counted(left, 'code')} still to send. Run the same command again to send them.")
        return REFUSED
    print(f"Sent {counted(sent, 'check-in code')}. Running this again sends only codes not sent yet.")
    return OK


def _password(user: str, host: str) -> str:
    """The mail login's password: the environment (scripts), the keyring, or asked once and kept there."""
    from checkin.sync.credentials import fetch_secret, keep_secret

    if (given := os.environ.get(PASSWORD_VARIABLE)) is not None:
        return given
    name = f"{user}@{host}"
    if (kept := fetch_secret(KEYRING_SERVICE, name)) is not None:
        return kept
    typed = secret(PASSWORD_VARIABLE, f"Password for {name}: ")
    keep_secret(KEYRING_SERVICE, name, typed)
    return typed
