"""The print log: which badge revision was printed when, where and on what, recorded as events (so it syncs)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from checkin.domain import EventKind
from checkin.events import NewEvent, record
from checkin.printing.badge_pdf import BadgeData
from checkin.store import Store


def record_printed(
    store: Store, printed: Sequence[BadgeData], stock: str, printer: str, copies: int, now: datetime
) -> None:
    with store.unit_of_work() as session:
        for badge in printed:
            payload: dict[str, object] = {
                "revision": badge.revision,
                "stock": stock,
                "printer": printer,
                "copies": copies,
            }
            if missing := badge.without_font():
                payload["transliterated"] = missing  # no font here had these letters: printed in Latin letters
            record(session, NewEvent(EventKind.BADGE_PRINTED, store.station, now, badge.attendee_id, payload))
