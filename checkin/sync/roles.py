"""Who may do what on the hub: the organiser's login, and one login per enrolled station.

The organiser's login (the one `hub serve` creates, or the admin URL given to `hub init`) owns the schema and
does everything. Each station logs in with its own role, a member of ``muster_station``, which PostgreSQL
itself holds to this:
- it reads the reference data, the log and the station list (never a private key, never a setting other than
  the counting policy and the hub's identity);
- it adds events stamped with its own station id only (row-level security against ``muster_station_id()``,
  which maps the login to the station it joined as), and changes no event once written;
- it writes its own row of the station list, nobody else's;
- it owns nothing and may create nothing in the schema (no DDL), and is no superuser (no COPY TO PROGRAM).

A station joins with a one-time enrollment code (`checkin/sync/enrollment.py`): the organiser's
``enroll`` makes the login with a one-time password that expires; the station's first call,
``muster_join``, binds the login to its station id and replaces that password with one only the station
knows. ``revoke`` ends a login at once, connections included.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, cast

from sqlalchemy import Connection

STATION_GROUP = "muster_station"
KINDS = ("desk", "kiosk", "door", "post")  # what a station is for; `post` is the command post

# Tables a station reads in full (reference data without people, the station list); attendees, the log and
# tombstones only through the station_* views.
_READ = (
    "alembic_version",
    "conference",
    "room",
    "conference_session",
    "session_registration",
    "entitlement",
    "sync_station",
)
# The view a station reads each of these tables through (defined in _SCHEMA_SQL).
STATION_VIEWS = {"attendee": "station_attendee", "event": "station_event", "ref_tombstone": "station_tombstone"}

# Record fields each kind of station is not given (see checkin.attendees.RECORD_FIELDS).
HIDDEN = {
    "desk": (),
    "kiosk": ("email",),
    "door": ("email", "organization", "city", "region"),
    "post": ("email", "organization", "city", "region"),
}
_HIDDEN_CASES = " ".join(
    f"WHEN '{kind}' THEN ARRAY[{', '.join(repr(f) for f in fields)}]::text[]" for kind, fields in HIDDEN.items()
)


def _strip_jsonb(value: str) -> str:
    return f"(({value}) - COALESCE(muster_hidden_fields(), '{{}}'::text[]))"


def _strip(column: str) -> str:
    return f"{_strip_jsonb(column + '::jsonb')}::json"


_BADGE_KEY_PUBLIC = "number, conference_id, public_key, created_at, revoked_at, ref_version"

_SCHEMA_SQL = f"""
DO $$ BEGIN
    IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '{STATION_GROUP}') THEN
        CREATE ROLE {STATION_GROUP} NOLOGIN;
    END IF;
END $$;

CREATE TABLE IF NOT EXISTS station_login (
    login name PRIMARY KEY,
    name varchar(100) NOT NULL,
    kind varchar(10) NOT NULL,
    station_id varchar(36),
    enrolled_at timestamptz NOT NULL DEFAULT clock_timestamp(),
    joined_at timestamptz,
    revoked_at timestamptz
);
REVOKE ALL ON station_login FROM PUBLIC;
CREATE UNIQUE INDEX IF NOT EXISTS station_login_speaks_for ON station_login (station_id) WHERE revoked_at IS NULL;

