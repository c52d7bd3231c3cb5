"""Where a station keeps the hub's URL (which holds the password): the OS keyring, never a plain file.

The keyring is the platform's own (Windows Credential Locker, macOS Keychain, the Secret Service on
Linux desktops). A kiosk without one can be given the URL in the MUSTER_HUB_URL environment variable.
"""

from __future__ import annotations

import contextlib
import os
from types import ModuleType

from sqlalchemy.engine import make_url

SERVICE = "Muster hub"
ENVIRONMENT = "MUSTER_HUB_URL"


class CredentialsProblem(RuntimeError):
    pass


def check_url(url: str) -> str:
    """The URL if it names a PostgreSQL database; otherwise a problem that says what is wrong."""
    try:
        parsed = make_url(url)
    except Exception as error:
        raise CredentialsProblem(
            f"not a database URL: {url!r} (expected postgresql://USER:PASSWORD@HOST:PORT/DB)"
        ) from error
    if parsed.get_backend_name() != "postgresql":
        raise CredentialsProblem(
            f"the hub is a PostgreSQL database, so a {parsed.get_backend_name()!r} URL "
            "cannot be one (expected postgresql://USER:PASSWORD@HOST:PORT/DB)"
        )
    if not (parsed.host or parsed.query.get("host")) or not parsed.database:  # a host, or a socket folder
        raise CredentialsProblem("the hub URL needs a host and a database: postgresql://USER:PASSWORD@HOST:PORT/DB")
    if parsed.drivername == "postgresql":
        parsed = parsed.set(drivername="postgresql+psycopg")
    return parsed.render_as_string(hide_password=False)


def shown(url: str) -> str:
    """The URL with its password hidden, for screens and logs."""
    return make_url(url).render_as_string(hide_password=True)


SERVER_SERVICE = "Muster hub server"  # the password of a hub this machine serves, by its data folder


def _keyring() -> ModuleType:
    """The keyring module, on a backend that keeps secrets out of plain files (imported only when needed:
    it costs a third of a second).

    Left to itself, keyring falls back on a machine without a system keyring to whatever low-priority
    backend is installed, such as keyrings.alt's plain-text file (which the test extra brings into the
    same environment). So only a backend keyring itself recommends is used; with none, saving fails and
    the caller says so. A backend someone chose explicitly (PYTHON_KEYRING_BACKEND, keyringrc.cfg) is kept.
    Chosen again at every call (a millisecond; the keyring is used at start-up and when a hub is set).
    """
    import keyring
    from keyring.core import init_backend, recommended

    init_backend(recommended)
    return keyring


def _keep(service: str, key: str, secret: str) -> bool:
    """Store in the keyring; False if there is none."""
    from keyring.errors import KeyringError

    try:
        _keyring().set_password(service, key, secret)
    except KeyringError:
        return False
    return True


def _fetch(service: str, key: str) -> str | None:
    from keyring.errors import KeyringError

    try:
        found: str | None = _keyring().get_password(service, key)
        return found
    except KeyringError:
        return None


def keep_secret(service: str, name: str, secret: str) -> bool:
    """Keep a secret of Muster's own in the system keyring; False where there is none."""
    return _keep(service, name, secret)


def fetch_secret(service: str, name: str) -> str | None:
    return _fetch(service, name)


def save(station_id: str, url: str) -> None:
    if not _keep(SERVICE, station_id, check_url(url)):
        raise CredentialsProblem(
            f"the system keyring cannot store the hub URL; set {ENVIRONMENT} for this station instead"
        )


def load(station_id: str) -> str | None:
    """The hub URL for this station: the environment variable first, then the keyring."""
    from_environment = os.environ.get(ENVIRONMENT)
    if from_environment:
        return check_url(from_environment)
    return _fetch(SERVICE, station_id)


def save_server_password(data_dir: str, password: str) -> bool:
    return _keep(SERVER_SERVICE, data_dir, password)


def server_password(data_dir: str) -> str | None:
    return _fetch(SERVER_SERVICE, data_dir)


def forget(station_id: str) -> None:
    from keyring.errors import KeyringError, PasswordDeleteError

    with contextlib.suppress(PasswordDeleteError, KeyringError):
        _keyring().delete_password(SERVICE, station_id)
