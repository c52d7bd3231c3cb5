import csv
import io

from checkin import desk
from checkin.domain import Status
from checkin.exports import export_attendees, neutralise
from checkin.store import Store


def test_formula_cells_are_neutralised() -> None:
    assert neutralise('=HYPERLINK("http://evil","x")') == '\'=HYPERLINK("http://evil","x")'
    assert neutralise("@SUM(A1)") == "'@SUM(A1)"
    assert neutralise("+1 555 0100") == "'+1 555 0100"
    assert neutralise("\t=1") == "'\t=1"
    assert neutralise("-12.5") == "-12.5"
    assert neutralise("Smith") == "Smith"
    assert neutralise(None) == ""


def test_export_lists_everyone_with_check_in_status_and_is_injection_safe(store: Store, now) -> None:
    view = desk.register_walk_in(
        store, desk.WalkIn("=cmd|' /C calc'!A0", "Evil", "e@x.org", "@SUM(1)", status=Status.PAID), now
    )
    desk.check_in(store, view.id, now)
    out = io.StringIO()
    with store.reading() as session:
        count = export_attendees(session, out)
    rows = list(csv.DictReader(io.StringIO(out.getvalue())))
    assert count == len(rows) == 121
    evil = next(r for r in rows if r["Last Name"] == "Evil")
    assert evil["First Name"].startswith("'=") and evil["Organization"] == "'@SUM(1)"
    assert (evil["Checked In"], evil["Checked In At"], evil["Checked In By"]) == ("yes", "2027-06-28 08:12", "Desk 3")
