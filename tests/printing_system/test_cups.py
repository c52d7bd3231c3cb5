"""Badges through the operating system's print system: a private CUPS server with a PDF queue (cups-pdf),
started by the test where CUPS is installed. Both the CLI's spooler path (`lp`) and Qt's own print path
(QPrinter -> libcups) must deliver a badge whose QR still decodes. Where CUPS is not installed, the same
commands must refuse in words a volunteer can act on."""

from __future__ import annotations

import os
import pwd
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from checkin import decoding
from checkin.cli import main
from checkin.printing import spooler
from checkin.printing.layouts import STOCKS

CUPSD = Path("/usr/sbin/cupsd")
CUPS_PDF_BACKEND = Path("/usr/lib/cups/backend/cups-pdf")
CUPS_PDF_PPD = Path("/usr/share/ppd/cups-pdf/CUPS-PDF_opt.ppd")
QUEUE = "MusterPDF"


def _cups_usable() -> bool:
    return (
        all(p.exists() for p in (CUPSD, CUPS_PDF_BACKEND, CUPS_PDF_PPD))
        and os.geteuid() == 0
        and shutil.which("lpadmin") is not None
    )


@pytest.fixture
def cups(tmp_path: Path) -> Iterator[dict[str, str] | None]:
    """The environment that points clients at a private CUPS server with a PDF queue, or None."""
    if not _cups_usable():
        yield None
        return
    # Not under tmp_path: pytest makes that private (0700), and CUPS filters run as the `lp` user.
    root = Path(tempfile.mkdtemp(prefix="muster-cups-"))
    for name in ("spool", "cache", "state", "log"):
        (root / name).mkdir(parents=True)
    socket = root / "cups.sock"
    (root / "cupsd.conf").write_text(
        f"Listen {socket}\nLogLevel warn\nWebInterface No\nDefaultAuthType None\n"
        "<Location />\n  Order allow,deny\n  Allow all\n</Location>\n"
        "<Location /admin>\n  Order allow,deny\n  Allow all\n</Location>\n"
        "<Policy default>\n  <Limit All>\n    Order deny,allow\n  </Limit>\n</Policy>\n"
    )
    (root / "cups-files.conf").write_text(
        f"ServerRoot {root}\nRequestRoot {root}/spool\nCacheDir {root}/cache\nStateDir {root}/state\n"
        f"ErrorLog {root}/log/error_log\nAccessLog {root}/log/access_log\nPageLog {root}/log/page_log\n"
        "ServerBin /usr/lib/cups\nDataDir /usr/share/cups\nUser lp\nGroup lp\nSystemGroup root\n"
    )
    subprocess.run(["chmod", "-R", "a+rwX", str(root)], check=True)
    daemon = subprocess.Popen([str(CUPSD), "-f", "-c", str(root / "cupsd.conf"), "-s", str(root / "cups-files.conf")])
    env = {**os.environ, "CUPS_SERVER": str(socket)}
    try:
        deadline = time.monotonic() + 20
        while subprocess.run(["lpstat", "-r"], env=env, capture_output=True).returncode != 0:
            assert time.monotonic() < deadline, "the private CUPS server did not start"
            time.sleep(0.1)  # waiting for an external daemon to listen; there is no signal to wait on
        while True:  # the scheduler may answer lpstat before it accepts new queues
            added = subprocess.run(
                ["lpadmin", "-p", QUEUE, "-v", "cups-pdf:/", "-E", "-P", str(CUPS_PDF_PPD)],
                env=env,
                capture_output=True,
                text=True,
            )
            if added.returncode == 0:
                break
            assert time.monotonic() < deadline, added.stderr
            time.sleep(0.2)
        yield env
    finally:
        daemon.send_signal(signal.SIGTERM)
        daemon.wait(timeout=20)
        shutil.rmtree(root, ignore_errors=True)


def _new_outputs(out: Path, before: set[Path], count: int) -> list[Path]:
    """The PDFs cups-pdf wrote (into the submitting user's ~/PDF; it names them as it likes)."""
    deadline = time.monotonic() + 60
    while True:
        found = sorted(p for p in out.glob("*.pdf") if p not in before) if out.exists() else []
        if len(found) >= count and all(p.stat().st_size > 0 for p in found):
            return found
        assert time.monotonic() < deadline, f"cups-pdf wrote {len(found)} of {count} jobs into {out}"
        time.sleep(0.1)  # waiting on an external daemon's output; there is no signal to wait on


def test_badges_reach_a_real_print_queue(cups, tmp_path: Path, qapp, capsys) -> None:
    db = ["--db", str(tmp_path / "p.sqlite")]
    assert main(["demo", *db, "--attendees", "12"]) == 0
    badge_pdf = tmp_path / "one.pdf"
    assert (
        main(["print", "badges", *db, "--attendee", "R100001", "--layout", "fanfold-4x3", "--out", str(badge_pdf)]) == 0
    )
    capsys.readouterr()
    if cups is None:  # no CUPS here: every path refuses with words, nothing pretends to have printed
        with pytest.raises(spooler.PrintFailed, match=r"print system|refused"):
            spooler.send(badge_pdf, QUEUE, STOCKS["fanfold-4x3"])
        assert main(["print", "badges", *db, "--attendee", "R100001", "--printer", QUEUE]) == 1
        assert "checkin print:" in capsys.readouterr().err
        return
    out = Path(pwd.getpwuid(os.geteuid()).pw_dir) / "PDF"
    before = set(out.glob("*.pdf")) if out.exists() else set()
    listed = subprocess.run([sys.executable, "-m", "checkin.cli", "printers"], env=cups, capture_output=True, text=True)
    assert QUEUE in listed.stdout
    via_lp = subprocess.run(
        [
            sys.executable,
            "-m",
            "checkin.cli",
            "print",
            "badges",
            *db,
            "--attendee",
            "R100001",
            "--layout",
            "fanfold-4x3",
            "--printer",
            QUEUE,
        ],
        env=cups,
        capture_output=True,
        text=True,
    )
    assert via_lp.returncode == 0, via_lp.stderr
    via_qt = subprocess.run(
        [
            sys.executable,
            "-c",
            (
                "import sys; from PySide6.QtWidgets import QApplication; app = QApplication([]);"
                "from ui.print_queue import PrintJob, print_now, printer_names;"
                "from checkin.printing.layouts import STOCKS;"
                f"assert '{QUEUE}' in printer_names(), printer_names();"
                f"print_now(PrintJob('muster-qt-badge', open(sys.argv[1], 'rb').read(), STOCKS['fanfold-4x3'].page,"
                f" printer='{QUEUE}'))"
            ),
            str(badge_pdf),
        ],
        env={**cups, "QT_QPA_PLATFORM": "offscreen"},
        capture_output=True,
        text=True,
    )
    assert via_qt.returncode == 0, via_qt.stderr
    from tests.raster import rasterize

    expected = set(decoding.decode(rasterize(badge_pdf.read_bytes())))
    for printed in _new_outputs(out, before, 2):
        assert expected <= set(decoding.decode(rasterize(printed.read_bytes(), dpi=200))), printed
        printed.unlink()
