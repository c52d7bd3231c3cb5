"""`checkin hub`, `sync`, `stations`, `conflicts`, `review` and `merge`: the venue hub from the terminal."""

from __future__ import annotations

import argparse
import contextlib
import functools
import itertools
import os
import secrets
import socket
import sys
import time
from dataclasses import asdict
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import qrcode
from sqlalchemy import func, select
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError, OperationalError

from checkin.cli.common import (
    OK,
    REFUSED,
    Define,
    StopRequests,
    UsageError,
    db_path,
    host_and_port,
    open_db,
    print_json,
    resolve_id,
    supervisor_allows,
)
from checkin.conference import store_zone
from checkin.paths import data_dir
from checkin.rules.local_time import local_moment
from checkin.rules.station import readable_name
from checkin.store.engine import create_hub_engine
from checkin.store.models import Event
from checkin.supervisor import Privileged
from checkin.sync import admin, conflicts, credentials, enrollment, roles, server, tls
from checkin.sync.hub import HubProblem
from checkin.sync.station import ago, clock_against_hub, clock_words, stations_seen, sync_round
from checkin.sync.worker import State, SyncStatus, SyncWorker, refused_login


class WipeRefused(Exception):
    """The station holds what the hub does not have yet."""


PROBLEMS = (
    WipeRefused,
    HubProblem,
    credentials.CredentialsProblem,
    server.ServerProblem,
    conflicts.ConflictProblem,
    enrollment.EnrollmentProblem,
    roles.RoleProblem,
    tls.TlsProblem,
)


def add_commands(command: Define) -> None:
    hub = command("hub", cmd_hub)
    hub.add_argument("action", choices=["init", "serve"])
    hub.add_argument("url", nargs="?", help="init: the PostgreSQL URL, postgresql://USER:PASSWORD@HOST:PORT/DB")
    hub.add_argument("--listen", default="0.0.0.0", help="serve: address to listen on (default: every network)")
    hub.add_argument("--port", type=int, default=5432, help="serve: TCP port (default 5432)")
    hub.add_argument("--data", type=Path, help="serve: the hub's data folder (default: in the user data folder)")
    hub.add_argument(
        "--password",
        help="serve: the password stations log in with (made up the first time "
        "if not given; also read from MUSTER_HUB_PASSWORD)",
    )

    sync = command("sync", cmd_sync)
    sync.add_argument("--hub", help="the hub's URL (remembered in the system keyring)")
    sync.add_argument("--once", action="store_true", help="one round, then exit (exit code 1 if the hub is down)")
    sync.add_argument("--forget", action="store_true", help="forget the remembered hub URL and exit")

    stations = command("stations", cmd_stations)
    stations.add_argument(
        "action",
        nargs="?",
        choices=["list", "add", "revoke"],
        default="list",
        help="list (default): the stations as of this station's last sync; add: enroll a station (prints its "
        "one-time code); revoke: end a station's access now",
    )
    stations.add_argument("name", nargs="?", help="add, revoke: the station's name, e.g. 'Door 201A'")
    stations.add_argument("--role", choices=roles.KINDS, help="add: what the station is for")
    stations.add_argument("--hub", help="add, revoke: the organiser's hub URL (default: the hub this laptop serves)")
    stations.add_argument("--data", type=Path, help="add, revoke: the data folder of the hub this laptop serves")
    stations.add_argument("--address", help="add: the hub as stations reach it, HOST or HOST:PORT (default: guessed)")
    stations.add_argument("--valid-hours", type=float, default=24.0, help="add: how long the code works (default 24)")
    stations.add_argument("--json", action="store_true")

    station = command("station", cmd_station)
    station.add_argument("action", choices=["wipe"], help="wipe: remove this station's data and hub login")
    station.add_argument("--force", action="store_true", help="wipe even what the hub does not have yet")

    joining = command("join", cmd_join)
    joining.add_argument("code", help="the enrollment code `checkin stations add` printed on the hub laptop")

    found = command("conflicts", cmd_conflicts)
    found.add_argument("--json", action="store_true")

    rev = command("review", cmd_review)
    rev.add_argument(
        "event_id",
        help="the duplicate check-in's event id, or its last 12 characters or more (see `checkin conflicts`)",
    )
    rev.add_argument("note", help="what was done, e.g. 'second badge collected'")

    merge = command("merge", cmd_merge)
    merge.add_argument("duplicate", help="registration id of the record to fold away")
    merge.add_argument("into", help="registration id of the record to keep")


