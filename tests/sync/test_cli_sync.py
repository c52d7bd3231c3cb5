"""`checkin hub serve|init`, `sync`, `stations`, `conflicts`, `review`, `merge` as separate processes."""

from __future__ import annotations

import json
import os
import re
import signal
import socket
import sqlite3
import subprocess
import sys
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from sqlalchemy import create_engine, inspect, text

from checkin.cli.common import StopRequests
from checkin.sync import server
from tests.conftest import FIXED_WEEK
from tests.sync.conftest import Hub, checkin

ROOT = Path(__file__).parents[2]


def test_hub_serve_starts_a_hub_that_stations_sync_with_and_stops_cleanly(
    tmp_path: Path, keyring_env: dict[str, str]
) -> None:
    admin = tmp_path / "admin.sqlite"
    assert checkin("demo", "--db", str(admin), "--attendees", "60", *FIXED_WEEK, env=keyring_env).returncode == 0
    port = server.free_port()
    serving, output = _serve(tmp_path, admin, port, keyring_env)
    try:
        assert "Hub ready for 'National School Safety Training Conference 2027'" in output
        assert f"on 127.0.0.1:{port} (TLS only" in output and "checkin stations add" in output
        assert "venue" not in output.replace("Hub ready", "")  # the organiser's password is not shown
        url = server.local_url(tmp_path / "hub", port, "venue pass")  # the organiser's, on the hub laptop

        desk = tmp_path / "desk.sqlite"
        first = checkin("sync", "--db", str(desk), "--station", "Desk 1", "--hub", url, "--once", env=keyring_env)
        assert first.returncode == 0, first.stderr
        assert "reference rows" in first.stdout
        assert "clock in step with the hub" in first.stdout  # same machine, same clock
        assert checkin("checkin", "--db", str(desk), "R100002", env=keyring_env).returncode in (0, 1)
        again = checkin("sync", "--db", str(desk), "--once", env=keyring_env)  # the URL came from the keyring
        assert again.returncode == 0, again.stderr
        listed = checkin("stations", "--db", str(desk), "--json", env=keyring_env)
        assert [row["name"] for row in json.loads(listed.stdout)] == ["Desk 1"]
        assert "venue pass" not in (desk.read_bytes().decode("latin-1"))
    finally:
        serving.send_signal(signal.SIGTERM)
        rest = serving.communicate(timeout=60)[0]
    assert serving.returncode == 0, rest
    assert "Hub stopped." in rest
    down = checkin("sync", "--db", str(tmp_path / "desk.sqlite"), "--once", env=keyring_env)
    assert down.returncode == 1 and "did not answer" in down.stderr


def test_a_hub_served_without_the_conference_prints_the_command_that_gives_it_one(
    tmp_path: Path, keyring_env: dict[str, str]
) -> None:
    port = server.free_port()
    serving, output = _serve(tmp_path, tmp_path / "empty.sqlite", port, keyring_env)
    try:
        assert "holds no conference yet" in output
        url = server.local_url(tmp_path / "hub", port, "venue pass")
        assert f"checkin hub init '{server.local_url(tmp_path / 'hub', port, '…')}'" in output
        admin = tmp_path / "admin.sqlite"
        assert checkin("demo", "--db", str(admin), "--attendees", "20", *FIXED_WEEK, env=keyring_env).returncode == 0
        given = checkin("hub", "init", url, "--db", str(admin), env=keyring_env)
        assert given.returncode == 0, given.stderr
        assert "Hub ready for 'National School Safety Training Conference 2027'" in given.stdout
        assert "checkin stations add" in given.stdout and "venue" not in given.stdout  # never the password
    finally:
        serving.send_signal(signal.SIGTERM)
        serving.communicate(timeout=60)


