"""TLS between stations and the hub: the hub's own certificate, pinned by each station at enrollment.

The PostgreSQL that pip brings (pgserver's) is built without OpenSSL, so it cannot speak TLS itself. So `hub
serve` runs PostgreSQL on its Unix socket only, and puts this front on the network: it answers a client's
SSLRequest (PostgreSQL's own way of asking for TLS), completes the TLS handshake with the hub's certificate,
and relays the decrypted bytes to PostgreSQL's socket, where the login is still checked by SCRAM. A client
that does not ask for TLS gets PostgreSQL's kind of error and nothing else: plaintext never reaches the server.

A station never trusts a certificate because it was offered. Its enrollment code carries the first letters of
the certificate's SHA-256; at join the station fetches the certificate, checks it against them and keeps it;
from then on libpq accepts only that certificate (``sslmode=verify-ca`` with it as the only root).
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import os
import socket
import ssl
import struct
import threading
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from checkin.paths import make_private_file, make_private_folder
from checkin.sync.roles import ALPHABET
from checkin.sync.server import HUB_USER, listen_advice

SSL_REQUEST = 80877103
GSSENC_REQUEST = 80877104
FINGERPRINT_LEN = 16  # letters of the certificate's SHA-256 in an enrollment code: no forged certificate matches


class TlsProblem(RuntimeError):
    """A hub whose certificate is not the pinned one, or that does not speak TLS, in words."""


@dataclass(frozen=True)
class HubCertificate:
    certificate: Path
    key: Path

    def fingerprint(self) -> str:
        return fingerprint_of(ssl.PEM_cert_to_DER_cert(self.certificate.read_text()))


def fingerprint_of(der: bytes) -> str:
    """The start of the certificate's SHA-256, in the letters an enrollment code is typed in (~79 bits)."""
    number = int.from_bytes(hashlib.sha256(der).digest(), "big")
    letters = []
    for _ in range(FINGERPRINT_LEN):
        number, digit = divmod(number, len(ALPHABET))
        letters.append(ALPHABET[digit])
    return "".join(letters)


def hub_certificate(folder: Path) -> HubCertificate:
    """The hub's certificate and key in ``folder``, made the first time (ten years; its own authority)."""
    made = HubCertificate(folder / "hub.crt", folder / "hub.key")
    if made.certificate.exists() and made.key.exists():
        return made
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    make_private_folder(folder)
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "Muster venue hub")])
    now = datetime.now(UTC)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(days=1))
        .not_valid_after(now + timedelta(days=3650))
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=True,
                key_cert_sign=True,
                content_commitment=False,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                crl_sign=False,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .sign(key, hashes.SHA256())
    )
    make_private_file(made.key)
    made.key.write_bytes(
        key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    )
    made.certificate.write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
    return made


def fetch_certificate(host: str, port: int, timeout_s: float = 5.0) -> bytes:
    """The certificate a PostgreSQL server (or this front) offers, in DER, trusting nothing yet."""
    try:
        with socket.create_connection((host.strip("[]"), port), timeout=timeout_s) as raw:
            raw.sendall(struct.pack("!II", 8, SSL_REQUEST))
            answer = raw.recv(1)
            if answer != b"S":
                raise TlsProblem(f"the hub at {host}:{port} does not speak TLS; Muster stations refuse plaintext")
            context = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
            context.check_hostname = False
            context.verify_mode = ssl.CERT_NONE  # checked against the pinned fingerprint just below
            with context.wrap_socket(raw, server_hostname=host.strip("[]")) as wrapped:
                der = wrapped.getpeercert(binary_form=True)
    except OSError as error:
        raise TlsProblem(f"cannot reach the hub at {host}:{port}: {error.strerror or error}") from error
    if not der:
        raise TlsProblem(f"the hub at {host}:{port} offered no certificate")
    return der


def pin(der: bytes, expected: str, folder: Path) -> Path:
    """Keep the hub's certificate if it is the one the enrollment code names; TlsProblem if not."""
    if fingerprint_of(der) != expected:
        raise TlsProblem(
            "the hub's certificate is not the one in the enrollment code: something on the network may be "
            "posing as the hub. Nothing was sent; check the code, and ask the organiser"
        )
    make_private_folder(folder)
    path = folder / f"hub-{expected}.crt"
    make_private_file(path)
    path.write_text(ssl.DER_cert_to_PEM_cert(der), encoding="ascii")
    return path


# -- the front ------------------------------------------------------------------------------------------


def _error_packet(message: str) -> bytes:
    """A PostgreSQL ErrorResponse, so a plaintext client shows a sentence, not a broken connection."""
    fields = b"".join(
        code + text.encode() + b"\0"
        for code, text in ((b"S", "FATAL"), (b"V", "FATAL"), (b"C", "08P01"), (b"M", message))
    )
    body = fields + b"\0"
    return b"E" + struct.pack("!I", len(body) + 4) + body