def cmd_hub(args: argparse.Namespace) -> int:
    if args.action == "init":
        if not args.url:
            raise UsageError("hub init needs the hub's URL: checkin hub init postgresql://USER:PASSWORD@HOST/DB")
        url = credentials.check_url(args.url)
        ready = admin.init_hub(url, open_db(args))
        _print_ready(ready, url)
        return OK
    return _serve(args)


def _print_ready(ready: admin.HubReady, url: str) -> None:
    """After `hub init URL`: what next, never the password (the organiser's login is not for stations)."""
    shown = credentials.shown(url)
    if ready.conference is None:
        print(
            "Hub ready, but it holds no conference yet. On the laptop that has the conference, run:\n"
            f"  checkin hub init '{shown}' --db CONFERENCE.sqlite   (with the password)"
        )
        return
    copied = sum(ready.published.values())
    print(f"Hub ready for '{ready.conference}'" + (f" ({copied:,} reference rows copied up)." if copied else "."))
    print(
        f"Enroll each station:  checkin stations add 'Door 201A' --role door --hub '{shown}'   (with the password)\n"
        "then type or scan the code it prints on that station (checkin join CODE)."
    )


def _serve(args: argparse.Namespace) -> int:
    data = (args.data or server.default_folder(data_dir())).resolve()
    password = args.password or os.environ.get("MUSTER_HUB_PASSWORD") or credentials.server_password(str(data))
    if not server.initialised(data):
        password = password or secrets.token_urlsafe(18)
        print(f"Creating a new hub in {data} …", file=sys.stderr)
        server.init_cluster(data, password)
        if not credentials.save_server_password(str(data), password):
            print(
                "No system keyring here: note the password in the URL below; `hub serve --password` "
                "needs it next time.",
                file=sys.stderr,
            )
    if not password:
        raise UsageError("this hub's password is not in the keyring; give it with --password")
    with StopRequests() as stop:
        return _run_hub(args, data, password, stop)


def _run_hub(args: argparse.Namespace, data: Path, password: str, stop: StopRequests) -> int:
    # PostgreSQL on its Unix socket only; the network gets the TLS front (pgserver's PostgreSQL has no TLS).
    running = server.start(data, "", args.port)
    certificate = tls.hub_certificate(data / TLS_FOLDER)
    front = tls.Front(certificate, args.listen, args.port, server.socket_path(data, args.port))
    try:
        front.start()
        (data / TLS_FOLDER / LISTENING).write_text(f"{args.listen} {args.port}\n", encoding="utf-8")
        local_url = server.local_url(data, args.port, password)
        try:
            ready = admin.init_hub(local_url, open_db(args, create=True))
        except OperationalError as error:
            if refused_login(error):  # the server keeps the password it was created with
                raise UsageError(
                    f"that password is not this hub's: it keeps the one it was created with in {data}"
                ) from error
            raise
        _print_serving(ready, data, args)
        print("Serving. Ctrl+C stops the hub (stations keep working and catch up when it is back).", flush=True)
        while True:
            stop.wait(functools.partial(_alive, running))
            if stop.asked:
                break
            running = _restarted(args, data, running.process.returncode, stop) or running
            if stop.asked:
                break
    finally:
        front.stop()
        running.stop()
    print("Hub stopped.")
    return OK


TLS_FOLDER = "muster-tls"  # the hub's certificate and key, inside its data folder
LISTENING = "listening"  # in TLS_FOLDER: where the running front listens, for `stations add` to put in codes


def _print_serving(ready: admin.HubReady, data: Path, args: argparse.Namespace) -> None:
    shown = "" if ready.conference is None else f" for '{ready.conference}'"
    address = _lan_address() if args.listen in ("0.0.0.0", "*", "::") else args.listen
    folder = "" if args.data is None else f" --data '{data}'"
    print(
        f"Hub ready{shown}, on {address}:{args.port} (TLS only; certificate {data / TLS_FOLDER / 'hub.crt'}).\n"
        f"Enroll each station from this laptop:  checkin stations add 'Door 201A' --role door{folder}\n"
        "then type or scan the code it prints on that station (checkin join CODE)."
    )
    if ready.conference is None:
        shown_url = server.local_url(data, args.port, "…")
        print(
            "The hub holds no conference yet. On this laptop, give it the one in your database:\n"
            f"  checkin hub init '{shown_url}' --db CONFERENCE.sqlite\n"
            "(with the hub's password for …), or start the hub again with --db naming that database."
        )


