from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from sqlalchemy import select

from checkin.conference import ensure_conference
from checkin.domain import Status
from checkin.importers import ImportFailed, import_file
from checkin.importers.formats import looks_like_formula, status_word
from checkin.importers.registrants import split_name
from checkin.store import Store
from checkin.store.models import Attendee
from tests.conftest import DATA


def run_import(store: Store, path: Path, **options) -> object:
    with store.unit_of_work() as session:
        ensure_conference(session, "Test")
        return import_file(session, path, **options)


def attendees(store: Store) -> dict[str, Attendee]:
    with store.reading() as session:
        return {a.external_id: a for a in session.scalars(select(Attendee))}


def test_wild_apricot_export_with_trailing_spaces_in_headers(empty_store: Store) -> None:
    report = run_import(empty_store, DATA / "wildapricot_registrants.csv")
    assert (report.format, report.added) == ("wildapricot", 5)
    people = attendees(empty_store)
    assert people["71002"].last_name == "O'Brien" and people["71002"].status == "unpaid"
    assert people["71003"].registration_type == "Course-only"
    assert people["71003"].ticket == "Basic SRO Course (40 h)"
    assert people["71004"].first_name == 'Tom "TJ"' and people["71004"].organization == "Guardian Radios, Inc."
    assert people["71004"].registration_type == "Exhibitor"


def test_eventbrite_report_in_cp1252(empty_store: Store) -> None:
    report = run_import(empty_store, DATA / "eventbrite_attendees_cp1252.csv")
    assert (report.format, report.added, report.cancelled) == ("eventbrite", 4, 1)
    people = attendees(empty_store)
    assert people["2004519871"].last_name == "Ñúñez"
    assert people["2004519871"].ticket_code == "1204558831200451987100"
    assert people["2004519872"].first_name == "Zoë" and people["2004519872"].registration_type == "One-day"
    assert people["2004520011"].status == "unpaid"  # Pay by Check
    assert people["2004520144"].status == "cancelled" and people["2004520144"].status_reason == "Not Attending"


def test_pretix_german_semicolon_bom(empty_store: Store) -> None:
    report = run_import(empty_store, DATA / "pretix_checkin_de.csv")
    assert (report.format, report.added) == ("pretix", 3)
    people = {a.ticket_code: a for a in attendees(empty_store).values()}
    juergen = people["x7kq2m9vhp4tq8wz"]
    assert (juergen.first_name, juergen.last_name, juergen.registration_type) == ("Jürgen", "Schröder", "Member")
    assert people["m4ht6cz8pq2ln5rx"].last_name == "Παπαδόπουλος"
    assert people["m4ht6cz8pq2ln5rx"].status == "unpaid" and people["m4ht6cz8pq2ln5rx"].registration_type == "Speaker"
    # The secret admits at a kiosk: the registration id shown on lists and badges is the order code and a digest.
    assert juergen.external_id.startswith("ABC12-") and len(juergen.external_id) == len("ABC12-") + 6
    assert all(secret not in a.external_id for secret, a in people.items())
    assert len({a.external_id for a in people.values()}) == 3  # two tickets of one order: two ids
    again = run_import(empty_store, DATA / "pretix_checkin_de.csv")
    assert (again.added, again.unchanged) == (0, 3)  # the same ids next time


def test_generic_csv_with_user_mapping(empty_store: Store) -> None:
    mapping = {
        "external_id": "Reg No",
        "first_name": "Given",
        "last_name": "Surname",
        "email": "Mail",
        "organization": "Agency",
        "registration_type": "Kind",
        "status": "Payment",
    }
    report = run_import(empty_store, DATA / "generic_custom.csv", mapping=mapping)
    assert (report.format, report.added, report.cancelled) == ("generic", 3, 1)
    assert attendees(empty_store)["G-2"].status == "unpaid"