PLAINTEXT_REFUSED = "this hub accepts only encrypted (TLS) connections: join it with an enrollment code"
ORGANISER_REFUSED = "the organiser's login works only on the hub laptop itself; stations join with an enrollment code"


class Front:
    """The hub's TLS listener, relaying to PostgreSQL's Unix socket; runs on a thread of its own."""

    def __init__(
        self, certificate: HubCertificate, host: str, port: int, socket_path: Path, local_only: str = HUB_USER
    ) -> None:
        self._context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        self._context.minimum_version = ssl.TLSVersion.TLSv1_2
        self._context.load_cert_chain(certificate.certificate, certificate.key)
        self._host, self._port, self._socket_path = host, port, socket_path
        self._local_only = local_only  # the organiser's login: never from the network
        self._loop = asyncio.new_event_loop()
        self._ready = threading.Event()
        self._failed: BaseException | None = None
        self._server: asyncio.AbstractServer | None = None
        self._thread = threading.Thread(target=self._run, name="muster-tls-front", daemon=True)

    def start(self) -> None:
        self._thread.start()
        self._ready.wait()
        if self._failed is not None:
            failed = self._failed
            said = os.strerror(failed.errno) if isinstance(failed, OSError) and failed.errno else str(failed)
            advice = listen_advice(said, self._host, self._port)
            raise TlsProblem(advice or f"cannot listen on {self._host}:{self._port}: {said}") from self._failed

    def stop(self) -> None:
        if self._thread.is_alive():
            self._loop.call_soon_threadsafe(self._loop.stop)
            self._thread.join()

    def _run(self) -> None:
        asyncio.set_event_loop(self._loop)
        try:
            host = None if self._host in ("0.0.0.0", "*", "") else self._host
            self._server = self._loop.run_until_complete(
                asyncio.start_server(self._serve, host, self._port, reuse_address=True)
            )
        except OSError as error:
            self._failed = error
            self._ready.set()
            return
        self._ready.set()
        try:
            self._loop.run_forever()
        finally:
            self._server.close()
            self._loop.close()

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            if not await self._negotiate(reader, writer):
                return
            startup = await _message(reader)
            if _startup_user(startup) == self._local_only:
                await _refuse(writer, ORGANISER_REFUSED)
                return
            upstream_reader, upstream_writer = await asyncio.open_unix_connection(str(self._socket_path))
            upstream_writer.write(startup)
        except (OSError, EOFError, asyncio.IncompleteReadError, ssl.SSLError, ValueError):
            writer.close()
            return
        await asyncio.gather(_relay(reader, upstream_writer), _relay(upstream_reader, writer))

    async def _negotiate(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> bool:
        """Answer SSLRequest with TLS; refuse GSSAPI encryption (the client then asks for TLS) and plaintext."""
        while True:
            length, code = struct.unpack("!II", await reader.readexactly(8))
            if length == 8 and code == GSSENC_REQUEST:
                writer.write(b"N")
                continue
            if length == 8 and code == SSL_REQUEST:
                writer.write(b"S")
                await writer.drain()
                await writer.start_tls(self._context)
                return True
            await _refuse(writer, PLAINTEXT_REFUSED)
            return False


async def _refuse(writer: asyncio.StreamWriter, message: str) -> None:
    writer.write(_error_packet(message))
    with contextlib.suppress(OSError, ssl.SSLError):
        await writer.drain()
    writer.close()


MAX_STARTUP = 10_000  # a startup message is a few hundred bytes: anything far larger is not PostgreSQL's


async def _message(reader: asyncio.StreamReader) -> bytes:
    """The client's startup message, whole (length first, as PostgreSQL frames it)."""
    head = await reader.readexactly(4)
    (length,) = struct.unpack("!I", head)
    if not 8 <= length <= MAX_STARTUP:
        raise ValueError("not a startup message")
    return head + await reader.readexactly(length - 4)


def _startup_user(startup: bytes) -> str | None:
    """The login a startup message asks for (its parameters are name, NUL, value, NUL pairs)."""
    fields = startup[8:].split(b"\0")
    for name, value in zip(fields[::2], fields[1::2], strict=False):
        if name == b"user":
            return value.decode("utf-8", "replace")
    return None


async def _relay(source: asyncio.StreamReader, target: asyncio.StreamWriter) -> None:
    try:
        while chunk := await source.read(65536):
            target.write(chunk)
            await target.drain()
    except (OSError, ssl.SSLError):
        pass
    finally:
        with contextlib.suppress(OSError, ssl.SSLError, RuntimeError):
            target.close()
