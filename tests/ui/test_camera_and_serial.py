"""Camera pipeline on still frames (QR made with qrcode, blurred, rotated, noisy) and a serial scanner on a pty."""

from __future__ import annotations

import os
from datetime import datetime

import numpy as np
import pytest
import qrcode
from barcode import Code128
from barcode.writer import ImageWriter
from PIL import Image, ImageFilter
from PySide6.QtGui import QImage
from sqlalchemy import select

from checkin import badges, decoding
from checkin.domain import VerdictCode
from checkin.store import Store
from checkin.store.models import Attendee
from ui.camera import CameraScanner, CameraView
from ui.desk_window import DeskWindow
from ui.serial_scanner import SerialScanner
from ui.sound import silent_sounds


def badge_code(store: Store, n: int = 0) -> str:
    with store.reading() as session:
        person = session.scalars(select(Attendee).where(Attendee.status == "paid").order_by(Attendee.sort_key)).all()[n]
        return badges.badge_code(session, person.id)


def camera_frame(code: str, angle: float = 17, blur: float = 1.5, noise: float = 18, seed: int = 1) -> np.ndarray:
    """A 640x480 grey frame with the badge's QR held up at an angle, slightly out of focus, with sensor noise."""
    made = qrcode.QRCode(error_correction=qrcode.constants.ERROR_CORRECT_M, box_size=6, border=4)
    made.add_data(code)
    made.make(fit=True)
    qr = made.make_image().get_image().convert("L").resize((300, 300))
    frame = Image.new("L", (640, 480), 190)
    frame.paste(qr, (170, 90))
    frame = frame.rotate(angle, fillcolor=190).filter(ImageFilter.GaussianBlur(blur))
    pixels = np.asarray(frame).astype(np.int16) + np.random.default_rng(seed).normal(0, noise, (480, 640))
    return np.clip(pixels, 0, 255).astype(np.uint8)


def to_qimage(pixels: np.ndarray) -> QImage:
    height, width = pixels.shape
    return QImage(pixels.tobytes(), width, height, width, QImage.Format.Format_Grayscale8).copy()


@pytest.mark.parametrize(("angle", "blur", "noise"), [(0, 0, 0), (17, 1.5, 18), (-40, 1.0, 25), (90, 2.0, 10)])
def test_qr_in_a_degraded_frame_decodes_to_the_badge_code(store: Store, angle, blur, noise) -> None:
    code = badge_code(store)
    assert decoding.decode(camera_frame(code, angle, blur, noise)) == [code]


def test_code128_of_the_registration_id_decodes(tmp_path) -> None:
    Code128("R100042", writer=ImageWriter()).save(str(tmp_path / "bar"), {"module_width": 0.4, "dpi": 254})
    bar = Image.open(tmp_path / "bar.png").convert("L")
    frame = Image.new("L", (640, 480), 255)
    frame.paste(bar.resize((min(600, bar.width), min(200, bar.height))), (20, 140))
    assert decoding.decode(np.asarray(frame)) == ["R100042"]


def test_nothing_in_an_empty_frame() -> None:
    noise = np.random.default_rng(3).integers(0, 255, (480, 640), dtype=np.uint8)
    assert decoding.decode(noise) == []


def test_debouncer_passes_a_code_once_until_it_is_gone_for_a_while() -> None:
    calm = decoding.Debouncer(quiet_s=2.0)
    assert calm.fresh(["A", "A"], 0.0) == ["A"]
    assert calm.fresh(["A"], 0.5) == []
    assert calm.fresh(["A", "B"], 1.0) == ["B"]
    assert calm.fresh([], 2.0) == []
    assert calm.fresh(["A"], 3.5) == ["A"]  # away for 2.5 s: a new presentation


def test_camera_pipeline_feeds_the_desk_verdict_path_once(qtbot, store: Store, now: datetime) -> None:
    window = DeskWindow(store, lambda: now, silent_sounds())
    qtbot.add_widget(window)
    scanner = CameraScanner(quiet_s=60)
    scanner.scanned.connect(window.scan)
    code = badge_code(store, 3)
    frame = to_qimage(camera_frame(code))
    with qtbot.waitSignal(window.checked_in, timeout=20_000) as verdict:
        assert scanner.feed(frame)
    assert verdict.args[0].code is VerdictCode.ACCEPTED
    qtbot.waitUntil(lambda: not scanner.busy)
    with qtbot.assertNotEmitted(scanner.scanned, wait=200):  # the same badge, still held up: debounced
        assert scanner.feed(frame)
        qtbot.waitUntil(lambda: not scanner.busy)
    assert scanner.last_decode_s > 0
    scanner.stop()


def test_camera_view_opens_and_says_what_it_can_do(qtbot) -> None:
    view = CameraView()
    qtbot.add_widget(view)
    view.show()
    # Here there is no camera (and maybe no QtMultimedia): the view must say so in words, not crash.
    explained = view.picture.text() != "Starting the camera…" and "camera" in view.picture.text().lower()
    assert explained or view.status.text().startswith("Camera: ")
    view.close()


def test_serial_scanner_reads_lines_from_a_port(qtbot) -> None:
    controller, device = os.openpty()
    scanner = SerialScanner()
    try:
        assert scanner.open(os.ttyname(device)), "could not open the pty as a serial port"
        got: list[str] = []
        scanner.scanned.connect(got.append)
        os.write(controller, b"M1ABC\r\nR1000")
        os.write(controller, b"42\r")
        qtbot.waitUntil(lambda: len(got) >= 2, timeout=20_000)
        assert got == ["M1ABC", "R100042"]
        failures = []
        scanner.failed.connect(failures.append)
        assert not scanner.open("/dev/no-such-scanner")
        assert failures and "/dev/no-such-scanner" in failures[0]
    finally:
        scanner.close()
        os.close(controller)
        os.close(device)


def test_an_enrollment_code_shown_to_the_camera_fills_the_join_dialog(qtbot) -> None:
    from ui.join_dialog import JoinDialog

    code = "192.168.1.20:5432/muster/abcd-efgh-jkmn-pqrs-tuvw-xyz2-3456-789a-bcde"
    dialog = JoinDialog()
    qtbot.add_widget(dialog)
    dialog.show()
    dialog.use_camera()
    assert dialog.camera is not None and not dialog.camera_button.isEnabled()
    with qtbot.waitSignal(dialog.accepted, timeout=20_000):  # the QR read from a frame, as from the camera
        assert dialog.camera.scanner.feed(to_qimage(camera_frame(code)))
    assert dialog.code.text() == code