def test_generic_mapping_naming_a_missing_column_is_refused(store: Store, snapshot: Callable) -> None:
    before = snapshot(store)
    with pytest.raises(ImportFailed) as error:
        run_import(store, DATA / "generic_custom.csv", mapping={"external_id": "Nope", "last_name": "Surname"})
    assert "column 'Nope'" in str(error.value)
    assert snapshot(store) == before


def test_re_import_updates_by_registration_id_and_reports(empty_store: Store, tmp_path: Path) -> None:
    run_import(empty_store, DATA / "wildapricot_registrants.csv")
    lines = (DATA / "wildapricot_registrants.csv").read_text().splitlines()
    lines[1] = lines[1].replace("Tulsa Public Schools", "Tulsa PS")  # updated
    lines[2] = lines[2].replace(",No,", ",Cancelled,")  # newly cancelled
    del lines[5]  # missing now
    lines.append("71006,5506,Sam,Lee,sam@x.org,Reno PD,Member,2027-04-01,Yes,Conf")  # added
    updated = tmp_path / "wa2.csv"
    updated.write_text("\n".join(lines) + "\n")
    report = run_import(empty_store, updated)
    assert (report.added, report.updated, report.unchanged, report.cancelled) == (1, 2, 2, 1)
    assert report.missing == ["71005"]
    people = attendees(empty_store)
    assert len(people) == 6 and people["71001"].organization == "Tulsa PS"


BAD_INPUTS = {
    "empty": (b"", "the file is empty", None, None),
    "header only": (b"Registration ID,User ID,First name,Last name,Registration type\n", "no registrants", 2, None),
    "missing columns": (b"Registration ID,Registration type,Email\n1,Member,a@b.org\n", "missing the name", 1, None),
    "duplicate ids": (
        b"Registration ID,User ID,First name,Last name,Registration type\n1,1,A,B,Member\n2,2,C,D,Member\n"
        b"1,3,E,F,Member\n",
        "already appears on line 2",
        4,
        "Registration ID",
    ),
    "undecodable": (
        "Registration ID,User ID,First name,Last name,Registration type\n1,1,Zoë,Müller,Member\n".encode()
        + b"2,2,Bad,\xff\xfeName,Member\n",
        "cannot be read as UTF-8",
        3,
        "Last name",
    ),
    "unknown status": (
        b"Registration ID,User ID,First name,Last name,Registration type,Is paid\n1,1,Ann,Lee,Member,perhaps\n",
        "unknown status 'perhaps'",
        2,
        "Is paid",
    ),
    "empty id": (
        b"Registration ID,User ID,First name,Last name,Registration type\n,,Ann,Lee,Member\n",
        "registration id is empty",
        2,
        "Registration ID",
    ),
    "binary": (b"PK\x03\x04\x14\x00\x00\x00", "Excel", None, None),
    "nul bytes": (
        b"Registration ID,User ID,First name,Last name,Registration type\n1,1,A\x00n,Lee,Member\n",
        "NUL",
        2,
        None,
    ),
    "unknown format": (b"Foo,Bar\n1,2\n", "not a Wild Apricot, Eventbrite or pretix export", 1, None),
    "too long": (
        b"Registration ID,User ID,First name,Last name,Registration type\n1,1," + b"A" * 500 + b",Lee,Member\n",
        "too long",
        2,
        "First name",
    ),
    # The rest of the file would otherwise vanish into one registrant's first name.
    "quote never closed": (
        b'Registration ID,User ID,First name,Last name,Registration type\n1,1,"Ann,Lee,Member\n'
        b"2,2,Bob,Ng,Member\n3,3,Cy,Po,Member\n",
        "lines 2-4 read as one record",
        2,
        None,
    ),
    # An unquoted comma shifts every later value into the wrong column.
    "value with an unquoted comma": (
        b"Registration ID,User ID,First name,Last name,Registration type\n1,1,Ann,Lee,Member\n"
        b"2,2,Bob,Ng,Lincoln High, SRO,Member\n",
        "7 values, but the header names 5 columns",
        3,
        None,
    ),
    "a font saved as csv": (b"\x00\x01\x00\x00\x00\x12\x01\x00\x00\x04\x00 \x81\x8d\r\x90", "NUL", 1, None),
    # A lone carriage return in the header, and bytes no encoding reads: the line is named all the same.
    "carriage return and bad bytes": (b"First,Last\rX,\x81\x8d\n", "cannot be read as CP1252", 1, None),
    "a web page saved as csv": (
        b"\n<!DOCTYPE html>\n<html><body>Please log in</body></html>\n",
        "web page",
        None,
        None,
    ),
}


