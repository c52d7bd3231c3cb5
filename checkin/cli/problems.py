"""What a refused command says. Imported only once a command has failed, so by then the modules whose
problems it names are loaded by the command itself, or cost nothing that matters."""

from __future__ import annotations

from sqlalchemy.exc import OperationalError

from checkin import desk, keys
from checkin.cli import hub, rooms
from checkin.cli.common import SupervisorRefused, UnknownAttendee, file_problem
from checkin.conference import NoConference
from checkin.importers import ImportFailed
from checkin.rules.station import BadStationName
from checkin.store import OPEN_PROBLEMS
from checkin.store.problems import storage_problem
from checkin.sync.worker import refused_login

REFUSALS = (
    ImportFailed,
    BadStationName,
    UnknownAttendee,
    SupervisorRefused,
    NoConference,
    desk.InvalidInput,
    keys.KeyProblem,
    *OPEN_PROBLEMS,
    *rooms.PROBLEMS,
    *hub.PROBLEMS,
)


def explain(error: Exception) -> str | None:
    """The words for a command that was refused, or None for an error that is a bug."""
    if isinstance(error, REFUSALS):
        return str(error)
    if isinstance(error, OSError):  # a file to read or write: missing, a folder, not allowed, the disk full
        return file_problem(error)
    if said := storage_problem(error):  # the station's own file: read-only, the disk full or failing
        return said
    if isinstance(error, OperationalError):  # a hub given with --db URL that is down, or refuses the login
        detail = str(error.orig).strip().splitlines()[0] if error.orig else str(error)
        return refused_login(error) or f"the database did not answer: {detail}"
    return None
