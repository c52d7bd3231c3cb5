"""Printing through Qt: the queue prints to a real QPrinter PDF target, reports failures and retries them;
the desk's check-in + print and reprint keys; bulk badges with progress."""

from __future__ import annotations

import io
from datetime import datetime
from pathlib import Path

import pytest
from pypdf import PdfReader
from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QApplication, QLineEdit
from sqlalchemy import func, select, update

from checkin import badges, decoding
from checkin.domain import EventKind, Tone, VerdictCode
from checkin.printing.badge_pdf import BadgeData, Cancelled, badge_pdf, render_badges
from checkin.printing.layouts import STOCKS
from checkin.printing.sources import Selection, select_badges
from checkin.printing.template import load_template
from checkin.store import Store
from checkin.store.models import Attendee, AttendeeState, Event
from tests.raster import rasterize
from ui.bulk_print_dialog import BulkPrintDialog
from ui.desk_window import DeskWindow
from ui.print_queue import PrintJob, PrintQueue
from ui.print_settings import PrintSettings
from ui.sound import silent_sounds


def a_badge(store: Store) -> BadgeData:
    with store.reading() as session:
        return select_badges(session, Selection())[0]


def test_queue_prints_to_a_pdf_printer_target(qtbot, store: Store, tmp_path: Path) -> None:
    queue = PrintQueue()
    badge, stock = a_badge(store), STOCKS["fanfold-4x3"]
    target = tmp_path / "printed.pdf"
    with qtbot.waitSignal(queue.printed, timeout=20_000) as done:
        queue.add(
            PrintJob(
                "badge", badge_pdf(badge, stock, load_template()), stock.page, pdf_file=str(target), through_qt=True
            )
        )
    assert done.args[0].pdf_file == str(target)
    page = PdfReader(target).pages[0]
    assert (float(page.mediabox.width), float(page.mediabox.height)) == pytest.approx(stock.page, abs=1.5)
    assert badge.code in decoding.decode(rasterize(target.read_bytes()))


def test_failure_is_reported_and_the_job_is_kept_for_retry(qtbot, store: Store, tmp_path: Path) -> None:
    queue = PrintQueue()
    badge, stock = a_badge(store), STOCKS["cr80"]
    pdf = badge_pdf(badge, stock, load_template())
    with qtbot.waitSignal(queue.failed, timeout=20_000) as failed:
        queue.add(PrintJob("badge", pdf, stock.page, printer="Muster-Test-No-Such-Printer"))
    job = failed.args[0]
    assert "Muster-Test-No-Such-Printer" in job.error and "not available" in job.error
    with qtbot.waitSignal(queue.failed, timeout=20_000) as unwritable:
        queue.retry(job.id, pdf_file=str(tmp_path / "no-such-folder" / "x.pdf"))
    assert "Could not save" in unwritable.args[0].error
    assert list(queue.failures) == [job.id]
    with qtbot.waitSignal(queue.printed, timeout=20_000) as printed:
        queue.retry(job.id, pdf_file=str(tmp_path / "retried.pdf"))
    assert printed.args[0].id == job.id and printed.args[0].pdf == pdf
    assert (tmp_path / "retried.pdf").stat().st_size > 1000
    assert not queue.failures


@pytest.fixture
def window(qtbot, store: Store, now: datetime, tmp_path: Path) -> DeskWindow:
    PrintSettings("", "fanfold-4x3", 1, tmp_path / "badges").save()
    desk_window = DeskWindow(store, lambda: now, silent_sounds())
    qtbot.add_widget(desk_window)
    desk_window.show()
    desk_window.activateWindow()
    qtbot.waitActive(desk_window)
    return desk_window


def printed_events(store: Store) -> int:
    with store.reading() as session:
        return (
            session.scalar(select(func.count()).select_from(Event).where(Event.kind == EventKind.BADGE_PRINTED.value))
            or 0
        )


