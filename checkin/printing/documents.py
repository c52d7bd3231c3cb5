"""Session passes and certificates of attendance as PDF.

A pass is a half-letter card for a pre-registration session: title, room, time, the attendee and a QR
of their badge code (the door reads it like the badge). A certificate is one page per attendee listing
what they attended and the hours it earned, with the conference's name and a signature line.
"""

from __future__ import annotations

import io
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, tzinfo
from pathlib import Path

from reportlab.lib.colors import HexColor
from reportlab.lib.pagesizes import LETTER
from reportlab.lib.units import inch
from reportlab.pdfgen.canvas import Canvas

from checkin.printing import fonts
from checkin.printing.badge_pdf import BadgeData, Cancelled
from checkin.printing.symbols import draw_qr, qr_matrix

PASS_PAGE = (5.5 * inch, 4.25 * inch)  # a quarter of a Letter sheet; prints on card stock or plain paper


@dataclass(frozen=True)
class SessionInfo:
    title: str
    room: str
    starts_at: datetime
    ends_at: datetime


@dataclass(frozen=True)
class AttendedItem:
    day: date
    title: str
    hours: float | None  # None: attendance recorded without hours (e.g. a conference day)


@dataclass(frozen=True)
class CertificateData:
    badge: BadgeData
    items: Sequence[AttendedItem]

    @property
    def total_hours(self) -> float | None:
        hours = [item.hours for item in self.items if item.hours is not None]
        return round(sum(hours), 2) if hours else None


def _line(
    canvas: Canvas,
    text: str,
    style: str,
    x: float,
    y: float,
    width: float,
    height: float,
    size: float,
    min_size: float,
    lines: int = 1,
    centred: bool = False,
) -> float:
    """Draw fitted text with its top at ``y``; returns the y below it."""
    fitted = fonts.fit(text, style, width, height, size, min_size, lines)
    baseline = y - fitted.size
    for line in fitted.lines:
        if centred:
            fonts.draw(canvas, line, style, fitted.size, x + width / 2, baseline, "center")
        else:
            fonts.draw(canvas, line, style, fitted.size, x, baseline)
        baseline -= fitted.leading
    return baseline + fitted.leading - fitted.size * 0.35


def render_passes(
    passes: Sequence[tuple[SessionInfo, BadgeData]], zone: tzinfo, out: Path | io.BytesIO, conference: str
) -> int:
    if not passes:
        raise ValueError("No session passes to print: nobody is registered for the chosen sessions.")
    canvas = Canvas(out if isinstance(out, io.BytesIO) else str(out), pagesize=PASS_PAGE)
    canvas.setTitle(f"{conference}: session passes")
    width, height = PASS_PAGE
    margin = 0.3 * inch
    for info, badge in passes:
        canvas.setFillColor(HexColor("#1565C0"))
        canvas.rect(0, height - 0.55 * inch, width, 0.55 * inch, stroke=0, fill=1)
        canvas.setFillColor(HexColor("#FFFFFF"))
        _line(
            canvas,
            f"SESSION PASS · {conference}",
            "bold",
            margin,
            height - 0.15 * inch,
            width - 2 * margin,
            0.3 * inch,
            12,
            6,
        )
        canvas.setFillColor(HexColor("#000000"))
        text_width = width - 2 * margin - 1.7 * inch
        y = _line(canvas, info.title, "bold", margin, height - 0.75 * inch, text_width, 0.8 * inch, 18, 8, 3)
        start, end = info.starts_at.astimezone(zone), info.ends_at.astimezone(zone)
        when = f"{start:%a %d %b} · {start:%H:%M}–{end:%H:%M}"
        y = _line(canvas, when, "regular", margin, y - 4, text_width, 0.3 * inch, 12, 7)
        y = _line(canvas, f"Room: {info.room}", "regular", margin, y - 2, text_width, 0.3 * inch, 12, 7)
        y = _line(
            canvas, f"{badge.first_name} {badge.last_name}", "bold", margin, y - 12, text_width, 0.45 * inch, 20, 8, 2
        )
        _line(
            canvas,
            f"{badge.organization} · {badge.external_id}",
            "regular",
            margin,
            y - 2,
            text_width,
            0.3 * inch,
            10,
            6,
            2,
        )
        side = 1.5 * inch
        draw_qr(canvas, qr_matrix(badge.code, side), width - margin - side, 0.5 * inch, side)
        canvas.showPage()
    canvas.save()
    return len(passes)


