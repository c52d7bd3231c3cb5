"""Badges as codes: the signed code of an attendee's current badge, and reissuing one (which voids the old)."""

from __future__ import annotations

from datetime import datetime

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from sqlalchemy import select
from sqlalchemy.orm import Session

from checkin import codes, keys
from checkin.domain import EventKind
from checkin.events import NewEvent, record
from checkin.store import Store
from checkin.store.models import Attendee, BadgeState


def current_revision(session: Session, attendee_id: str) -> int:
    return session.scalar(select(BadgeState.revision).where(BadgeState.attendee_id == attendee_id)) or 1


class Signer:
    """Makes badge codes with the station's newest private key, loaded once (bulk printing signs thousands)."""

    def __init__(self, session: Session) -> None:
        row = keys.signing_row(session)
        if row is None:
            raise keys.KeyProblem(keys.why_no_signing_key(session))
        self._private = Ed25519PrivateKey.from_private_bytes(keys.private_half(session, row))
        self._number = row.number
        self._tag = codes.conference_tag(row.conference_id)

    def code(self, attendee_id: str, revision: int) -> str:
        return codes.sign(codes.BadgeCode(attendee_id, revision, self._number, self._tag), self._private)


def badge_code(session: Session, attendee_id: str, revision: int | None = None) -> str:
    """The signed code for the attendee's current badge (or a given revision)."""
    return Signer(session).code(
        attendee_id, revision if revision is not None else current_revision(session, attendee_id)
    )


def reissue(store: Store, attendee_id: str, reason: str, now: datetime) -> tuple[int, str]:
    """Void the attendee's badge and make the next revision; returns (revision, code).

    Every station refuses the old badge as "replaced" once it has this event.
    """
    if not reason.strip():
        raise ValueError("Say why the badge is reprinted (lost, damaged, name corrected, ...).")
    with store.unit_of_work() as session:
        if session.get(Attendee, attendee_id) is None:
            raise LookupError(f"No attendee with id {attendee_id}.")
        revision = current_revision(session, attendee_id) + 1
        if revision > codes.MAX_REVISION:
            raise ValueError("This badge has been reprinted too many times.")
        code = badge_code(session, attendee_id, revision)
        payload = {"revision": revision, "reason": reason.strip()}
        record(session, NewEvent(EventKind.BADGE_REISSUED, store.station, now, attendee_id, payload))
    return revision, code
