"""Unpack the Linux bundle in a clean folder and use it as a venue laptop would, with no virtualenv and no
source tree in reach: the frozen `checkin` makes the demo, imports an export, scans a badge, prints a badge PDF
(whose QR must decode to the code it was printed for), starts a hub, syncs the desk to it and a new station
from it; the frozen `checkin-app` opens the desk on the demo offscreen and exits 0 with no Qt warning.

Run by packaging/smoke with the project's Python, which only checks the results (QtPdf and zxing-cpp read the
PDF back); every program under test is the bundle's.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import tarfile
import tempfile
import time
import tomllib
from pathlib import Path

from pypdf import PdfReader
from PySide6.QtGui import QGuiApplication

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))  # the checks below read results with the source tree's own decoder

from checkin.decoding import decode  # noqa: E402
from checkin.sync.server import local_url  # noqa: E402
from tests.raster import rasterize  # noqa: E402

EXPORT = ROOT / "tests" / "data" / "wildapricot_registrants.csv"
QT_MESSAGE_PATTERN = "%{type} %{if-category}%{category}: %{endif}%{message}"


class SmokeFailed(Exception):
    pass


def main(tarball: Path) -> None:
    with tempfile.TemporaryDirectory(prefix="muster-smoke-") as folder:
        work = Path(folder)
        if os.geteuid() == 0:  # the hub's PostgreSQL runs as its own user, which must walk down to work/hub
            work.chmod(0o711)
        with tarfile.open(tarball) as packed:
            packed.extractall(work / "unpacked", filter="tar")
        bundle = next((work / "unpacked").iterdir())
        env = clean_environment(work)
        run = Runner(bundle, work, env)
        started = time.perf_counter()
        frozen_cli(run, work)
        frozen_app(run)
        desktop_entry(run, bundle)
        print(f"smoke: all checks passed in {time.perf_counter() - started:.1f} s")


def clean_environment(work: Path) -> dict[str, str]:
    """What a venue laptop's session has: a home, a plain PATH; no virtualenv, no PYTHONPATH, no keyring."""
    home = work / "home"
    home.mkdir()
    return {
        "HOME": str(home),
        "PATH": "/usr/local/bin:/usr/bin:/bin",
        "LANG": "C.UTF-8",
        "XDG_DATA_HOME": str(home / ".local" / "share"),
        "XDG_CONFIG_HOME": str(home / ".config"),
        "XDG_RUNTIME_DIR": str(work / "runtime"),
        "QT_QPA_PLATFORM": "offscreen",
        "QT_MESSAGE_PATTERN": QT_MESSAGE_PATTERN,
        # No keyring in this session: the badge keys are sealed with a passphrase instead (checkin.vault).
        "MUSTER_BADGE_KEYS_PASSPHRASE": "smoke test passphrase",
    }


class Runner:
    def __init__(self, bundle: Path, work: Path, env: dict[str, str]) -> None:
        self.bundle, self.work, self.env = bundle, work, env
        (work / "runtime").mkdir(mode=0o700)

    def __call__(self, program: str, *args: str, expect: int = 0) -> subprocess.CompletedProcess[str]:
        started = time.perf_counter()
        done = subprocess.run(
            [str(self.bundle / program), *args],
            cwd=self.work,
            env=self.env,
            capture_output=True,
            text=True,
            timeout=300,
        )
        took = time.perf_counter() - started
        print(f"smoke: {program} {' '.join(args)[:90]}  ->  exit {done.returncode} in {took:.2f} s")
        if done.returncode != expect:
            raise SmokeFailed(f"{program} {' '.join(args)} exited {done.returncode}:\n{done.stdout}\n{done.stderr}")
        return done

    def start(self, program: str, *args: str) -> subprocess.Popen[str]:
        return subprocess.Popen(
            [str(self.bundle / program), *args],
            cwd=self.work,
            env=self.env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )


