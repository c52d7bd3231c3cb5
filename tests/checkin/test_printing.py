"""Badges, passes and certificates: PDF geometry and text read back, codes decoded from rasterized pages."""

from __future__ import annotations

import io
import math
import re
import unicodedata
from pathlib import Path

import pytest
from pypdf import PdfReader
from sqlalchemy import select

from checkin import codes, decoding, keys
from checkin.cli import main
from checkin.domain import RegistrationType
from checkin.printing import faces, fonts
from checkin.printing.badge_pdf import BadgeData, badge_pdf, barcode_area, render_badges
from checkin.printing.documents import render_certificates, render_passes
from checkin.printing.layouts import STOCKS
from checkin.printing.log import record_printed
from checkin.printing.sources import Selection, select_badges, select_certificates, select_passes
from checkin.printing.symbols import MIN_BAR, code128_module
from checkin.printing.template import DEFAULT_TEMPLATE, TemplateError, load_template
from checkin.scanning import scan
from checkin.store import Store
from checkin.store.models import Attendee
from checkin.text import fold
from tests.conftest import FIXED_WEEK
from tests.raster import rasterize

HOSTILE_NAMES = [
    ("Maximilian Alexander", "von Hohenzollern-Sigmaringen"),
    ("José", "Ñúñez"),
    ("Zoë", "Ó Briain"),
    ("Nguyễn Thị Minh", "Khai"),
    ("Αλέξανδρος", "Παπαδόπουλος-Καραγιαννόπουλος"),
    ("Wolfeschlegelsteinhausenbergerdorff", "Johnson"),
    ("محمد", "العلي"),
    ("דוד", "כהן"),
    ("王", "小明"),  # a script the badge font lacks
    ("Zoë 🙂", "O'Brien"),
]


@pytest.fixture
def people(store: Store) -> list[BadgeData]:
    with store.reading() as session:
        return select_badges(session, Selection())


@pytest.mark.parametrize("stock_name", list(STOCKS))
def test_every_layout_and_type_renders_reads_back_and_scans(qapp, store: Store, people, stock_name, now) -> None:
    stock = STOCKS[stock_name]
    one_per_type = {p.registration_type: p for p in people}
    assert set(one_per_type) == {t.value for t in RegistrationType}
    chosen = list(one_per_type.values())
    buffer = io.BytesIO()
    assert render_badges(chosen, stock, load_template(), buffer) == len(chosen)
    pdf = buffer.getvalue()
    reader = PdfReader(io.BytesIO(pdf))
    assert len(reader.pages) == math.ceil(len(chosen) / stock.per_page)
    for page in reader.pages:
        assert (float(page.mediabox.width), float(page.mediabox.height)) == pytest.approx(stock.page, abs=0.01)
    text = "".join(page.extract_text() for page in reader.pages)
    for badge in chosen:
        assert badge.first_name in text
        assert badge.registration_type.upper() in text
    first_page = rasterize(pdf, 0)
    found = set(decoding.decode(first_page))
    on_first_page = chosen[: stock.per_page]
    assert {b.code for b in on_first_page} <= found
    numbers = {codes.badge_number(b.external_id, b.revision) for b in on_first_page}
    width = barcode_area(stock, load_template()).w
    assert {n for n in numbers if code128_module(n, width) >= MIN_BAR} <= found  # each Code 128 drawn
    ring = keys.store_keyring(store)
    for badge in on_first_page:
        checked = codes.check(badge.code, ring)
        assert checked.check is codes.Check.VALID
        assert checked.badge is not None
        assert (checked.badge.attendee_id, checked.badge.revision) == (badge.attendee_id, badge.revision)


