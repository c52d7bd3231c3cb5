"""A new laptop's conference, made from the registration system's export in one step.

The app offers this when its database holds no conference: the conference is named, the registrants are
imported, and the badge keys are made, so the laptop can check in and print at once. All or nothing: a file
with a bad row leaves the database as empty as it was.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from pathlib import Path

from checkin import keys
from checkin.conference import ensure_conference
from checkin.importers import ImportReport, UnknownFormat, import_file
from checkin.store import Store

Progress = Callable[[int, int], None]


def start_from_export(
    store: Store, path: Path, conference: str, now: datetime, progress: Progress | None = None
) -> ImportReport:
    """Create the conference ``conference``, import ``path`` into it and make its badge keys. Raises
    ImportFailed (nothing written) for a file that cannot be imported, OSError for one that cannot be read."""
    with store.unit_of_work() as session:
        ensure_conference(session, conference.strip() or path.stem)
        try:
            report = import_file(session, path, progress=progress)
        except UnknownFormat:  # no --map at hand here: read it as a generic CSV, which names what it lacks
            report = import_file(session, path, "generic", progress=progress)
        if not keys.has_keys(session):
            keys.init_keys(session, now)
    return report