def test_check_in_and_print_key_then_reprint(qtbot, window: DeskWindow, store: Store, tmp_path: Path) -> None:
    with store.reading() as session:
        person = session.scalars(select(Attendee).where(Attendee.status == "paid").order_by(Attendee.sort_key)).first()
    assert person is not None
    qtbot.keyClicks(window.search_field, person.external_id)
    qtbot.waitUntil(lambda: window.card.attendee is not None)
    with qtbot.waitSignal(window.print_queue.printed, timeout=20_000):
        qtbot.keyClick(window.search_field, Qt.Key.Key_P, Qt.KeyboardModifier.ControlModifier)
    assert window.banner.tone is not None and "Checked in" in window.banner.message
    first = tmp_path / "badges" / f"{person.external_id}-badge-1.pdf"
    assert first.exists()
    assert person.last_name in PdfReader(first).pages[0].extract_text()
    qtbot.waitUntil(lambda: printed_events(store) == 1)

    def answer_reason() -> None:
        dialog = QApplication.activeModalWidget()
        assert dialog is not None
        dialog.findChild(QLineEdit).setText("lost at the hotel")
        dialog.accept()

    QTimer.singleShot(0, answer_reason)
    with qtbot.waitSignal(window.print_queue.printed, timeout=20_000):
        qtbot.keyClick(window.search_field, Qt.Key.Key_R, Qt.KeyboardModifier.ControlModifier)
    second = tmp_path / "badges" / f"{person.external_id}-badge-2.pdf"
    assert second.exists()
    [new_code] = [c for c in decoding.decode(rasterize(second.read_bytes())) if c.startswith("M1")]
    [old_code] = [c for c in decoding.decode(rasterize(first.read_bytes())) if c.startswith("M1")]
    window.scan(old_code)
    assert "Replaced badge" in window.banner.message
    with qtbot.waitSignal(window.checked_in) as again:
        window.scan(new_code)
    assert again.args[0].code is VerdictCode.ALREADY_CHECKED_IN


def test_a_badge_folder_that_cannot_be_made_fails_the_job_in_words(
    qtbot, window: DeskWindow, store: Store, tmp_path: Path
) -> None:
    (tmp_path / "stick").write_text("a file where the folder's parent should be")
    window.print_settings = PrintSettings("", "cr80", 1, tmp_path / "stick" / "badges")
    with store.reading() as session:
        person = session.scalars(select(Attendee).where(Attendee.status == "paid").order_by(Attendee.sort_key)).all()[2]
    qtbot.keyClicks(window.search_field, person.external_id)
    qtbot.waitUntil(lambda: window.card.attendee is not None)
    with qtbot.waitSignal(window.print_queue.failed, timeout=20_000) as failed:
        qtbot.keyClick(window.search_field, Qt.Key.Key_P, Qt.KeyboardModifier.ControlModifier)
    assert "Could not save" in failed.args[0].error and "Not a directory" in failed.args[0].error
    assert window.banner.tone is Tone.BAD and "did not print" in window.banner.message
    with store.reading() as session:
        assert session.get(AttendeeState, person.id) is not None  # the check-in stands
    assert list(window.print_queue.failures) == [failed.args[0].id]  # kept for a retry elsewhere


