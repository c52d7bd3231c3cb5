"""The type-ahead index: every attendee's search words in SQLite's full-text engine (FTS5), one row each.

``search_entry`` holds an attendee's words (their folded name, organization, email and ids) and their sort key;
``search_words`` is an FTS5 index over those words that reads its text from there (an "external content" table).
A search is one FTS5 prefix query whose matching rows are read back in name order through the sort-key index.

One row per attendee, where a row per word wrote a quarter of a million for 20,000 people: the import's
writing is a tenth of what it was. Station databases only (a hub never searches): the migration makes these
on SQLite alone, and the models leave them out (``owns`` tells which tables are these).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from sqlalchemy import Connection

ENTRY = "search_entry"
WORDS = "search_words"

SCHEMA = (
    f"CREATE TABLE {ENTRY} (rowid INTEGER PRIMARY KEY, attendee_id TEXT NOT NULL UNIQUE, "
    "sort_key TEXT NOT NULL, words TEXT NOT NULL)",
    f"CREATE INDEX ix_{ENTRY}_sort ON {ENTRY} (sort_key, attendee_id)",
    # detail=none: prefix queries need no positions; prefix indexes answer the first keystrokes at once.
    f"CREATE VIRTUAL TABLE {WORDS} USING fts5(words, content='{ENTRY}', content_rowid='rowid', "
    "detail=none, prefix='1 2 3')",
    # An external-content index forgets a row only when told its old text: every removal goes through this.
    f"CREATE TRIGGER {ENTRY}_removed AFTER DELETE ON {ENTRY} BEGIN "
    f"INSERT INTO {WORDS} ({WORDS}, rowid, words) VALUES ('delete', old.rowid, old.words); END",
)

Entry = tuple[str, str, str]  # attendee id, sort key, words (space-separated)


def owns(table_name: str) -> bool:
    """Whether a table is this index's (FTS5 keeps its own tables, named after the index)."""
    return table_name in (ENTRY, WORDS) or table_name.startswith(f"{WORDS}_")


def create(connection: Connection) -> None:
    for statement in SCHEMA:
        connection.exec_driver_sql(statement)


def add(connection: Connection, entries: Iterable[Entry]) -> None:
    """Index attendees not indexed yet (entries may be made as they are written)."""
    last = connection.exec_driver_sql(f"SELECT coalesce(max(rowid), 0) FROM {ENTRY}").scalar()
    cursor: Any = connection.connection.cursor()  # the driver's own: its executemany streams any iterable
    try:
        cursor.executemany(f"INSERT INTO {ENTRY} (attendee_id, sort_key, words) VALUES (?, ?, ?)", entries)
    finally:
        cursor.close()
    # Rows get ascending row ids inside this write transaction: the new ones are those after the last.
    connection.exec_driver_sql(
        f"INSERT INTO {WORDS} (rowid, words) SELECT rowid, words FROM {ENTRY} WHERE rowid > ?", (last,)
    )


def remove(connection: Connection, attendee_ids: Sequence[str]) -> None:
    for start in range(0, len(attendee_ids), 500):
        chunk = attendee_ids[start : start + 500]
        connection.exec_driver_sql(
            f"DELETE FROM {ENTRY} WHERE attendee_id IN ({', '.join('?' * len(chunk))})", tuple(chunk)
        )


def replace(connection: Connection, entries: Sequence[Entry]) -> None:
    remove(connection, [attendee_id for attendee_id, _, _ in entries])
    add(connection, entries)


def refill(connection: Connection, entries: Iterable[Entry]) -> None:
    """Index exactly these attendees, forgetting everyone else."""
    connection.exec_driver_sql(f"DELETE FROM {ENTRY}")
    add(connection, entries)


def matching(connection: Connection, words: Sequence[str], limit: int) -> list[str]:
    """Ids of attendees with a word beginning with each of ``words`` (folded, [a-z0-9]+), in name order."""
    rows = connection.exec_driver_sql(
        f"SELECT attendee_id FROM {ENTRY} WHERE rowid IN (SELECT rowid FROM {WORDS} WHERE {WORDS} MATCH ?) "
        "ORDER BY sort_key, attendee_id LIMIT ?",
        (_query(words), limit),
    )
    return [row[0] for row in rows]


def count(connection: Connection, words: Sequence[str]) -> int:
    found = connection.exec_driver_sql(f"SELECT count(*) FROM {WORDS} WHERE {WORDS} MATCH ?", (_query(words),))
    return int(found.scalar() or 0)


def _query(words: Sequence[str]) -> str:
    # Each word quoted (FTS5 reads AND, OR, NOT and NEAR bare as operators) and taken as a prefix.
    return " AND ".join('"' + word.replace('"', '""') + '"*' for word in words)