def test_hub_init_refuses_a_database_that_holds_another_programs_tables(
    tmp_path: Path, hub_db: str, keyring_env: dict[str, str]
) -> None:
    engine = create_engine(hub_db)
    with engine.begin() as connection:
        connection.execute(text("CREATE TABLE invoices (number int)"))
    admin = tmp_path / "admin.sqlite"
    assert checkin("demo", "--db", str(admin), "--attendees", "20", *FIXED_WEEK, env=keyring_env).returncode == 0
    given = checkin("hub", "init", hub_db, "--db", str(admin), env=keyring_env)
    assert given.returncode == 1 and "holds another program's tables (invoices)" in given.stderr, given.stderr
    assert "s3cret" not in given.stderr and ":***@" in given.stderr  # the password is not shown
    with engine.connect() as connection:
        assert set(inspect(connection).get_table_names()) == {"invoices"}
    engine.dispose()


def test_hub_serve_says_what_to_do_about_a_taken_port_or_a_wrong_password(
    tmp_path: Path, keyring_env: dict[str, str]
) -> None:
    admin = tmp_path / "admin.sqlite"
    assert checkin("demo", "--db", str(admin), "--attendees", "20", *FIXED_WEEK, env=keyring_env).returncode == 0
    serving, _ = _serve(tmp_path, admin, server.free_port(), keyring_env)  # creates the hub, password "venue pass"
    serving.send_signal(signal.SIGTERM)
    serving.communicate(timeout=60)
    again = ["hub", "serve", "--listen", "127.0.0.1", "--db", str(admin), "--data", str(tmp_path / "hub")]
    if os.geteuid() == 0:  # PostgreSQL runs as its own user, which a private parent keeps out (as this user: not)
        tmp_path.chmod(0o700)  # a parent made private since
        private = checkin(*again, "--port", str(server.free_port()), "--password", "venue pass", env=keyring_env)
        assert private.returncode != 0 and "which cannot reach" in private.stderr, private.stderr
        assert tmp_path.stat().st_mode & 0o777 == 0o700  # said, never opened up
        tmp_path.chmod(0o711)

    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        busy = checkin(*again, "--port", str(port), "--password", "venue pass", env=keyring_env)
    assert busy.returncode != 0
    assert f"port {port} is taken by another program on this machine" in busy.stderr
    assert "choose another port with --port" in busy.stderr
    wrong = checkin(*again, "--port", str(server.free_port()), "--password", "guess", env=keyring_env)
    assert wrong.returncode != 0
    assert "that password is not this hub's: it keeps the one it was created with" in wrong.stderr
    assert "Traceback" not in wrong.stderr + busy.stderr


def _serve(tmp_path: Path, db: Path, port: int, env: dict[str, str]) -> tuple[subprocess.Popen[str], str]:
    """`checkin hub serve` running in the background, and what it printed up to "Serving"."""
    serving = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "checkin.cli",
            "hub",
            "serve",
            "--db",
            str(db),
            "--data",
            str(tmp_path / "hub"),
            "--listen",
            "127.0.0.1",
            "--port",
            str(port),
            "--password",
            "venue pass",
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        cwd=ROOT,
        env=env,
    )
    assert serving.stdout is not None
    lines = []
    for line in serving.stdout:
        lines.append(line)
        if line.startswith("Serving"):
            break
    return serving, "".join(lines)


def test_sync_stops_on_sigterm_even_when_the_kernel_hands_it_to_a_worker_thread(
    tmp_path: Path, hub_url: str, keyring_env: dict[str, str]
) -> None:
    # A process-wide signal goes to whichever thread the kernel picks; kill(2) on a thread's id picks that
    # thread. A main thread blocked in Event.wait() was never woken then, and `checkin sync` ran on.
    syncing = subprocess.Popen(
        [sys.executable, "-m", "checkin.cli", "sync", "--db", str(tmp_path / "door.sqlite"), "--hub", hub_url],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        cwd=ROOT,
        env=keyring_env,
    )
    assert syncing.stdout is not None
    for line in syncing.stdout:
        if "Synced" in line:
            break
    workers = [int(tid) for tid in os.listdir(f"/proc/{syncing.pid}/task") if int(tid) != syncing.pid]
    assert workers  # the sync worker and the WAL checkpointer
    os.kill(workers[0], signal.SIGTERM)
    try:
        rest = syncing.communicate(timeout=30)[0]
    except subprocess.TimeoutExpired:
        syncing.kill()
        raise AssertionError("`checkin sync` ignored SIGTERM") from None
    assert syncing.returncode == 0, rest
    assert "Traceback" not in rest