def frozen_cli(run: Runner, work: Path) -> None:
    help_text = run("checkin", "--help").stdout
    expect("occupancy" in help_text and "import" in help_text, "checkin --help lists the commands", help_text)

    run("checkin", "demo", "--db", "demo.sqlite", "--attendees", "300")
    stats = run("checkin", "stats", "--db", "demo.sqlite").stdout
    expect("Checked in 0 of 29" in stats, "the demo holds its attendees (less the cancelled)", stats)

    imported = run("checkin", "import", str(EXPORT), "--db", "venue.sqlite", "--conference", "Smoke 2027").stdout
    expect("registrants" in imported, "the export was imported", imported)
    run("checkin", "keys", "init", "--db", "venue.sqlite")
    # By organization words, not a surname: answered by SQLite's full-text engine (FTS5) in the bundled SQLite.
    found = run("checkin", "attendees", "tulsa publ", "--db", "venue.sqlite", "--json").stdout
    expect('"external_id": "71001"' in found, "a search by organization finds the registrant (FTS5)", found)
    paid = run("checkin", "attendees", "--db", "venue.sqlite", "--json").stdout
    registration = re.search(r'"external_id": "([^"]+)",(?:(?!"external_id").)*?"status": "paid"', paid, re.S)
    expect(registration is not None, "a paid registrant is listed", paid)
    assert registration is not None
    reg_id = registration.group(1)
    code = run("checkin", "code", reg_id, "--db", "venue.sqlite").stdout.strip()
    scanned = run("checkin", "scan", code, "--db", "venue.sqlite").stdout
    expect("Checked in." in scanned, "scanning the badge code checks the attendee in", scanned)

    run("checkin", "print", "badges", "--attendee", reg_id, "--out", "badge.pdf", "--db", "venue.sqlite")
    decoded = qr_codes_in((work / "badge.pdf").read_bytes())
    expect(code in decoded, "the printed badge's QR decodes to the attendee's badge code", f"{decoded}")
    run("checkin", "correct", reg_id, "--first", "عبد الله", "--last", "शर्मा", "--db", "venue.sqlite")
    run("checkin", "print", "badges", "--attendee", reg_id, "--out", "shaped.pdf", "--db", "venue.sqlite")
    page = PdfReader(work / "shaped.pdf").pages[0]
    fonts = {str(font["/BaseFont"]).split("+")[-1] for font in page["/Resources"]["/Font"].values()}
    text = page.extract_text()
    expect(
        any("\ufe70" <= ch <= "\ufeff" for ch in text) and any(name.startswith("NotoSansDevanagari") for name in fonts),
        "a badge's Arabic is shaped (joined forms) and its Devanagari drawn with the bundled font",
        f"{fonts} {text!r}",
    )

    hub_and_station(run, work)


def hub_and_station(run: Runner, work: Path) -> None:
    port = free_port()
    hub = run.start(
        "checkin",
        *("hub", "serve", "--db", "venue.sqlite", "--data", str(work / "hub")),
        *("--listen", "127.0.0.1", "--port", str(port), "--password", "smoke test pass"),
    )
    try:
        said = read_until(hub, "Serving")
        expect(f"127.0.0.1:{port} (TLS only" in said, "hub serve listens with TLS", said)
        run.env["MUSTER_HUB_PASSWORD"] = "smoke test pass"  # no keyring here to find the organiser's password in
        added = run("checkin", "stations", "add", "Door 1", "--role", "door", "--data", str(work / "hub")).stdout
        code = re.search(r"checkin join (\S+)", added)
        expect(code is not None, "stations add prints an enrollment code", added)
        assert code is not None
        # This clean session has no keyring, so the join stops there: after it has fetched the hub's
        # certificate through the TLS front and checked it against the code.
        joining = run("checkin", "join", "--db", "kiosk.sqlite", code.group(1), expect=1).stderr
        expect("no system keyring" in joining, "join pins the hub's certificate, then needs a keyring", joining)
        url = local_url(work / "hub", port, "smoke test pass")  # the organiser's, on the hub laptop itself
        run("checkin", "sync", "--once", "--db", "venue.sqlite", "--hub", url)  # the desk sends its scan
        synced = run("checkin", "sync", "--once", "--db", "door.sqlite", "--hub", url).stdout
        stats = run("checkin", "stats", "--db", "door.sqlite").stdout
        expect("Smoke 2027" in stats, "a new station has the conference from the hub", synced + stats)
        expect("Checked in 1 of" in stats, "and the desk's check-in", stats)
    finally:
        hub.terminate()
        rest = hub.communicate(timeout=60)[0]
    expect(hub.returncode == 0 and "Hub stopped." in rest, "the hub stops cleanly on SIGTERM", rest)


