"""An enrolled station's login on a real PostgreSQL hub: what it may do, and every refusal issue 18 names.

The attacker here holds a door laptop and so its saved hub login; each test tries one thing with it.
"""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import Connection, Engine, create_engine, select, text
from sqlalchemy.exc import DBAPIError

from checkin.desk import WalkIn, check_in, correct, register_walk_in
from checkin.domain import Status
from checkin.store import Store, open_store
from checkin.store.models import Attendee
from checkin.sync import credentials, enrollment, roles
from checkin.sync.station import backlog, sync_round
from tests.sync.conftest import Enrolled, Hub, enroll_code

INSUFFICIENT_PRIVILEGE = "42501"  # PostgreSQL's SQLSTATE for a refusal by privilege or row-level policy


def _other_station_event(connection: Connection, station_id: str, attendee_id: str) -> None:
    connection.execute(
        text(
            "INSERT INTO event (id, kind, station_id, station_time, attendee_id, payload) "
            'VALUES (:id, \'corrected\', :station, now(), :attendee, \'{"fields": {"status": "paid"}}\')'
        ),
        {"id": "01900000-0000-7000-8000-000000000001", "station": station_id, "attendee": attendee_id},
    )


def test_a_station_syncs_with_its_own_login(door: Enrolled, hub_url: str) -> None:
    assert door.store.station.name == "Door 201A"
    with door.store.reading() as session:
        assert session.scalar(select(Attendee.id).limit(1)) is None  # nothing yet: it has only joined
    report = sync_round(door.store, door.engine)
    assert report.reference_rows > 0  # the conference came down
    with door.store.reading() as session:
        someone = session.scalars(select(Attendee.id).where(Attendee.status == "paid")).first()
    assert someone is not None
    assert check_in(door.store, someone, door.store.now()).accepted
    sync_round(door.store, door.engine)
    with door.store.writing() as connection:
        assert backlog(connection, door.store.station.id) == 0
    admin = create_engine(hub_url)
    with admin.connect() as connection:
        sent = connection.execute(
            text("SELECT sent FROM sync_station WHERE station_id = :s"), {"s": door.store.station.id}
        ).scalar()
    admin.dispose()
    assert sent == 1


@pytest.mark.parametrize(
    "statement",
    [
        # a badge key of its own making: every station would take badges it signed
        "INSERT INTO badge_key (number, conference_id, public_key, created_at) "
        "SELECT 99, id, repeat('ab', 32), now() FROM conference",
        "UPDATE attendee SET status = 'paid'",
        "INSERT INTO setting (key, value) VALUES ('policy.warn_at', '0.99')",
        "UPDATE setting SET value = '1' WHERE key LIKE 'policy.%'",
        "UPDATE room SET capacity = 100000",
        "DELETE FROM room",
        "UPDATE event SET kind = 'undone'",
        "DELETE FROM event",
        "TRUNCATE event",
        "COPY (SELECT 1) TO PROGRAM 'touch /tmp/muster-owned'",
        "CREATE TABLE mine (x int)",
        "ALTER TABLE event DISABLE ROW LEVEL SECURITY",
        "DROP POLICY station_adds_its_own ON event",
        "SELECT private_key FROM badge_key",
        "SELECT * FROM station_login",
        "CREATE ROLE sneaky LOGIN PASSWORD 'x'",
        "ALTER ROLE CURRENT_USER SUPERUSER",
    ],
)
def test_a_station_login_is_refused(door: Enrolled, statement: str) -> None:
    sync_round(door.store, door.engine)
    with door.engine.connect() as connection, pytest.raises(DBAPIError) as refused:
        connection.execute(text(statement))
    assert getattr(refused.value.orig, "sqlstate", None) == INSUFFICIENT_PRIVILEGE, refused.value


def test_a_station_cannot_push_an_event_stamped_with_another_station(door: Enrolled, hub_url: str) -> None:
    sync_round(door.store, door.engine)
    with door.store.reading() as session:
        attendee_id = session.scalars(select(Attendee.id)).first()
    assert attendee_id is not None
    with door.engine.begin() as connection, pytest.raises(DBAPIError, match="row-level security"):
        _other_station_event(connection, "desk-1-station-id-000000000000000000", attendee_id)
    admin = create_engine(hub_url)
    with admin.connect() as connection:  # the organiser's login may (a hub rebuilt from a station's copy)
        _other_station_event(connection, "desk-1-station-id-000000000000000000", attendee_id)
        connection.rollback()
    admin.dispose()