def test_a_sigterm_before_the_wait_still_lets_the_cleanup_run() -> None:
    # `hub serve` prints "Serving" and then waits; a SIGTERM in between ended it on the spot, leaving its
    # PostgreSQL running with the data folder locked (seen once in a slow full run).
    cleaned = []
    with StopRequests() as stop:
        try:
            os.kill(os.getpid(), signal.SIGTERM)  # before the wait: this process must live on
            stop.wait(poll_s=60)  # returns at once: the request was kept
        finally:
            cleaned.append(True)
    assert cleaned == [True]
    assert signal.getsignal(signal.SIGTERM) is signal.SIG_DFL  # put back as it was


def test_without_a_system_keyring_the_hub_password_goes_into_no_file(tmp_path: Path, hub_url: str) -> None:
    # keyrings.alt (in the test extra) offers a plain-text file keyring: keyring would fall back on it here.
    home = tmp_path / "home"
    env = {
        **{k: v for k, v in os.environ.items() if k not in ("PYTHON_KEYRING_BACKEND", "MUSTER_HUB_URL")},
        "HOME": str(home),
        "XDG_DATA_HOME": str(home / "data"),
        "XDG_CONFIG_HOME": str(home / "config"),
        "DBUS_SESSION_BUS_ADDRESS": "unix:path=/nonexistent",
    }  # no Secret Service, as on a bare kiosk
    desk = tmp_path / "desk.sqlite"
    first = checkin("sync", "--db", str(desk), "--hub", hub_url, "--once", env=env)
    assert first.returncode == 0, first.stderr
    assert "keyring cannot store the hub URL; set MUSTER_HUB_URL" in first.stderr
    assert "s3cret" in hub_url
    for path in tmp_path.rglob("*"):
        assert not path.is_file() or b"s3cret" not in path.read_bytes(), path
    again = checkin("sync", "--db", str(desk), "--once", env=env)
    assert again.returncode == 2 and "no hub set for this station" in again.stderr


def test_bad_hub_urls_are_refused_with_words(tmp_path: Path, keyring_env: dict[str, str]) -> None:
    db = str(tmp_path / "desk.sqlite")
    for url, words in (
        ("sqlite:///x.db", "a 'sqlite' URL cannot be one"),
        ("not a url", "not a database URL"),
        ("postgresql://user@/muster", "needs a host"),
    ):
        result = checkin("sync", "--db", db, "--hub", url, "--once", env=keyring_env)
        assert result.returncode == 1 and words in result.stderr, result.stderr
    missing = checkin("sync", "--db", db, "--once", env=keyring_env)
    assert missing.returncode == 2 and "no hub set" in missing.stderr


def test_a_wrong_password_or_database_is_told_apart_from_a_hub_that_is_down(
    tmp_path: Path, hub_server: Hub, keyring_env: dict[str, str]
) -> None:
    db = str(tmp_path / "desk.sqlite")
    wrong = server.hub_url("127.0.0.1", hub_server.port, "not the password", database="postgres")
    result = checkin("sync", "--db", db, "--hub", wrong, "--once", env=keyring_env)
    assert result.returncode == 1 and "refused the login" in result.stderr, result.stderr
    nowhere = hub_server.url("no_such_db")
    result = checkin("sync", "--db", db, "--hub", nowhere, "--once", env=keyring_env)
    assert result.returncode == 1 and "no such database" in result.stderr, result.stderr