-- The station a login joined as; NULL for any other login (the organiser's, or one revoked or not joined).
CREATE OR REPLACE FUNCTION muster_station_id() RETURNS varchar LANGUAGE sql STABLE SECURITY DEFINER
SET search_path = public, pg_temp AS $fn$
    SELECT station_id FROM station_login WHERE login = session_user AND revoked_at IS NULL
$fn$;

-- A station's first call with its one-time password: bind the login to the station, take the station's own
-- password in place of the one-time one, and say what the station is (name, kind).
CREATE OR REPLACE FUNCTION muster_join(station varchar, new_password text)
RETURNS TABLE (station_name varchar, station_kind varchar) LANGUAGE plpgsql SECURITY DEFINER
SET search_path = public, pg_temp AS $fn$
DECLARE
    enrolled station_login;
BEGIN
    SELECT * INTO enrolled FROM station_login WHERE login = session_user FOR UPDATE;
    IF NOT FOUND OR enrolled.revoked_at IS NOT NULL THEN
        RAISE EXCEPTION 'this login is not an enrolled station' USING ERRCODE = '42501';
    END IF;
    IF enrolled.joined_at IS NOT NULL THEN
        RAISE EXCEPTION 'this enrollment code has been used already' USING ERRCODE = '42501';
    END IF;
    IF EXISTS (SELECT FROM station_login s WHERE s.station_id = station AND s.revoked_at IS NULL) THEN
        RAISE EXCEPTION 'another enrolled login already speaks for this station' USING ERRCODE = '42501';
    END IF;
    IF length(new_password) < 20 THEN
        RAISE EXCEPTION 'a station password is at least 20 characters' USING ERRCODE = '22023';
    END IF;
    UPDATE station_login SET station_id = station, joined_at = clock_timestamp() WHERE login = session_user;
    EXECUTE format('ALTER ROLE %I PASSWORD %L VALID UNTIL %L', session_user, new_password, 'infinity');
    RETURN QUERY SELECT enrolled.name, enrolled.kind;
END
$fn$;
REVOKE ALL ON FUNCTION muster_station_id(), muster_join(varchar, text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION muster_station_id(), muster_join(varchar, text) TO {STATION_GROUP};

-- What a station of this login's kind is not given: a door or the command post shows names, a kiosk prints
-- badges (names, organisation, place), a desk needs everything. NULL (the organiser's login): nothing hidden.
CREATE OR REPLACE FUNCTION muster_hidden_fields() RETURNS text[] LANGUAGE sql STABLE SECURITY DEFINER
SET search_path = public, pg_temp AS $fn$
    SELECT CASE kind {_HIDDEN_CASES} END
    FROM station_login WHERE login = session_user AND revoked_at IS NULL
$fn$;
REVOKE ALL ON FUNCTION muster_hidden_fields() FROM PUBLIC;
GRANT EXECUTE ON FUNCTION muster_hidden_fields() TO {STATION_GROUP};

-- Stations read attendees, the log and tombstones through these views, which leave out what the login's kind
-- is not given (in an attendee's record, a walk-in's registration, a correction or merge, a deleted row).
CREATE OR REPLACE VIEW station_attendee AS
    SELECT id, conference_id, external_id, source, {_strip("base")} AS base, ref_version FROM attendee;
CREATE OR REPLACE VIEW station_event AS
    SELECT id, kind, station_id, station_time, attendee_id,
        CASE
            WHEN kind = 'walk_in_registered' AND payload::jsonb ? 'attendee'
                THEN jsonb_set(payload::jsonb, '{{attendee}}', {_strip_jsonb("payload::jsonb -> 'attendee'")})::json
            WHEN kind IN ('attendee_corrected', 'attendees_merged') AND payload::jsonb ? 'changes'
                THEN jsonb_set(payload::jsonb, '{{changes}}', {_strip_jsonb("payload::jsonb -> 'changes'")})::json
            ELSE payload
        END AS payload,
        hub_seq, received_at
    FROM event;
CREATE OR REPLACE VIEW station_tombstone AS
    SELECT version, table_name,
        CASE WHEN table_name = 'attendee' AND row::jsonb ? 'base'
            THEN jsonb_set(row::jsonb, '{{base}}', {_strip_jsonb("row::jsonb -> 'base'")})::json
            ELSE row
        END AS row
    FROM ref_tombstone;

REVOKE CREATE ON SCHEMA public FROM PUBLIC;
GRANT USAGE ON SCHEMA public TO {STATION_GROUP};
GRANT SELECT ON {", ".join(_READ)} TO {STATION_GROUP};
GRANT SELECT ON station_attendee, station_event, station_tombstone TO {STATION_GROUP};
-- The log's own table: only what a push needs back (its numbers) and what finds an event by number.
GRANT SELECT (id, station_id, hub_seq, received_at) ON event TO {STATION_GROUP};
GRANT SELECT ({_BADGE_KEY_PUBLIC}) ON badge_key TO {STATION_GROUP};
GRANT SELECT ON setting TO {STATION_GROUP};
GRANT INSERT ON event TO {STATION_GROUP};
GRANT INSERT, UPDATE ON sync_station TO {STATION_GROUP};
GRANT USAGE ON SEQUENCE muster_event_seq TO {STATION_GROUP};

ALTER TABLE event ENABLE ROW LEVEL SECURITY;
DROP POLICY IF EXISTS station_reads ON event;
CREATE POLICY station_reads ON event FOR SELECT TO {STATION_GROUP} USING (true);
DROP POLICY IF EXISTS station_adds_its_own ON event;
CREATE POLICY station_adds_its_own ON event FOR INSERT TO {STATION_GROUP}
    WITH CHECK (station_id = muster_station_id());

ALTER TABLE sync_station ENABLE ROW LEVEL SECURITY;
DROP POLICY IF EXISTS station_reads ON sync_station;
CREATE POLICY station_reads ON sync_station FOR SELECT TO {STATION_GROUP} USING (true);
DROP POLICY IF EXISTS station_adds_itself ON sync_station;
CREATE POLICY station_adds_itself ON sync_station FOR INSERT TO {STATION_GROUP}
    WITH CHECK (station_id = muster_station_id());
DROP POLICY IF EXISTS station_updates_itself ON sync_station;
CREATE POLICY station_updates_itself ON sync_station FOR UPDATE TO {STATION_GROUP}
    USING (station_id = muster_station_id()) WITH CHECK (station_id = muster_station_id());

ALTER TABLE setting ENABLE ROW LEVEL SECURITY;
DROP POLICY IF EXISTS station_reads_policy ON setting;
CREATE POLICY station_reads_policy ON setting FOR SELECT TO {STATION_GROUP}
    USING (key LIKE 'policy.%' OR key = 'hub.identity');
"""


def secure(connection: Connection) -> None:
    """Set up the station group, its grants and policies, and the join function (idempotent; the organiser
    runs it each time the hub is prepared, after the schema is migrated)."""
    raw = connection.connection.dbapi_connection
    assert raw is not None
    with cast(Any, raw).cursor() as cursor:  # without parameters, so the '%' in the SQL is only SQL
        cursor.execute(_SCHEMA_SQL)
    database = connection.exec_driver_sql("SELECT current_database()").scalar_one()
    # Stations connect to the hub's database by their own grant (given in `enroll`), not by PUBLIC's.
    connection.exec_driver_sql(f'REVOKE CONNECT ON DATABASE "{database}" FROM PUBLIC')


class RoleProblem(RuntimeError):
    """The organiser asked for something the hub's station list cannot do (a name taken, unknown)."""


@dataclass(frozen=True)
class Enrollment:
    login: str
    password: str  # one-time: the station replaces it when it joins
    name: str
    kind: str
    expires_at: datetime


LOGIN_PREFIX = "station_"
LOGIN_LETTERS = 6  # a login's own letters: not secret, only unique
ONE_TIME_LETTERS = 14  # about 69 bits: guessed only online, against a code that works once and expires
ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"  # no 0/o, 1/l/i: typed from a screen or a sheet of paper


def random_text(length: int) -> str:
    return "".join(secrets.choice(ALPHABET) for _ in range(length))


def enroll(connection: Connection, name: str, kind: str, valid_for: timedelta) -> Enrollment:
    """Make a station's login with a one-time password valid for ``valid_for`` (the organiser's connection)."""
    if kind not in KINDS:
        raise RoleProblem(f"a station is one of {', '.join(KINDS)}, not {kind!r}")
    taken = connection.exec_driver_sql(
        "SELECT 1 FROM station_login WHERE lower(name) = lower(%(name)s) AND revoked_at IS NULL", {"name": name}
    ).first()
    if taken:
        raise RoleProblem(f"a station named {name!r} is enrolled already; revoke it first or choose another name")
    login = LOGIN_PREFIX + random_text(LOGIN_LETTERS)
    password = random_text(ONE_TIME_LETTERS)
    expires_at: datetime = connection.exec_driver_sql(
        "SELECT clock_timestamp() + %(valid)s", {"valid": valid_for}
    ).scalar_one()
    database = connection.exec_driver_sql("SELECT current_database()").scalar_one()
    connection.exec_driver_sql(
        f"CREATE ROLE {login} LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION "
        f"IN ROLE {STATION_GROUP} PASSWORD '{password}' VALID UNTIL '{expires_at.isoformat()}'"
    )
    connection.exec_driver_sql(f'GRANT CONNECT ON DATABASE "{database}" TO {login}')
    connection.exec_driver_sql(
        "INSERT INTO station_login (login, name, kind) VALUES (%(login)s, %(name)s, %(kind)s)",
        {"login": login, "name": name, "kind": kind},
    )
    return Enrollment(login, password, name, kind, expires_at)


@dataclass(frozen=True)
class Joined:
    name: str
    kind: str


def join(connection: Connection, station_id: str, new_password: str) -> Joined:
    """Bind the one-time login of ``connection`` to this station and set the station's own password."""
    row = connection.exec_driver_sql(
        "SELECT station_name, station_kind FROM muster_join(%(station)s, %(password)s)",
        {"station": station_id, "password": new_password},
    ).one()
    return Joined(row[0], row[1])


def revoke(connection: Connection, name: str) -> str:
    """End a station's access now: its login can no longer log in, and its open connections are cut.
    Returns the login revoked."""
    login = connection.exec_driver_sql(
        "UPDATE station_login SET revoked_at = clock_timestamp() "
        "WHERE lower(name) = lower(%(name)s) AND revoked_at IS NULL RETURNING login",
        {"name": name},
    ).scalar()
    if login is None:
        raise RoleProblem(f"no enrolled station is named {name!r} (see checkin stations)")
    connection.exec_driver_sql(f"ALTER ROLE {login} NOLOGIN")
    connection.exec_driver_sql(
        "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE usename = %(login)s", {"login": login}
    )
    return str(login)


def is_station_login(connection: Connection) -> bool:
    """Whether this connection is an enrolled station's (which may add only its own events)."""
    member = connection.exec_driver_sql(
        "SELECT EXISTS (SELECT FROM pg_auth_members m JOIN pg_roles g ON g.oid = m.roleid "
        "JOIN pg_roles u ON u.oid = m.member WHERE g.rolname = %(group)s AND u.rolname = session_user)",
        {"group": STATION_GROUP},
    ).scalar()
    return bool(member)
