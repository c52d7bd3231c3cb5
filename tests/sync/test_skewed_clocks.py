"""Stations whose clocks are an hour off, each a `checkin` process under libfaketime, syncing through a real hub:
events still order by true time (issue: a slow station's duplicate check-in became the first one, its door
scans were placed before the real ones, a fast station's old correction beat a newer one)."""

from __future__ import annotations

import json
import os
from datetime import UTC, datetime
from pathlib import Path

import libfaketime
import pytest
from sqlalchemy import select

from checkin.badges import badge_code
from checkin.store import Store, open_store
from checkin.store.models import Attendee, AttendeeState, Event
from tests.sync.conftest import checkin

SKEWS = {"Desk 1": "", "Slow desk": "-1h", "Fast desk": "+1h"}  # each station's clock against the hub's


@pytest.fixture
def stations(tmp_path: Path, hub_url: str, keyring_env: dict[str, str]) -> dict[str, Path]:
    """Desk 1 with a right clock, a station an hour slow and one an hour fast, each synced once with the hub."""
    made = {}
    for name, skew in SKEWS.items():
        made[name] = tmp_path / f"{name.replace(' ', '_')}.sqlite"
        joined = run(skew, keyring_env, "sync", "--db", str(made[name]), "--station", name, "--hub", hub_url, "--once")
        assert joined.returncode == 0, joined.stderr
    return made


def test_the_clocks_are_measured_against_the_hub(stations: dict[str, Path], keyring_env: dict[str, str]) -> None:
    slow = run("-1h", keyring_env, "sync", "--db", str(stations["Slow desk"]), "--once")
    assert "clock 60 min behind the hub" in slow.stdout
    fast = run("+1h", keyring_env, "sync", "--db", str(stations["Fast desk"]), "--once")
    assert "clock 60 min ahead of the hub" in fast.stdout


def test_a_slow_stations_later_check_in_stays_the_duplicate(
    stations: dict[str, Path], keyring_env: dict[str, str], admin_store: Store
) -> None:
    person = registration_ids(admin_store)[0]
    assert run("", keyring_env, "checkin", "--db", str(stations["Desk 1"]), person).returncode == 0
    late = run("-1h", keyring_env, "checkin", "--db", str(stations["Slow desk"]), person)
    assert late.returncode == 0, late.stderr  # it has not heard of Desk 1's check-in yet
    sync_all(stations, keyring_env, "Slow desk", "Desk 1", "Slow desk", "Fast desk")
    for path in stations.values():
        assert checked_in_by(path, person) == "Desk 1", path.name
    found = json.loads(run("", keyring_env, "conflicts", "--db", str(stations["Desk 1"]), "--json").stdout)
    [duplicate] = found["duplicate_badges"]
    assert (duplicate["attendee"], duplicate["station"], duplicate["first_station"]) == (person, "Slow desk", "Desk 1")
    slow_event = own_event(stations["Slow desk"], "Slow desk")
    own = datetime.fromisoformat(slow_event.payload["own_time"])  # what its own clock said is kept too
    assert 3590 < (slow_event.station_time.replace(tzinfo=UTC) - own).total_seconds() < 3610


def test_the_roster_follows_real_moves_made_at_a_slow_station(
    stations: dict[str, Path], keyring_env: dict[str, str], admin_store: Store
) -> None:
    person = registration_ids(admin_store)[1]
    with admin_store.reading() as session:
        code = badge_code(session, id_of(session, person))
    assert run("", keyring_env, "door", "--db", str(stations["Desk 1"]), "Exhibit Hall", code).returncode == 0
    sync_all(stations, keyring_env, "Desk 1")
    moved = run("-1h", keyring_env, "door", "--db", str(stations["Slow desk"]), "Hall B", code)
    assert moved.returncode == 0, moved.stdout + moved.stderr
    sync_all(stations, keyring_env, "Slow desk", "Desk 1", "Fast desk")
    for name, path in stations.items():
        shown = run(SKEWS[name], keyring_env, "occupancy", "--db", str(path), "--json")
        rooms = {r["room"]: r["count"] for r in json.loads(shown.stdout)["rooms"]}
        assert (rooms["Exhibit Hall"], rooms["Hall B"]) == (0, 1), path.name


def test_a_newer_correction_beats_an_older_one_made_on_a_fast_station(
    stations: dict[str, Path], keyring_env: dict[str, str], admin_store: Store
) -> None:
    person = registration_ids(admin_store)[2]
    fast = run("+1h", keyring_env, "correct", "--db", str(stations["Fast desk"]), person, "--email", "old@x.org")
    assert fast.returncode == 0, fast.stderr
    sync_all(stations, keyring_env, "Fast desk")
    right = run("", keyring_env, "correct", "--db", str(stations["Desk 1"]), person, "--email", "new@x.org")
    assert right.returncode == 0, right.stderr
    sync_all(stations, keyring_env, "Desk 1", "Fast desk", "Slow desk")
    for path in stations.values():
        store = open_store(path)
        with store.reading() as session:
            email = session.scalars(select(Attendee.email).where(Attendee.external_id == person)).one()
        store.close()
        assert email == "new@x.org", path.name


def run(skew: str, env: dict[str, str], *args: str):  # type: ignore[no-untyped-def]
    """`checkin` as its own process, its clock ``skew`` off ("-1h", "+1h") or right (empty)."""
    if not skew:
        return checkin(*args, env=env)
    faked = {**env, **libfaketime.get_reload_information()[1], "FAKETIME": skew}
    faked["LD_LIBRARY_PATH"] = os.pathsep.join(p for p in (faked["LD_LIBRARY_PATH"], env.get("LD_LIBRARY_PATH")) if p)
    return checkin(*args, env=faked)


def sync_all(stations: dict[str, Path], env: dict[str, str], *order: str) -> None:
    for name in order:
        done = run(SKEWS[name], env, "sync", "--db", str(stations[name]), "--once")
        assert done.returncode == 0, done.stderr


def registration_ids(store: Store) -> list[str]:
    with store.reading() as session:
        return list(
            session.scalars(
                select(Attendee.external_id).where(Attendee.status == "paid").order_by(Attendee.external_id)
            ).all()[:3]
        )


def id_of(session, registration_id: str) -> str:  # type: ignore[no-untyped-def]
    return str(session.scalars(select(Attendee.id).where(Attendee.external_id == registration_id)).one())


def checked_in_by(path: Path, registration_id: str) -> str:
    store = open_store(path)
    with store.reading() as session:
        event = session.scalars(
            select(Event)
            .join(AttendeeState, AttendeeState.checked_in_event == Event.id)
            .join(Attendee, Attendee.id == AttendeeState.attendee_id)
            .where(Attendee.external_id == registration_id)
        ).one()
        name = str(event.payload["station_name"])
    store.close()
    return name


def own_event(path: Path, station_name: str) -> Event:
    store = open_store(path)
    with store.reading() as session:
        event = session.scalars(
            select(Event).where(Event.station_id == store.station.id, Event.kind == "checked_in")
        ).one()
    store.close()
    assert event.payload["station_name"] == station_name
    return event
