"""The type-ahead index: each attendee's search words in one row, searched by the database's full-text engine.

``search_entry`` (a model) holds an attendee's words and sort key. Over its words: on a station's SQLite, an
FTS5 index that reads its text from there (an "external content" table, ``search_words``); on a hub's
PostgreSQL, a GIN index of the words as a ``simple`` text-search vector. A search is one prefix query of that
index, its rows read back in name order.

One row per attendee, where a row per word wrote a quarter of a million for 20,000 people: an import's writing
is a tenth of what it was.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from sqlalchemy import Connection, delete

from checkin.store.bulk import insert_many
from checkin.store.models import SearchEntry, table

WORDS = "search_words"  # the FTS5 index on SQLite

_SQLITE = (
    # detail=none: prefix queries need no positions; prefix indexes answer the first keystrokes at once.
    f"CREATE VIRTUAL TABLE {WORDS} USING fts5(words, content='search_entry', content_rowid='id', "
    "detail=none, prefix='1 2 3')",
    # An external-content index forgets a row only when told its old text: every removal goes through this.
    f"CREATE TRIGGER search_entry_removed AFTER DELETE ON search_entry BEGIN "
    f"INSERT INTO {WORDS} ({WORDS}, rowid, words) VALUES ('delete', old.id, old.words); END",
)
_POSTGRESQL = ("CREATE INDEX ix_search_entry_words ON search_entry USING gin (to_tsvector('simple', words))",)

Entry = tuple[str, str, str]  # attendee id, sort key, words (space-separated)
_COLUMNS = ("attendee_id", "sort_key", "words")


def modelled(name: str | None, kind: str, _parents: object = None) -> bool:
    """Alembic's ``include_name``: every table but SQLite's full-text index and those FTS5 keeps for it (named
    after it), which no model describes."""
    return kind != "table" or not (name == WORDS or str(name).startswith(f"{WORDS}_"))


def create(connection: Connection) -> None:
    """Make the full-text index over an existing, empty ``search_entry``."""
    for statement in _SQLITE if _on_sqlite(connection) else _POSTGRESQL:
        connection.exec_driver_sql(statement)


def add(connection: Connection, entries: Iterable[Entry]) -> None:
    """Index attendees not indexed yet (entries may be made as they are written)."""
    if not _on_sqlite(connection):  # PostgreSQL keeps its GIN index itself
        insert_many(connection, table(SearchEntry), _COLUMNS, entries)
        return
    last = connection.exec_driver_sql("SELECT coalesce(max(id), 0) FROM search_entry").scalar()
    insert_many(connection, table(SearchEntry), _COLUMNS, entries)
    # Rows get ascending ids inside this write transaction: the new ones are those after the last.
    connection.exec_driver_sql(
        f"INSERT INTO {WORDS} (rowid, words) SELECT id, words FROM search_entry WHERE id > ?", (last,)
    )


def remove(connection: Connection, attendee_ids: Sequence[str]) -> None:
    entries = table(SearchEntry)
    for start in range(0, len(attendee_ids), 500):
        connection.execute(delete(entries).where(entries.c.attendee_id.in_(attendee_ids[start : start + 500])))


def replace(connection: Connection, entries: Sequence[Entry]) -> None:
    remove(connection, [attendee_id for attendee_id, _, _ in entries])
    add(connection, entries)


def refill(connection: Connection, entries: Iterable[Entry]) -> None:
    """Index exactly these attendees, forgetting everyone else."""
    connection.execute(delete(table(SearchEntry)))
    add(connection, entries)


def matching(connection: Connection, words: Sequence[str], limit: int) -> list[str]:
    """Ids of attendees with a word beginning with each of ``words`` (folded: [a-z0-9]+), in name order."""
    if _on_sqlite(connection):
        sql = (
            f"SELECT attendee_id FROM search_entry WHERE id IN (SELECT rowid FROM {WORDS} WHERE {WORDS} MATCH ?) "
            "ORDER BY sort_key, attendee_id LIMIT ?"
        )
        rows = connection.exec_driver_sql(sql, (_fts5_query(words), limit))
    else:
        sql = f"SELECT attendee_id FROM search_entry WHERE {_TS_MATCH} ORDER BY sort_key, attendee_id LIMIT %(limit)s"
        rows = connection.exec_driver_sql(sql, {"query": _tsquery(words), "limit": limit})
    return [row[0] for row in rows]


def count(connection: Connection, words: Sequence[str]) -> int:
    if _on_sqlite(connection):
        found = connection.exec_driver_sql(f"SELECT count(*) FROM {WORDS} WHERE {WORDS} MATCH ?", (_fts5_query(words),))
    else:
        found = connection.exec_driver_sql(
            f"SELECT count(*) FROM search_entry WHERE {_TS_MATCH}", {"query": _tsquery(words)}
        )
    return int(found.scalar() or 0)


_TS_MATCH = "to_tsvector('simple', words) @@ to_tsquery('simple', %(query)s)"


def _on_sqlite(connection: Connection) -> bool:
    return connection.dialect.name == "sqlite"


def _fts5_query(words: Sequence[str]) -> str:
    # Each word quoted (FTS5 reads AND, OR, NOT and NEAR bare as operators) and taken as a prefix.
    return " AND ".join('"' + word.replace('"', '""') + '"*' for word in words)


def _tsquery(words: Sequence[str]) -> str:
    # Folded words are [a-z0-9]+; anything else is dropped rather than read as tsquery syntax.
    return " & ".join(f"{clean}:*" for word in words if (clean := "".join(c for c in word if c.isalnum())))