@pytest.mark.parametrize("stock_name", list(STOCKS))
def test_long_and_non_latin_names_fit_inside_their_boxes(stock_name: str) -> None:
    stock = STOCKS[stock_name]
    template = load_template()
    width, height = stock.badge[0] - 2 * stock.safe, stock.badge[1] - 2 * stock.safe
    face = template.face(*stock.badge)
    for first, last in HOSTILE_NAMES:
        values = {
            "first_name": first,
            "last_name": last,
            "full_name": f"{first} {last}",
            "organization": "Departamento de Educación del Estado Libre Asociado de Puerto Rico",
            "city_region": "Llanfairpwllgwyngyllgogerychwyrndrobwllllantysiliogogogoch, WLS",
            "registration_type": "Staff/Volunteer",
            "external_id": "R100001",
        }
        for item in face.texts:
            box_w, box_h = item.box.w * width, item.box.h * height
            fitted = fonts.fit(values[item.field], item.font, box_w, box_h, item.size, item.min_size, item.lines)
            assert fitted.lines, (item.field, first)
            drawn = "".join(fitted.lines).replace(" ", "")
            assert all(faces.face_for(ch, item.font) for ch in drawn), (item.field, first)  # never a box
            assert all(fonts.width(line, item.font, fitted.size) <= box_w + 0.01 for line in fitted.lines)
            assert len(fitted.lines) * fitted.size <= box_h + 0.01
            assert len(fitted.lines) <= item.lines


def test_names_in_other_scripts_are_printed_readably(qapp, people, system_fonts) -> None:
    system_fonts(None)
    [line] = fonts.fit("محمد العلي", "bold", 300, 40, 20, 8).lines
    assert line == "محمد العلي"  # in reading order; drawn right to left, joined (tests/checkin/test_glyphs.py)
    [surname, first] = fonts._runs(line, "bold")[0].text.split(" ")  # the surname (the second word) is leftmost
    assert (
        unicodedata.normalize("NFKC", surname)[::-1] == "العلي" and unicodedata.normalize("NFKC", first)[::-1] == "محمد"
    )
    assert fonts.fit("Nguyễn Thị", "bold", 300, 40, 20, 8).lines == ("Nguyễn Thị",)  # left-to-right untouched
    assert fonts.drawable("王 小明 🙂", "regular") == "王 小明"  # a bundled font has Chinese; no font here has emoji
    badge = BadgeData(
        **{**people[0].__dict__, "first_name": "王", "last_name": "小明", "organization": "北京市公安局", "marks": ()}
    )
    pdf = badge_pdf(badge, STOCKS["cr80"], load_template())
    text = PdfReader(io.BytesIO(pdf)).pages[0].extract_text()
    assert "王" in text and "小明" in text and "北京市公安局" in text
    assert badge.code in decoding.decode(rasterize(pdf))

    def left_edges(first_name: str) -> dict[str, float]:  # where each drawn text starts, by its text
        pdf = badge_pdf(
            BadgeData(**{**people[0].__dict__, "first_name": first_name, "marks": ()}), STOCKS["cr80"], load_template()
        )
        found: dict[str, float] = {}
        PdfReader(io.BytesIO(pdf)).pages[0].extract_text(
            visitor_text=lambda text, _cm, tm, _font, _size: found.setdefault(text.strip(), tm[4])
        )
        return found

    latin, arabic = left_edges("Ahmad"), left_edges("محمد")
    # The first name's box is left-aligned: a right-to-left name starts at its right edge instead.
    [drawn] = [x for text, x in arabic.items() if unicodedata.normalize("NFKC", text) == "محمد"]
    assert latin["Ahmad"] < 10 and drawn > latin["Ahmad"] + 40


