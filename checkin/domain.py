"""The conference's vocabulary: registration types, statuses, event kinds, verdicts.

Plain values only. Stable codes (``Verdict.code``, ``EventKind``) are part of the
public contract: the CLI prints them, the sync protocol carries them, the UI turns
them into words and colours.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum

from checkin.clock import StationClock


class RegistrationType(StrEnum):
    MEMBER = "Member"
    NON_MEMBER = "Non-member"
    COURSE_ONLY = "Course-only"
    ONE_DAY = "One-day"
    EXHIBITOR = "Exhibitor"
    SPONSOR = "Sponsor"
    SPEAKER = "Speaker"
    STAFF = "Staff/Volunteer"
    MEDIA = "Media"
    GUEST = "Guest"


class Status(StrEnum):
    PAID = "paid"
    UNPAID = "unpaid"
    CANCELLED = "cancelled"


class EventKind(StrEnum):
    CHECKED_IN = "checked_in"
    WALK_IN_REGISTERED = "walk_in_registered"
    ATTENDEE_CORRECTED = "attendee_corrected"
    ENTITLEMENT_GIVEN = "entitlement_given"
    BADGE_REISSUED = "badge_reissued"  # payload: revision, reason; older revisions are refused from then on
    BADGE_PRINTED = "badge_printed"  # the print log: payload revision, stock, printer, copies
    ENTERED = "entered"  # a door scan in: payload room_id, door, session_id, override (reason) when overridden
    EXITED = "exited"  # a door scan out: payload room_id, door
    COUNTER_ADJUSTED = "counter_adjusted"  # +1/-1 at a door for people without badges: room_id, delta, reason
    ATTENDEES_MERGED = "attendees_merged"  # a duplicate record folded into another: into, changes (cancels it)
    CONFLICT_REVIEWED = "conflict_reviewed"  # staff looked at a flagged duplicate: event_id, note
    CHECK_IN_UNDONE = "check_in_undone"  # a check-in made by mistake, taken back: undoes (its event id), reason
    SCAN_REFUSED = "scan_refused"  # kept for review: where (desk, door, kiosk, cli), place, verdict, scanned
    CODE_SENT = "code_sent"  # the attendee's check-in code mailed ahead and accepted by the mail server: revision


class VerdictCode(StrEnum):
    ACCEPTED = "accepted"
    ALREADY_CHECKED_IN = "already_checked_in"
    ALREADY_GIVEN = "already_given"
    NOT_ELIGIBLE = "not_eligible"
    CANCELLED = "cancelled"
    UNPAID = "unpaid"
    UNKNOWN = "unknown"
    JUST_SCANNED = "just_scanned"  # the same badge again within seconds: nothing new recorded
    REPLACED_BADGE = "replaced_badge"  # an older revision of a reprinted badge
    NUMBER_ONLY = "number_only"  # a bare registration id at a door: staff may let the person in, recorded
    FORGED = "forged"  # looks like a badge but its signature does not verify
    WRONG_CONFERENCE = "wrong_conference"
    UNKNOWN_KEY = "unknown_key"  # signed with a key this station has not received yet
    REVOKED_KEY = "revoked_key"
    UNREADABLE = "unreadable"  # nothing usable in the scan
    ALREADY_INSIDE = "already_inside"
    ROOM_FULL = "room_full"
    NOT_REGISTERED = "not_registered"  # the session needs pre-registration and this attendee has none
    NOT_CHECKED_IN = "not_checked_in"  # policy "send to the desk"
    EXITED = "exited"  # an exit scan, recorded
    NOT_INSIDE = "not_inside"  # an exit scan of someone the room has no entry for (recorded all the same)
    UNDONE = "undone"  # a check-in taken back, recorded
    CANNOT_UNDO = "cannot_undo"


class Tone(StrEnum):
    """How loudly the UI shows a verdict: green, amber or red."""

    GOOD = "good"
    WARN = "warn"
    BAD = "bad"


# The fields a desk volunteer may correct; each correction is an event so it syncs.
CORRECTABLE_FIELDS = ("first_name", "last_name", "organization", "registration_type", "status", "email")


@dataclass(frozen=True)
class AttendeeView:
    """What the desk shows about one attendee."""

    id: str
    external_id: str
    first_name: str
    last_name: str
    email: str
    organization: str
    city: str
    region: str
    registration_type: str
    ticket: str
    status: Status
    status_reason: str
    source: str
    checked_in_at: datetime | None = None
    checked_in_station: str | None = None
    badge_revision: int = 1  # every attendee's first badge is revision 1; reprints count up

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}".strip()

    @property
    def checked_in(self) -> bool:
        return self.checked_in_at is not None


@dataclass(frozen=True)
class Verdict:
    """The answer to one action at a station: a stable code, a tone and the words to show."""

    code: VerdictCode
    tone: Tone
    message: str
    attendee: AttendeeView | None = None
    event_id: str | None = None

    @property
    def accepted(self) -> bool:
        return self.code is VerdictCode.ACCEPTED


@dataclass(frozen=True)
class Entitlement:
    code: str
    name: str
    eligible_types: tuple[str, ...] = field(default_factory=tuple)

    def allows(self, registration_type: str) -> bool:
        return not self.eligible_types or registration_type in self.eligible_types


@dataclass(frozen=True)
class StationContext:
    """Who is acting: the local station's id, the name people see, and its clock (corrected by the hub's)."""

    id: str
    name: str
    clock: StationClock = field(default_factory=StationClock, compare=False, repr=False)


def editable_fields(view: AttendeeView) -> dict[str, str]:
    """The fields a correction may change, as text (what ``rules.corrections.what_changed`` compares)."""
    return {field: str(getattr(view, field)) for field in CORRECTABLE_FIELDS}
