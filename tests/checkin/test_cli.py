"""The `checkin` command, run in-process against real database files."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from checkin.cli import main
from tests.conftest import DATA, FIXED_WEEK


@pytest.fixture
def db(tmp_path: Path) -> list[str]:
    path = tmp_path / "cli.sqlite"
    assert main(["demo", "--db", str(path), "--attendees", "80", "--station", "Desk 3", *FIXED_WEEK]) == 0
    return ["--db", str(path)]


def out_json(capsys: pytest.CaptureFixture[str]) -> object:
    return json.loads(capsys.readouterr().out)


def test_demo_refuses_to_overwrite_without_replace(db: list[str], capsys) -> None:
    assert main(["demo", *db]) == 1
    assert "--replace" in capsys.readouterr().err
    assert main(["demo", *db, "--replace", "--attendees", "30", *FIXED_WEEK]) == 0


def test_search_check_in_twice_and_stats(db: list[str], capsys) -> None:
    capsys.readouterr()
    assert main(["attendees", "R100001", *db, "--json"]) == 0
    [found] = out_json(capsys)
    ref = found["external_id"]
    status = found["status"]
    code = main(["checkin", ref, *db, "--json"])
    verdict = out_json(capsys)
    if status == "paid":
        assert code == 0 and verdict["code"] == "accepted"
        assert main(["checkin", ref, *db, "--station", "Desk 4"]) == 1
        assert "already checked in" in capsys.readouterr().out
    else:
        assert code == 1 and verdict["code"] in {"unpaid", "cancelled"}
    assert main(["stats", *db, "--json"]) == 0
    assert out_json(capsys)["checked_in"] == (1 if status == "paid" else 0)


def test_database_options_work_before_the_command_too(db: list[str], tmp_path: Path, capsys) -> None:
    other = tmp_path / "other.sqlite"
    assert main(["demo", "--db", str(other), "--attendees", "30", *FIXED_WEEK]) == 0
    capsys.readouterr()
    assert main([*db, "stats", "--json"]) == 0
    assert out_json(capsys)["registered"] == 80
    assert main([*db, "stats", "--db", str(other), "--json"]) == 0  # the one after the command wins
    assert out_json(capsys)["registered"] == 30


def test_an_unknown_id_is_a_refusal_exit_1_like_an_unknown_scan(db: list[str], capsys) -> None:
    assert main(["checkin", "NOPE", *db]) == 1  # an unknown attendee is a refusal everywhere, as in `scan`
    assert main(["give", "NOPE", "coin", *db]) == 1
    assert main(["code", "NOPE", *db]) == 1
    assert "no attendee" in capsys.readouterr().err


def test_walk_in_duplicate_check_and_force(db: list[str], capsys) -> None:
    args = ["walk-in", "--first", "Dana", "--last", "Whitfield", "--email", "dana@x.org", "--paid", *db]
    with pytest.raises(SystemExit) as usage:  # paid or not is said, never assumed
        main([a for a in args if a != "--paid"])
    assert usage.value.code == 2 and "one of the arguments --paid --unpaid is required" in capsys.readouterr().err
    assert main(args) == 0
    assert main(args) == 1
    assert "Possibly already registered" in capsys.readouterr().err
    assert main([*args, "--force", "--check-in", "--json"]) == 0
    assert out_json(capsys)["code"] == "accepted"


def test_an_unpaid_walk_in_is_marked_paid_from_the_terminal_then_checks_in(db: list[str], capsys) -> None:
    main(["walk-in", "--first", "Ann", "--last", "Lee", "--unpaid", "--json", *db])
    ref = out_json(capsys)["external_id"]
    assert main(["checkin", ref, *db]) == 1
    assert main(["correct", ref, *db]) == 2
    assert "say what to correct" in capsys.readouterr().err
    assert main(["correct", ref, "--status", "paid", "--email", "ann lee", *db]) == 1  # all or nothing
    assert "does not look like an email" in capsys.readouterr().err
    assert main(["correct", ref, "--status", "paid", "--org", "Metro PD", *db]) == 0
    assert capsys.readouterr().out == f"Corrected Ann Lee ({ref}): marked paid; organisation now Metro PD.\n"
    assert main(["correct", ref, "--status", "paid", *db]) == 0
    assert "Nothing changed" in capsys.readouterr().out
    assert main(["checkin", ref, *db, "--json"]) == 0
    assert out_json(capsys)["attendee"]["organization"] == "Metro PD"


def test_give_once(db: list[str], capsys) -> None:
    main(["walk-in", "--first", "Gil", "--last", "Ortiz", "--type", "Member", "--paid", "--json", *db])
    ref = out_json(capsys)["external_id"]
    assert main(["give", ref, "coin", *db]) == 1  # the coin only for someone who came
    assert "Gil Ortiz is not checked in yet: check them in first" in capsys.readouterr().out
    assert main(["checkin", ref, *db]) == 0
    assert main(["give", ref, "coin", *db]) == 0
    assert main(["give", ref, "COIN", *db]) == 1  # any case: the same coin
    assert "already given" in capsys.readouterr().out
    assert main(["give", ref, "mug", *db]) == 1
    assert "No such item to hand out. Items: coin (Conference coin), bag (Conference bag)" in capsys.readouterr().out


def test_import_dry_run_writes_nothing_then_import(db: list[str], capsys) -> None:
    path = str(DATA / "eventbrite_attendees_cp1252.csv")
    assert main(["import", path, *db, "--dry-run", "--json"]) == 0
    assert out_json(capsys)["added"] == 4
    assert main(["import", path, *db, "--json"]) == 0
    assert out_json(capsys)["added"] == 4
    assert main(["import", path, *db, "--json"]) == 0
    assert out_json(capsys)["unchanged"] == 4
    with open(path, encoding="cp1252") as source:
        lines = source.read().splitlines(keepends=True)
    one = Path(db[1]).with_name("one.csv")
    one.write_text("".join(lines[:2]), encoding="cp1252")
    assert main(["import", str(one), *db]) == 0
    assert capsys.readouterr().out.startswith("1 registrant (eventbrite): 0 added, 0 updated, 1 unchanged")


def test_import_failure_exits_1_with_the_reason(db: list[str], tmp_path: Path, capsys) -> None:
    bad = tmp_path / "bad.csv"
    bad.write_bytes(b"")
    assert main(["import", str(bad), *db]) == 1
    assert "the file is empty" in capsys.readouterr().err
    assert main(["import", str(tmp_path), *db]) == 1
    assert "this is a folder; name the CSV file in it" in capsys.readouterr().err


def test_files_that_cannot_be_written_are_said_in_words(db: list[str], tmp_path: Path, capsys) -> None:
    capsys.readouterr()
    assert main(["export", "--out", str(tmp_path), *db]) == 1
    assert capsys.readouterr().err == f"checkin export: {tmp_path} is a folder; name a file in it\n"
    missing = tmp_path / "no such folder" / "roster.pdf"
    assert main(["roster", "--pdf", str(missing), *db, "--at", "2027-06-30T11:00"]) == 1
    assert "no such file or folder (make the folder first)" in capsys.readouterr().err
    a_file = tmp_path / "taken"
    a_file.write_text("")
    assert main(["hours", "--csv", str(a_file / "hours.csv"), *db]) == 1
    assert "part of that path is a file, not a folder" in capsys.readouterr().err


def test_generic_import_with_map(tmp_path: Path, capsys) -> None:
    db = ["--db", str(tmp_path / "g.sqlite")]
    args = [
        "import",
        str(DATA / "generic_custom.csv"),
        *db,
        "--conference",
        "Custom",
        "--json",
        "--map",
        "external_id=Reg No",
        "--map",
        "first_name=Given",
        "--map",
        "last_name=Surname",
        "--map",
        "status=Payment",
    ]
    assert main(args) == 0
    assert out_json(capsys)["added"] == 3
    assert main(["import", "x.csv", *db, "--map", "nonsense"]) == 2


def test_export_writes_csv(db: list[str], tmp_path: Path) -> None:
    target = tmp_path / "out.csv"
    assert main(["export", *db, "--out", str(target)]) == 0
    lines = target.read_text(encoding="utf-8-sig").splitlines()
    assert lines[0].startswith("Registration ID,First Name") and len(lines) == 81


def test_usage_errors_exit_2(capsys) -> None:
    with pytest.raises(SystemExit) as exit_:
        main(["checkin"])
    assert exit_.value.code == 2
    assert main([]) == 2


def test_rebuild(db: list[str], capsys) -> None:
    assert main(["rebuild", *db]) == 0
    assert "Rebuilt" in capsys.readouterr().out


def test_demo_opens_the_demo_conference_on_a_new_machine_and_the_advice_for_an_empty_file_works(
    tmp_path: Path, monkeypatch, capsys
) -> None:
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))  # a machine that has never run Muster
    assert main(["rooms", "--demo"]) == 0
    said = capsys.readouterr()
    assert "Made the demo conference (2,400 attendees)" in said.err
    assert "Hall B" in said.out and "Exhibit Hall" in said.out
    assert main(["stats", "--demo"]) == 0
    assert "Made the demo" not in capsys.readouterr().err  # made once, then opened
    empty = tmp_path / "empty.sqlite"
    from checkin.store import open_store

    open_store(empty).close()  # a database with no conference yet
    assert main(["stats", "--db", str(empty)]) != 0
    advice = capsys.readouterr().err
    assert "`checkin stats --demo`" in advice and "`checkin demo`" not in advice


def stdin_of(monkeypatch: pytest.MonkeyPatch, data: bytes) -> None:
    """A pipe for stdin, as when a serial scanner or a file is piped into `checkin scan -`."""
    import io
    import os
    import sys

    read_end, write_end = os.pipe()
    os.write(write_end, data)
    os.close(write_end)
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(os.fdopen(read_end, "rb")))


def paid_ids(db: list[str], capsys, n: int) -> list[str]:
    assert main(["attendees", "--json", *db]) == 0
    return [a["external_id"] for a in out_json(capsys) if a["status"] == "paid"][:n]  # type: ignore[union-attr]


def test_scan_lines_may_end_with_a_bare_cr(db: list[str], capsys, monkeypatch) -> None:
    people = paid_ids(db, capsys, 3)
    stdin_of(monkeypatch, ("\r".join(people) + "\r").encode())
    assert main(["scan", "-", *db, "--json"]) == 0
    verdicts = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert [v["attendee"]["external_id"] for v in verdicts] == people


def test_a_full_disk_stops_scan_with_the_line_it_reached(db: list[str], capsys, monkeypatch) -> None:
    from sqlalchemy import Engine, event

    people = paid_ids(db, capsys, 40)

    def full_soon(dbapi_connection, _record) -> None:  # SQLite's own limit: past it, every write is refused
        pages = dbapi_connection.execute("PRAGMA page_count").fetchone()[0]
        dbapi_connection.execute(f"PRAGMA max_page_count = {pages + 2}")

    event.listen(Engine, "connect", full_soon)
    try:
        stdin_of(monkeypatch, ("\n".join(people) + "\n").encode())
        assert main(["scan", "-", *db]) == 1
    finally:
        event.remove(Engine, "connect", full_soon)
    said = capsys.readouterr()
    answered = said.out.splitlines()
    assert 0 < len(answered) < len(people)
    stop = f"stopped at line {len(answered) + 1} ({people[len(answered)]}): the disk holding the database is full"
    assert stop in said.err and "the lines after it got no verdict" in said.err


def test_a_read_only_database_is_called_that_not_a_hub_that_did_not_answer(db: list[str]) -> None:
    from sqlalchemy import create_engine, text
    from sqlalchemy.exc import OperationalError

    from checkin.cli.problems import explain

    read_only = create_engine(f"sqlite:///file:{db[1]}?mode=ro&uri=true")  # as SQLite opens a file it may not write
    with pytest.raises(OperationalError) as refused, read_only.begin() as connection:
        connection.execute(text("INSERT INTO setting (key, value) VALUES ('x', 'y')"))
    read_only.dispose()
    said = explain(refused.value)
    assert said is not None and said.startswith("the database file is read-only here") and "did not answer" not in said


def test_a_mistyped_db_a_dry_run_and_a_failed_first_import_leave_no_file_behind(tmp_path: Path, capsys) -> None:
    typo = tmp_path / "no" / "such" / "desk.sqlite"
    assert main(["stats", "--db", str(typo), "--json"]) == 2
    said = capsys.readouterr()
    assert "there is no database at" in said.err and json.loads(said.out)["error"].startswith("there is no database")
    assert not (tmp_path / "no").exists()
    new = tmp_path / "new.sqlite"
    assert main(["import", str(DATA / "wildapricot_registrants.csv"), "--db", str(new), "--dry-run"]) == 0
    assert "Dry run, nothing written. 5 registrants" in capsys.readouterr().out and not new.exists()
    bad = tmp_path / "bad.csv"
    bad.write_text("Name,Email\nAnn,a@x.org\n", encoding="utf-8")
    assert main(["import", str(bad), "--db", str(new), "--json"]) == 1
    refused = json.loads(capsys.readouterr().out)
    assert (
        refused["exit_code"] == 1
        and refused["problems"]
        and {"line", "column", "message"} <= set(refused["problems"][0])
    )
    assert sorted(p.name for p in tmp_path.iterdir()) == ["bad.csv"]  # no empty database, no -wal, no -shm


def test_a_conference_imported_from_a_file_sets_up_its_own_hand_outs(tmp_path: Path, capsys) -> None:
    db = ["--db", str(tmp_path / "nsstc.sqlite")]
    assert main(["import", str(DATA / "wildapricot_registrants.csv"), *db, "--conference", "NSSTC 2027"]) == 0
    capsys.readouterr()
    assert main(["handouts", *db]) == 0
    assert "No hand-outs set up" in capsys.readouterr().out
    assert main(["handouts", "add", "coin", "Conference coin", "--for", "member", "--for", "Non-member", *db]) == 0
    assert main(["handouts", "add", "cert", "Certificate folder", *db]) == 0
    assert main(["handouts", "add", "bag", "Bag", "--for", "Sponsorz", *db]) == 1
    assert "no registration type called 'Sponsorz'" in capsys.readouterr().err
    assert main(["handouts", *db]) == 0
    listed = capsys.readouterr().out
    assert "Conference coin" in listed and "for Member, Non-member" in listed and "for everyone who came" in listed
    for person in ("71001", "71003"):  # a member, and a course-only registrant
        assert main(["checkin", person, *db]) in (0, 1)
    assert main(["give", "71001", "coin", *db]) == 0
    assert main(["give", "71003", "coin", *db]) == 1
    assert "not included for Course-only" in capsys.readouterr().out
    assert main(["handouts", "remove", "coin", *db]) == 1  # already handed out: the record stays
    assert "already handed to 1 person" in capsys.readouterr().err
    assert main(["handouts", "remove", "cert", *db]) == 0
