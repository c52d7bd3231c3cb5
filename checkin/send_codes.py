"""Codes sent ahead: each attendee gets their personal check-in QR by email before the conference, so a kiosk can
serve any conference (a Wild Apricot export carries no ticket codes to scan).

The QR holds the attendee's signed badge code, which desks, doors and kiosks all accept and nobody can forge.
Mail goes through the organiser's own SMTP server, always over TLS (STARTTLS, or TLS from the first byte), at a
steady pace. Each mail the server accepts is recorded as an event at once, so a run cut short (Ctrl+C, the
laptop asleep, the server gone) resumes where it stopped and nobody gets two; a reprinted badge (a new
revision) gets its new code the next time.
"""

from __future__ import annotations

import io
import smtplib
import ssl
import time
from collections.abc import Callable
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import formataddr, make_msgid
from pathlib import Path

import qrcode
from sqlalchemy import select

from checkin.badges import Signer
from checkin.conference import current_conference
from checkin.domain import EventKind, Status
from checkin.events import NewEvent, record
from checkin.paths import make_private_file, make_private_folder
from checkin.store import Store
from checkin.store.models import Attendee, BadgeState, Event

ADMITTED = (Status.PAID,)  # free and comp registrations import as paid (see the README's status table)


class MailProblem(RuntimeError):
    """The SMTP server cannot be used as asked (no TLS, login refused, unreachable), in words."""


@dataclass(frozen=True)
class Recipient:
    attendee_id: str
    external_id: str
    name: str
    email: str
    revision: int


@dataclass(frozen=True)
class Smtp:
    host: str
    port: int
    sender: str
    user: str = ""
    password: str = ""
    tls_from_start: bool = False  # port 465 style; otherwise STARTTLS, which the server must offer
    cafile: Path | None = None  # a server whose certificate no public authority signed (the venue's own)


def still_to_send(store: Store) -> list[Recipient]:
    """Who should get a code and has not had this badge revision's yet: admitted, with an email."""
    with store.reading() as session:
        sent = {
            (row.attendee_id, int(row.payload.get("revision", 1)))
            for row in session.execute(
                select(Event.attendee_id, Event.payload).where(Event.kind == EventKind.CODE_SENT.value)
            )
        }
        people = session.scalars(
            select(Attendee)
            .where(Attendee.status.in_([s.value for s in ADMITTED]), Attendee.email != "")
            .order_by(Attendee.last_name, Attendee.first_name, Attendee.external_id)
        ).all()
        revisions = {a: r for a, r in session.execute(select(BadgeState.attendee_id, BadgeState.revision))}
        found = []
        for person in people:
            revision = revisions.get(person.id, 1)  # as badges.current_revision: 1 until a reprint
            if (person.id, revision) not in sent:
                found.append(
                    Recipient(
                        person.id,
                        person.external_id,
                        f"{person.first_name} {person.last_name}".strip(),
                        person.email,
                        revision,
                    )
                )
        return found


def qr_png(code: str) -> bytes:
    image = qrcode.make(code, border=4, box_size=8)
    out = io.BytesIO()
    image.save(out, format="PNG")
    return out.getvalue()


def message_for(conference: str, sender: str, recipient: Recipient, code: str) -> EmailMessage:
    message = EmailMessage()
    message["Subject"] = f"Your check-in code for {conference}"
    message["From"] = sender
    message["To"] = formataddr((recipient.name, recipient.email))
    message["Message-ID"] = make_msgid(domain="muster.invalid")
    message.set_content(
        f"Hello {recipient.name},\n\n"
        f"this is your personal check-in code for {conference}. Show the QR code in the attached picture at a "
        "check-in kiosk or at the registration desk, on your phone or printed, and your badge prints at once.\n\n"
        f"Registration {recipient.external_id}. The code is yours alone: please do not share it.\n\n"
        f"If the kiosk cannot read it, the desk can type it:\n{code}\n"
    )
    message.add_attachment(qr_png(code), maintype="image", subtype="png", filename="check-in-code.png")
    return message


