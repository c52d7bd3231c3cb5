"""A real PostgreSQL hub for the sync tests, started from the pgserver wheel's binaries by our own
`checkin.sync.server` (the code behind `checkin hub serve`); each test gets a fresh database on it."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

from checkin.demo import build_demo
from checkin.store import Store, open_store
from checkin.sync import admin, server

PASSWORD = "s3cret pass/word"  # characters that must be escaped in a URL


@dataclass
class Hub:
    data: Path
    port: int
    running: server.RunningServer | None = None

    def start(self) -> None:
        self.running = server.start(self.data, "127.0.0.1", self.port)

    def stop(self) -> None:
        if self.running is not None:
            self.running.stop()
            self.running = None

    def url(self, database: str, port: int | None = None) -> str:
        return server.hub_url("127.0.0.1", port or self.port, PASSWORD, database=database)


@pytest.fixture(scope="session")
def hub_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Hub]:
    data = tmp_path_factory.mktemp("hub") / "data"
    server.init_cluster(data, PASSWORD)
    hub = Hub(data, server.free_port())
    hub.start()
    yield hub
    hub.stop()


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
    """A file keyring in tmp_path: CI machines have no desktop keyring (Secret Service, Keychain...)."""
    home = tmp_path / "home"
    home.mkdir()
    monkeypatch.setenv("PYTHON_KEYRING_BACKEND", "keyrings.alt.file.PlaintextKeyring")
    monkeypatch.setenv("XDG_DATA_HOME", str(home / "data"))
    monkeypatch.delenv("MUSTER_HUB_URL", raising=False)
    return {**os.environ}


def checkin(*args: str, env: dict[str, str] | None = None, timeout: float = 120) -> subprocess.CompletedProcess[str]:
    """The `checkin` command as a separate process (each station is its own process)."""
    return subprocess.run(
        [sys.executable, "-m", "checkin.cli", *args], capture_output=True, text=True, timeout=timeout, env=env
    )
