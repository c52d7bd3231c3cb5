"""One attendee's badge as a print job: rendered on the station's stock, to its printer or a PDF file,
and logged as printed once the printer has it. The desk and the kiosk print through this."""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from datetime import datetime

from checkin import keys
from checkin.printing.badge_pdf import badge_pdf
from checkin.printing.layouts import STOCKS
from checkin.printing.log import record_printed
from checkin.printing.sources import Selection, select_badges
from checkin.printing.template import Template
from checkin.store import Store
from ui.print_queue import PrintJob, PrintQueue
from ui.print_settings import PrintSettings


class NoBadge(Exception):
    """Why this attendee's badge cannot be printed, in words for the person at the station."""


def queue_badge(
    store: Store,
    attendee_id: str,
    settings: PrintSettings,
    template: Template,
    queue: PrintQueue,
    clock: Callable[[], datetime],
) -> PrintJob:
    try:
        with store.reading() as session:
            chosen = select_badges(session, Selection([attendee_id]))
    except keys.KeyProblem as error:
        raise NoBadge(str(error)) from error
    if not chosen:
        raise NoBadge("This registration is cancelled: no badge.")
    badge = chosen[0]
    stock = STOCKS[settings.stock]
    pdf_file = ""
    if not settings.printer:
        # A folder that cannot be made (a USB stick pulled out) fails the job itself, which says so in words
        # and waits in the queue for a retry, as a missing printer does.
        with contextlib.suppress(OSError):
            settings.folder.mkdir(parents=True, exist_ok=True)
        pdf_file = str(settings.folder / f"{badge.external_id}-badge-{badge.revision}.pdf")
    job = PrintJob(
        f"Badge {badge.external_id} ({badge.first_name} {badge.last_name})",
        badge_pdf(badge, stock, template),
        stock.page,
        settings.printer,
        pdf_file,
        settings.copies,
    )
    job.on_done = lambda done: record_printed(
        store, [badge], stock.name, done.printer or f"file:{done.pdf_file}", done.copies, clock()
    )
    queue.add(job)
    return job