@pytest.mark.parametrize("case", sorted(BAD_INPUTS))
def test_bad_input_names_file_line_column_and_changes_nothing(
    case: str, store: Store, tmp_path: Path, snapshot: Callable
) -> None:
    data, message, line, column = BAD_INPUTS[case]
    path = tmp_path / f"{case.replace(' ', '_')}.csv"
    path.write_bytes(data)
    before = snapshot(store)
    with pytest.raises(ImportFailed) as error:
        run_import(store, path)
    text = str(error.value)
    assert str(path) in text and message in text
    if line is not None:
        assert f"line {line}" in text
    if column is not None:
        assert f"column '{column}'" in text
    assert snapshot(store) == before


def test_line_breaks_in_quotes_and_missing_or_empty_trailing_cells_are_fine(empty_store: Store, tmp_path: Path) -> None:
    path = tmp_path / "shapes.csv"
    path.write_bytes(
        b"Registration ID,User ID,First name,Last name,Organization,Registration type\n"
        b'1,1,Ann,Lee,"Lincoln High\nSchool Safety Office",Member\n'
        b"2,2,Bob,Ng\n"  # an exporter that leaves out trailing empty cells
        b"3,3,Cy,Po,PD,Member,,\n"
    )  # one that ends every row with delimiters
    run_import(empty_store, path)
    found = attendees(empty_store)
    assert found["1"].organization == "Lincoln High School Safety Office"
    assert (found["2"].last_name, found["2"].organization) == ("Ng", "")
    assert found["3"].organization == "PD"


def test_a_50_mb_file_is_refused_before_reading(store: Store, tmp_path: Path, snapshot: Callable) -> None:
    path = tmp_path / "huge.csv"
    with path.open("wb") as out:
        out.write(b"Registration ID,User ID,First name,Last name,Registration type\n")
        out.truncate(50 * 1024 * 1024)
    before = snapshot(store)
    with pytest.raises(ImportFailed) as error:
        run_import(store, path)
    assert "50.0 MB" in str(error.value) and "--max-mb" in str(error.value)
    assert snapshot(store) == before


def test_a_late_bad_row_leaves_earlier_rows_unwritten(store: Store, tmp_path: Path, snapshot: Callable) -> None:
    rows = ["Registration ID,User ID,First name,Last name,Registration type"]
    rows += [f"{n},{n},First{n},Last{n},Member" for n in range(1, 3000)]
    rows.append("9999,9999,,,Member")
    path = tmp_path / "late.csv"
    path.write_text("\n".join(rows) + "\n")
    before = snapshot(store)
    with pytest.raises(ImportFailed) as error:
        run_import(store, path)
    assert "line 3001" in str(error.value)
    assert snapshot(store) == before