def frozen_app(run: Runner) -> None:
    opened = run("checkin-app", "--demo", "--self-test")
    expect("Muster opened" in opened.stdout, "the app opened the desk on the demo", opened.stdout)
    warnings = qt_warnings(opened.stderr)
    expect(not warnings, "the app logged no Qt warning", "\n".join(warnings))


def desktop_entry(run: Runner, bundle: Path) -> None:
    """install.sh puts Muster in this user's application menu, pointing at wherever the bundle was unpacked."""
    subprocess.run([str(bundle / "install.sh")], env=run.env, check=True, capture_output=True, timeout=60)
    entry = Path(run.env["XDG_DATA_HOME"]) / "applications" / "muster.desktop"
    text = entry.read_text(encoding="utf-8")
    expect(f"Exec={bundle / 'checkin-app'}" in text, "the desktop entry starts the unpacked app", text)
    expect(f"Icon={bundle / 'muster.png'}" in text, "and shows Muster's icon", text)
    unit = (Path(run.env["XDG_CONFIG_HOME"]) / "systemd" / "user" / "muster-kiosk.service").read_text(encoding="utf-8")
    expect(f"ExecStart={bundle / 'checkin-app'} --kiosk" in unit, "the kiosk unit starts the unpacked app", unit)
    expect("Restart=on-failure" in unit, "and starts it again after a crash", unit)


def qt_warnings(stderr: str) -> list[str]:
    """Qt's warnings, less what the platform says on its own (the list pytest-qt ignores, in pyproject.toml)."""
    ignored = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["pytest"]["ini_options"]["qt_log_ignore"]
    found = []
    for line in stderr.splitlines():
        kind, _, rest = line.partition(" ")
        if kind not in ("warning", "critical", "fatal"):
            continue
        message = re.sub(r"^[\w.-]+: ", "", rest) if re.match(r"^[a-z][\w.-]*\.[\w.-]+: ", rest) else rest
        if not any(re.search(pattern, message) for pattern in ignored):
            found.append(line)
    return found


def qr_codes_in(pdf: bytes) -> list[str]:
    """Every QR code on the PDF's first page, read back from a raster as a scanner would."""
    _app = QGuiApplication.instance() or QGuiApplication(["smoke"])  # QtPdf renders with Qt's painting
    return [code for code in decode(rasterize(pdf)) if code.startswith("M1")]


def read_until(process: subprocess.Popen[str], marker: str) -> str:
    assert process.stdout is not None
    lines = []
    for line in process.stdout:
        lines.append(line)
        if line.startswith(marker):
            return "".join(lines)
    raise SmokeFailed(f"the process ended before saying '{marker}':\n{''.join(lines)}")


def free_port() -> int:
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def expect(ok: bool, what: str, shown: str) -> None:
    if not ok:
        raise SmokeFailed(f"expected: {what}\n{shown}")
    print(f"smoke: ok: {what}")


if __name__ == "__main__":
    if len(sys.argv) != 2:
        raise SystemExit("usage: packaging/smoke dist/muster-VERSION-linux-ARCH.tar.gz")
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    try:
        main(Path(sys.argv[1]))
    except SmokeFailed as failed:
        raise SystemExit(f"smoke: FAILED: {failed}") from None
