"""Badges as PDF: one badge drawn at any position of any stock from the template, and many badges in bulk."""

from __future__ import annotations

import functools
import io
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from barcode.errors import IllegalCharacterError
from reportlab.lib.colors import Color, HexColor
from reportlab.pdfgen.canvas import Canvas

from checkin import codes
from checkin.printing import fonts
from checkin.printing.layouts import Stock
from checkin.printing.symbols import SymbolTooSmall, draw_code128, draw_qr, qr_matrix
from checkin.printing.template import Box, Template, TextItem


@dataclass(frozen=True)
class BadgeData:
    attendee_id: str
    external_id: str
    first_name: str
    last_name: str
    organization: str
    city: str
    region: str
    registration_type: str
    code: str  # the signed badge code the QR carries
    revision: int
    marks: tuple[str, ...] = ()  # entitlements shown on the badge, e.g. ("Lunch", "Course kit")

    def without_font(self) -> str:
        """The letters of this person's name, organisation and place that no font on this machine has: they are
        printed transliterated, and the print log says so."""
        return "".join(
            fonts.undrawable(text)
            for text in (self.first_name, self.last_name, self.organization, self.city, self.region)
        )

    def value(self, name: str) -> str:
        if name == "full_name":
            return f"{self.first_name} {self.last_name}".strip()
        if name == "badge_number":
            return codes.badge_number(self.external_id, self.revision)
        if name == "city_region":
            return ", ".join(part for part in (self.city, self.region) if part)
        return str(getattr(self, name))


class Cancelled(Exception):
    pass


@dataclass(frozen=True)
class Area:
    """A rectangle in PDF points (origin bottom-left)."""

    x: float
    y: float
    w: float
    h: float

    def part(self, box: Box) -> Area:
        """The template box (fractions, from the top-left) inside this area."""
        return Area(self.x + box.x * self.w, self.y + (1 - box.y - box.h) * self.h, box.w * self.w, box.h * self.h)


def barcode_area(stock: Stock, template: Template, safe: Area | None = None) -> Area:
    """Where a badge of ``stock`` draws its Code 128 (``safe``: the badge's safe area, at the origin if none)."""
    width, height = stock.badge
    inside = safe or Area(stock.safe, stock.safe, width - 2 * stock.safe, height - 2 * stock.safe)
    return inside.part(template.face(width, height).barcode)


def draw_badge(canvas: Canvas, badge: BadgeData, stock: Stock, template: Template, x: float, y: float) -> None:
    width, height = stock.badge
    face = template.face(width, height)
    safe = Area(x + stock.safe, y + stock.safe, width - 2 * stock.safe, height - 2 * stock.safe)
    _ribbon(canvas, badge, stock, template, face.ribbon, Area(x, y, width, height), safe)
    for item in face.texts:
        _text(canvas, badge.value(item.field), item, safe.part(item.box))
    qr_area = safe.part(face.qr)
    side = min(qr_area.w, qr_area.h)
    draw_qr(
        canvas,
        qr_matrix(badge.code, side),
        qr_area.x + (qr_area.w - side) / 2,
        qr_area.y + (qr_area.h - side) / 2,
        side,
    )
    bar = barcode_area(stock, template, safe)
    bar_text = badge.value(face.barcode_field)
    if bar_text:
        try:
            draw_code128(canvas, bar_text, bar.x, bar.y + bar.h * 0.28, bar.w, bar.h * 0.72)
            caption, size = Area(bar.x, bar.y, bar.w, bar.h * 0.26), min(bar.h * 0.24, 12)
        except (SymbolTooSmall, IllegalCharacterError):  # no bars that would read: the number, for people to type
            caption, size = bar, min(bar.h * 0.45, 14)
        _text(
            canvas,
            bar_text,
            TextItem("", face.barcode, size=size, min_size=3, align="center"),
            caption,
        )
    if badge.marks:
        _text(canvas, "  ".join(f"✔ {mark}" for mark in badge.marks), face.marks, safe.part(face.marks.box))


def _ribbon(
    canvas: Canvas, badge: BadgeData, stock: Stock, template: Template, item: TextItem, whole: Area, safe: Area
) -> None:
    inner = safe.part(item.box)
    # Colour runs to the badge's edges (and into the bleed) where the ribbon touches them; text stays safe.
    left = whole.x - stock.bleed if item.box.x == 0 else inner.x
    right = whole.x + whole.w + stock.bleed if item.box.x + item.box.w >= 0.999 else inner.x + inner.w
    bottom = whole.y - stock.bleed if item.box.y + item.box.h >= 0.999 else inner.y
    top = inner.y + inner.h
    canvas.setFillColor(_colour(template.ribbon_colour(badge.registration_type)))
    canvas.rect(left, bottom, right - left, top - bottom, stroke=0, fill=1)
    coloured = TextItem("", item.box, "bold", item.size, item.min_size, 1, "center", template.ribbon_text_colour)
    _text(canvas, badge.value(template.ribbon_field).upper(), coloured, inner)


@functools.lru_cache(maxsize=64)
def _colour(hex_colour: str) -> Color:
    return HexColor(hex_colour)


def _text(canvas: Canvas, text: str, item: TextItem, area: Area) -> None:
    fitted = fonts.fit(text, item.font, area.w, area.h, item.size, item.min_size, item.lines)
    if not fitted.lines:
        return
    canvas.setFillColor(_colour(item.colour))
    block = len(fitted.lines) * fitted.leading
    baseline = area.y + (area.h + block) / 2 - fitted.size * 0.93  # vertically centred in the box
    # A right-to-left name starts at the right edge, where a left-to-right one starts at the left.
    align = "right" if item.align == "left" and fonts.right_to_left(text) else item.align
    x = {"center": area.x + area.w / 2, "right": area.x + area.w}.get(align, area.x)
    for line in fitted.lines:
        fonts.draw(canvas, line, item.font, fitted.size, x, baseline, align)
        baseline -= fitted.leading


def render_badges(
    badges: Iterable[BadgeData],
    stock: Stock,
    template: Template,
    out: Path | BinaryIO,
    total: int | None = None,
    progress: Callable[[int, int], None] | None = None,
    cancelled: Callable[[], bool] | None = None,
    title: str = "Badges",
) -> int:
    """Write the badges to one PDF, ``stock.per_page`` to a page; returns how many were drawn.

    ``cancelled`` is asked between badges; on True nothing is written and ``Cancelled`` is raised.
    """
    buffer = io.BytesIO()
    canvas = Canvas(buffer, pagesize=stock.page, pageCompression=1)
    canvas.setTitle(title)
    canvas.setCreator("Muster")
    count = 0
    for badge in badges:
        if cancelled is not None and cancelled():
            raise Cancelled()
        slot = count % stock.per_page
        if count and slot == 0:
            canvas.showPage()
        draw_badge(canvas, badge, stock, template, *stock.slot(slot))
        count += 1
        if progress is not None and count % 25 == 0:
            progress(count, total or count)
    if count == 0:
        raise ValueError("No badges to print.")
    canvas.showPage()
    canvas.save()
    if progress is not None:
        progress(count, total or count)
    data = buffer.getvalue()
    if isinstance(out, Path):
        out.write_bytes(data)
    else:
        out.write(data)
    return count


def badge_pdf(badge: BadgeData, stock: Stock, template: Template) -> bytes:
    """One badge on its own page (kiosks, the desk's check-in + print)."""
    buffer = io.BytesIO()
    render_badges([badge], stock, template, buffer, title=f"Badge {badge.external_id}")
    return buffer.getvalue()
