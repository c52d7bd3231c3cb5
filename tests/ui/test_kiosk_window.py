"""The self-service kiosk as an attendee meets it: scan, read, take the badge; the screen clears itself."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from PySide6.QtCore import Qt
from sqlalchemy import select, update

from checkin import decoding
from checkin.domain import Tone
from checkin.store import Store
from checkin.store.models import Attendee, AttendeeState, BadgeKey
from tests.raster import rasterize
from tests.ui.dialogs import answer_pin
from tests.ui.test_camera_and_serial import camera_frame, to_qimage
from ui.kiosk_window import KioskWindow
from ui.print_settings import PrintSettings
from ui.sound import silent_sounds


def test_a_ticket_code_prints_the_badge_and_the_screen_clears_itself(
    qtbot, store: Store, now: datetime, tmp_path: Path
) -> None:
    PrintSettings("", "fanfold-4x3", 1, tmp_path / "badges").save()  # no printer here: PDF files
    window = KioskWindow(store, lambda: now, silent_sounds(), reset_ms=300, print_to_folder=True)
    qtbot.add_widget(window)
    idle = window.banner.text()
    with store.reading() as session:
        person = session.scalars(select(Attendee).where(Attendee.status == "paid").order_by(Attendee.sort_key)).first()
    assert person is not None and person.ticket_code

    with qtbot.waitSignal(window.print_queue.printed, timeout=20_000) as printed:
        window.scan(person.ticket_code)
    assert window.banner.tone is Tone.GOOD and window.banner.message == f"Welcome, {person.first_name}!"
    assert window.banner.detail == "You are checked in. Staff will hand you your badge."  # no printer: no "below"
    pdf = Path(printed.args[0].pdf_file)
    assert pdf.parent == tmp_path / "badges"
    [code] = [c for c in decoding.decode(rasterize(pdf.read_bytes())) if c.startswith("M1")]
    qtbot.waitUntil(lambda: window.banner.text() == idle)  # the next person never sees this name

    with qtbot.waitSignal(window.answered) as answered:
        window.scan(code)  # the badge just printed: already checked in, nothing more printed
    assert answered.args[0].tone is Tone.WARN and answered.args[0].print_for is None
    assert person.first_name in window.banner.message and "registration desk" in window.banner.text()
    assert sorted(p.name for p in (tmp_path / "badges").iterdir()) == [pdf.name]


def test_a_phone_held_up_to_the_kiosk_camera_checks_in(qtbot, store: Store, now: datetime, tmp_path: Path) -> None:
    PrintSettings("", "cr80", 1, tmp_path / "badges").save()
    window = KioskWindow(store, lambda: now, silent_sounds(), camera=True, print_to_folder=True)
    qtbot.add_widget(window)
    assert window.camera is not None
    # Here there is no camera: the picture says so in words, and frames fed in stand for it.
    assert "camera" in window.camera.picture.text().lower() or window.camera.status.text().startswith("Camera: ")
    with store.reading() as session:
        person = session.scalars(select(Attendee).where(Attendee.status == "paid").order_by(Attendee.sort_key)).all()[3]
    with qtbot.waitSignal(window.print_queue.printed, timeout=20_000):
        assert window.camera.scanner.feed(to_qimage(camera_frame(person.ticket_code or "")))
    assert window.banner.message == f"Welcome, {person.first_name}!"


def test_a_kiosk_without_the_signing_key_checks_in_and_sends_to_the_desk_for_the_badge(
    qtbot, store: Store, now: datetime, tmp_path: Path
) -> None:
    PrintSettings("", "cr80", 1, tmp_path / "badges").save()
    with store.writing() as connection:  # set up like a door: public keys only
        connection.execute(update(BadgeKey).values(private_key=None))
    window = KioskWindow(store, lambda: now, silent_sounds(), print_to_folder=True)
    qtbot.add_widget(window)
    with store.reading() as session:
        person = session.scalars(select(Attendee).where(Attendee.status == "paid").order_by(Attendee.sort_key)).all()[5]
    with qtbot.waitSignal(window.answered) as answered:
        window.scan(person.ticket_code or "")
    assert answered.args[0].tone is Tone.WARN and "cannot be printed here" in answered.args[0].detail
    assert not (tmp_path / "badges").exists()
    with store.reading() as session:
        assert session.get(AttendeeState, person.id) is not None  # the check-in stands


def test_a_failed_print_closes_the_kiosk_until_staff_reopen_it(
    qtbot, store: Store, now: datetime, tmp_path: Path
) -> None:
    PrintSettings("", "cr80", 1, tmp_path / "badges").save()
    window = KioskWindow(store, lambda: now, silent_sounds(), reset_ms=200, print_to_folder=True)
    qtbot.add_widget(window)
    window.show()
    window.activateWindow()
    qtbot.waitActive(window)  # the staff key is a shortcut: it reaches the active window only
    assert not window.printer_problem
    with store.reading() as session:
        first, second = session.scalars(
            select(Attendee).where(Attendee.status == "paid").order_by(Attendee.sort_key)
        ).all()[6:8]
    window.print_settings = PrintSettings("Badge printer that was unplugged", "cr80", 1, tmp_path / "badges")
    with qtbot.waitSignal(window.print_queue.failed, timeout=20_000):
        window.scan(first.ticket_code or "")
    assert window.banner.tone is Tone.BAD and window.banner.message == "Your badge did not print."
    assert window.staff_note.isVisible() and "unplugged" in window.staff_note.text()
    qtbot.waitUntil(lambda: window.banner.message == "This kiosk cannot print badges right now.")  # not the prompt

    with qtbot.waitSignal(window.answered) as answered:
        window.scan(second.ticket_code or "")
    assert answered.args[0].headline == "This kiosk cannot print badges right now."
    with store.reading() as session:
        assert session.get(AttendeeState, first.id) is not None  # checked in; the desk reprints the badge
        assert session.get(AttendeeState, second.id) is None  # sent to the desk before anything was recorded

    reopen = (Qt.Key.Key_R, Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier)
    qtbot.keyClick(window, *reopen)  # the printer is still missing: the kiosk stays closed
    assert window.printer_problem and window.banner.message == "This kiosk cannot print badges right now."
    window.print_settings = PrintSettings("", "cr80", 1, tmp_path / "badges")  # staff fixed the printing
    qtbot.keyClick(window, *reopen)
    assert window.banner.tone is None and not window.staff_note.isVisible()
    with qtbot.waitSignal(window.print_queue.printed, timeout=20_000):
        window.scan(second.ticket_code or "")
    assert window.banner.message == f"Welcome, {second.first_name}!"


def test_a_kiosk_whose_printer_is_missing_at_start_takes_nobody(
    qtbot, store: Store, now: datetime, tmp_path: Path
) -> None:
    PrintSettings("Zebra ZC300 (front kiosk)", "cr80", 1, tmp_path / "badges").save()
    window = KioskWindow(store, lambda: now, silent_sounds())
    qtbot.add_widget(window)
    assert window.banner.message == "This kiosk cannot print badges right now."
    assert "Zebra ZC300 (front kiosk)" in window.staff_note.text()
    with store.reading() as session:
        person = session.scalars(select(Attendee).where(Attendee.status == "paid").order_by(Attendee.sort_key)).first()
    assert person is not None
    window.scan(person.ticket_code or "")
    with store.reading() as session:
        assert session.get(AttendeeState, person.id) is None


def test_the_instruction_is_nearly_as_large_as_the_headline(qtbot, store: Store, now: datetime) -> None:
    import re

    window = KioskWindow(store, lambda: now, silent_sounds(), print_to_folder=True)
    qtbot.add_widget(window)
    with store.reading() as session:
        unpaid = session.scalars(select(Attendee).where(Attendee.status == "unpaid")).first()
    assert unpaid is not None and unpaid.ticket_code
    window.scan(unpaid.ticket_code)
    assert window.banner.detail == "Please see the registration desk."
    [instruction] = re.findall(r"font-size: ([\d.]+)pt; font-weight: bold;'>Please see", window.banner.text())
    assert float(instruction) >= 0.75 * window.banner.font_pt


def test_a_kiosk_with_no_printer_is_out_of_order_unless_told_to_save_badges_in_a_folder(
    qtbot, store: Store, now: datetime, tmp_path: Path
) -> None:
    PrintSettings("", "cr80", 1, tmp_path / "badges").save()
    window = KioskWindow(store, lambda: now, silent_sounds())
    qtbot.add_widget(window)
    assert "No printer is set up" in window.staff_note.text() and "--print-to-folder" in window.staff_note.text()
    with store.reading() as session:
        person = session.scalars(select(Attendee).where(Attendee.status == "paid")).first()
    assert person is not None and person.ticket_code
    window.scan(person.ticket_code)
    assert window.banner.message == "This kiosk cannot print badges right now."
    with store.reading() as session:
        assert session.get(AttendeeState, person.id) is None  # nobody checked in by an out-of-order kiosk


def test_leaving_the_kiosk_needs_the_supervisor_pin(qtbot, store: Store, now: datetime) -> None:

    from checkin.supervisor import set_pin

    set_pin(store, "Qx#7Vw")
    window = KioskWindow(store, lambda: now, silent_sounds(), print_to_folder=True)
    qtbot.add_widget(window)
    window.show()

    answer_pin(None)  # Alt+F4 by an attendee: the PIN is asked, nobody gives it
    assert not window.close() and window.isVisible()
    answer_pin("0000")
    assert not window.close() and window.isVisible() and "Wrong PIN" in window.staff_note.text()
    answer_pin("Qx#7Vw")
    window.close()
    assert not window.isVisible()