def test_long_name_on_a_card_leaves_nothing_outside_the_safe_area(qapp, people) -> None:
    stock = STOCKS["cr80"]
    first, last = HOSTILE_NAMES[0]
    badge = BadgeData(**{**people[0].__dict__, "first_name": first, "last_name": last, "marks": ()})
    pixels = rasterize(badge_pdf(badge, stock, load_template()), dpi=150)
    margin = round(stock.safe * 150 / 72) - 1
    # The ribbon's colour runs to the edges by design; it starts 80% down the safe area.
    ribbon_top = int((stock.safe + 0.80 * (stock.badge[1] - 2 * stock.safe)) * 150 / 72) - 1
    above_ribbon = pixels[:ribbon_top]
    assert (above_ribbon[:margin] > 200).all() and (above_ribbon[:, :margin] > 200).all()
    assert (above_ribbon[:, -margin:] > 200).all()


def test_template_problems_name_the_key(tmp_path: Path) -> None:
    base = DEFAULT_TEMPLATE.read_text(encoding="utf-8")
    cases = [
        (base.replace('field = "first_name"', 'field = "nickname"', 1), "landscape.text[0].field"),
        (base.replace('"Speaker" = "#C62828"', '"Speaker" = "reddish"'), "ribbon.colours.Speaker"),
        (base.replace('colour = "#37474F"', 'colour = "#37474"', 1), "landscape.text[2].colour"),
        (base.replace("[portrait]", "[portrait_old]"), "portrait.ribbon: missing"),
        (base.replace("qr = { x = 0.64,", "qr = { x = 0.84,"), "landscape.qr"),
        (base.replace('font = "bold"', 'font = "comic"', 1), "landscape.text[0].font"),
        ("this is = = not toml", "not a valid TOML file"),
    ]
    for n, (text, words) in enumerate(cases):
        path = tmp_path / f"t{n}.toml"
        path.write_text(text, encoding="utf-8")
        with pytest.raises(TemplateError, match=words.replace("[", r"\[").replace("]", r"\]")):
            load_template(path)
    with pytest.raises(TemplateError, match="no such template"):
        load_template(tmp_path / "missing.toml")


def test_selection_filters_sorting_and_print_log(store: Store, people, now) -> None:
    surnames = [fold(b.last_name) for b in people]  # "Ångström" sits with the A's on the pick-up table
    assert surnames == sorted(surnames)
    with store.reading() as session:
        speakers = select_badges(session, Selection(registration_type="Speaker"))
        cancelled = session.scalars(select(Attendee.id).where(Attendee.status == "cancelled")).all()
    assert speakers and all(b.registration_type == "Speaker" for b in speakers)
    assert not {b.attendee_id for b in people} & set(cancelled)
    record_printed(store, people[:5], "avery-5392", "file:test.pdf", 1, now)
    with store.reading() as session:
        waiting = select_badges(session, Selection(not_printed=True))
    assert len(waiting) == len(people) - 5
    assert all(b.marks == () or all(m in ("Coin", "Bag", "Lunch", "Kit") for m in b.marks) for b in people)


def test_passes_and_certificates(qapp, store: Store, now) -> None:
    with store.reading() as session:
        passes = select_passes(session, Selection())
    assert passes and all(info.title for info, _ in passes)
    first_pass, badge = passes[0]
    buffer = io.BytesIO()
    from zoneinfo import ZoneInfo

    zone = ZoneInfo("America/Chicago")
    render_passes(passes[:3], zone, buffer, "Test Conf")
    text = PdfReader(io.BytesIO(buffer.getvalue())).pages[0].extract_text()
    assert first_pass.title.split(" (")[0] in text and badge.last_name in text and first_pass.room in text
    assert badge.code in decoding.decode(rasterize(buffer.getvalue()))

    assert scan(store, badge.code, now).accepted  # checked in, never at a session: no training hours
    with store.reading() as session:
        assert select_certificates(session, Selection(), zone) == []  # no certificate of 0 hours
        certificates = select_certificates(session, Selection(), zone, attendance_only=True)
    assert [c.badge.attendee_id for c in certificates] == [badge.attendee_id]
    out = io.BytesIO()
    render_certificates(certificates, out, "Test Conf", "Chief of Training")
    page = PdfReader(io.BytesIO(out.getvalue())).pages[0].extract_text()
    assert "Certificate of Attendance" in page and badge.last_name in page and "Chief of Training" in page
    assert "Mon 28 Jun 2027" in page and "Attendance only: no training hours earned" in page


