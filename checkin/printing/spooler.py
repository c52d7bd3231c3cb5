"""The operating system's print spooler (CUPS `lp` / `lpstat`), for printing from the command line.

The app prints through Qt instead (ui/print_queue.py); both send the same PDF. Every failure comes back as
``PrintFailed`` with words a volunteer can act on.
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

from checkin.printing.layouts import Stock


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


def send(pdf: Path, printer: str, stock: Stock, copies: int = 1, title: str = "Muster") -> str:
    """Queue ``pdf`` on ``printer`` at the stock's paper size; returns the spooler's job id."""
    if copies < 1:
        raise PrintFailed("Copies must be at least 1.")
    command = [_tool("lp"), "-d", printer, "-n", str(copies), "-t", title]
    if stock.media:
        command += ["-o", f"media={stock.media}"]
    done = subprocess.run([*command, str(pdf)], capture_output=True, text=True, timeout=30)
    if done.returncode != 0:
        reason = done.stderr.strip() or done.stdout.strip() or f"lp exited with {done.returncode}"
        raise PrintFailed(f"Printer {printer} refused the job: {reason}")
    return done.stdout.strip()
