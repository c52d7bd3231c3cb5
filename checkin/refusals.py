"""Refused scans, newest first: a read model for `checkin refusals` and the command post."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, select

from checkin.domain import EventKind
from checkin.projection import station_label
from checkin.store.models import Attendee, Event


@dataclass(frozen=True)
class Refusal:
    at: datetime
    station: str
    where: str  # desk, door, kiosk or cli
    place: str  # a door's room and door; "" elsewhere
    verdict: str  # the verdict's code, e.g. forged, replaced_badge, room_full
    scanned: str
    attendee: str  # the person it named, "" when it named nobody


def refusals(connection: Connection, since: datetime | None = None, limit: int = 200) -> list[Refusal]:
    query = (
        select(Event.station_time, Event.station_id, Event.payload, Attendee.first_name, Attendee.last_name)
        .outerjoin(Attendee, Attendee.id == Event.attendee_id)
        .where(Event.kind == EventKind.SCAN_REFUSED.value)
        .order_by(Event.id.desc())
        .limit(limit)
    )
    if since is not None:
        query = query.where(Event.station_time >= since)
    rows: list[Any] = list(connection.execute(query))
    return [
        Refusal(
            at,
            station_label(payload, station_id),
            str(payload.get("where", "")),
            str(payload.get("place", "")),
            str(payload.get("verdict", "")),
            str(payload.get("scanned", "")),
            f"{first or ''} {last or ''}".strip(),
        )
        for at, station_id, payload, first, last in rows
    ]