def test_a_station_writes_only_its_own_row_of_the_station_list(door: Enrolled, hub_url: str) -> None:
    admin = create_engine(hub_url)
    with admin.begin() as connection:
        connection.execute(
            text(
                "INSERT INTO sync_station (station_id, name, last_contact, clock_offset_s, backlog, cursor, sent) "
                "VALUES ('desk-1', 'Desk 1', now(), 0, 0, 0, 0)"
            )
        )
    sync_round(door.store, door.engine)
    with door.engine.begin() as connection:
        changed = connection.execute(text("UPDATE sync_station SET name = 'Owned', backlog = 0"))
        assert changed.rowcount == 1  # its own row only
    with door.engine.begin() as connection, pytest.raises(DBAPIError, match="row-level security"):
        connection.execute(
            text(
                "INSERT INTO sync_station (station_id, name, last_contact, clock_offset_s, backlog, cursor, sent) "
                "VALUES ('desk-1', 'Owned', now(), 0, 0, 0, 0) "
                "ON CONFLICT (station_id) DO UPDATE SET name = 'Owned'"
            )
        )
    with admin.connect() as connection:
        names = dict(connection.execute(text("SELECT station_id, name FROM sync_station")).all())
    admin.dispose()
    assert names["desk-1"] == "Desk 1"
    assert names[door.store.station.id] == "Owned"


def test_a_station_reads_the_policy_but_no_other_setting(door: Enrolled, hub_url: str) -> None:
    admin = create_engine(hub_url)
    with admin.begin() as connection:
        connection.execute(text("INSERT INTO setting (key, value) VALUES ('organiser.note', 'private')"))
    admin.dispose()
    with door.engine.connect() as connection:
        keys = set(connection.execute(text("SELECT key FROM setting")).scalars())
    assert "organiser.note" not in keys
    assert "hub.identity" in keys


def test_a_revoked_station_is_cut_off_at_once(door: Enrolled, hub_url: str) -> None:
    sync_round(door.store, door.engine)
    held = door.engine.connect()
    held.execute(text("SELECT 1"))
    admin = create_engine(hub_url)
    with admin.begin() as connection:
        assert roles.revoke(connection, "door 201a").startswith(roles.LOGIN_PREFIX)
    admin.dispose()
    with pytest.raises(DBAPIError):  # the open connection was ended by the hub
        held.execute(text("SELECT 1"))
    held.close()
    with pytest.raises(DBAPIError, match="not permitted to log in"):
        sync_round(door.store, create_engine(door.url))


def test_a_code_works_once(hub_server: Hub, hub_url: str, tmp_path: Path, keyring_env: dict[str, str]) -> None:
    code = enroll_code(hub_server, hub_url, "Kiosk 1", "kiosk")
    first = open_store(tmp_path / "first.sqlite", "First")
    enrollment.join(first, code)
    second = open_store(tmp_path / "second.sqlite", "Second")
    with pytest.raises(enrollment.EnrollmentProblem, match="has been used, has expired or was revoked"):
        enrollment.join(second, code)
    assert credentials.load(second.station.id) is None  # nothing kept for a refused join
    assert second.station.name == "Second"
    first.close()
    second.close()


def test_an_expired_code_is_refused(hub_server: Hub, hub_url: str, tmp_path: Path, keyring_env: dict[str, str]) -> None:
    code = enroll_code(hub_server, hub_url, "Door 9", "door", valid_for=timedelta(seconds=-1))
    station = open_store(tmp_path / "late.sqlite", "Late")
    with pytest.raises(enrollment.EnrollmentProblem, match="has been used, has expired or was revoked"):
        enrollment.join(station, code)
    station.close()


def test_one_name_one_enrolled_station(hub_server: Hub, hub_url: str) -> None:
    enroll_code(hub_server, hub_url, "Desk 1", "desk")
    with pytest.raises(roles.RoleProblem, match="enrolled already"):
        enroll_code(hub_server, hub_url, "desk 1", "desk")
    with pytest.raises(roles.RoleProblem, match="desk, kiosk, door, post"):
        enroll_code(hub_server, hub_url, "Desk 2", "cashier")


CODE_LETTERS = "abcd-efgh-jkmn-pqrs-tuvw-xyz2-3456-789a-bcde"  # 36: login, one-time password, fingerprint


@pytest.mark.parametrize(
    ("code", "says"),
    [
        ("hello", "not an enrollment code"),
        ("10.0.0.5:5432/muster/" + CODE_LETTERS[:-5], "36 letters and digits"),
        ("10.0.0.5:5432/muster/" + CODE_LETTERS[:-2] + "0l", "has no '0', 'l'"),
        ("10.0.0.5:99999/muster/" + CODE_LETTERS, "no network port"),
    ],
)
def test_a_mistyped_code_is_said(code: str, says: str) -> None:
    with pytest.raises(enrollment.EnrollmentProblem, match=says):
        enrollment.read_code(code)