def render_certificates(
    certificates: Sequence[CertificateData],
    out: Path | io.BytesIO,
    conference: str,
    signer: str = "Conference Director",
    progress: Callable[[int, int], None] | None = None,
    cancelled: Callable[[], bool] | None = None,
) -> int:
    if not certificates:
        raise ValueError("No certificates to print: nobody attended yet.")
    canvas = Canvas(out if isinstance(out, io.BytesIO) else str(out), pagesize=LETTER)
    canvas.setTitle(f"{conference}: certificates of attendance")
    width, height = LETTER
    margin = inch
    for n, certificate in enumerate(certificates, start=1):
        if cancelled is not None and cancelled():
            raise Cancelled()
        badge = certificate.badge
        canvas.setStrokeColor(HexColor("#1565C0"))
        canvas.setLineWidth(3)
        canvas.rect(0.5 * inch, 0.5 * inch, width - inch, height - inch, stroke=1, fill=0)
        y = _line(
            canvas,
            "Certificate of Attendance",
            "bold",
            margin,
            height - 1.3 * inch,
            width - 2 * margin,
            0.6 * inch,
            30,
            14,
            centred=True,
        )
        y = _line(
            canvas,
            "This certifies that",
            "regular",
            margin,
            y - 18,
            width - 2 * margin,
            0.3 * inch,
            13,
            8,
            centred=True,
        )
        y = _line(
            canvas,
            f"{badge.first_name} {badge.last_name}",
            "bold",
            margin,
            y - 8,
            width - 2 * margin,
            0.9 * inch,
            28,
            12,
            2,
            centred=True,
        )
        y = _line(
            canvas, badge.organization, "regular", margin, y - 4, width - 2 * margin, 0.5 * inch, 13, 7, 2, centred=True
        )
        y = _line(
            canvas,
            f"attended {conference}",
            "regular",
            margin,
            y - 12,
            width - 2 * margin,
            0.5 * inch,
            14,
            8,
            2,
            centred=True,
        )
        y -= 24
        canvas.setFont(fonts.font_name("bold"), 10)
        canvas.drawString(margin, y, "Date")
        canvas.drawString(margin + 1.3 * inch, y, "Session")
        canvas.drawRightString(width - margin, y, "Hours")
        y -= 6
        canvas.setLineWidth(0.5)
        canvas.line(margin, y, width - margin, y)
        rows = list(certificate.items)
        room_for = int((y - 2.3 * inch) // 14)
        shown, hidden = rows[:room_for], rows[room_for:]
        for item in shown:
            y -= 14
            canvas.setFont(fonts.font_name("regular"), 9.5)
            canvas.drawString(margin, y, f"{item.day:%a %d %b %Y}")
            title = fonts.fit(item.title, "regular", width - 2 * margin - 2 * inch, 12, 9.5, 6, 1)
            fonts.draw(canvas, title.lines[0], "regular", title.size, margin + 1.3 * inch, y)
            canvas.setFont(fonts.font_name("regular"), 9.5)
            canvas.drawRightString(width - margin, y, "" if item.hours is None else f"{item.hours:g}")
        if hidden:
            y -= 14
            canvas.drawString(margin + 1.3 * inch, y, f"… and {len(hidden)} more (listed in the hours report)")
        y -= 8
        canvas.line(margin, y, width - margin, y)
        total = certificate.total_hours
        canvas.setFont(fonts.font_name("bold"), 11)
        if total:
            canvas.drawString(margin + 1.3 * inch, y - 16, "Total training hours")
            canvas.drawRightString(width - margin, y - 16, f"{total:g}")
        else:  # said on the certificate itself, so nobody reads it as training
            canvas.drawString(margin + 1.3 * inch, y - 16, "Attendance only: no training hours earned")
        canvas.line(width - margin - 3 * inch, 1.4 * inch, width - margin, 1.4 * inch)
        signed = fonts.fit(signer, "regular", 3 * inch, 14, 10, 6, 1)
        fonts.draw(
            canvas,
            signed.lines[0] if signed.lines else "",
            "regular",
            signed.size,
            width - margin - 3 * inch,
            1.2 * inch,
        )
        canvas.setFont(fonts.font_name("regular"), 10)
        canvas.drawString(margin, 1.2 * inch, f"Registration {badge.external_id}")
        canvas.showPage()
        if progress is not None:
            progress(n, len(certificates))
    canvas.save()
    return len(certificates)