# pretix's check-in list export as pretix writes it in each language: its headers (order code, attendee name and
# its parts under a given/family name scheme, product, price, checked in, paid, secret, email, company) and its
# Yes / No, each word taken from pretix's own translation catalogs (pretix 2026.8.0, locale/*/django.po).
PRETIX_LANGUAGES = {
    "fr": ("Code de commande", "Nom du participant", "Prénom", "Nom de famille", "Produit", "Prix",
           "Enregistrement effectué", "Payé", "Secret", "E-Mail", "Entreprise", "Oui", "Non"),
    "es": ("Código del pedido", "Nombre del asistente", "Nombre", "Apellido", "Producto", "Precio", "Chequeado",
           "Pagado", "Secreto", "Correo electrónico", "Empresa", "Si", "No"),
    "nl": ("Bestelcode", "Naam deelnemer", "Voornaam", "Achternaam", "Product", "Prijs", "Ingecheckt", "Betaald",
           "Geheim", "E-mail", "Bedrijf", "Ja", "Nee"),
    "it": ("Codice ordine", "Nome del partecipante", "Nome", "Cognome", "Prodotto", "Prezzo",
           "Check-in effettuato", "Pagato", "Secret", "Email", "Azienda", "Sì", "No"),
    "pt_BR": ("Código do pedido", "Nome do participante", "Nome", "Sobrenome", "Produto", "Preço",
              "Check-in realizado", "Pago", "Segredo", "Email", "Empresa", "Sim", "Não"),
    "pt_PT": ("Código do pedido", "Nome do participante", "Nome próprio", "Apelido", "Produto", "Preço",
              "Fez Check-in", "Pago", "Segredo", "Email", "Empresa", "Sim", "Não"),
}  # fmt: skip


@pytest.mark.parametrize("language", PRETIX_LANGUAGES)
def test_a_pretix_check_in_list_in_each_language(language: str, empty_store: Store, tmp_path: Path) -> None:
    order, name, given, family, product, price, checked_in, paid, secret, email, company, yes, no = PRETIX_LANGUAGES[
        language
    ]
    export = tmp_path / f"pretix-{language}.csv"
    export.write_text(
        f"{order},{name},{name}: {given},{name}: {family},{product},{price},{checked_in},{paid},{secret},{email},"
        f"{company}\n"
        f"Q7RTX,Inês Conceição,Inês,Conceição,Sócio,450.00,,{yes},k2m9vhp4tq8wzx7q,ic@example.pt,PSP Lisboa\n"
        f"Q7RTY,João Batista,João,Batista,Sócio,450.00,,{no},p4tq8wzx7qk2m9vh,jb@example.pt,GNR\n",
        encoding="utf-8",
    )
    report = run_import(empty_store, export)
    assert (report.format, report.added) == ("pretix", 2)
    people = {a.ticket_code: a for a in attendees(empty_store).values()}
    ines = people["k2m9vhp4tq8wzx7q"]
    assert (ines.first_name, ines.last_name, ines.organization, ines.email) == (
        "Inês",
        "Conceição",
        "PSP Lisboa",
        "ic@example.pt",
    )
    assert (ines.status, people["p4tq8wzx7qk2m9vh"].status) == ("paid", "unpaid")
    assert ines.ticket == "Sócio"
    assert ines.external_id.startswith("Q7RTX-")  # never the secret


def test_status_words_across_exports() -> None:
    assert status_word("Checked In") is Status.PAID
    assert status_word("Eventbrite Completed") is Status.PAID
    assert status_word("Pay by Check") is Status.UNPAID
    assert status_word("Refunded/Canceled") is Status.CANCELLED
    assert status_word("Nein") is Status.UNPAID and status_word("Ja") is Status.PAID
    assert status_word("Storniert") is Status.CANCELLED
    assert status_word("Não") is Status.UNPAID and status_word("Sim") is Status.PAID
    assert status_word("banana") is None


def test_formula_detection_spares_phone_numbers_and_hyphens() -> None:
    assert looks_like_formula("=1+2") and looks_like_formula("@SUM(A1)") and looks_like_formula(" =x")
    assert looks_like_formula('+HYPERLINK("a")')
    assert not looks_like_formula("+1 555 0100") and not looks_like_formula("-") and not looks_like_formula("Ann-Marie")


