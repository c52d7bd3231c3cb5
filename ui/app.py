"""`checkin-app`: the composition root. Opens the store, builds the demo if asked, shows the desk."""

from __future__ import annotations

import argparse
import gc
import sys
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path

from PySide6.QtCore import QEventLoop, QSettings, Qt, QTimer
from PySide6.QtWidgets import (
    QApplication,
    QDialog,
    QInputDialog,
    QLineEdit,
    QMainWindow,
    QMessageBox,
    QProgressDialog,
)

from checkin import demo, vault, views
from checkin.conference import has_conference
from checkin.occupancy.door import open_door
from checkin.paths import default_db_path, demo_db_path
from checkin.rules.burst import BurstRules
from checkin.rules.station import BadStationName, readable_name
from checkin.store import OPEN_PROBLEMS, Store, open_store
from checkin.store.settings import set_setting, setting_text
from checkin.supervisor import KIND_SETTING, ROOM_SETTING, privilege_of_start
from checkin.sync import credentials
from checkin.sync.worker import State, SyncStatus
from ui import sync_status
from ui.dashboard_window import DashboardWindow
from ui.desk_window import DeskWindow
from ui.door_window import DoorWindow
from ui.first_run import FirstRunDialog, Start
from ui.kiosk_window import KioskWindow
from ui.pin_dialog import supervisor_refuses
from ui.scanner_input import WedgeScanFilter
from ui.serial_scanner import SETTING as SERIAL_SETTING
from ui.serial_scanner import SerialScanner
from ui.sound import VerdictSounds, system_sounds
from ui.theme import install_fonts


