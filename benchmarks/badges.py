"""Badge printing throughput: 2,000 badges in bulk and one badge on demand, next to a naive baseline.

Times the whole `checkin print badges` command (start-up, reading the attendees, signing their codes, layout,
writing the PDF), as an organiser runs it, and the layout and writing alone in-process. The baseline draws the
same badge the way most examples do: qrcode -> PIL image -> drawImage, and python-barcode's PNG writer ->
drawImage. Run by hand:

    .venv/bin/python benchmarks/badges.py [--attendees 2000] [--layout avery-5392]
"""

from __future__ import annotations

import os

# A machine without a system keyring seals the demo's badge keys with a passphrase (see checkin.vault).
os.environ.setdefault("MUSTER_BADGE_KEYS_PASSPHRASE", "benchmark passphrase")

import argparse
import io
import statistics
import subprocess
import sys
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
from checkin.printing.bulk import render_many
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


def _cli_seconds(args: list[str], runs: int) -> float:
    """The median wall time of a whole `checkin` process: start-up, reading the database, signing, layout, write.
    Python may keep its compiled modules, as on an installed laptop (a sandbox's PYTHONDONTWRITEBYTECODE would
    have every run compile Muster anew), and a first run, not timed, writes them."""
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    subprocess.run([sys.executable, "-m", "checkin.cli", *args], env=env, check=True, capture_output=True)
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        subprocess.run([sys.executable, "-m", "checkin.cli", *args], env=env, check=True, capture_output=True)
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--attendees", type=int, default=2000)
    parser.add_argument("--layout", default="avery-5392")
    parser.add_argument("--single", type=int, default=50, help="on-demand badges to time one by one")
    parser.add_argument("--runs", type=int, default=3, help="whole-command runs to take the median of")
    args = parser.parse_args()
    stock, template = STOCKS[args.layout], load_template()
    with tempfile.TemporaryDirectory() as tmp:
        db = Path(tmp) / "bench.sqlite"
        store = open_store(db)
        with store.unit_of_work() as session:
            build_demo(session, attendees=args.attendees + args.attendees // 15)  # ~6% are cancelled
        started = time.perf_counter()
        with store.reading() as session:
            badges = select_badges(session, Selection())
        select_s = time.perf_counter() - started
        store.close()
        out = str(Path(tmp) / "badges.pdf")
        common = ["--db", str(db), "--layout", args.layout, "--out", out]
        cli_s = _cli_seconds(["print", "badges", *common], args.runs)
        cli_mb = Path(out).stat().st_size / 1e6
        one_s = _cli_seconds(["print", "badges", *common, "--attendee", badges[0].external_id], args.runs)
        started = time.perf_counter()
        render_many(badges, stock, template, Path(tmp) / "many.pdf")
        many_s = time.perf_counter() - started
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
    naive_cli_s = one_s + select_s + naive_s  # the same command with the naive drawing: start-up, signing, layout
    print(f"{n:,} badges on {stock.name}; reading them and signing their codes takes {select_s:.2f} s in-process")
    print(f"checkin print badges, the whole command:  {n / cli_s:6.0f} badges/s  {cli_s:6.2f} s  {cli_mb:5.1f} MB")
    print(f"  of which start-up and one badge (--attendee): {one_s:.2f} s")
    print(f"  the same command drawing naively (start-up + signing + naive layout): {n / naive_cli_s:6.0f} badges/s")
    print(f"layout and write only, on every core (render_many):   {n / many_s:6.0f} badges/s  {many_s:6.2f} s")
    print(
        f"layout and write only, one core, vector QR + Code 128: {n / fast_s:6.0f} badges/s  {fast_s:6.2f} s  "
        f"{len(fast.getvalue()) / 1e6:5.1f} MB"
    )
    print(
        f"layout and write only, naive PIL images + drawImage:   {n / naive_s:6.0f} badges/s  {naive_s:6.2f} s  "
        f"{len(naive.getvalue()) / 1e6:5.1f} MB"
    )
    print(
        f"speed-up: x{naive_cli_s / cli_s:.1f} the whole command, x{naive_s / fast_s:.1f} layout and write; "
        "targets >= 400 badges/s for the whole command and >= x10"
    )
    print(
        f"one badge on demand (fanfold-4x3): median {statistics.median(single_ms):.1f} ms, "
        f"max {max(single_ms):.1f} ms; naive median {statistics.median(naive_single_ms):.1f} ms; target <= 10 ms"
    )


if __name__ == "__main__":
    main()