def test_split_full_names() -> None:
    assert split_name("Maria de la Cruz") == ("Maria", "de la Cruz")
    assert split_name("Ludwig van Beethoven") == ("Ludwig", "van Beethoven")
    assert split_name("Madonna") == ("", "Madonna")


def test_excel_unicode_text_utf16_tab_separated(empty_store: Store, tmp_path: Path) -> None:
    text = (DATA / "wildapricot_registrants.csv").read_text(encoding="utf-8")
    import csv
    import io

    rows = list(csv.reader(io.StringIO(text)))
    out = io.StringIO()
    csv.writer(out, delimiter="\t").writerows(rows)
    path = tmp_path / "wa_unicode.txt"
    path.write_text(out.getvalue(), encoding="utf-16")  # Python writes the BOM, as Excel does
    report = run_import(empty_store, path)
    assert (report.format, report.added) == ("wildapricot", 5)
    assert attendees(empty_store)["71003"].first_name == "Lucía"


def test_a_column_the_file_has_twice_is_refused_only_when_the_two_disagree(store: Store, tmp_path: Path) -> None:
    same = tmp_path / "same.csv"
    same.write_text("Registration ID,First Name,Last Name,Email,EMAIL\nA1,Ann,Lee,a@x.org,a@x.org\n")
    with store.unit_of_work() as session:
        assert import_file(session, same, "generic").added == 1
    differ = tmp_path / "differ.csv"
    differ.write_text(
        "Registration ID,First Name,Last Name,Email,Email\nA1,Ann,Lee,a@x.org,a@x.org\nA2,Bo,Li,bo@x.org,bo.li@y.org\n"
    )
    with store.unit_of_work() as session, pytest.raises(ImportFailed) as failed:
        import_file(session, differ, "generic")
    [problem] = failed.value.problems
    assert (problem.line, problem.column) == (3, "Email")
    assert "two 'Email' columns (4 and 5) with different values" in problem.message


def test_a_wild_apricot_registrations_status_decides_over_its_invoice(empty_store: Store, tmp_path: Path) -> None:
    rows = [
        ("71101", "Canceled", "No", Status.CANCELLED),
        ("71102", "Canceled", "Yes", Status.CANCELLED),  # cancelled, refund pending: not welcome at the desk
        ("71103", "Free", "No", Status.PAID),  # a comp registration: nothing to pay
        ("71104", "NoInvoice", "", Status.PAID),
        ("71105", "OnWaitlist", "No", Status.CANCELLED),
        ("71106", "PartiallyPaid", "No", Status.UNPAID),
        ("71107", "Paid", "Yes", Status.PAID),
        ("71108", "Unpaid", "No", Status.UNPAID),
    ]
    export = tmp_path / "wa.csv"
    lines = ["Registration ID,User ID,First name,Last name,Registration type,Status,Is paid,Event title"]
    lines += [
        f"{rid},{rid}9,Ann,Lee{n},Member - Full Conference,{status},{paid},NSSTC"
        for n, (rid, status, paid, _) in enumerate(rows)
    ]
    export.write_text("\n".join(lines) + "\n", encoding="utf-8")
    assert run_import(empty_store, export).format == "wildapricot"
    people = attendees(empty_store)
    assert {rid: people[rid].status for rid, *_ in rows} == {rid: expected.value for rid, *_, expected in rows}


def test_an_export_cut_short_is_refused_not_half_imported(empty_store: Store, tmp_path: Path) -> None:
    header = "Registration ID,User ID,First name,Last name,Organization,Registration type,Is paid,Event title\n"
    whole = "71001,5501,Dana,Whitfield,Tulsa PS,Member,Yes,NSSTC\n"
    cut_in_quotes = tmp_path / "cut-in-quotes.csv"
    cut_in_quotes.write_text(header + whole + '71002,5502,"Unclosed,Name,org', encoding="utf-8")
    with pytest.raises(ImportFailed) as failed:
        run_import(empty_store, cut_in_quotes)
    assert "line 3" in str(failed.value) and "the file ends inside it" in str(failed.value)
    cut_in_line = tmp_path / "cut-in-line.csv"
    cut_in_line.write_text(header + whole + "71003,5503\n", encoding="utf-8")  # 2 of 8 values
    with pytest.raises(ImportFailed) as failed:
        run_import(empty_store, cut_in_line)
    assert "line 3" in str(failed.value) and "ends after 2 of 8 values" in str(failed.value)
    assert attendees(empty_store) == {}  # all or nothing: nobody imported, nobody welcomed as paid


