"""`checkin keys`, `checkin code` and `checkin scan`, in-process and (for durability) as a killed child process."""

from __future__ import annotations

import json
import os
import random
import signal
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from checkin.cli import main
from tests.conftest import FIXED_WEEK


@pytest.fixture
def db(tmp_path: Path) -> list[str]:
    path = tmp_path / "cli.sqlite"
    assert main(["demo", "--db", str(path), "--attendees", "80", "--station", "Desk 3", *FIXED_WEEK]) == 0
    return ["--db", str(path)]


def paid_ids(db: list[str], capsys, count: int) -> list[str]:
    capsys.readouterr()
    assert main(["attendees", *db, "--json", "--limit", "80"]) == 0
    people = json.loads(capsys.readouterr().out)
    return [p["external_id"] for p in people if p["status"] == "paid"][:count]


def test_code_scan_reissue_and_exit_codes(db: list[str], capsys) -> None:
    [ref] = paid_ids(db, capsys, 1)
    assert main(["code", ref, *db, "--json"]) == 0
    first = json.loads(capsys.readouterr().out)
    assert first["revision"] == 1 and first["code"].startswith("M1")
    assert main(["scan", first["code"], *db, "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["code"] == "accepted"
    assert main(["scan", first["code"], *db]) == 1
    assert "already checked in" in capsys.readouterr().out
    assert main(["code", ref, *db, "--reissue", "lost at the hotel"]) == 0
    second = capsys.readouterr().out.strip()
    assert second != first["code"]
    assert main(["scan", first["code"], *db, "--json"]) == 1
    assert json.loads(capsys.readouterr().out)["code"] == "replaced_badge"
    assert main(["scan", "not a badge", *db, "--json"]) == 1
    assert json.loads(capsys.readouterr().out)["code"] == "unknown"
    assert main(["code", ref, *db, "--reissue", " "]) == 2
    with pytest.raises(SystemExit) as usage:
        main(["scan"])  # TEXT missing
    assert usage.value.code == 2


def test_keys_commands(db: list[str], tmp_path: Path, capsys) -> None:
    assert main(["keys", "init", *db]) == 1
    assert "already has badge keys" in capsys.readouterr().err
    assert main(["keys", "rotate", *db]) == 0
    capsys.readouterr()
    assert main(["keys", "list", *db]) == 0
    first, second = capsys.readouterr().out.splitlines()
    assert first.startswith("key   1") and first.endswith("verifies only")  # the older key no longer signs
    assert second.startswith("key   2") and second.endswith("signs badges")
    keys_file = tmp_path / "public-keys.json"
    assert main(["keys", "export-public", str(keys_file), *db]) == 0
    assert [k["number"] for k in json.loads(keys_file.read_text())["keys"]] == [1, 2]
    assert "PRIVATE" not in keys_file.read_text().upper()
    assert main(["keys", "import-public", str(keys_file), *db]) == 0
    assert "Already up to date" in capsys.readouterr().out
    assert main(["keys", "revoke", "1", *db]) == 0
    assert main(["keys", "list", *db]) == 0
    listing = capsys.readouterr().out
    assert "REVOKED" in listing and "signs badges" in listing
    assert main(["keys", "revoke", "x", *db]) == 2
    assert main(["keys", "import-public", *db]) == 2
    assert main(["keys", "import-public", str(tmp_path / "missing.json"), *db]) == 2
    (tmp_path / "junk.json").write_text("hello")
    assert main(["keys", "import-public", str(tmp_path / "junk.json"), *db]) == 1
    assert "not JSON" in capsys.readouterr().err
    twice = json.loads(keys_file.read_text())
    twice["keys"] = [{**twice["keys"][0], "number": 9}] * 2  # a new key, listed twice
    (tmp_path / "twice.json").write_text(json.dumps(twice))
    assert main(["keys", "import-public", str(tmp_path / "twice.json"), *db]) == 1
    assert "twice" in capsys.readouterr().err


def test_signing_keys_files_from_elsewhere_or_hostile_are_refused(
    db: list[str], tmp_path: Path, capsys, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("MUSTER_KEY_PASSPHRASE", "correct horse battery")
    other = ["--db", str(tmp_path / "other.sqlite")]
    assert main(["demo", *other, "--attendees", "5", *FIXED_WEEK]) == 0
    theirs = tmp_path / "other-conference.json"
    assert main(["keys", "export-signing", str(theirs), *other]) == 0
    capsys.readouterr()
    assert main(["keys", "import-signing", str(theirs), *db]) == 1
    assert "another conference" in capsys.readouterr().err

    ours = tmp_path / "ours.json"
    assert main(["keys", "export-signing", str(ours), *db]) == 0
    assert main(["keys", "import-signing", str(ours), *db]) == 0  # a desk that already signs: harmless
    assert "now signs badges (key 1)" in capsys.readouterr().out
    document = json.loads(ours.read_text())
    hostile = tmp_path / "hostile.json"
    for damage in ({"n": 2**30}, {"n": 3}, {"salt": "00"}, {"name": "md5"}):  # gigabytes, nonsense, weak
        hostile.write_text(json.dumps({**document, "kdf": {**document["kdf"], **damage}}))
        assert main(["keys", "import-signing", str(hostile), *db]) == 1, damage
        assert "damaged" in capsys.readouterr().err
    hostile.write_text(json.dumps({**document, "keys": document["keys"] * 2}))  # the same key twice
    assert main(["keys", "import-signing", str(hostile), *db]) == 1
    assert "damaged" in capsys.readouterr().err
    assert main(["keys", "import-signing", str(tmp_path / "public-keys.json"), *db]) == 2  # no such file
    assert main(["keys", "export-signing", *db]) == 2  # no file named
    assert main(["keys", "export-signing", str(tmp_path / "no-such-folder" / "key.json"), *db]) == 2
    assert "cannot write" in capsys.readouterr().err
    monkeypatch.delenv("MUSTER_KEY_PASSPHRASE")
    with open(os.devnull) as no_terminal:
        monkeypatch.setattr(sys, "stdin", no_terminal)
        assert main(["keys", "import-signing", str(ours), *db]) == 2
    assert "MUSTER_KEY_PASSPHRASE" in capsys.readouterr().err


def test_scans_reported_accepted_survive_sigkill(db: list[str], capsys) -> None:
    """A child process scans badges and reports each accepted verdict; SIGKILL it mid-stream, several times.

    Every scan it reported accepted must be in the database, and no scan may be half-written
    (an event without its derived check-in, or the reverse).
    """
    codes = []
    for ref in paid_ids(db, capsys, 60):
        assert main(["code", ref, *db]) == 0
        codes.append(capsys.readouterr().out.strip())
    path = db[1]
    reported: set[str] = set()
    rng = random.Random(5)
    remaining = list(codes)
    for _round in range(5):
        child = subprocess.Popen(
            [sys.executable, "-m", "checkin.cli", "scan", "-", "--json", "--db", path],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
            env={**os.environ, "PYTHONUNBUFFERED": "1"},
        )
        assert child.stdin is not None and child.stdout is not None
        child.stdin.write("".join(code + "\n" for code in remaining))
        child.stdin.flush()
        kill_after = rng.randint(1, 8)
        seen = 0
        for line in child.stdout:
            verdict = json.loads(line)
            if verdict["accepted"]:
                reported.add(verdict["event_id"])
            seen += 1
            if seen >= kill_after:
                child.send_signal(signal.SIGKILL)  # mid-stream: the next scan may be half-way through its commit
                break
        child.wait(timeout=30)
        assert child.returncode == -signal.SIGKILL
        child.stdout.close()
        child.stdin.close()
        remaining = remaining[seen:]
    assert len(reported) >= 5
    with sqlite3.connect(path) as connection:
        assert connection.execute("PRAGMA integrity_check").fetchone() == ("ok",)
        stored = {row[0] for row in connection.execute("SELECT id FROM event WHERE kind = 'checked_in'")}
        assert reported <= stored
        orphans = connection.execute(
            "SELECT count(*) FROM event e LEFT JOIN attendee_state s ON s.checked_in_event = e.id "
            "WHERE e.kind = 'checked_in' AND s.attendee_id IS NULL"
        ).fetchone()[0]
        states_without_event = connection.execute(
            "SELECT count(*) FROM attendee_state s LEFT JOIN event e ON e.id = s.checked_in_event WHERE e.id IS NULL"
        ).fetchone()[0]
        assert (orphans, states_without_event) == (0, 0)


def test_with_every_key_revoked_code_says_to_make_a_new_one(db: list[str], capsys) -> None:
    assert main(["keys", "revoke", "1", *db]) == 0
    capsys.readouterr()
    assert main(["code", "R100001", *db]) == 1
    said = capsys.readouterr().err
    assert "`checkin keys rotate`" in said and "import-signing" not in said
    assert main(["keys", "rotate", *db]) == 0
    assert main(["code", "R100001", *db]) == 0


def test_a_new_public_key_is_taken_only_after_its_fingerprint_is_accepted(
    db: list[str], tmp_path: Path, capsys
) -> None:
    import sqlite3

    door = tmp_path / "door.sqlite"
    with sqlite3.connect(db[1]) as source, sqlite3.connect(door) as copy:
        source.backup(copy)  # a door station of the same conference, holding key 1
    assert main(["keys", "rotate", *db]) == 0
    keys_file = tmp_path / "public-keys.json"
    assert main(["keys", "export-public", str(keys_file), *db]) == 0
    capsys.readouterr()
    assert main(["keys", "list", *db]) == 0
    import re

    fingerprint = re.search(r"key +2  ([0-9A-F]{4}(?: [0-9A-F]{4}){3})", capsys.readouterr().out).group(1)  # type: ignore[union-attr]
    assert main(["keys", "import-public", str(keys_file), "--db", str(door)]) == 2  # no terminal to say yes
    said = capsys.readouterr().err
    assert f"New badge key 2: {fingerprint}" in said and "--yes" in said
    assert main(["keys", "list", "--db", str(door)]) == 0
    assert "key   2" not in capsys.readouterr().out  # nothing was imported
    assert main(["keys", "import-public", str(keys_file), "--db", str(door), "--yes"]) == 0
    assert main(["keys", "list", "--db", str(door)]) == 0
    assert fingerprint in capsys.readouterr().out
