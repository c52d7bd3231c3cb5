"""The operating system's print spooler (CUPS `lp` / `lpstat`), for printing from the command line.

The app prints through Qt instead (ui/print_queue.py); both send the same PDF. Every failure comes back as
``PrintFailed`` with words a volunteer can act on.
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

from checkin.printing import ipp


class PrintFailed(RuntimeError):
    pass


def _tool(name: str) -> str:
    found = shutil.which(name)
    if found is None:
        raise PrintFailed(
            f"No print system found (`{name}` is missing). Install CUPS (Linux: apt install cups "
            "cups-client), or print to a PDF file with --out and print that."
        )
    return found


def printers() -> list[tuple[str, bool]]:
    """(printer name, is the default) for every printer CUPS knows."""
    listed = subprocess.run([_tool("lpstat"), "-e"], capture_output=True, text=True, timeout=10)
    if listed.returncode != 0:
        raise PrintFailed(f"Could not list printers: {listed.stderr.strip() or 'the print system did not answer'}.")
    default = subprocess.run([_tool("lpstat"), "-d"], capture_output=True, text=True, timeout=10).stdout
    default_name = default.partition(":")[2].strip() if ":" in default else ""
    return [(name, name == default_name) for name in listed.stdout.split()]


def send(pdf: Path, printer: str, page: tuple[float, float], copies: int = 1, title: str = "Muster") -> str:
    """Queue ``pdf`` on ``printer`` on the paper the queue has for ``page`` (see ``media_for``); returns the
    spooler's job id."""
    if copies < 1:
        raise PrintFailed("Copies must be at least 1.")
    lp = _tool("lp")
    media = media_on(printer, page)
    command = [lp, "-d", printer, "-n", str(copies), "-t", title, "-o", f"media={media}"]
    done = subprocess.run([*command, str(pdf)], capture_output=True, text=True, timeout=30)
    if done.returncode != 0:
        reason = done.stderr.strip() or done.stdout.strip() or f"lp exited with {done.returncode}"
        raise PrintFailed(f"Printer {printer} refused the job: {reason}")
    return done.stdout.strip()


def media_on(printer: str, page: tuple[float, float]) -> str:
    """The paper to ask ``printer`` for, as the queue itself answers what it has (IPP); PrintFailed in words
    where it has nothing of the page's size, rather than a badge shrunk onto Letter."""
    try:
        paper = ipp.paper(printer)
    except ipp.NotAnswered as error:
        raise PrintFailed(f"Could not ask {printer} what paper it takes: {error}.") from None
    media = media_for(page, paper)
    if media is None:
        listed = ", ".join(_inches(m.width, m.height) for m in paper.sizes[:6]) or "none"
        raise PrintFailed(
            f"Printer {printer} has no paper of {_inches(*page)} (it lists {listed}"
            f"{', …' if len(paper.sizes) > 6 else ''}) and takes no custom size. Print on the queue set up for "
            "this stock, or choose the layout that matches the printer's paper."
        )
    return media


def media_for(page: tuple[float, float], paper: ipp.Paper) -> str | None:
    """The queue's own name for the page's size, either way round (CUPS turns a landscape badge onto paper
    listed upright, as a label printer feeds it); else a custom size where the queue takes one; else None."""
    width, height = page
    same = [m for m in paper.sizes if _close(m.width, width) and _close(m.height, height)]
    turned = [m for m in paper.sizes if _close(m.width, height) and _close(m.height, width)]
    if same or turned:
        return (same + turned)[0].name
    if paper.custom is not None:
        (low_w, low_h), (high_w, high_h) = paper.custom
        short, long = sorted(page)
        if min(low_w, low_h) - 1 <= short and long <= max(high_w, high_h) + 1:
            return f"Custom.{width:g}x{height:g}"
    return None


def _close(a: float, b: float) -> bool:
    return abs(a - b) <= 1.5  # points: a size named in whole millimetres is within 1.4 pt of itself


def _inches(width: float, height: float) -> str:
    return f"{width / 72:.3g} x {height / 72:.3g} in"