def test_cli_print_to_file_and_to_the_system_spooler(tmp_path: Path, capsys) -> None:
    db = ["--db", str(tmp_path / "p.sqlite")]
    assert main(["demo", *db, "--attendees", "40", *FIXED_WEEK]) == 0
    out = tmp_path / "badges.pdf"
    preview = ["print", "badges", *db, "--layout", "fanfold-4x3", "--filter", "not-printed", "--out", str(out)]
    assert main(preview) == 0
    printed = len(PdfReader(out).pages)
    assert printed > 30
    assert main(preview) == 0 and len(PdfReader(out).pages) == printed  # a PDF to look at marks nobody printed
    assert main([*preview, "--mark-printed"]) == 0
    assert main(["print", "badges", *db, "--filter", "not-printed", "--out", str(out)]) == 1
    assert "No badges match" in capsys.readouterr().err
    assert main(["print", "badges", *db, "--filter", "colour=red", "--out", str(out)]) == 2
    assert main(["print", "badges", *db, "--layout", "a3-poster", "--out", str(out)]) == 2
    assert "avery-5392" in capsys.readouterr().err
    assert main(["checkin", "R100001", *db]) in (0, 1)
    assert main(["checkin", "R100002", *db]) in (0, 1)
    folder = tmp_path / "certs"
    assert main(["print", "certificates", *db, "--out-dir", str(folder)]) == 1  # nobody earned hours at a desk
    assert "nobody has earned training hours yet (--attendance-only" in capsys.readouterr().err
    assert main(["print", "certificates", *db, "--out-dir", str(folder), "--attendance-only"]) == 0
    files = sorted(folder.glob("*.pdf"))
    assert files and all(len(PdfReader(f).pages) == 1 for f in files)
    assert main(["print", "badges", *db, "--out-dir", str(folder)]) == 2
    capsys.readouterr()
    assert main(["print", "badges", *db, "--attendee", "R100001", "--out", str(out)]) == 0
    assert capsys.readouterr().out == f"Wrote 1 badge to {out}.\n"  # not "1 badges"
    # The operating system's print path: CUPS when it is installed, otherwise a clear refusal.
    code = main(["print", "badges", *db, "--attendee", "R100001", "--printer", "Muster-Test-Queue"])
    err = capsys.readouterr().err
    assert code == 1
    assert "No print system found" in err or "Muster-Test-Queue" in err


def test_ids_no_barcode_can_carry_are_printed_as_text(qapp, people) -> None:
    for external_id in ("Ü-123-Straße", "R" * 90):
        badge = BadgeData(**{**people[0].__dict__, "external_id": external_id})
        pdf = badge_pdf(badge, STOCKS["cr80"], load_template())
        assert external_id[:8] in PdfReader(io.BytesIO(pdf)).pages[0].extract_text().replace("\n", "")
        assert badge.code in decoding.decode(rasterize(pdf))