def test_one_registrants_formula_does_not_block_the_import_and_never_runs_in_an_export(
    empty_store: Store, tmp_path: Path
) -> None:
    import io

    from checkin.exports import export_attendees

    export = tmp_path / "wa.csv"
    export.write_bytes(
        b"Registration ID,User ID,First name,Last name,Organization,Registration type\n1,1,Ann,Lee,PD,Member\n"
        b'2,2,"=HYPERLINK(""http://evil.example"",""click"")",Smith,PD,Member\n'
        b"3,3,Bo,\"-cmd|' /C calc'!A0\",PD,Member\n" + "4,4,Cy,Ray,\u00a0=1+2,Member\n".encode()
    )
    report = run_import(empty_store, export)
    assert report.added == 4
    said = report.summary()
    assert "3 values look like a spreadsheet formula" in said
    assert "line 3, First name" in said and "line 4, Last name" in said and "line 5, Organization" in said
    people = attendees(empty_store)
    assert people["2"].first_name.startswith("=HYPERLINK") and people["4"].organization == "=1+2"
    out = io.StringIO()
    with empty_store.reading() as session:
        export_attendees(session, out)
    cells = [cell for line in out.getvalue().splitlines() for cell in line.split(",")]
    assert not any(cell.lstrip('" \u00a0').startswith(("=", "-cmd", "@")) for cell in cells)


def test_an_eventbrite_report_in_italian(empty_store: Store, tmp_path: Path) -> None:
    report_it = tmp_path / "eventbrite-it.csv"
    report_it.write_text(
        "Ordine n.,Data ordine,Nome,Cognome,E-mail,Tipo di biglietto,Partecipante n.,N. codice a barre,"
        "Tipo di ordine,Stato partecipante\n"
        "1204558831,2027-04-01,Giulia,Bianchi,gb@example.it,Member,2004519871,120455883120045198710,"
        "Eventbrite Completed,Partecipa\n"
        "1204558832,2027-04-02,Marco,Rossi,mr@example.it,Member,2004519872,120455883220045198720,"
        "Eventbrite Completed,Non partecipa\n",
        encoding="utf-8",
    )
    assert run_import(empty_store, report_it).format == "eventbrite"
    people = attendees(empty_store)
    assert (people["2004519871"].first_name, people["2004519871"].status) == ("Giulia", "paid")
    assert people["2004519871"].ticket_code == "120455883120045198710"
    assert people["2004519872"].status == "cancelled"


def test_re_importing_after_a_cancellation_cancels_and_says_so(empty_store: Store, tmp_path: Path) -> None:
    export = tmp_path / "wa.csv"
    header = "Registration ID,User ID,First name,Last name,Registration type,Status,Is paid,Event title\n"
    export.write_text(header + "71201,1,Ann,Lee,Member,Paid,Yes,NSSTC\n71202,2,Bo,Li,Member,Paid,Yes,NSSTC\n")
    run_import(empty_store, export)
    export.write_text(header + "71201,1,Ann,Lee,Member,Canceled,Yes,NSSTC\n71202,2,Bo,Li,Member,Paid,Yes,NSSTC\n")
    again = run_import(empty_store, export)
    assert (again.cancelled, again.updated, again.unchanged) == (1, 1, 1)
    assert "1 newly cancelled" in again.summary()
    assert attendees(empty_store)["71201"].status == "cancelled"