def test_conflicts_review_and_merge_from_the_terminal(
    tmp_path: Path, hub_url: str, keyring_env: dict[str, str]
) -> None:
    a, b = str(tmp_path / "a.sqlite"), str(tmp_path / "b.sqlite")
    for db, name in ((a, "Desk A"), (b, "Desk B")):
        assert (
            checkin("sync", "--db", db, "--station", name, "--hub", hub_url, "--once", env=keyring_env).returncode == 0
        )
    someone = json.loads(checkin("attendees", "--db", a, "--json", "--limit", "40", env=keyring_env).stdout)
    paid = next(p["external_id"] for p in someone if p["status"] == "paid")
    for db in (a, b):
        assert checkin("checkin", "--db", db, paid, env=keyring_env).returncode == 0
        assert (
            checkin(
                "walk-in",
                "--db",
                db,
                "--first",
                "Sam",
                "--last",
                "Okafor",
                "--email",
                "sam@k12.example",
                "--paid",
                env=keyring_env,
            ).returncode
            == 0
        )
    for db in (a, b, a):
        assert checkin("sync", "--db", db, "--once", env=keyring_env).returncode == 0
    found = json.loads(checkin("conflicts", "--db", a, "--json", env=keyring_env).stdout)
    assert [d["attendee"] for d in found["duplicate_badges"]] == [paid]
    assert len(found["walk_in_duplicates"]) == 1 and len(found["walk_in_duplicates"][0]) == 2
    words = checkin("conflicts", "--db", a, env=keyring_env).stdout
    assert "Duplicate badge" in words and "Same email" in words
    second_at = datetime.fromisoformat(found["duplicate_badges"][0]["at"]).astimezone(ZoneInfo("America/Chicago"))
    assert f"again at Desk B {second_at:%H:%M}" in words  # the conference's clock, as the desk shows it

    event_id = found["duplicate_badges"][0]["event_id"]
    assert checkin("review", "--db", a, event_id, "  ", env=keyring_env).returncode == 1
    assert checkin("review", "--db", a, event_id, "second badge collected", env=keyring_env).returncode == 0
    first, second = (v["id"] for v in found["walk_in_duplicates"][0])
    merged = checkin("merge", "--db", a, second, first, env=keyring_env)
    assert merged.returncode == 0 and "Merged Sam Okafor" in merged.stdout
    assert checkin("merge", "--db", a, second, first, env=keyring_env).returncode == 1  # already merged
    assert checkin("sync", "--db", a, "--once", env=keyring_env).returncode == 0
    assert checkin("sync", "--db", b, "--once", env=keyring_env).returncode == 0
    assert checkin("conflicts", "--db", b, env=keyring_env).stdout.strip() == "Nothing to review."


def test_admin_commands_pointed_at_the_hub_reach_the_stations(
    tmp_path: Path, hub_url: str, keyring_env: dict[str, str]
) -> None:
    door = str(tmp_path / "door.sqlite")
    assert checkin("sync", "--db", door, "--hub", hub_url, "--once", env=keyring_env).returncode == 0
    data = ROOT / "tests" / "data" / "wildapricot_registrants.csv"
    imported = checkin("import", "--db", hub_url, str(data), env=keyring_env)
    assert imported.returncode == 0 and "added" in imported.stdout, imported.stderr
    # Searched on the hub itself: its own full-text index (PostgreSQL's), by words that are not surnames.
    on_hub = json.loads(checkin("attendees", "tulsa publ", "--db", hub_url, "--json", env=keyring_env).stdout)
    assert [a["external_id"] for a in on_hub] == ["71001"]
    by_email = json.loads(checkin("attendees", "mobrien@harr", "--db", hub_url, "--json", env=keyring_env).stdout)
    assert [a["external_id"] for a in by_email] == ["71002"]
    assert checkin("policy", "--db", hub_url, "--warn-at", "90", env=keyring_env).returncode == 0
    assert checkin("keys", "revoke", "1", "--db", hub_url, env=keyring_env).returncode == 0
    assert checkin("sync", "--db", door, "--once", env=keyring_env).returncode == 0
    found = json.loads(checkin("attendees", "Whitfield", "--db", door, "--json", env=keyring_env).stdout)
    assert any(a["external_id"] == "71001" for a in found)
    assert "90%" in checkin("policy", "--db", door, env=keyring_env).stdout
    assert "REVOKED" in checkin("keys", "list", "--db", door, env=keyring_env).stdout