def _alive(running: server.RunningServer) -> bool:
    return running.process.poll() is None


def _before(moment: float) -> bool:
    return time.monotonic() < moment


RESTART_AFTER_S = (1, 2, 5, 10, 30)  # then every 30 s, for as long as it takes


def _restarted(
    args: argparse.Namespace, data: Path, exit_code: int | None, stop: StopRequests
) -> server.RunningServer | None:
    """PostgreSQL died under the hub (killed, out of memory, a crash): start it again, waiting longer after
    each failed try, and say so on the console. Stations queue their work meanwhile and catch up after."""
    said = f"signal {-exit_code}" if exit_code is not None and exit_code < 0 else f"exit {exit_code}"
    for attempt in itertools.count():
        delay = RESTART_AFTER_S[min(attempt, len(RESTART_AFTER_S) - 1)]
        print(
            f"{datetime.now():%H:%M:%S} PostgreSQL stopped ({said}); starting it again in {delay} s. Stations keep "
            f"their scans and send them when it is back (log: {data / 'server.log'}).",
            flush=True,
        )
        stop.wait(functools.partial(_before, time.monotonic() + delay))
        if stop.asked:
            return None
        try:
            running = server.start(data, "", args.port)
        except server.ServerProblem as problem:
            said = str(problem).splitlines()[0]
            continue
        print(f"{datetime.now():%H:%M:%S} PostgreSQL is back: serving again.", flush=True)
        return running
    return None  # unreachable: count() never ends


def _lan_address() -> str:
    """This machine's address on the venue network (no packet is sent)."""
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
        try:
            probe.connect(("192.0.2.1", 9))
            return str(probe.getsockname()[0])
        except OSError:
            return socket.gethostname()


def cmd_sync(args: argparse.Namespace) -> int:
    store = open_db(args, create=True)  # a new station: its database is made, then filled from the hub
    station_id = store.station.id
    if args.forget:
        credentials.forget(station_id)
        print("Forgot the hub URL for this station.")
        return OK
    url: str | None
    if args.hub:
        url = credentials.check_url(args.hub)
    else:
        url = credentials.load(station_id)
        if url is None:
            raise UsageError("no hub set for this station: checkin sync --hub postgresql://USER:PASSWORD@HOST/DB")
    if args.once:
        result = _once(store, url)
        if result == OK and args.hub:
            _remember(station_id, url)  # only a URL that worked replaces the remembered one
        return result
    if args.hub:
        _remember(station_id, url)
    return _forever(store, url)


def _remember(station_id: str, url: str) -> None:
    try:
        credentials.save(station_id, url)
    except credentials.CredentialsProblem as problem:
        print(f"checkin sync: {problem}", file=sys.stderr)


def _once(store: Any, url: str) -> int:
    engine = create_hub_engine(url)
    try:
        report = sync_round(store, engine)
    except (OperationalError, DBAPIError) as error:
        refusal = refused_login(error)
        detail = str(error.orig).strip().splitlines()[0] if error.orig else str(error)
        print(
            f"checkin sync: {refusal}"
            if refusal
            else f"checkin sync: the hub at {credentials.shown(url)} did not answer: {detail}",
            file=sys.stderr,
        )
        return REFUSED
    finally:
        engine.dispose()
    if report.started_over:
        print(
            "The hub's log is not the one this station last synced with (a new hub, or one restored from a "
            "backup): this station sent it every event it holds."
        )
    print(
        f"Synced: pushed {report.pushed:,}, pulled {report.pulled:,} events and {report.reference_rows:,} "
        f"reference rows; {report.backlog:,} waiting; clock {clock_against_hub(report.clock_offset_s)}."
    )
    return OK


def _forever(store: Any, url: str) -> int:
    last: list[tuple[State, int]] = []

    def show(status: SyncStatus) -> None:
        key = (status.state, status.backlog)
        if not last or last[-1] != key:
            detail = f" ({status.message})" if status.message and status.state != State.REFUSED else ""
            print(f"{datetime.now().strftime('%H:%M:%S')} {status.summary(store.now())}{detail}", flush=True)
            last.append(key)

    worker = SyncWorker(store, url, show)
    print(f"Syncing with {credentials.shown(url)}; Ctrl+C stops.", flush=True)
    with StopRequests() as stop:
        worker.start()
        stop.wait()
    worker.stop()
    return OK


