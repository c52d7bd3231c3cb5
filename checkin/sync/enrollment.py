"""Enrollment codes: how one station joins the hub with a login of its own.

The organiser's `checkin stations add` makes a station login with a one-time password and prints a code that
carries everything the station needs to reach the hub once: its address, its database, the login and the
one-time password. `checkin join CODE` (or the app's first run) logs in with it, binds the login to this
station, sets a password only the station knows and keeps it in the system keyring, never on screen.

A code reads ``HOST:PORT/DATABASE/xxxx-xxxx-…`` with 36 letters and digits after the last '/', from an
alphabet with no look-alikes, in groups of four, any case: 6 name the login, 14 are the one-time password and
16 are the start of the hub certificate's fingerprint, which the station pins (see `checkin.sync.tls`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from urllib.parse import quote

from sqlalchemy.exc import OperationalError

from checkin import supervisor
from checkin.paths import data_dir
from checkin.store import Store
from checkin.store.engine import create_hub_engine
from checkin.store.settings import set_setting
from checkin.sync import credentials, roles, tls
from checkin.sync.server import hub_url

DEFAULT_VALID_FOR = timedelta(hours=24)
_LETTERS = roles.LOGIN_LETTERS + roles.ONE_TIME_LETTERS + tls.FINGERPRINT_LEN
_CODE = re.compile(
    r"^\s*(?P<host>\[[0-9a-fA-F:.]+\]|[^\s:/\[\]]+):(?P<port>\d{1,5})/(?P<database>[A-Za-z0-9_]+)/(?P<letters>[A-Za-z0-9-]+)\s*$"
)


class EnrollmentProblem(RuntimeError):
    """A code that cannot be one, or a join the hub refused, in words for the person typing it."""


@dataclass(frozen=True)
class Ticket:
    host: str
    port: int
    database: str
    login: str
    password: str
    fingerprint: str

    def url(self, certificate: Path, password: str | None = None) -> str:
        """The login's URL, accepting no hub but the one holding ``certificate`` (libpq: verify-ca, sole root)."""
        plain = hub_url(self.host.strip("[]"), self.port, password or self.password, self.login, self.database)
        return f"{plain}?sslmode=verify-ca&sslrootcert={quote(str(certificate), safe='/')}"


def code_for(host: str, port: int, database: str, enrollment: roles.Enrollment, fingerprint: str) -> str:
    letters = enrollment.login.removeprefix(roles.LOGIN_PREFIX) + enrollment.password + fingerprint
    groups = "-".join(letters[i : i + 4] for i in range(0, len(letters), 4))
    shown_host = f"[{host}]" if ":" in host else host
    return f"{shown_host}:{port}/{database}/{groups}"


def read_code(code: str) -> Ticket:
    """The ticket in a code as typed or scanned; EnrollmentProblem saying what is wrong with it."""
    found = _CODE.match(code)
    if not found:
        raise EnrollmentProblem(
            "that is not an enrollment code: it looks like "
            "192.168.1.20:5432/muster/abcd-efgh-jkmn-pqrs-tuvw-xyz2-3456-789a-bcde "
            "(checkin stations add prints one on the hub laptop)"
        )
    letters = found["letters"].replace("-", "").lower()
    wrong = sorted(set(letters) - set(roles.ALPHABET))
    if wrong:
        raise EnrollmentProblem(
            f"an enrollment code has no {', '.join(repr(c) for c in wrong)}: check the letters against the code shown"
        )
    if len(letters) != _LETTERS:
        raise EnrollmentProblem(
            f"an enrollment code has {_LETTERS} letters and digits after the last '/', this one "
            f"{len(letters)}: check for a group left out or typed twice"
        )
    port = int(found["port"])
    if not 0 < port < 65536:
        raise EnrollmentProblem(f"{port} is no network port: check the number after the ':'")
    return Ticket(
        found["host"].lower(),  # a code typed in capitals: host names have no case, and Muster's database none
        port,
        found["database"].lower(),
        roles.LOGIN_PREFIX + letters[: roles.LOGIN_LETTERS],
        letters[roles.LOGIN_LETTERS : roles.LOGIN_LETTERS + roles.ONE_TIME_LETTERS],
        letters[roles.LOGIN_LETTERS + roles.ONE_TIME_LETTERS :],
    )


STATION_PASSWORD_LEN = 32


def _refused(error: OperationalError, ticket: Ticket) -> str:
    said = str(error.orig).strip().splitlines()[0] if error.orig else str(error)
    if "password authentication failed" in said:
        return (
            "the hub did not take this code: it has been used, has expired or was revoked, or a letter is wrong. "
            "Ask the organiser for a new one (checkin stations add on the hub laptop)"
        )
    return f"the hub at {ticket.host}:{ticket.port} did not answer: {said}"


def join(store: Store, code: str) -> roles.Joined:
    """Exchange a code for this station's own hub login, kept in the keyring; rename the station as the
    organiser named it. A refused code changes nothing here."""
    ticket = read_code(code)
    certificate = tls.pin(
        tls.fetch_certificate(ticket.host, ticket.port), ticket.fingerprint, data_dir() / "hub-certificates"
    )
    password = roles.random_text(STATION_PASSWORD_LEN)
    station_url = ticket.url(certificate, password)
    station_id = store.station.id
    before = credentials.load(station_id)
    try:  # first: a station that cannot keep its password must not set one
        credentials.save(station_id, station_url)
    except credentials.CredentialsProblem as problem:
        raise EnrollmentProblem(
            "this laptop has no system keyring to keep its hub login in (a desktop session's Secret Service, "
            "Keychain or Credential Locker): log in to the desktop, then join again"
        ) from problem
    engine = create_hub_engine(ticket.url(certificate))
    try:
        with engine.begin() as connection:
            joined = roles.join(connection, station_id, password)
    except Exception as error:
        if before is None:
            credentials.forget(station_id)
        else:
            credentials.save(station_id, before)
        if isinstance(error, OperationalError):
            raise EnrollmentProblem(_refused(error, ticket)) from error
        raise
    finally:
        engine.dispose()
    store.rename_station(joined.name)
    with store.writing() as connection:
        set_setting(connection, supervisor.KIND_SETTING, joined.kind)
    return joined
