"""Room and door commands, in-process: schedule import, door scans with --at, counts, reports, roster."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest
from pypdf import PdfReader

from checkin.cli import main
from tests.conftest import FIXED_WEEK


@pytest.fixture
def db(tmp_path: Path, capsys) -> list[str]:
    path = tmp_path / "rooms.sqlite"
    assert main(["demo", "--db", str(path), "--attendees", "60", *FIXED_WEEK]) == 0
    capsys.readouterr()
    return ["--db", str(path)]


def badge(db: list[str], ref: str, capsys) -> str:
    assert main(["code", ref, *db]) == 0
    return capsys.readouterr().out.strip()


def paid(db: list[str], capsys, count: int) -> list[str]:
    assert main(["attendees", *db, "--json", "--limit", "60"]) == 0
    return [p["external_id"] for p in json.loads(capsys.readouterr().out) if p["status"] == "paid"][:count]


def test_schedule_import_all_or_nothing(db: list[str], tmp_path: Path, capsys) -> None:
    good = tmp_path / "schedule.csv"
    good.write_text(
        "Title,Room,Date,Start,End,Hours,Prereg\n"
        "Drone Response Lab,104A,2027-07-01,19:00,20:30,1.5,yes\n"
        "Evening Debrief,Main Hall,2027-07-01,20:30,21:00,,no\n",
        encoding="utf-8",
    )
    assert main(["sessions", "import", str(good), *db]) == 0
    assert "Added 2 sessions" in capsys.readouterr().out
    assert main(["sessions", "import", str(good), *db]) == 0
    assert "2 were already there" in capsys.readouterr().out
    bad = tmp_path / "bad.csv"
    bad.write_text(
        "title;room;date;start;end;prereg\n"
        "Fine;201A;2027-07-01;08:00;09:00;no\n"
        "Ghost;Room 999;2027-07-01;08:00;09:00;no\n"
        "Backwards;201A;2027-07-01;10:00;09:00;no\n"
        "Typo;201A;2027-13-01;10:00;11:00;maybe\n",
        encoding="utf-8",
    )
    assert main(["sessions", "import", str(bad), *db]) == 1
    err = capsys.readouterr().err
    assert "line 3, column 'room'" in err and "Room 999" in err
    assert "line 4, column 'end'" in err and "line 5, column 'date'" in err and "line 5, column 'prereg'" in err
    assert main(["sessions", *db, "--json"]) == 0
    titles = [s["title"] for s in json.loads(capsys.readouterr().out)]
    assert "Fine" not in titles and "Drone Response Lab" in titles
    registrations = tmp_path / "reg.csv"
    first = paid(db, capsys, 1)[0]
    registrations.write_text(f"session,registration_id\nDrone Response Lab,{first}\n", encoding="utf-8")
    assert main(["sessions", "register", str(registrations), *db]) == 0
    assert "Added 1 pre-registration." in capsys.readouterr().out


def test_door_count_occupancy_attendance_roster(db: list[str], tmp_path: Path, capsys) -> None:
    assert main(["attendance", *db, "--at", "2027-06-30T11:00"]) == 0
    assert capsys.readouterr().out == "Nobody has attended a session yet (as of Wed 30 Jun 11:00).\n"
    assert main(["attendance", "  ", *db, "--at", "2027-06-30T11:00"]) == 0  # blank: every session, not all titles
    assert capsys.readouterr().out.startswith("Nobody has attended a session yet")
    a, b = paid(db, capsys, 2)
    code_a, code_b = badge(db, a, capsys), badge(db, b, capsys)
    assert main(["door", "202B", code_a, *db, "--at", "2027-06-30T11:25", "--json"]) == 0
    verdict = json.loads(capsys.readouterr().out)
    assert verdict["code"] == "accepted" and verdict["attendee"]["checked_in_at"]  # checked in at the door
    assert main(["door", "202B", code_a, *db, "--at", "2027-06-30T11:26"]) == 1
    assert "already inside" in capsys.readouterr().out
    assert main(["door", "202B", code_b, *db, "--at", "2027-06-30T11:40", "--send-to-desk"]) == 1
    assert "registration desk" in capsys.readouterr().out
    assert main(["count", "202B", "-1", *db, "--at", "2027-06-30T11:40"]) == 1  # nobody counted in by hand yet
    assert capsys.readouterr().out.startswith("Nobody counted in by hand is in 202B")
    assert main(["count", "202B", "+1", *db, "--at", "2027-06-30T11:41"]) == 0
    assert "2 of 140" in capsys.readouterr().out
    assert main(["occupancy", *db, "--at", "2027-06-30T11:45", "--json"]) == 0
    rooms = {r["room"]: r for r in json.loads(capsys.readouterr().out)["rooms"]}
    assert rooms["202B"]["count"] == 2 and rooms["202B"]["manual"] == 1
    assert main(["door", "202B", code_a, *db, "--exit", "--at", "2027-06-30T12:30"]) == 0
    assert "Goodbye" in capsys.readouterr().out
    assert main(["attendance", *db, "--at", "2027-06-30T18:00", "--json"]) == 0
    rows = json.loads(capsys.readouterr().out)
    mine = [r for r in rows if r["registration_id"] == a]
    assert len(mine) == 1 and mine[0]["minutes"] == 60  # 11:30-12:30 of the 11:30-12:45 slot: 80% earns it
    assert mine[0]["hours"] == 1.25
    out = tmp_path / "hours.csv"
    assert main(["hours", *db, "--at", "2027-06-30T18:00", "--csv", str(out)]) == 0
    with out.open(encoding="utf-8-sig") as handle:
        [row] = list(csv.DictReader(handle))
        assert row["hours"] == "1.25"
    assert (
        main(
            [
                "roster",
                *db,
                "--at",
                "2027-06-30T12:00",
                "--pdf",
                str(tmp_path / "r.pdf"),
                "--csv",
                str(tmp_path / "r.csv"),
            ]
        )
        == 0
    )
    text = PdfReader(tmp_path / "r.pdf").pages[0].extract_text()
    assert "202B" in text and "Evacuation roster" in text
    with (tmp_path / "r.csv").open(encoding="utf-8-sig") as handle:
        listed = {r["registration_id"]: r for r in csv.DictReader(handle)}
    assert listed[a]["room"] == "202B" and listed[a]["inside_now"] == "yes"
    assert main(["peaks", *db, "--at", "2027-06-30T18:00"]) == 0
    assert "202B,2027-06-30 11:15,1" in capsys.readouterr().out
    assert main(["door", "Nowhere", code_a, *db]) == 1
    assert main(["door", " 202b ", code_a, *db, "--exit", "--at", "2027-06-30T12:40"]) == 0  # any case, spaces
    assert main(["door", "202B", code_a, *db, "--at", "yesterday"]) == 2


def test_policy_changes_the_counting_rules(db: list[str], capsys) -> None:
    [a] = paid(db, capsys, 1)
    code_a = badge(db, a, capsys)
    assert main(["door", "201A", code_a, *db, "--at", "2027-06-30T10:05"]) == 0
    capsys.readouterr()
    # 10:00-11:15 then 11:30-12:45 in 201A: 15 minutes apart, so "back to back" for the policy.
    assert main(["occupancy", *db, "--at", "2027-06-30T11:40", "--json"]) == 0
    assert {r["room"]: r["count"] for r in json.loads(capsys.readouterr().out)["rooms"]}["201A"] == 0
    assert main(["policy", *db, "--keep-back-to-back", "yes", "--warn-at", "50"]) == 0
    assert "warn at 50%" in capsys.readouterr().out
    assert main(["occupancy", *db, "--at", "2027-06-30T11:40", "--json"]) == 0
    assert {r["room"]: r["count"] for r in json.loads(capsys.readouterr().out)["rooms"]}["201A"] == 1
    assert main(["policy", *db, "--hours-share", "5"]) == 2


def test_a_schedule_that_double_books_a_room_is_refused(db: list[str], tmp_path: Path, capsys) -> None:
    clashing = tmp_path / "clash.csv"
    clashing.write_text(
        "Title,Room,Date,Start,End\n"
        "Late Addition,201A,2027-07-01,10:30,11:00\n"  # a demo breakout runs 10:00-11:15
        "Whole Hall Briefing,201,2027-07-01,11:00,11:20\n"  # 201A and 201B are its halves
        "Speaker Prep,105 Speaker Ready Room,2027-07-01,07:00,08:00\n"
        "Speaker Prep Overflow,105 Speaker Ready Room,2027-07-01,07:30,08:30\n",
        encoding="utf-8",
    )
    assert main(["sessions", "import", str(clashing), *db]) == 1
    err = capsys.readouterr().err
    assert "line 2, column 'start': 201A is taken then" in err and "from 10:00 to 11:15" in err
    assert "line 3, column 'start': 201 is taken then" in err and "is in 201A" in err
    assert "line 4" not in err and "line 5, column 'start'" in err and "'Speaker Prep' is in 105" in err
    fine = tmp_path / "fine.csv"
    fine.write_text(
        "Title,Room,Date,Start,End\nSpeaker Prep,105 Speaker Ready Room,2027-07-01,07:00,08:00\n"
        "Speaker Prep,105 Speaker Ready Room,2027-07-01,08:00,09:00\n",
        encoding="utf-8",
    )
    assert main(["sessions", "import", str(fine), *db]) == 0  # back to back is not a clash
    assert "Added 2 sessions; 0 were already there." in capsys.readouterr().out


def test_pre_registration_for_a_repeated_lab_names_its_sitting(db: list[str], tmp_path: Path, capsys) -> None:
    schedule = tmp_path / "labs.csv"
    schedule.write_text(
        "Title,Room,Date,Start,End,Kind,Prereg\n"
        "Tourniquet Lab,104A,2027-07-01,19:00,20:00,lab,yes\n"
        "Tourniquet Lab,104B,2027-07-01,19:00,20:00,lab,yes\n"
        "Tourniquet Lab,104A,2027-07-02,19:00,20:00,lab,yes\n"
        "Night Course,105 Speaker Ready Room,2027-07-01,19:00,20:00,course,yes\n"
        "Night Course,105 Speaker Ready Room,2027-07-02,19:00,20:00,course,yes\n",
        encoding="utf-8",
    )
    assert main(["sessions", "import", str(schedule), *db]) == 0
    assert "Added 5 sessions" in capsys.readouterr().out
    first, second = paid(db, capsys, 2)
    vague = tmp_path / "vague.csv"
    vague.write_text(f"session,registration_id\nTourniquet Lab,{first}\n", encoding="utf-8")
    assert main(["sessions", "register", str(vague), *db]) == 1
    err = capsys.readouterr().err
    assert "'Tourniquet Lab' runs 3 times (Thu 01 Jul 19:00, Thu 01 Jul 19:00, Fri 02 Jul 19:00)" in err
    assert "add date and start columns" in err
    exact = tmp_path / "exact.csv"
    exact.write_text(
        "session,registration_id,date,start,room\n"
        f"Tourniquet Lab,{first.lower()},7/1/2027,7:00 PM,104b\n"  # ids and rooms in any case
        f"Tourniquet Lab,{second},2027-07-02,,\n"
        f"Night Course,{second},,,\n",
        encoding="utf-8",
    )  # a course: every part
    assert main(["sessions", "register", str(exact), *db]) == 0
    out = capsys.readouterr().out
    assert "Added 4 pre-registrations." in out
    # Allowed (people sign up for two and pick one on the day), but said: the door admits them to either.
    assert out.endswith(
        "To check (1), since the door admits them to either:\n"
        f"  {second} is registered for two sessions at once: 'Tourniquet Lab' (Fri 19:00, 104A) "
        "and 'Night Course' (Fri 19:00, 105 Speaker Ready Room)\n"
    )
    assert main(["sessions", "register", str(exact), *db]) == 0  # again: nothing new, the clash still said
    assert "Added 0 pre-registrations.\nTo check (1)" in capsys.readouterr().out
    wrong_day = tmp_path / "wrong.csv"
    wrong_day.write_text(f"session,registration_id,date\nTourniquet Lab,{first},2027-07-03\n", encoding="utf-8")
    assert main(["sessions", "register", str(wrong_day), *db]) == 1
    assert "line 2, column 'date': 'Tourniquet Lab' does not run then or there." in capsys.readouterr().err


def test_schedule_in_the_shapes_real_exports_have(db: list[str], tmp_path: Path, capsys) -> None:
    us = tmp_path / "us.csv"  # Excel in the US: a BOM, m/d/yyyy, 12-hour clock
    us.write_bytes(
        "\ufeffTitle,Room,Date,Start,End\n"
        "Radio Interop Lab,104B,6/30/2027,7:15 PM,8:30 pm\n"
        '"Evening Debrief",104A,"Wednesday, June 30, 2027",19:15:00,8:00:00 PM\n'  # as cells print
        "Early Brief,104A,2027-07-01 00:00:00,7:00,7:45\n".encode()
    )  # a date cell with its midnight
    combined = tmp_path / "combined.csv"  # one column each for start and end, date included
    combined.write_text(
        "title;room;start;end;hours\n"
        "Night Walkthrough;Main Hall;2027-07-01T21:00;2027-07-01 22:00;1\n"
        "Overnight;Main Hall;2027-07-01 23:00;2027-07-02 01:00;2\n",
        encoding="utf-8",
    )
    assert main(["sessions", "import", str(us), *db]) == 0
    assert main(["sessions", "import", str(combined), *db]) == 1
    assert "line 3, column 'end'" in capsys.readouterr().err
    combined.write_text(
        "title;room;start;end;hours\nNight Walkthrough;Main Hall;2027-07-01T21:00;2027-07-01 22:00;1\n",
        encoding="utf-8",
    )
    assert main(["sessions", "import", str(combined), *db]) == 0
    capsys.readouterr()
    assert main(["sessions", *db, "--json"]) == 0
    found = {s["title"]: s for s in json.loads(capsys.readouterr().out)}
    assert found["Radio Interop Lab"]["starts"] == "2027-07-01T00:15:00+00:00"  # 19:15 in Chicago
    assert found["Radio Interop Lab"]["hours"] == 1.25
    assert found["Night Walkthrough"]["hours"] == 1
    assert found["Evening Debrief"]["starts"] == found["Radio Interop Lab"]["starts"]
    assert found["Early Brief"]["starts"] == "2027-07-01T12:00:00+00:00"  # 07:00 in Chicago
    spelled_wrong = tmp_path / "typo.csv"
    spelled_wrong.write_text("title,room,date,start,end\nLab,104B,Juen 30 2027,9:00,10:00\n", encoding="utf-8")
    assert main(["sessions", "import", str(spelled_wrong), *db]) == 1
    assert "'Juen 30 2027' is not a date like 2027-06-30, 6/30/2027 or Jun 30 2027" in capsys.readouterr().err
