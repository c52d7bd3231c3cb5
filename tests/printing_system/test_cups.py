"""Badges through the operating system's print system: a private CUPS server with a PDF queue (cups-pdf),
started by the test where CUPS is installed. Both the CLI's spooler path (`lp`) and Qt's own print path
(QPrinter -> libcups) must deliver a badge whose QR still decodes. Where CUPS is not installed, the same
commands must refuse in words a volunteer can act on."""

from __future__ import annotations

import os
import pwd
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from pypdf import PdfReader

from checkin import decoding
from checkin.cli import main
from checkin.printing import spooler
from checkin.printing.layouts import STOCKS

CUPSD = Path("/usr/sbin/cupsd")
CUPS_PDF_BACKEND = Path("/usr/lib/cups/backend/cups-pdf")
CUPS_PDF_PPD = Path("/usr/share/ppd/cups-pdf/CUPS-PDF_opt.ppd")
QUEUE = "MusterPDF"  # cups-pdf's own driver: its page sizes and any custom size
LETTER_ONLY = "MusterLetter"  # the same without custom sizes: a 4x3 badge on it would be shrunk onto a sheet
LABELS = "MusterLabels"  # a label printer's 3x4 in labels, listed upright as label printers feed them


def _queues(root: Path) -> dict[str, Path]:
    """The three queues' drivers, made from cups-pdf's own PPD."""
    text = CUPS_PDF_PPD.read_text(encoding="latin-1")
    fixed = re.sub(r"\*CustomPageSize True:.*?\*End\n", "", text, flags=re.S)  # with its PostScript code
    fixed = "\n".join(line for line in fixed.splitlines() if "CustomPageSize" not in line)
    label = fixed
    for keyword, value in (
        ("PageSize", '"<</PageSize[216 288]/ImagingBBox null>>setpagedevice"\n*End'),
        ("PageRegion", '"<</PageSize[216 288]/ImagingBBox null>>setpagedevice"\n*End'),
        ("ImageableArea", '"0 0 216 288"'),
        ("PaperDimension", '"216 288"'),
    ):
        label = label.replace(f"*Default{keyword}: A4", f"*Default{keyword}: w216h288")
        label = label.replace(f"*{keyword} A4/A4:", f"*{keyword} w216h288/3x4 in label: {value}\n*{keyword} A4/A4:")
    (root / "letter.ppd").write_text(fixed, encoding="latin-1")
    (root / "label.ppd").write_text(label, encoding="latin-1")
    return {QUEUE: CUPS_PDF_PPD, LETTER_ONLY: root / "letter.ppd", LABELS: root / "label.ppd"}


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
        for queue, ppd in _queues(root).items():
            while True:  # the scheduler may answer lpstat before it accepts new queues
                added = subprocess.run(
                    ["lpadmin", "-p", queue, "-v", "cups-pdf:/", "-E", "-P", str(ppd)],
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


def _outputs(out: Path) -> dict[Path, int]:
    """The PDFs in cups-pdf's folder (the submitting user's ~/PDF) and when each was written: it names them after
    the job, so a later run's job can overwrite an earlier run's file of the same name."""
    return {p: p.stat().st_mtime_ns for p in out.glob("*.pdf")} if out.exists() else {}


def _new_outputs(out: Path, before: dict[Path, int], count: int, env: dict[str, str]) -> list[Path]:
    """The PDFs cups-pdf wrote (or wrote again) since ``before``, once CUPS says every job is done (cups-pdf
    writes a file in steps: one still being written is not taken for the next job's)."""
    deadline = time.monotonic() + 60
    while True:
        pending = subprocess.run(["lpstat", "-o"], env=env, capture_output=True, text=True).stdout.strip()
        found = sorted(p for p, written in _outputs(out).items() if before.get(p) != written)
        if not pending and len(found) >= count and all(p.stat().st_size > 0 for p in found):
            return found
        assert time.monotonic() < deadline, f"cups-pdf wrote {len(found)} of {count} jobs into {out} ({pending})"
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
            spooler.send(badge_pdf, QUEUE, STOCKS["fanfold-4x3"].page)
        assert main(["print", "badges", *db, "--attendee", "R100001", "--printer", QUEUE]) == 1
        assert "checkin print:" in capsys.readouterr().err
        return
    out = Path(pwd.getpwuid(os.geteuid()).pw_dir) / "PDF"
    before = _outputs(out)
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
    for printed in _new_outputs(out, before, 2, cups):
        assert expected <= set(decoding.decode(rasterize(printed.read_bytes(), dpi=200))), printed
        printed.unlink()


def _checkin(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "checkin.cli", *args], env=env, capture_output=True, text=True)