def test_a_second_printing_desk_gets_the_signing_key_in_a_sealed_file_never_through_the_hub(
    tmp_path: Path, hub_url: str, keyring_env: dict[str, str]
) -> None:
    admin, desk, door = (str(tmp_path / name) for name in ("admin.sqlite", "desk.sqlite", "door.sqlite"))
    for station in (desk, door):
        joined = checkin("sync", "--db", station, "--hub", hub_url, "--once", env=keyring_env)
        assert joined.returncode == 0, joined.stderr
    unable = checkin("code", "--db", desk, "R100002", env=keyring_env)
    assert unable.returncode == 1 and "checkin keys import-signing FILE" in unable.stderr

    sealed = tmp_path / "desk-key.json"
    weak = checkin(
        "keys", "export-signing", str(sealed), "--db", admin, env={**keyring_env, "MUSTER_KEY_PASSPHRASE": "short"}
    )
    assert weak.returncode == 1 and "at least 10 characters" in weak.stderr and not sealed.exists()
    passphrase = {**keyring_env, "MUSTER_KEY_PASSPHRASE": "correct horse battery"}
    exported = checkin("keys", "export-signing", str(sealed), "--db", admin, env=passphrase)
    assert exported.returncode == 0, exported.stderr
    assert sealed.stat().st_mode & 0o777 == 0o600
    with sqlite3.connect(admin) as connection:
        private_hex = connection.execute("SELECT private_key FROM badge_key").fetchone()[0]
    assert private_hex not in sealed.read_text() and private_hex.upper() not in sealed.read_text()

    wrong = checkin(
        "keys",
        "import-signing",
        str(sealed),
        "--db",
        desk,
        env={**keyring_env, "MUSTER_KEY_PASSPHRASE": "correct horse battery!"},
    )
    assert wrong.returncode == 1 and "Wrong passphrase" in wrong.stderr
    document = json.loads(sealed.read_text())
    document["keys"][0]["sealed_private_key"] = document["keys"][0]["sealed_private_key"][:-8] + "AAAAAAAA"
    tampered = tmp_path / "tampered.json"
    tampered.write_text(json.dumps(document))
    damaged = checkin("keys", "import-signing", str(tampered), "--db", desk, env=passphrase)
    assert damaged.returncode == 1 and "damaged" in damaged.stderr
    assert checkin("code", "--db", desk, "R100002", env=keyring_env).returncode == 1  # nothing imported

    imported = checkin("keys", "import-signing", str(sealed), "--db", desk, env=passphrase)
    assert imported.returncode == 0 and "now signs badges (key 1)" in imported.stdout, imported.stderr
    assert checkin("sync", "--db", desk, "--once", env=keyring_env).returncode == 0  # the hub's rows keep it
    code = checkin("code", "--db", desk, "R100002", env=keyring_env).stdout.strip()
    verdict = json.loads(checkin("scan", "--db", door, "--json", code, env=keyring_env).stdout)
    assert verdict["code"] == "accepted"  # the door verifies the second desk's badge with the public half
    with sqlite3.connect(door) as connection:
        assert connection.execute("SELECT count(*) FROM badge_key WHERE private_key IS NOT NULL").fetchone() == (0,)

    # A rotation at the desk that made the keys: the hub hands the new public half to every station, and
    # the printing desks take the new private half from a new sealed file.
    assert checkin("keys", "rotate", "--db", admin, env=keyring_env).returncode == 0
    public = tmp_path / "public.json"
    assert checkin("keys", "export-public", str(public), "--db", admin, env=keyring_env).returncode == 0
    assert checkin("keys", "import-public", str(public), "--db", hub_url, "--yes", env=keyring_env).returncode == 0
    for station in (desk, door):
        assert checkin("sync", "--db", station, "--once", env=keyring_env).returncode == 0
    listed = checkin("keys", "list", "--db", desk, env=keyring_env).stdout
    assert "key   1" in listed and "key   2" in listed and "signs badges" in listed  # still key 1
    assert checkin("keys", "export-signing", str(sealed), "--db", admin, env=passphrase).returncode == 0  # replaced
    again = checkin("keys", "import-signing", str(sealed), "--db", desk, env=passphrase)
    assert "now signs badges (key 2)" in again.stdout, again.stderr
    code = checkin("code", "--db", desk, "R100003", env=keyring_env).stdout.strip()
    verdict = json.loads(checkin("scan", "--db", door, "--json", code, env=keyring_env).stdout)
    assert verdict["code"] == "accepted", verdict


