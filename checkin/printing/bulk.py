"""Many badges at once, on every core: the run is cut into parts that each fill whole pages, each part is laid
out by a process of its own, and the parts' pages are joined into one PDF (pypdf copies them as they are).

Laying out a badge is Python work that one core does at ~550 badges a second; a venue laptop has two or more.
Processes are forked, so a part starts with everything already imported and costs nothing to start; where
fork is not safe (Windows, macOS) or the run is small, the badges are laid out in this process.
"""

from __future__ import annotations

import io
import multiprocessing
import os
import sys
from collections.abc import Callable, Sequence
from pathlib import Path

from pypdf import PdfReader, PdfWriter

from checkin.printing.badge_pdf import BadgeData, render_badges
from checkin.printing.layouts import Stock
from checkin.printing.template import Template

SMALL_RUN = 300  # badges: below this, starting processes and joining parts costs more than it saves


def render_many(
    badges: Sequence[BadgeData],
    stock: Stock,
    template: Template,
    out: Path,
    progress: Callable[[int, int], None] | None = None,
    title: str = "Badges",
) -> int:
    """Write the badges to one PDF at ``out`` as ``render_badges`` does; returns how many were drawn."""
    workers = _cores()
    if workers < 2 or len(badges) < SMALL_RUN:
        return render_badges(badges, stock, template, out, len(badges), progress, title=title)
    parts = _parts(badges, stock.per_page, 2 * workers)
    joined = PdfWriter()
    done = 0
    with multiprocessing.get_context("fork").Pool(workers) as pool:
        for part, pdf in zip(parts, pool.imap(_render_part, [(part, stock, template) for part in parts]), strict=True):
            joined.append(PdfReader(io.BytesIO(pdf)))
            done += len(part)
            if progress is not None:
                progress(done, len(badges))
    joined.add_metadata({"/Title": title, "/Creator": "Muster"})
    with out.open("wb") as file:
        joined.write(file)
    return done


def _cores() -> int:
    if sys.platform != "linux":  # fork is unsafe on macOS and missing on Windows
        return 1
    return len(os.sched_getaffinity(0))


def _parts(badges: Sequence[BadgeData], per_page: int, count: int) -> list[Sequence[BadgeData]]:
    """``count`` parts of whole pages (the last may be shorter), in order."""
    pages = -(-len(badges) // per_page)
    size = -(-pages // count) * per_page
    return [badges[start : start + size] for start in range(0, len(badges), size)]


def _render_part(job: tuple[Sequence[BadgeData], Stock, Template]) -> bytes:
    part, stock, template = job
    buffer = io.BytesIO()
    render_badges(part, stock, template, buffer, len(part))
    return buffer.getvalue()
