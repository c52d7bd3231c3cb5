"""The README's screenshots: every station on a virtual screen of each size a venue's laptops have.

Needs Xvfb, openbox, xdotool and ImageMagick's `import` (Debian: xvfb openbox xdotool imagemagick). Each
station runs as `checkin-app` would at the venue, on a copy of the demo with a morning's check-ins, and is
driven with the keyboard (xdotool types a search, or a badge code as fast as a scanner does). Run by hand:

    .venv/bin/python docs/screenshots.py            # writes docs/screens/STATION-WxH.png
"""

from __future__ import annotations

import os

# A machine without a system keyring seals the demo's badge keys with a passphrase (see checkin.vault).
os.environ.setdefault("MUSTER_BADGE_KEYS_PASSPHRASE", "screenshots passphrase")

import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "docs" / "screens"
SIZES = ((1366, 768), (1920, 1080))
BIN = Path(sys.executable).parent


@contextmanager
def screen(width: int, height: int, display: str) -> Iterator[dict[str, str]]:
    server = subprocess.Popen(["Xvfb", display, "-screen", "0", f"{width}x{height}x24", "-nolisten", "tcp"])
    env = {**os.environ, "DISPLAY": display}
    env.pop("QT_QPA_PLATFORM", None)
    _wait_for(lambda: subprocess.run(["xdotool", "getdisplaygeometry"], env=env, capture_output=True).returncode == 0)
    manager = subprocess.Popen(["openbox"], env=env, stderr=subprocess.DEVNULL)
    time.sleep(1)  # openbox takes the screen over; windows mapped before that get no frame
    try:
        yield env
    finally:
        manager.terminate()
        server.terminate()
        manager.wait()
        server.wait()


def _wait_for(ready: Callable[[], bool], timeout_s: float = 20) -> None:
    deadline = time.monotonic() + timeout_s
    while not ready():
        if time.monotonic() > deadline:
            raise SystemExit("the virtual screen did not start")
        time.sleep(0.1)


def demo_database(folder: Path) -> tuple[Path, str]:
    """The demo with a morning's check-ins and some people in Hall B; and a badge code for the door to scan."""
    db = folder / "demo.sqlite"
    cli = [str(BIN / "checkin"), "--db", str(db)]
    subprocess.run([*cli, "demo", "--station", "Desk 1"], check=True, capture_output=True)
    codes = []
    for number in range(100010, 100400, 3):
        code = subprocess.run([*cli, "code", f"R{number}"], capture_output=True, text=True).stdout.strip()
        if code:
            codes.append(code)
    subprocess.run([*cli, "scan", "-"], input="\n".join(codes), text=True, capture_output=True)
    for code in codes[:25]:
        subprocess.run([*cli, "door", "Hall B", code], capture_output=True)
    return db, codes[41]


def shoot(env: dict[str, str], args: list[str], keys: list[list[str]], target: Path) -> None:
    app = subprocess.Popen([str(BIN / "checkin-app"), *args], env=env, stderr=subprocess.DEVNULL)
    try:
        subprocess.run(["xdotool", "search", "--sync", "--name", "^Muster"], env=env, check=True, timeout=60)
        time.sleep(2)  # laid out and painted (a screenshot script, not a test: nothing to wait on but time)
        for command in keys:  # back to back: a scan's Enter must follow its last character as a scanner's does
            subprocess.run(["xdotool", *command], env=env, check=True)
        time.sleep(1)
        subprocess.run(["import", "-window", "root", str(target)], env=env, check=True)
        print(f"wrote {target.relative_to(ROOT)}")
    finally:
        app.terminate()
        app.wait()


def main() -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as folder:
        db, code = demo_database(Path(folder))
        stations = {
            "desk": ([], [["type", "--delay", "120", "smi"]]),
            "door": (["--door", "Hall B"], [["type", "--delay", "8", code], ["key", "Return"]]),
            "kiosk": (["--kiosk", "--print-to-folder"], []),
            "dashboard": (["--dashboard"], []),
        }
        for number, (width, height) in enumerate(SIZES):
            with screen(width, height, f":{90 + number}") as env:
                env["XDG_CONFIG_HOME"] = str(Path(folder) / f"config-{width}")  # no remembered window sizes
                for station, (args, keys) in stations.items():
                    shoot(env, ["--db", str(db), *args], keys, OUT / f"{station}-{width}x{height}.png")


if __name__ == "__main__":
    main()
