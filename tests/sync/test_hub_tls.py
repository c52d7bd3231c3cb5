"""TLS between a station and the hub: the pinned certificate, plaintext refused both ways, nothing readable on
the wire. Real PostgreSQL, the real TLS front of `hub serve`, libpq's own verification."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import create_engine, select
from sqlalchemy.exc import OperationalError

from checkin.store import Store, open_store
from checkin.store.models import Attendee
from checkin.sync import credentials, enrollment, server, tls
from checkin.sync.station import sync_round
from checkin.sync.worker import refused_login
from tests.sync.conftest import Enrolled, Hub, enroll_code
from tests.sync.proxy import Proxy


def _emails(store: Store) -> list[str]:
    with store.reading() as session:
        return [email for email in session.scalars(select(Attendee.email)) if email]


def test_no_attendee_email_crosses_the_network_in_clear(
    door: Enrolled, hub_server: Hub, hub_url: str, admin_store: Store
) -> None:
    emails = _emails(admin_store)
    assert len(emails) > 50
    with Proxy("127.0.0.1", hub_server.tls_port) as wire:
        through = door.url.replace(f":{hub_server.tls_port}/", f":{wire.port}/")
        report = sync_round(door.store, create_engine(through))
        assert report.reference_rows > 0  # the attendees did come down, through the wire
        assert len(wire.heard) > 10_000
        assert not [email for email in emails if email.encode() in wire.heard]
    # The same pull over a plaintext connection shows them: the check above could fail.
    with Proxy("127.0.0.1", hub_server.port) as plain:
        reader = open_store(door.store.engine.url.database.replace("door", "plain"), "Plain")  # type: ignore[union-attr]
        sync_round(reader, create_engine(hub_url.replace(f":{hub_server.port}/", f":{plain.port}/")))
        assert [email for email in emails if email.encode() in plain.heard]
        reader.close()


def test_a_station_refuses_a_hub_with_another_certificate(door: Enrolled, hub_server: Hub, tmp_path: Path) -> None:
    impostor = tls.Front(
        tls.hub_certificate(tmp_path / "impostor"),
        "127.0.0.1",
        port := server.free_port(),
        server.socket_path(hub_server.data, hub_server.port),
    )
    impostor.start()
    try:
        elsewhere = door.url.replace(f":{hub_server.tls_port}/", f":{port}/")
        with pytest.raises(OperationalError, match="certificate verify failed") as refused:
            sync_round(door.store, create_engine(elsewhere))
        said = refused_login(refused.value)  # what the station's status line says
        assert said is not None and "not the one this station was enrolled with" in said
    finally:
        impostor.stop()


def test_a_code_whose_certificate_differs_is_refused_before_anything_is_sent(
    hub_server: Hub, hub_url: str, tmp_path: Path, keyring_env: dict[str, str]
) -> None:
    other = tls.hub_certificate(tmp_path / "other").fingerprint()
    code = enroll_code(hub_server, hub_url, "Door 3", "door", fingerprint=other)
    station = open_store(tmp_path / "door3.sqlite", "Door laptop")
    with pytest.raises(tls.TlsProblem, match="not the one in the enrollment code"):
        enrollment.join(station, code)
    assert credentials.load(station.station.id) is None
    station.close()


def test_a_station_refuses_plaintext(door: Enrolled, hub_server: Hub) -> None:
    plain = door.url.replace(f":{hub_server.tls_port}/", f":{hub_server.port}/")  # PostgreSQL itself, no TLS
    with pytest.raises(OperationalError, match="does not support SSL"):
        sync_round(door.store, create_engine(plain))
    with pytest.raises(tls.TlsProblem, match="does not speak TLS"):
        tls.fetch_certificate("127.0.0.1", hub_server.port)


def test_the_hub_refuses_a_plaintext_client(hub_server: Hub, hub_url: str) -> None:
    through_front = hub_url.replace(f":{hub_server.port}/", f":{hub_server.tls_port}/") + "?sslmode=disable"
    with pytest.raises(OperationalError, match="accepts only encrypted"):
        create_engine(through_front).connect()


def test_the_hub_key_is_private(hub_server: Hub) -> None:
    assert hub_server.certificate.key.stat().st_mode & 0o077 == 0


def test_the_organisers_login_is_refused_from_the_network(hub_server: Hub, hub_url: str) -> None:
    over_tls = hub_url.replace(f":{hub_server.port}/", f":{hub_server.tls_port}/") + "?sslmode=require"
    with pytest.raises(OperationalError, match="works only on the hub laptop"):
        create_engine(over_tls).connect()
