"""Badge printing throughput: 2,000 badges in bulk and one badge on demand, next to a naive baseline.

The baseline draws the same badge the way most examples do: qrcode -> PIL image -> drawImage, and
python-barcode's PNG writer -> drawImage. Run by hand:

    .venv/bin/python benchmarks/badges.py [--attendees 2000] [--layout avery-5392]
"""

from __future__ import annotations

import os

# A machine without a system keyring seals the demo's badge keys with a passphrase (see checkin.vault).
os.environ.setdefault("MUSTER_BADGE_KEYS_PASSPHRASE", "benchmark passphrase")

import argparse
import io
import statistics
import tempfile
import time
from pathlib import Path

import qrcode
from barcode import Code128
from barcode.writer import ImageWriter
from reportlab.lib.utils import ImageReader
from reportlab.pdfgen.canvas import Canvas

from checkin.demo import build_demo
from checkin.printing import badge_pdf as pdf
from checkin.printing.layouts import STOCKS, Stock
from checkin.printing.sources import Selection, select_badges
from checkin.printing.template import Template, load_template
from checkin.store import open_store


def naive_badges(badges: list[pdf.BadgeData], stock: Stock, template: Template, out: io.BytesIO) -> None:
    """The same layout with raster codes: what the fast path is measured against."""
    canvas = Canvas(out, pagesize=stock.page)
    for n, badge in enumerate(badges):
        slot = n % stock.per_page
        if n and slot == 0:
            canvas.showPage()
        x, y = stock.slot(slot)
        face = template.face(*stock.badge)
        safe = pdf.Area(
            x + stock.safe, y + stock.safe, stock.badge[0] - 2 * stock.safe, stock.badge[1] - 2 * stock.safe
        )
        for item in face.texts:
            pdf._text(canvas, badge.value(item.field), item, safe.part(item.box))
        qr_image = qrcode.make(badge.code, error_correction=qrcode.constants.ERROR_CORRECT_Q)
        buffer = io.BytesIO()
        qr_image.save(buffer, "PNG")
        area = safe.part(face.qr)
        side = min(area.w, area.h)
        canvas.drawImage(ImageReader(io.BytesIO(buffer.getvalue())), area.x, area.y, side, side)
        bar = io.BytesIO()
        Code128(badge.external_id, writer=ImageWriter()).write(bar, {"module_width": 0.3, "dpi": 254})
        area = safe.part(face.barcode)
        canvas.drawImage(ImageReader(io.BytesIO(bar.getvalue())), area.x, area.y, area.w, area.h)
    canvas.save()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--attendees", type=int, default=2000)
    parser.add_argument("--layout", default="avery-5392")
    parser.add_argument("--single", type=int, default=50, help="on-demand badges to time one by one")
    args = parser.parse_args()
    stock, template = STOCKS[args.layout], load_template()
    with tempfile.TemporaryDirectory() as tmp:
        store = open_store(Path(tmp) / "bench.sqlite")
        with store.unit_of_work() as session:
            build_demo(session, attendees=args.attendees + args.attendees // 15)  # ~6% are cancelled
        started = time.perf_counter()
        with store.reading() as session:
            badges = select_badges(session, Selection())[: args.attendees]
        select_s = time.perf_counter() - started
        store.close()
    pdf.badge_pdf(badges[0], stock, template)  # warm up: fonts registered, QR plans made

    started = time.perf_counter()
    fast = io.BytesIO()
    pdf.render_badges(badges, stock, template, fast)
    fast_s = time.perf_counter() - started
    started = time.perf_counter()
    naive = io.BytesIO()
    naive_badges(badges, stock, template, naive)
    naive_s = time.perf_counter() - started

    single_ms, naive_single_ms = [], []
    for badge in badges[: args.single]:
        started = time.perf_counter()
        pdf.badge_pdf(badge, STOCKS["fanfold-4x3"], template)
        single_ms.append((time.perf_counter() - started) * 1000)
        started = time.perf_counter()
        naive_badges([badge], STOCKS["fanfold-4x3"], template, io.BytesIO())
        naive_single_ms.append((time.perf_counter() - started) * 1000)

    n = len(badges)
    print(f"{n:,} badges on {stock.name}; choosing them and signing their codes took {select_s:.2f} s")
    print(
        f"vector QR + Code 128 (Muster):  {n / fast_s:7.0f} badges/s  {fast_s:6.2f} s  "
        f"{len(fast.getvalue()) / 1e6:5.1f} MB"
    )
    print(
        f"naive PIL images + drawImage:   {n / naive_s:7.0f} badges/s  {naive_s:6.2f} s  "
        f"{len(naive.getvalue()) / 1e6:5.1f} MB"
    )
    print(f"speed-up x{naive_s / fast_s:.1f}; target >= 300 badges/s")
    print(
        f"one badge on demand (fanfold-4x3): median {statistics.median(single_ms):.1f} ms, "
        f"max {max(single_ms):.1f} ms; naive median {statistics.median(naive_single_ms):.1f} ms; target <= 50 ms"
    )


if __name__ == "__main__":
    main()