def parse_args(argv: Sequence[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="checkin-app", description="Muster check-in desk.")
    parser.add_argument("--db", type=Path, help=f"database file (default: {default_db_path()})")
    parser.add_argument("--demo", action="store_true", help="open the demo conference (created on first use)")
    parser.add_argument("--station", help="this station's name, e.g. 'Desk 3' (remembered)")
    parser.add_argument(
        "--scan-gap-ms", type=float, help="keyboard scanners: most ms between a scan's keys (default 40; remembered)"
    )
    parser.add_argument(
        "--scan-min-length", type=int, help="keyboard scanners: fewest characters in a scan (default 6; remembered)"
    )
    parser.add_argument(
        "--door",
        metavar="ROOM",
        nargs="?",
        const="",
        help="run as the door station of this room (without ROOM: pick it from a list)",
    )
    parser.add_argument("--door-name", default="Main door", help="which door of the room (several share a count)")
    parser.add_argument("--exit-serial", metavar="PORT", help="door station: a second, serial scanner for exits")
    parser.add_argument("--dashboard", action="store_true", help="run as the command post dashboard")
    parser.add_argument(
        "--kiosk",
        action="store_true",
        help="run as a self-service badge kiosk, full screen (attendees scan their confirmation email's code)",
    )
    parser.add_argument(
        "--windowed", action="store_true", help="door and kiosk: open in a window rather than full screen"
    )
    parser.add_argument("--camera", action="store_true", help="kiosk: show the camera, for phones held up to it")
    parser.add_argument(
        "--print-to-folder",
        action="store_true",
        help="kiosk: with no printer, save badges as PDF files for staff to hand out (otherwise it is out of order)",
    )
    parser.add_argument(
        "--hub",
        metavar="URL",
        help="sync with the venue hub at this PostgreSQL URL (remembered in "
        "the system keyring; see `checkin hub serve`)",
    )
    parser.add_argument(
        "--serial", metavar="PORT", help="read scans from a serial scanner, e.g. /dev/ttyACM0 or COM3 (remembered)"
    )
    parser.add_argument(
        "--self-test",
        action="store_true",
        help="open this station's window, then close it and exit (0 when it opened): checks an installation",
    )
    args = parser.parse_args(argv)
    if args.scan_gap_ms is not None and not 5 <= args.scan_gap_ms <= 500:
        parser.error("--scan-gap-ms must be between 5 and 500 (scanners type 1-30 ms apart, people 80+)")
    if args.station is not None:
        try:
            readable_name(args.station)
        except BadStationName as problem:
            parser.error(f"--station: {problem}")
    if args.scan_min_length is not None and not 2 <= args.scan_min_length <= 200:
        parser.error("--scan-min-length must be between 2 and 200")
    return args


def wedge_settings(args: argparse.Namespace) -> BurstRules:
    """Scanner timing from the command line, else as last set, else the defaults."""
    settings = QSettings()
    default = BurstRules()
    if args.scan_gap_ms is not None:
        settings.setValue("scanner/max_gap_ms", args.scan_gap_ms)
    if args.scan_min_length is not None:
        settings.setValue("scanner/min_length", args.scan_min_length)
    return replace(
        default,
        max_gap_ms=float(settings.value("scanner/max_gap_ms", default.max_gap_ms)),
        min_length=int(settings.value("scanner/min_length", default.min_length)),
    )


def station_kind(args: argparse.Namespace) -> str:
    if args.dashboard:
        return "post"
    if args.kiosk:
        return "kiosk"
    return "door" if args.door is not None else "desk"


def start_refused(store: Store, args: argparse.Namespace) -> str | None:
    """Starting this station as something other than it is (or at another door) needs the supervisor PIN; None
    to go on (and what it now is is kept), else why not."""
    kind, room = station_kind(args), args.door if args.door is not None else None
    with store.writing() as connection:
        kept_kind = setting_text(connection, KIND_SETTING)
        kept_room = setting_text(connection, ROOM_SETTING)
    privilege = privilege_of_start(kept_kind, kind, kept_room, room)
    if privilege and (said := supervisor_refuses(store, store.now(), privilege, None)):
        shown = {"post": "the command post", "door": f"the door of {kept_room}"}.get(kept_kind or "", f"a {kept_kind}")
        return f"This station is {shown}. {said}"
    with store.writing() as connection:
        set_setting(connection, KIND_SETTING, kind)
        if room is not None and (kept_room or "").casefold() != room.casefold():
            set_setting(connection, ROOM_SETTING, room)
    return None


def build_window(store: Store, args: argparse.Namespace, sounds: VerdictSounds) -> QMainWindow:
    """The station this laptop is: desk (the default), a kiosk, a room's door, or the command post."""
    if args.dashboard:
        return DashboardWindow(store, store.now)
    if args.kiosk:
        return KioskWindow(store, store.now, sounds, camera=args.camera, print_to_folder=args.print_to_folder)
    if args.door is not None:
        room = args.door or pick_room(store)  # main() picks it first; here for callers that do not
        try:
            door = open_door(store, room, args.door_name)
        except LookupError as error:
            QMessageBox.warning(None, "Muster", str(error))
            raise SystemExit(2) from None
        return DoorWindow(store, door, store.now, sounds)
    return DeskWindow(store, store.now, sounds)


def pick_room(store: Store) -> str:
    """Door staff pick their room from the list (typing a few letters jumps to it); the capacity beside
    each name lets them check it against the sign on the door."""
    rooms = views.rooms(store)
    choices = [f"{room.name}  ·  {room.capacity} people" for room in rooms]
    choice, ok = QInputDialog.getItem(None, "Muster · Door station", "Which room is this door for?", choices, 0, False)
    if not ok:
        raise SystemExit(1)
    return str(rooms[choices.index(choice)].name)


def ensure_demo(store: Store) -> None:
    """The demo conference, created with a progress bar the first time (an existing one opens at once)."""
    dialog = QProgressDialog("Creating the demo conference…", "", 0, 0)
    dialog.setCancelButton(None)
    dialog.setWindowModality(Qt.WindowModality.ApplicationModal)
    dialog.setMinimumDuration(0)  # shown at the first progress report: only when a demo is being made

    def progress(done: int, total: int) -> None:
        dialog.setMaximum(total)
        dialog.setValue(done)
        QApplication.processEvents()

    demo.ensure_demo(store, progress)
    dialog.close()


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(sys.argv[1:] if argv is None else argv)
    app = QApplication.instance() or QApplication(sys.argv[:1])
    assert isinstance(app, QApplication)
    app.setApplicationName("Muster")
    app.setOrganizationName("Muster")
    install_fonts(app)
    vault.ask_passphrase = ask_passphrase
    path = args.db or (demo_db_path() if args.demo else default_db_path())
    try:
        store = open_store(path, args.station)
    except (*OPEN_PROBLEMS, OSError) as problem:
        QMessageBox.critical(None, "Muster", f"Muster cannot open its database.\n\n{problem}")
        return 1
    if args.demo:
        ensure_demo(store)
    link = start_sync(store, args.hub, app)
    with store.reading() as session:
        ready = has_conference(session)
    if not ready and link is not None:
        ready = first_sync(store, link)
    imported = ""
    if not ready and link is None:
        first_run = FirstRunDialog(store, path, store.now)
        if first_run.exec() != QDialog.DialogCode.Accepted:  # Quit: nothing was made, nothing went wrong
            store.close()
            return 0
        if first_run.choice is Start.DEMO:
            store.close()
            store = open_store(demo_db_path(), first_run.station_name)
            ensure_demo(store)
        imported = first_run.report
        if first_run.choice is Start.JOINED:
            link = start_sync(store, None, app)
            ready = link is not None and first_sync(store, link)
        else:
            ready = True
    if not ready:
        QMessageBox.information(
            None,
            "Muster",
            f"The database {path} holds no conference yet, and the venue hub has not sent one.\n\n"
            "Check that the hub is running and its URL is right, then start Muster again.",
        )
        if link is not None:
            link.stop()
        return 1
    if args.door == "":
        args.door = pick_room(store)
    if said := start_refused(store, args):
        QMessageBox.warning(None, "Muster", said)
        if link is not None:
            link.stop()
        store.close()
        return 1
    window = build_window(store, args, system_sounds(app))
    if imported:
        window.statusBar().showMessage(f"{imported}.")
    wedge = WedgeScanFilter(wedge_settings(args), parent=app)
    if hasattr(window, "scan"):
        wedge.scanned.connect(window.scan)
        wedge.misread.connect(window.scan_again)
        if isinstance(window, KioskWindow):  # nothing there takes typing: a short code must not go unanswered
            wedge.short.connect(window.too_short)
        app.installEventFilter(wedge)
    serial_port = args.serial or QSettings().value(SERIAL_SETTING, "")
    if serial_port and isinstance(window, DeskWindow):
        window.use_serial_port(str(serial_port))
    elif serial_port and isinstance(window, DoorWindow | KioskWindow):
        entry_scanner = SerialScanner(window)
        entry_scanner.scanned.connect(window.scan)
        entry_scanner.open(str(serial_port))
    if args.exit_serial and isinstance(window, DoorWindow):
        exit_scanner = SerialScanner(window)
        exit_scanner.scanned.connect(window.scan_exit)
        exit_scanner.open(args.exit_serial)
    if link is not None or not isinstance(window, KioskWindow):  # no station talk on an attendee's screen
        sync_status.attach(window, link, store.now)
    if isinstance(window, KioskWindow | DoorWindow) and not args.windowed:
        window.showFullScreen()  # read from 2-3 m: all of the screen, type scaled to it
    else:
        window.show()
    if args.self_test:  # the window is built and shown; let Qt lay it out and paint once, then leave
        QTimer.singleShot(0, app.quit)
    # Everything made so far (Qt's and SQLAlchemy's modules, the window) lives as long as the app: a full garbage
    # collection would walk it all again, stalling whichever scan it lands in for tens of milliseconds.
    gc.collect()
    gc.freeze()
    code = app.exec()
    if args.self_test and code == 0:
        print(f"Muster opened {window.windowTitle()} and closed it.")
    if link is not None:
        link.stop()
    store.close()
    return code


def ask_passphrase(prompt: str) -> str | None:
    """The badge keys' passphrase, on a laptop with no system keyring (see checkin.vault)."""
    text, ok = QInputDialog.getText(None, "Muster · Badge keys", prompt, QLineEdit.EchoMode.Password)
    return text if ok else None


def first_sync(store: Store, link: sync_status.SyncLink) -> bool:
    """A new station's first round: wait (with progress, Cancel) until the hub's conference is here."""
    dialog = QProgressDialog("Fetching the conference from the venue hub…", "Cancel", 0, 0)
    dialog.setWindowTitle("Muster")
    dialog.setMinimumDuration(0)
    dialog.setAutoClose(False)  # a full bar still has the presence recompute after it: close when the round ends
    dialog.setAutoReset(False)
    waiting = QEventLoop()

    def follow(status: SyncStatus) -> None:
        if status.state == State.CATCHING_UP and status.progress is not None:  # a week's log: say how far
            dialog.setLabelText(
                f"Fetching what the other stations recorded: {status.progress.done:,} of "
                f"{status.progress.total:,} events…"
            )
            dialog.setMaximum(status.progress.total)
            dialog.setValue(status.progress.done)
        else:
            waiting.quit()  # the first round is over, whatever its outcome

    link.changed.connect(follow)
    dialog.canceled.connect(waiting.quit)
    dialog.show()
    waiting.exec()
    link.changed.disconnect(follow)
    dialog.close()
    with store.reading() as session:
        if has_conference(session):
            return True
    if link.status.message:
        QMessageBox.warning(
            None, "Muster", f"The hub could not give this station the conference:\n{link.status.message}"
        )
    return False


def start_sync(store: Store, given_url: str | None, parent: QApplication) -> sync_status.SyncLink | None:
    """Sync in the background when this station has a hub (given now, or remembered from before)."""
    try:
        url = credentials.check_url(given_url) if given_url else credentials.load(store.station.id)
    except credentials.CredentialsProblem as problem:
        QMessageBox.warning(None, "Muster", f"Not syncing: {problem}")
        return None
    if given_url and url:
        try:
            credentials.save(store.station.id, url)
        except credentials.CredentialsProblem as problem:  # still syncs now; it just will not be remembered
            QMessageBox.warning(
                None, "Muster", f"Syncing with the hub now, but it will not be remembered next time: {problem}."
            )
    if url is None:
        return None
    link = sync_status.SyncLink(store, url, parent)
    link.start()
    return link


if __name__ == "__main__":
    raise SystemExit(main())
