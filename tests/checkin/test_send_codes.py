"""Codes sent ahead through a real SMTP server (aiosmtpd, with STARTTLS and a login), read back as a kiosk would."""

from __future__ import annotations

import email
import email.policy
import io
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import numpy as np
import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID
from PIL import Image
from sqlalchemy import select

from checkin.cli import main
from checkin.decoding import decode
from checkin.rules.kiosk import decide_kiosk
from checkin.scanning import scan
from checkin.store import open_store
from checkin.store.models import Attendee
from checkin.sync.server import free_port
from tests.conftest import FIXED_WEEK


class Inbox:
    def __init__(self) -> None:
        self.messages: list[email.message.EmailMessage] = []

    async def handle_DATA(self, server, session, envelope) -> str:
        self.messages.append(email.message_from_bytes(envelope.content, policy=email.policy.default))
        return "250 OK"


def _certificate(folder: Path) -> tuple[Path, Path]:
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "localhost")])
    now = datetime.now(UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(days=1))
        .not_valid_after(now + timedelta(days=1))
        .add_extension(x509.SubjectAlternativeName([x509.DNSName("localhost")]), critical=False)
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    cert_path, key_path = folder / "smtp.crt", folder / "smtp.key"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(
        key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    )
    return cert_path, key_path


def _login(server, session, envelope, mechanism, auth_data) -> AuthResult:
    def text(value: str | bytes) -> str:
        return value.decode() if isinstance(value, bytes) else value

    good = isinstance(auth_data, LoginPassword) and (text(auth_data.login), text(auth_data.password)) == (
        "reg",
        "mail pass",
    )
    return AuthResult(success=good, handled=False)  # not handled: the server answers 535 itself


@pytest.fixture
def mail_server(tmp_path: Path) -> Iterator[tuple[Inbox, int, Path]]:
    import ssl

    cert, key = _certificate(tmp_path)
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(cert, key)
    inbox = Inbox()
    port = free_port()
    controller = Controller(
        inbox,
        hostname="127.0.0.1",
        port=port,
        server_hostname="localhost",
        tls_context=context,
        require_starttls=True,
        authenticator=_login,
        auth_require_tls=True,
    )
    controller.start()
    yield inbox, port, cert
    controller.stop()


@pytest.fixture
def conference(tmp_path: Path) -> list[str]:
    db = ["--db", str(tmp_path / "desk.sqlite")]
    assert main(["demo", *db, "--attendees", "40", *FIXED_WEEK]) == 0
    return db


def _qr_in(message: email.message.EmailMessage) -> str:
    [picture] = [part for part in message.iter_attachments() if part.get_content_type() == "image/png"]
    image = Image.open(io.BytesIO(picture.get_content())).convert("L")
    [code] = decode(np.asarray(image))
    return code


def test_each_attendee_gets_a_code_the_kiosk_takes_and_nobody_gets_two(
    conference: list[str], mail_server: tuple[Inbox, int, Path], monkeypatch, capsys
) -> None:
    inbox, port, cert = mail_server
    monkeypatch.setenv("MUSTER_SMTP_PASSWORD", "mail pass")
    send = ["send-codes", "--smtp", f"localhost:{port}", "--from", "Registration <reg@conf.example>"]
    send += ["--user", "reg", "--cafile", str(cert), "--per-minute", "6000", *conference]
    assert main(["send-codes", "--dry-run", *conference]) == 0
    would = capsys.readouterr().out
    assert inbox.messages == [] and would.startswith("Would send ")
    expected = int(would.split()[2])
    assert expected > 20

    assert main(send) == 0, capsys.readouterr().err
    assert len(inbox.messages) == expected
    store = open_store(conference[1])
    with store.reading() as session:
        emails = {a.email: a.id for a in session.scalars(select(Attendee))}
    first = inbox.messages[0]
    assert str(first["Subject"]).strip().startswith("Your check-in code for National School Safety")
    code = _qr_in(first)
    assert code in first.get_body(("plain",)).get_content()  # the desk can type it too
    verdict = scan(store, code, store.now(), decide=decide_kiosk)  # a kiosk takes it
    assert verdict.accepted and verdict.attendee is not None
    assert verdict.attendee.id == emails[first["To"].addresses[0].addr_spec]
    store.close()

    capsys.readouterr()
    assert main(send) == 0 and "nothing to send" in capsys.readouterr().out
    assert len(inbox.messages) == expected  # nobody twice
    assert len({m["To"].addresses[0].addr_spec for m in inbox.messages}) == expected


def test_a_run_cut_short_resumes_where_it_stopped(conference: list[str], mail_server, monkeypatch) -> None:
    from checkin import send_codes

    inbox, port, cert = mail_server
    store = open_store(conference[1])
    total = len(send_codes.still_to_send(store))
    smtp = send_codes.Smtp("localhost", port, "reg@conf.example", "reg", "mail pass", cafile=cert)

    def stop_after_three(progress: send_codes.Progress) -> None:
        if progress.done == 3:
            raise KeyboardInterrupt  # Ctrl+C, or the laptop closed

    with pytest.raises(KeyboardInterrupt):
        send_codes.send(store, smtp, 6000, stop_after_three)
    assert len(inbox.messages) == 3 and len(send_codes.still_to_send(store)) == total - 3
    assert send_codes.send(store, smtp, 6000) == total - 3
    assert len(inbox.messages) == total
    assert len({m["To"].addresses[0].addr_spec for m in inbox.messages}) == total
    store.close()


def test_a_server_without_tls_or_with_a_wrong_login_is_said(
    conference: list[str], mail_server, tmp_path: Path, monkeypatch, capsys
) -> None:
    inbox, port, cert = mail_server
    plain = Controller(Inbox(), hostname="127.0.0.1", port=(plain_port := free_port()))
    plain.start()
    try:
        sent = main(["send-codes", "--smtp", f"127.0.0.1:{plain_port}", "--from", "reg@conf.example", *conference])
        assert sent == 1 and "offers no TLS" in capsys.readouterr().err
    finally:
        plain.stop()
    monkeypatch.setenv("MUSTER_SMTP_PASSWORD", "guess")
    wrong = ["send-codes", "--smtp", f"localhost:{port}", "--from", "reg@conf.example", "--user", "reg"]
    assert main([*wrong, "--cafile", str(cert), *conference]) == 1
    assert "refused the login for reg" in capsys.readouterr().err
    assert main([*wrong, *conference]) == 1  # its certificate, unknown to the public authorities
    assert "failed the TLS check" in capsys.readouterr().err
    assert inbox.messages == []


def test_codes_for_mailing_by_hand_go_to_a_folder(conference: list[str], tmp_path: Path) -> None:
    assert main(["send-codes", "--to-folder", str(tmp_path / "codes"), *conference]) == 0
    pictures = sorted((tmp_path / "codes").glob("*.png"))
    assert len(pictures) > 20 and pictures[0].name.startswith("R1")
    [code] = decode(np.asarray(Image.open(pictures[0]).convert("L")))
    assert code.startswith("M1")
