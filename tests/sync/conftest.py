"""A real PostgreSQL hub for the sync tests, started from the pgserver wheel's binaries by our own
`checkin.sync.server` (the code behind `checkin hub serve`); each test gets a fresh database on it."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import Engine, create_engine, text
from sqlalchemy.engine import make_url

from checkin.demo import build_demo
from checkin.store import Store, open_store
from checkin.sync import admin, credentials, enrollment, roles, server, tls

PASSWORD = "s3cret pass/word"  # characters that must be escaped in a URL


@dataclass
class Hub:
    """PostgreSQL on loopback (the organiser's URL in tests) and, in front of its socket, the TLS front that
    `hub serve` puts on the network, where enrolled stations connect."""

    data: Path
    port: int
    running: server.RunningServer | None = None
    front: tls.Front | None = None
    tls_port: int = 0

    def start(self) -> None:
        self.running = server.start(self.data, "127.0.0.1", self.port)
        if self.front is None:
            self.tls_port = server.free_port()
            self.front = tls.Front(
                self.certificate, "127.0.0.1", self.tls_port, server.socket_path(self.data, self.port)
            )
            self.front.start()

    @property
    def certificate(self) -> tls.HubCertificate:
        return tls.hub_certificate(self.data.parent / "tls")

    def stop(self) -> None:
        if self.running is not None:
            self.running.stop()
            self.running = None

    def stop_front(self) -> None:
        if self.front is not None:
            self.front.stop()
            self.front = None

    def url(self, database: str, port: int | None = None) -> str:
        return server.hub_url("127.0.0.1", port or self.port, PASSWORD, database=database)


def _open_to_walk(*folders: Path) -> None:
    """Under root, the hub's PostgreSQL runs as its own user (server.SERVICE_USER), which must walk down to a
    test's data folder; pytest makes its temporary folders private, and Muster never opens up folders, so the
    tests open theirs for walking through (execute only)."""
    if os.geteuid() == 0:
        for folder in folders:
            folder.chmod(0o711)


@pytest.fixture(scope="session", autouse=True)
def temp_folders_open_to_walk(tmp_path_factory: pytest.TempPathFactory) -> None:
    base = tmp_path_factory.getbasetemp()
    _open_to_walk(base.parent, base)


@pytest.fixture(autouse=True)
def test_folder_open_to_walk(tmp_path: Path) -> None:
    _open_to_walk(tmp_path)


@pytest.fixture(scope="session")
def hub_server() -> Iterator[Hub]:
    # Outside pytest's own temporary root, which pytest makes private again at each run's start.
    folder = Path(tempfile.mkdtemp(prefix="muster-hub-tests-"))
    _open_to_walk(folder)
    data = folder / "data"
    server.init_cluster(data, PASSWORD)
    hub = Hub(data, server.free_port())
    hub.start()
    yield hub
    hub.stop()
    hub.stop_front()
    shutil.rmtree(folder, ignore_errors=True)


@pytest.fixture
def hub_db(hub_server: Hub, request: pytest.FixtureRequest) -> Iterator[str]:
    """A fresh, empty database on the hub server; returns its URL."""
    if hub_server.running is None:
        hub_server.start()  # a test that stopped the hub and failed before restarting it
    name = "t_" + "".join(ch if ch.isalnum() else "_" for ch in request.node.name.lower())[:50]
    engine = create_engine(hub_server.url("postgres"), isolation_level="AUTOCOMMIT")
    with engine.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    engine.dispose()
    yield hub_server.url(name)


@pytest.fixture
def admin_store(tmp_path: Path) -> Iterator[Store]:
    store = open_store(tmp_path / "admin.sqlite", "Admin")
    with store.unit_of_work() as session:
        build_demo(session, attendees=120, seed=7)
    yield store
    store.close()


@pytest.fixture
def hub_url(hub_db: str, admin_store: Store) -> str:
    """A hub prepared with the demo conference, as `checkin hub init URL` leaves it."""
    admin.init_hub(hub_db, admin_store)
    return hub_db


@pytest.fixture
def keyring_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> dict[str, str]:
    """The environment a station's processes run in, with the run's file keyring (tests/conftest.py: CI
    machines have no desktop keyring) and no hub URL given by the environment. The keyring is the run's, not
    the test's: the badge keys sealed by fixtures made before this one must still open."""
    monkeypatch.delenv("MUSTER_HUB_URL", raising=False)
    assert os.environ["PYTHON_KEYRING_BACKEND"] == "keyrings.alt.file.PlaintextKeyring"
    return {**os.environ}


def checkin(*args: str, env: dict[str, str] | None = None, timeout: float = 120) -> subprocess.CompletedProcess[str]:
    """The `checkin` command as a separate process (each station is its own process)."""
    return subprocess.run(
        [sys.executable, "-m", "checkin.cli", *args], capture_output=True, text=True, timeout=timeout, env=env
    )


@dataclass
class Enrolled:
    store: Store
    url: str  # the station's own login, as kept in its keyring
    engine: Engine


def enroll_code(
    hub: Hub, admin_url: str, name: str, kind: str, valid_for: timedelta = timedelta(hours=1), fingerprint: str = ""
) -> str:
    """What `checkin stations add` prints: the code names the hub's TLS front and its certificate."""
    admin = create_engine(admin_url)
    try:
        with admin.begin() as connection:
            made = roles.enroll(connection, name, kind, valid_for)
    finally:
        admin.dispose()
    database = make_url(admin_url).database or ""
    return enrollment.code_for("127.0.0.1", hub.tls_port, database, made, fingerprint or hub.certificate.fingerprint())


@pytest.fixture
def door(hub_server: Hub, hub_url: str, tmp_path: Path, keyring_env: dict[str, str]) -> Iterator[Enrolled]:
    store = open_store(tmp_path / "door.sqlite", "Laptop 7")
    joined = enrollment.join(store, enroll_code(hub_server, hub_url, "Door 201A", "door"))
    assert (joined.name, joined.kind) == ("Door 201A", "door")
    url = credentials.load(store.station.id)
    assert url is not None and "station_" in url and "sslmode=verify-ca" in url
    engine = create_engine(url)
    yield Enrolled(store, url, engine)
    engine.dispose()
    store.close()