def test_a_roster_with_long_names_stays_on_its_page_and_lists_people_by_surname(qapp, store: Store, now) -> None:
    from zoneinfo import ZoneInfo

    from checkin.occupancy.reports import RosterLine
    from checkin.printing.roster_pdf import render_roster

    conference = "National School Safety and Resource Officer Training Conference and Exhibition 2027"
    room = "Grand Ballroom Salons A-B-C-D (Lower Level, Convention Center North Building, Exhibit Hall Side)"
    people = [
        RosterLine(f"id{n}", f"R{n}", name, "Org", "Member", room, now, True, None, now)
        for n, name in enumerate(["Zoë Adams", "Aaron Zimmer", "Maria Garcia"])
    ]
    out = io.BytesIO()
    render_roster(people, out, conference, now, ZoneInfo("America/Chicago"), title=f"Room roster: {room}")
    text = " ".join(PdfReader(io.BytesIO(out.getvalue())).pages[0].extract_text().split())
    assert "Exhibition 2027" in text and "Exhibit Hall Side)" in text[: text.index("As of")]  # the title, whole
    pixels = rasterize(out.getvalue(), dpi=100)
    assert (pixels[:, -int(0.35 * 100) :] > 200).all()  # nothing drawn in the right margin
    extents: list[tuple[str, float]] = []  # where each piece of text ends, measured in the font it is drawn in

    def measure(text: str, _cm: list[float], tm: list[float], font: dict, size: float) -> None:
        if text.strip():
            style = "bold" if "Bold" in str(font["/BaseFont"]) else "regular"
            extents.append((text, tm[4] + fonts.width(text.strip("\n"), style, size)))

    PdfReader(io.BytesIO(out.getvalue())).pages[0].extract_text(visitor_text=measure)
    assert extents and all(end <= 612 - 0.6 * 72 + 0.5 for _, end in extents), max(extents, key=lambda e: e[1])
    from sqlalchemy import select

    from checkin.desk import check_in
    from checkin.occupancy.reports import roster
    from checkin.store.models import Attendee

    with store.reading() as session:
        chosen = session.scalars(select(Attendee).where(Attendee.status == "paid").order_by(Attendee.id)).all()[:8]
    for person in chosen:  # checked in, in no particular order of name
        assert check_in(store, person.id, now).accepted
    with store.reading() as session:
        listed = roster(session.connection(), now)
    last_names = {p.id: (p.last_name.casefold(), p.first_name.casefold()) for p in chosen}
    order = [last_names[line.attendee_id] for line in listed if line.attendee_id in last_names]
    assert len(order) == 8 and order == sorted(order)


def test_passes_are_printed_for_one_day_or_one_session(tmp_path: Path, capsys) -> None:
    from datetime import date, timedelta
    from zoneinfo import ZoneInfo

    from checkin.store import open_store

    path = tmp_path / "p.sqlite"
    db = ["--db", str(path)]
    assert main(["demo", *db, "--attendees", "200", *FIXED_WEEK]) == 0
    store = open_store(path)
    with store.reading() as session:
        every = select_passes(session, Selection())
    store.close()
    per_day = {}
    out = tmp_path / "passes.pdf"
    for n in range(5):
        day = date(2027, 6, 28) + timedelta(days=n)
        code = main(["print", "passes", *db, "--day", day.isoformat(), "--out", str(out)])
        per_day[day] = len(PdfReader(out).pages) if code == 0 else 0
        assert code == 0 or "no pre-registered session on that day" in capsys.readouterr().err
    zone = ZoneInfo("America/Chicago")
    assert per_day == {
        day: sum(1 for info, _ in every if info.starts_at.astimezone(zone).date() == day) for day in per_day
    }  # each day its own passes, and no past or future day's
    assert sum(per_day.values()) == len(every) and max(per_day.values()) < len(every)
    title = every[0][0].title.split(" (")[0]
    assert main(["print", "passes", *db, "--session", title, "--out", str(out)]) == 0
    assert len(PdfReader(out).pages) == sum(1 for info, _ in every if info.title.startswith(title))
    assert main(["print", "passes", *db, "--session", "No such session", "--out", str(out)]) == 2


# Registration ids as the systems write them: Muster's, Wild Apricot's 5 digits, pretix's order code and a hash,
# Eventbrite's 10-digit attendee number.
IDS = ("R100047", "71001", "ABC12-7F3A9C", "1234567890")


