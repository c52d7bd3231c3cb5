"""What SQLite's refusals mean for the person at the station, in words: a read-only file, a full disk."""

from __future__ import annotations

from sqlalchemy.exc import DBAPIError

_SQLITE_WORDS = (
    (
        "readonly database",
        "the database file is read-only here: nothing can be recorded (check its permissions, "
        "or copy it to a folder this user can write to)",
    ),
    (
        "database or disk is full",
        "the disk holding the database is full: nothing more can be recorded until some space is freed",
    ),
    (
        "disk i/o error",
        "the disk holding the database failed to read or write (a removed USB drive, a failing "
        "disk): nothing more was recorded",
    ),
    ("database is locked", "another program kept the database busy for more than 5 s; try again"),
    ("unable to open database file", "the database file cannot be opened (a missing folder, or not allowed)"),
)


def storage_problem(error: BaseException) -> str | None:
    """The words for an SQLite error that is the disk's or the file's doing, not a bug; None otherwise."""
    if not isinstance(error, DBAPIError) or error.orig is None:
        return None
    text = str(error.orig).lower()
    return next((words for known, words in _SQLITE_WORDS if known in text), None)