def test_a_code_reads_back_in_any_case() -> None:
    made = roles.Enrollment("station_abcdef", "ghjkmnpqrstuvw", "Door", "door", None)  # type: ignore[arg-type]
    code = enrollment.code_for("fe80::1", 5433, "muster", made, "xyz23456789abcde")
    ticket = enrollment.read_code("  " + code.upper() + " ")
    assert (ticket.host, ticket.port, ticket.database) == ("[fe80::1]", 5433, "muster")
    assert (ticket.login, ticket.password, ticket.fingerprint) == (
        "station_abcdef",
        "ghjkmnpqrstuvw",
        "xyz23456789abcde",
    )


def _joined(hub: Hub, hub_url: str, path: Path, name: str, kind: str) -> tuple[Store, Engine]:
    store = open_store(path, name)
    enrollment.join(store, enroll_code(hub, hub_url, name, kind))
    url = credentials.load(store.station.id)
    assert url is not None
    return store, create_engine(url)


def _file_bytes(store: Store, engine: Engine, path: Path) -> bytes:
    engine.dispose()
    store.close()  # the log is copied into the file and the -wal removed
    return b"".join(p.read_bytes() for p in path.parent.glob(path.name + "*"))


def test_each_kind_of_station_holds_only_what_it_shows(
    hub_server: Hub, hub_url: str, admin_store: Store, tmp_path: Path, keyring_env: dict[str, str]
) -> None:
    desk, desk_hub = _joined(hub_server, hub_url, tmp_path / "desk.sqlite", "Desk 1", "desk")
    sync_round(desk, desk_hub)
    with desk.reading() as session:
        someone = session.scalars(select(Attendee.id).where(Attendee.email != "")).first()
    assert someone is not None
    walk_in = WalkIn("Dana", "Whitfield", "dana.walkin@district.example", "District Nine PD", status=Status.PAID)
    register_walk_in(desk, walk_in, desk.now())
    correct(desk, someone, {"email": "corrected.address@district.example"}, desk.now())
    sync_round(desk, desk_hub)

    stations = {
        kind: _joined(hub_server, hub_url, tmp_path / f"{kind}.sqlite", f"{kind.title()} 1", kind)
        for kind in ("door", "kiosk", "post")
    }
    for store, engine in stations.values():
        sync_round(store, engine)
    with admin_store.reading() as session:
        people = session.execute(select(Attendee.email, Attendee.organization)).all()
    emails = [e for e, _ in people if e] + ["dana.walkin@district.example", "corrected.address@district.example"]
    organisations = [o for _, o in people if o] + ["District Nine PD"]
    held = {kind: _file_bytes(s, e, tmp_path / f"{kind}.sqlite") for kind, (s, e) in stations.items()}
    held["desk"] = _file_bytes(desk, desk_hub, tmp_path / "desk.sqlite")

    def found(kind: str, values: list[str]) -> list[str]:
        return [v for v in values if v.encode() in held[kind]]

    assert len(found("desk", emails)) == len(emails)  # the desk has everyone's: the checks below could fail
    assert found("kiosk", emails) == []
    assert len(found("kiosk", organisations)) == len(organisations)  # a kiosk prints them on badges
    for kind in ("door", "post"):
        assert found(kind, emails) == []
        assert found(kind, organisations) == []


def test_a_station_wipes_itself_once_the_hub_has_all_it_recorded(
    door: Enrolled, hub_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    from checkin.cli import main

    sync_round(door.store, door.engine)
    with door.store.reading() as session:
        someone = session.scalars(select(Attendee.id).where(Attendee.status == "paid")).first()
    assert someone is not None and check_in(door.store, someone, door.store.now()).accepted
    path, station_id = door.store.engine.url.database, door.store.station.id
    assert path is not None
    door.store.close()
    assert main(["station", "wipe", "--db", path]) == 0, capsys.readouterr().err  # sends the check-in first
    assert "Wiped this station" in capsys.readouterr().out
    assert not Path(path).exists() and credentials.load(station_id) is None
    admin = create_engine(hub_url)
    with admin.connect() as connection:
        kept = connection.execute(text("SELECT count(*) FROM event WHERE station_id = :s"), {"s": station_id})
        assert kept.scalar() == 1
    admin.dispose()