def test_hub_serve_starts_its_postgresql_again_when_it_dies(tmp_path: Path, keyring_env: dict[str, str]) -> None:
    admin = tmp_path / "admin.sqlite"
    assert checkin("demo", "--db", str(admin), "--attendees", "40", *FIXED_WEEK, env=keyring_env).returncode == 0
    serving, _ = _serve(tmp_path, admin, server.free_port(), keyring_env)
    try:
        desk = tmp_path / "desk.sqlite"
        added = checkin("stations", "add", "Desk 1", "--role", "desk", "--data", str(tmp_path / "hub"), env=keyring_env)
        code = re.search(r"checkin join (\S+)", added.stdout).group(1)  # type: ignore[union-attr]
        first = checkin("join", "--db", str(desk), code, env=keyring_env)  # through the TLS front
        assert first.returncode == 0, first.stderr
        postmaster = int((tmp_path / "hub" / "postmaster.pid").read_text().split()[0])
        os.kill(postmaster, signal.SIGKILL)  # out of memory, a crash: PostgreSQL gone under the hub
        assert serving.stdout is not None
        said = []
        for line in serving.stdout:  # read until it says so; the test's timeout bounds this
            said.append(line)
            if "PostgreSQL is back" in line:
                break
        assert any("PostgreSQL stopped (signal 9); starting it again" in line for line in said), said
        assert serving.poll() is None  # `hub serve` itself never stopped
        assert checkin("checkin", "--db", str(desk), "R100002", env=keyring_env).returncode in (0, 1)
        again = checkin("sync", "--db", str(desk), "--once", env=keyring_env)
        assert again.returncode == 0, again.stderr
    finally:
        serving.send_signal(signal.SIGTERM)
        rest = serving.communicate(timeout=60)[0]
    assert serving.returncode == 0, rest
    assert "Hub stopped." in rest


def test_a_station_enrolled_on_the_hub_laptop_joins_and_is_revoked(tmp_path: Path, keyring_env: dict[str, str]) -> None:
    admin = tmp_path / "admin.sqlite"
    assert checkin("demo", "--db", str(admin), "--attendees", "40", *FIXED_WEEK, env=keyring_env).returncode == 0
    serving, _ = _serve(tmp_path, admin, server.free_port(), keyring_env)
    try:
        hub_data = str(tmp_path / "hub")
        added = checkin("stations", "add", "Door 201A", "--role", "door", "--data", hub_data, env=keyring_env)
        assert added.returncode == 0, added.stderr
        code = re.search(r"checkin join (\S+)", added.stdout).group(1)  # type: ignore[union-attr]
        assert code.startswith("127.0.0.1:") and "venue pass" not in added.stdout  # not the organiser's
        assert "█" in added.stdout or "▀" in added.stdout  # the code as a QR, for a camera or scanner

        door = str(tmp_path / "door.sqlite")
        joined = checkin("join", "--db", door, code, env=keyring_env)
        assert joined.returncode == 0, joined.stderr
        assert "Joined the hub as Door 201A (door)" in joined.stdout
        assert "reference rows" in joined.stdout  # and synced at once
        assert "National School Safety" in checkin("stats", "--db", door, env=keyring_env).stdout
        again = checkin("join", "--db", str(tmp_path / "thief.sqlite"), code, env=keyring_env)
        assert again.returncode != 0 and "has been used, has expired" in again.stderr

        revoked = checkin("stations", "revoke", "door 201a", "--data", hub_data, env=keyring_env)
        assert revoked.returncode == 0, revoked.stderr
        after = checkin("sync", "--db", door, "--once", env=keyring_env)
        assert after.returncode == 1
        assert "revoked this station's access" in after.stderr
    finally:
        serving.terminate()
        serving.communicate(timeout=60)