def test_bulk_badges_with_progress(qtbot, store: Store, tmp_path: Path) -> None:
    dialog = BulkPrintDialog(store, load_template(), "avery-5392", tmp_path)
    qtbot.add_widget(dialog)
    out = tmp_path / "bulk.pdf"
    dialog.path.setText(str(out))
    dialog.not_printed.setChecked(False)
    with qtbot.waitSignal(dialog.done_rendering, timeout=60_000) as done:
        qtbot.mouseClick(dialog.start_button, Qt.MouseButton.LeftButton)
    badges = done.args[0]
    assert dialog.progress.value() == len(badges) == dialog.progress.maximum()
    assert len(PdfReader(out).pages) == -(-len(badges) // 6)
    assert not (tmp_path / "bulk.pdf.part").exists()


def test_bulk_dialog_says_it_prints_when_the_desk_has_a_printer(qtbot, store: Store, tmp_path: Path) -> None:
    with_printer = BulkPrintDialog(store, load_template(), "cr80", tmp_path, printer="Zebra ZC300")
    pdf_only = BulkPrintDialog(store, load_template(), "cr80", tmp_path)
    for dialog in (with_printer, pdf_only):
        qtbot.add_widget(dialog)
    assert with_printer.start_button.text() == "&Print on Zebra ZC300"
    assert pdf_only.start_button.text() == "&Make PDF"


def test_cancelling_a_bulk_run_writes_nothing(store: Store) -> None:
    with store.reading() as session:
        badges = select_badges(session, Selection())
    asked = []
    out = io.BytesIO()
    with pytest.raises(Cancelled):
        render_badges(
            badges, STOCKS["avery-5392"], load_template(), out, cancelled=lambda: asked.append(1) or len(asked) > 10
        )
    assert out.getvalue() == b""


def test_print_setup_is_remembered(qtbot, window: DeskWindow) -> None:
    from ui.print_settings import PrintSetupDialog

    dialog = PrintSetupDialog(window.print_settings)
    qtbot.add_widget(dialog)
    dialog.stock.setCurrentIndex(dialog.stock.findData("cr80"))
    dialog.copies.setValue(2)
    chosen = dialog.chosen()
    chosen.save()
    again = PrintSettings.load()
    assert (again.stock, again.copies, again.printer) == ("cr80", 2, "")
    assert "PDF files" in again.describe()


def test_print_setup_keeps_a_printer_that_is_switched_off(qtbot, tmp_path: Path) -> None:
    from ui.print_settings import PrintSetupDialog

    dialog = PrintSetupDialog(PrintSettings("Zebra ZC300 (front kiosk)", "cr80", 1, tmp_path))
    qtbot.add_widget(dialog)
    assert dialog.printer.currentText() == "Zebra ZC300 (front kiosk) (not available now)"
    dialog.copies.setValue(2)
    assert (dialog.chosen().printer, dialog.chosen().copies) == ("Zebra ZC300 (front kiosk)", 2)


def test_a_station_without_the_signing_key_says_so(qtbot, store: Store, now: datetime, tmp_path: Path) -> None:
    from checkin.store.models import BadgeKey

    with store.unit_of_work() as session:
        session.execute(update(BadgeKey).values(private_key=None))  # a door laptop's copy: public keys only
    PrintSettings("", "cr80", 1, tmp_path / "badges").save()
    window = DeskWindow(store, lambda: now, silent_sounds())
    qtbot.add_widget(window)
    with store.reading() as session:
        person = session.scalars(select(Attendee).where(Attendee.status == "paid")).first()
    window.print_badge(person.id)
    assert window.banner.tone is not None and "private badge key" in window.banner.message
    assert not (tmp_path / "badges").exists() or not list((tmp_path / "badges").iterdir())


def test_a_scan_during_the_reprint_prompt_waits_until_it_closes(
    qtbot, window: DeskWindow, store: Store, tmp_path: Path
) -> None:
    """A scan of another attendee behind the reprint prompt used to switch the card, and the first person's
    badge printed under the second's card."""
    with store.reading() as session:
        first, second = session.scalars(
            select(Attendee).where(Attendee.status == "paid").order_by(Attendee.sort_key).limit(2)
        ).all()
        second_code = badges.badge_code(session, second.id)
    qtbot.keyClicks(window.search_field, first.external_id)
    qtbot.waitUntil(lambda: window.card.attendee is not None and window.card.attendee.id == first.id)
    seen_behind_the_dialog: list[str] = []

    def scan_then_answer() -> None:
        dialog = QApplication.activeModalWidget()
        assert dialog is not None
        window.scan(second_code)  # the scanner fires while the volunteer types the reason
        seen_behind_the_dialog.append(window.card.attendee.id)
        assert "1 scan waiting" in window.statusBar().currentMessage()
        dialog.findChild(QLineEdit).setText("damaged")
        dialog.accept()

    QTimer.singleShot(0, scan_then_answer)
    with qtbot.waitSignal(window.print_queue.printed, timeout=20_000):
        qtbot.keyClick(window.search_field, Qt.Key.Key_R, Qt.KeyboardModifier.ControlModifier)
    assert seen_behind_the_dialog == [first.id]  # the card did not move while the dialog was open
    reprinted = tmp_path / "badges" / f"{first.external_id}-badge-2.pdf"
    assert first.last_name in PdfReader(reprinted).pages[0].extract_text()
    qtbot.waitUntil(lambda: window.card.attendee is not None and window.card.attendee.id == second.id)
    assert "Checked in" in window.banner.message  # the held scan, read once the dialog closed
