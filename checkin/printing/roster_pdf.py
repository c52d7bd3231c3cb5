"""The evacuation roster on paper: who is in which room, grouped by room, for the fire marshal's clipboard."""

from __future__ import annotations

import io
from collections.abc import Sequence
from datetime import datetime, tzinfo
from pathlib import Path

from reportlab.lib.colors import HexColor
from reportlab.lib.pagesizes import LETTER
from reportlab.lib.units import inch
from reportlab.pdfgen.canvas import Canvas

from checkin.occupancy.reports import RosterLine
from checkin.printing import fonts


def render_roster(
    lines: Sequence[RosterLine],
    out: Path | io.BytesIO,
    conference: str,
    now: datetime,
    zone: tzinfo,
    title: str = "Evacuation roster",
) -> int:
    """One table, grouped by room (those inside first); returns the number of pages."""
    canvas = Canvas(out if isinstance(out, io.BytesIO) else str(out), pagesize=LETTER)
    canvas.setTitle(f"{conference}: {title}")
    width, height = LETTER
    margin, row = 0.6 * inch, 13.5
    columns = [
        (margin, 2.3 * inch, "Name"),
        (margin + 2.35 * inch, 2.6 * inch, "Organization"),
        (margin + 5.0 * inch, 0.8 * inch, "Entered"),
        (margin + 5.85 * inch, 1.0 * inch, "Status"),
    ]
    pages = 1
    stamp = now.astimezone(zone).strftime("%a %d %b %Y %H:%M")
    inside = sum(1 for line in lines if line.present)

    heading = fonts.fit(f"{title} · {conference}", "bold", width - 2 * margin, 0.5 * inch, 15, 8, 2)

    def header() -> float:
        y = height - 0.7 * inch
        for text in heading.lines:  # a long conference or room name wraps, then shrinks: never off the page
            fonts.draw(canvas, text, "bold", heading.size, margin, y)
            y -= heading.size * 1.15
        canvas.setFont(fonts.font_name("regular"), 9.5)
        canvas.drawString(
            margin, y - 4, f"As of {stamp} · {inside:,} inside rooms · {len(lines):,} people listed · page {pages}"
        )
        return float(y - 0.33 * inch)

    y = header()
    current_room = None
    for line in lines:
        room = (line.room or "Not seen at a room door") + ("" if line.present else " (last seen)")
        if y < margin + 2 * row:
            canvas.showPage()
            pages += 1
            y = header()
            current_room = None
        if room != current_room:
            y -= 6
            canvas.setFillColor(HexColor("#1565C0" if line.present else "#546E7A"))
            canvas.rect(margin, y - 3, width - 2 * margin, row + 1, stroke=0, fill=1)
            canvas.setFillColor(HexColor("#FFFFFF"))
            band = fonts.fit(room, "bold", width - 2 * margin - 8, row, 10, 6, 1)
            fonts.draw(canvas, band.lines[0] if band.lines else "", "bold", band.size, margin + 4, y)
            canvas.setFillColor(HexColor("#000000"))
            y -= row
            current_room = room
        entered = line.since.astimezone(zone).strftime("%H:%M") if line.since else ""
        status = (
            "inside"
            if line.present
            else (f"left {line.left_at.astimezone(zone):%H:%M}" if line.left_at else "checked in")
        )
        for (x, w, _), text in zip(columns, (line.name, line.organization, entered, status), strict=True):
            fitted = fonts.fit(text, "regular", w, row, 9, 5, 1)
            if fitted.lines:
                fonts.draw(canvas, fitted.lines[0], "regular", fitted.size, x + 4, y)
        y -= row
    if not lines:
        canvas.setFont(fonts.font_name("regular"), 11)
        canvas.drawString(margin, y, "Nobody is recorded at the venue.")
    canvas.showPage()
    canvas.save()
    return pages