@dataclass(frozen=True)
class Progress:
    done: int
    total: int
    name: str


def send(
    store: Store,
    smtp: Smtp,
    per_minute: float,
    on_progress: Callable[[Progress], None] = lambda _p: None,
    sleep: Callable[[float], None] = time.sleep,
) -> int:
    """Mail every attendee still to get their code, at most ``per_minute``; returns how many were sent."""
    waiting = still_to_send(store)
    if not waiting:
        return 0
    with store.unit_of_work() as session:
        conference = current_conference(session).name
        signer = Signer(session)  # the private key opened once for the whole run
    with _connected(smtp) as server:
        pace = 60.0 / per_minute
        next_at = time.monotonic()
        for done, recipient in enumerate(waiting, start=1):
            delay = next_at - time.monotonic()
            if delay > 0:
                sleep(delay)  # the server's (and its provider's) limit on mail per minute
            next_at = time.monotonic() + pace
            code = signer.code(recipient.attendee_id, recipient.revision)
            message = message_for(conference, smtp.sender, recipient, code)
            try:
                server.send_message(message)
            except smtplib.SMTPRecipientsRefused:
                on_progress(Progress(done, len(waiting), f"{recipient.name}: the server refused {recipient.email}"))
                continue
            with store.unit_of_work() as session:  # accepted by the server: recorded, never sent twice
                record(
                    session,
                    NewEvent(
                        EventKind.CODE_SENT,
                        store.station,
                        store.now(),
                        recipient.attendee_id,
                        {"revision": recipient.revision},
                    ),
                )
            on_progress(Progress(done, len(waiting), recipient.name))
    return len(waiting)


def write_to_folder(store: Store, folder: Path) -> int:
    """One PNG per attendee still to get a code, named by registration id and name, for mailing by hand. Each
    lets its holder check in as that person, so the folder and the pictures are readable by this user only."""
    waiting = still_to_send(store)
    make_private_folder(folder)
    with store.unit_of_work() as session:
        signer = Signer(session)
    for recipient in waiting:
        safe = "".join(ch if ch.isalnum() else "-" for ch in recipient.name).strip("-")
        picture = folder / f"{recipient.external_id}-{safe}.png"
        make_private_file(picture)
        picture.write_bytes(qr_png(signer.code(recipient.attendee_id, recipient.revision)))
    return len(waiting)


class _connected:
    """An SMTP session over TLS, logged in when a user is given; MailProblem in words when it cannot be."""

    def __init__(self, smtp: Smtp) -> None:
        self._smtp = smtp
        self._server: smtplib.SMTP | None = None

    def __enter__(self) -> smtplib.SMTP:
        smtp = self._smtp
        context = ssl.create_default_context(cafile=str(smtp.cafile) if smtp.cafile else None)
        where = f"{smtp.host}:{smtp.port}"
        try:
            if smtp.tls_from_start:
                server: smtplib.SMTP = smtplib.SMTP_SSL(smtp.host, smtp.port, context=context, timeout=30)
            else:
                server = smtplib.SMTP(smtp.host, smtp.port, timeout=30)
                server.ehlo()
                if not server.has_extn("starttls"):
                    server.quit()
                    raise MailProblem(
                        f"the mail server at {where} offers no TLS (STARTTLS): attendees' names and codes would "
                        "cross the network in clear. Use the server's TLS port (often 587, or 465 with --ssl)"
                    )
                server.starttls(context=context)
                server.ehlo()
            if smtp.user:
                server.login(smtp.user, smtp.password)
        except ssl.SSLError as error:
            raise MailProblem(f"the mail server at {where} failed the TLS check: {error.reason or error}") from error
        except smtplib.SMTPAuthenticationError as error:
            raise MailProblem(f"the mail server at {where} refused the login for {smtp.user}") from error
        except OSError as error:
            raise MailProblem(f"cannot reach the mail server at {where}: {error.strerror or error}") from error
        self._server = server
        return server

    def __exit__(self, *_: object) -> None:
        if self._server is not None:
            try:
                self._server.quit()
            except (smtplib.SMTPException, OSError):
                self._server.close()