@pytest.mark.parametrize("stock_name", list(STOCKS))
def test_every_code_128_drawn_reads_at_150_dpi_and_one_that_cannot_is_left_off(qapp, people, stock_name) -> None:
    stock, template = STOCKS[stock_name], load_template()
    width = barcode_area(stock, template).w
    drawn = 0
    for external_id in IDS:
        badge = BadgeData(**{**people[0].__dict__, "external_id": external_id, "revision": 1})
        number = codes.badge_number(external_id, 1)
        pdf = badge_pdf(badge, stock, template)
        found = set(decoding.decode(rasterize(pdf, dpi=150)))
        assert badge.code in found  # the QR, always
        if code128_module(number, width) >= MIN_BAR:
            assert number in found, f"{number} drawn on {stock_name} but not read at 150 dpi"
            drawn += 1
        else:  # too long for this stock: no bars a scanner would misread, the number as text
            assert number not in found
            assert number in PdfReader(io.BytesIO(pdf)).pages[0].extract_text()
    assert drawn >= 1  # a Wild Apricot id at least fits on every stock


def test_the_paper_asked_of_a_queue_is_the_one_it_lists_for_the_stock() -> None:
    from checkin.printing.ipp import Media, Paper, media_size
    from checkin.printing.spooler import media_for

    assert media_size("na_letter_8.5x11in") == (612, 792)
    assert media_size("iso_a6_105x148mm") == pytest.approx((297.6, 419.5), abs=0.1)
    assert media_size("custom_min_0.25x0.25in") == (18, 18) and media_size("Letter") is None
    sheets = (Media("na_letter_8.5x11in", 612, 792), Media("iso_a4_210x297mm", *media_size("iso_a4_210x297mm")))
    four_by_three = STOCKS["fanfold-4x3"].page
    listed = Paper((*sheets, Media("oe_4x3-label_4x3in", 288, 216)), None)
    upright = Paper((*sheets, Media("w216h288", 216, 288)), None)
    custom = Paper(sheets, ((18, 18), (612, 1008)))
    assert media_for(four_by_three, listed) == "oe_4x3-label_4x3in"
    assert media_for(four_by_three, upright) == "w216h288"  # turned onto the label as it feeds
    assert media_for(four_by_three, custom) == "Custom.288x216"
    assert media_for(four_by_three, Paper(sheets, None)) is None  # never shrunk onto a sheet
    assert media_for(STOCKS["avery-5392"].page, Paper(sheets, None)) == "na_letter_8.5x11in"
    assert media_for(STOCKS["a6"].page, Paper((Media("iso_a6_105x148mm", *media_size("iso_a6_105x148mm")),), None))
    assert media_for((2000, 3000), custom) is None  # larger than the queue takes


def test_many_badges_laid_out_on_every_core_come_out_as_one_pdf_in_order(qapp, people, tmp_path: Path) -> None:
    from dataclasses import replace

    from checkin.printing import bulk

    stock, template = STOCKS["avery-5392"], load_template()
    badges = [replace(people[0], first_name=f"Person{n:04d}", marks=()) for n in range(bulk.SMALL_RUN + 31)]
    seen: list[tuple[int, int]] = []
    many, one = tmp_path / "many.pdf", tmp_path / "one.pdf"
    assert (
        bulk.render_many(badges, stock, template, many, progress=lambda done, total: seen.append((done, total))) == 331
    )
    render_badges(badges, stock, template, one)
    joined, alone = PdfReader(many), PdfReader(one)
    assert len(joined.pages) == len(alone.pages) == 56  # 331 badges, 6 to a page
    order = [name for page in joined.pages for name in re.findall(r"Person\d{4}", page.extract_text())]
    assert order == [badge.first_name for badge in badges]
    assert seen[-1] == (331, 331) and [done for done, _ in seen] == sorted(done for done, _ in seen)
    if bulk._cores() > 1:  # laid out in parts by processes of their own, then joined
        assert len(seen) > 1 and joined.metadata["/Producer"] == "pypdf" and joined.metadata["/Title"] == "Badges"
    assert people[0].code in decoding.decode(rasterize(many.read_bytes(), page=55))