def _effective_page(printed: Path) -> tuple[float, float, int]:
    """The output's page as a person sees it (width, height after /Rotate), and the rotation."""
    page = PdfReader(printed).pages[0]
    width, height = float(page.mediabox.width), float(page.mediabox.height)
    rotation = int(page.get("/Rotate", 0) or 0) % 360
    return (height, width, rotation) if rotation in (90, 270) else (width, height, rotation)


def test_each_badge_prints_on_the_paper_its_queue_has(cups, tmp_path: Path) -> None:
    db = str(tmp_path / "p.sqlite")
    env = cups or dict(os.environ)
    assert _checkin(env, "demo", "--db", db, "--attendees", "3").returncode == 0
    if cups is None:  # no CUPS here: asking a queue for its paper refuses in words
        with pytest.raises(spooler.PrintFailed, match=r"Could not ask|print system"):
            spooler.send(tmp_path / "p.sqlite", QUEUE, STOCKS["cr80"].page)
        return
    out = Path(pwd.getpwuid(os.geteuid()).pw_dir) / "PDF"
    seen = _outputs(out)
    made = []

    def printed(layout: str, queue: str) -> tuple[float, float, int]:
        done = _checkin(
            cups, "print", "badges", "--db", db, "--attendee", "R100001", "--layout", layout, "--printer", queue
        )
        assert done.returncode == 0, done.stderr
        [output] = _new_outputs(out, seen, 1, cups)
        seen.update(_outputs(out))
        made.append(output)
        preview = tmp_path / f"{layout}.pdf"
        assert (
            _checkin(
                cups, "print", "badges", "--db", db, "--attendee", "R100001", "--layout", layout, "--out", str(preview)
            ).returncode
            == 0
        )
        from tests.raster import rasterize

        # The badge itself, not shrunk onto a sheet: its QR reads from the printed page as from the preview.
        assert set(decoding.decode(rasterize(preview.read_bytes()))) <= set(
            decoding.decode(rasterize(output.read_bytes()))
        )
        return _effective_page(output)

    # A queue that takes custom sizes prints each stock on its own size, the right way up.
    for layout in ("fanfold-4x3", "cr80"):
        width, height, rotation = printed(layout, QUEUE)
        expected = STOCKS[layout].page
        assert abs(width - expected[0]) <= 1.5 and abs(height - expected[1]) <= 1.5, (layout, width, height)
        assert rotation == 0 and width > height  # landscape stock, landscape page, nothing turned
    # A label printer lists its 3x4 in labels upright: the 4x3 badge goes on one, turned as the label feeds.
    width, height, rotation = printed("fanfold-4x3", LABELS)
    assert (round(width), round(height), rotation in (90, 270)) == (288, 216, True)
    # A queue with neither the size nor custom sizes refuses before anything is sent (it would shrink the badge
    # onto A4 or Letter and waste the stock), in words, and so does one with other labels.
    for layout, queue in (("fanfold-4x3", LETTER_ONLY), ("cr80", LABELS)):
        refused = _checkin(
            cups, "print", "badges", "--db", db, "--attendee", "R100001", "--layout", layout, "--printer", queue
        )
        assert refused.returncode == 1
        assert f"Printer {queue} has no paper of" in refused.stderr and "takes no custom size" in refused.stderr
    jobs = subprocess.run(["lpstat", "-W", "all", "-o"], env=cups, capture_output=True, text=True).stdout
    assert LETTER_ONLY not in jobs and jobs.count(LABELS) == 1
    # The app's own print path (Qt) asks the same question and gives the same answer.
    qt_print = (
        "import sys; from PySide6.QtWidgets import QApplication; app = QApplication([]);"
        "from ui.print_queue import PrintError, PrintJob, print_now;"
        "from checkin.printing.layouts import STOCKS;"
        "job = PrintJob('qt-card', open(sys.argv[1], 'rb').read(), STOCKS['cr80'].page, printer=sys.argv[2])\n"
        "try: print_now(job)\n"
        "except PrintError as error: print(error); sys.exit(3)"
    )
    card = str(tmp_path / "cr80.pdf")
    qt_env = {**cups, "QT_QPA_PLATFORM": "offscreen"}
    refused = subprocess.run(
        [sys.executable, "-c", qt_print, card, LETTER_ONLY], env=qt_env, capture_output=True, text=True
    )
    assert refused.returncode == 3 and f"Printer {LETTER_ONLY} has no paper of 3.37 x 2.12 in" in refused.stdout
    done = subprocess.run([sys.executable, "-c", qt_print, card, QUEUE], env=qt_env, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr + done.stdout
    [output] = _new_outputs(out, seen, 1, cups)
    width, height, rotation = _effective_page(output)
    assert abs(width - STOCKS["cr80"].page[0]) <= 1.5 and abs(height - STOCKS["cr80"].page[1]) <= 1.5 and rotation == 0
    for printed in {*made, output}:
        printed.unlink()