def cmd_join(args: argparse.Namespace) -> int:
    store = open_db(args, create=True)  # a new station: its database is made, then filled from the hub
    joined = enrollment.join(store, args.code)
    print(f"Joined the hub as {joined.name} ({joined.kind}); its login is kept in this laptop's keyring.")
    url = credentials.load(store.station.id)
    assert url is not None
    return _once(store, url)


def cmd_station(args: argparse.Namespace) -> int:
    """Wipe this station (a laptop handed back, or to be reused): only once the hub holds all it recorded."""
    path = db_path(args)
    if not isinstance(path, Path):
        raise UsageError("station wipe removes a station's own database file, not a hub's")
    store = open_db(args)
    supervisor_allows(store, Privileged.WIPE)
    station_id = store.station.id
    url = credentials.load(station_id)
    if url is not None and _unsent(store):
        with contextlib.redirect_stdout(sys.stderr):
            _once(store, url)  # one more try to hand the hub what it lacks
    lost = _unsent(store)
    if lost and not args.force:
        store.close()
        raise WipeRefused(
            f"{_events_in_words(lost)} recorded here {'is' if sum(lost.values()) == 1 else 'are'} not on the hub "
            "yet: nothing was wiped. Sync with the hub first, or wipe with --force to lose them."
        )
    store.close()
    for part in (path, *(path.with_name(path.name + end) for end in ("-wal", "-shm", "-journal"))):
        part.unlink(missing_ok=True)
    credentials.forget(station_id)
    if lost:
        print(f"Lost, as asked (--force): {_events_in_words(lost)} the hub never had.")
    print(f"Wiped this station: {path} and its hub login are gone.")
    return OK


def _unsent(store: Any) -> dict[str, int]:
    """This station's own events the hub has not confirmed, by kind."""
    with store.reading() as session:
        rows = session.execute(
            select(Event.kind, func.count())
            .where(Event.hub_seq.is_(None), Event.station_id == store.station.id)
            .group_by(Event.kind)
        ).all()
    return {kind: count for kind, count in rows}


def _events_in_words(by_kind: dict[str, int]) -> str:
    return ", ".join(f"{count:,} {kind.replace('_', ' ')}" for kind, count in sorted(by_kind.items()))


def cmd_stations(args: argparse.Namespace) -> int:
    if args.action == "add":
        return _add_station(args)
    if args.action == "revoke":
        return _revoke_station(args)
    store = open_db(args)
    with store.reading() as session:
        rows = [asdict(seen) for seen in stations_seen(session, store.now())]
    if args.json:
        print_json(rows)
        return OK
    if not rows:
        print("No stations known yet: this station has not synced with a hub (checkin sync --hub URL).")
        return OK
    print(f"{'station':<24} {'last contact':>14} {'sent':>8} {'backlog':>8} {'clock vs hub':>20}")
    for row in rows:
        clock = clock_words(row["clock_offset_s"]) + (" WRONG" if row["clock_wrong"] else "")
        print(
            f"{row['name'][:24]:<24} {ago(row['seconds_ago']):>14} {row['sent']:>8,} {row['backlog']:>8,} {clock:>20}"
        )
    print("(as of this station's last sync)")
    return OK


def _add_station(args: argparse.Namespace) -> int:
    if not args.name or not args.role:
        raise UsageError("name the station and say what it is for: checkin stations add 'Door 201A' --role door")
    name = readable_name(args.name)
    url, (host, port), fingerprint = _organiser(args)
    engine = create_hub_engine(url)
    try:
        with engine.begin() as connection:
            made = roles.enroll(connection, name, args.role, timedelta(hours=args.valid_hours))
            database = connection.exec_driver_sql("SELECT current_database()").scalar_one()
    finally:
        engine.dispose()
    if args.address:
        host, port = host_and_port(args.address, port)
    code = enrollment.code_for(host, port, database, made, fingerprint)
    until = made.expires_at.astimezone().strftime("%a %d %b %H:%M")
    if args.json:
        print_json({"name": made.name, "role": made.kind, "code": code, "expires_at": made.expires_at})
        return OK
    print(f"Enrollment code for {made.name} ({made.kind}), good once until {until}:\n\n    {code}\n")
    print(f"On that station run:  checkin join {code}\nThe same code as a QR:")
    qr = qrcode.QRCode(border=1)
    qr.add_data(code)
    qr.print_ascii(out=sys.stdout, invert=True)
    return OK


def _revoke_station(args: argparse.Namespace) -> int:
    if not args.name:
        raise UsageError("name the station to revoke: checkin stations revoke 'Door 201A'")
    url, _, _ = _organiser(args)
    engine = create_hub_engine(url)
    try:
        with engine.begin() as connection:
            roles.revoke(connection, args.name)
    finally:
        engine.dispose()
    print(f"Revoked {args.name}: it can no longer reach the hub (what it recorded there stays).")
    return OK


def _organiser(args: argparse.Namespace) -> tuple[str, tuple[str, int], str]:
    """The organiser's hub URL, the hub's address as stations reach it, and its certificate's fingerprint."""
    if args.hub:
        url = credentials.check_url(args.hub)
        where = make_url(url)
        host, port = where.host or "", where.port or 5432
        return url, (host, port), tls.fingerprint_of(tls.fetch_certificate(host, port))
    data = (args.data or server.default_folder(data_dir())).resolve()
    if not server.ready(data):
        raise UsageError(
            f"no hub is running from {data}: start it with checkin hub serve, or give the organiser's URL with --hub"
        )
    try:
        listening, port_text = (data / TLS_FOLDER / LISTENING).read_text(encoding="utf-8").split()
        port = int(port_text)
    except (OSError, ValueError):
        raise UsageError(f"the hub in {data} was started by an older Muster: stop it and start it again") from None
    password = os.environ.get("MUSTER_HUB_PASSWORD") or credentials.server_password(str(data))
    if not password:
        raise UsageError("this hub's password is not in the keyring; give it in MUSTER_HUB_PASSWORD")
    host = _lan_address() if listening in ("0.0.0.0", "*", "::") else listening
    fingerprint = tls.hub_certificate(data / TLS_FOLDER).fingerprint()
    return server.local_url(data, port, password), (host, port), fingerprint


def cmd_conflicts(args: argparse.Namespace) -> int:
    store = open_db(args)
    with store.reading() as session:
        badges = conflicts.duplicate_badges(session)
        walk_ins = conflicts.walk_in_duplicates(session)
    if args.json:
        print_json(
            {
                "duplicate_badges": [
                    {
                        "event_id": d.event_id,
                        "attendee": d.attendee.external_id,
                        "name": d.attendee.full_name,
                        "station": d.station,
                        "at": d.at,
                        "first_station": d.first_station,
                        "first_at": d.first_at,
                    }
                    for d in badges
                ],
                "walk_in_duplicates": [
                    [{"id": v.external_id, "name": v.full_name, "email": v.email, "source": v.source} for v in group]
                    for group in walk_ins
                ],
            }
        )
        return OK
    if not badges and not walk_ins:
        print("Nothing to review.")
        return OK
    zone, now = store_zone(store), store.now()  # times as the desk shows them: the conference's clock
    for d in badges:
        print(
            f"Duplicate badge: {d.attendee.full_name} ({d.attendee.external_id}) checked in at {d.first_station} "
            f"{local_moment(d.first_at, zone, now)} and again at {d.station} {local_moment(d.at, zone, now)}.  "
            f"Done with it: checkin review {d.event_id} 'what was done'"
        )
    for group in walk_ins:
        names = ", ".join(f"{v.full_name} ({v.external_id}, {v.source})" for v in group)
        keep = conflicts.record_to_keep(group)
        merges = "; ".join(f"checkin merge {v.external_id} {keep.external_id}" for v in group if v != keep)
        print(f"Same email, likely one person: {names}.  Merge: {merges}")
    return OK


def cmd_review(args: argparse.Namespace) -> int:
    store = open_db(args)
    conflicts.review(store, args.event_id, args.note, store.now())
    print("Marked as reviewed.")
    return OK


def cmd_merge(args: argparse.Namespace) -> int:
    store = open_db(args)
    duplicate, kept = resolve_id(store, args.duplicate), resolve_id(store, args.into)
    supervisor_allows(store, Privileged.MERGE)
    merged = conflicts.merge(store, duplicate.id, kept.id, store.now())
    print(f"Merged {duplicate.full_name} ({duplicate.external_id}) into {merged.full_name} ({merged.external_id}).")
    return OK
