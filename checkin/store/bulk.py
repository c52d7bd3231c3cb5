"""Inserting many rows at once, straight through the database driver.

SQLAlchemy's executemany builds and processes a parameter dictionary per row; for an import's quarter of a
million search tokens that costs more than the database's own writing, and holds every row in memory twice.
Here rows are tuples, streamed to the driver's executemany; only the columns whose type converts values
(JSON, say) pass through SQLAlchemy's converter for this database.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from typing import Any

from sqlalchemy import Connection, Table, insert


def insert_many(connection: Connection, table: Table, columns: Sequence[str], rows: Iterable[Sequence[Any]]) -> None:
    """INSERT ``rows`` (each a tuple of values in ``columns`` order) into ``table`` in the connection's
    transaction."""
    dialect = connection.dialect
    compiled = insert(table).compile(dialect=dialect, column_keys=list(columns))
    convert: dict[int, Callable[[Any], Any]] = {}
    for index, name in enumerate(columns):
        processor = table.c[name].type.dialect_impl(dialect).bind_processor(dialect)
        if processor is not None:
            convert[index] = processor
    converted = (_converted(row, convert) for row in rows) if convert else rows
    if compiled.positiontup is not None:  # ? or %s: the driver takes each row in the statement's order
        order = [list(columns).index(name) for name in compiled.positiontup]
        params: Iterable[Any] = (
            converted if order == list(range(len(columns))) else ([row[i] for i in order] for row in converted)
        )
    else:  # %(name)s
        params = (dict(zip(columns, row, strict=True)) for row in converted)
    cursor: Any = connection.connection.cursor()  # the driver's own: its executemany takes any iterable
    try:
        cursor.executemany(compiled.string, params)
    finally:
        cursor.close()


def _converted(row: Sequence[Any], convert: dict[int, Callable[[Any], Any]]) -> list[Any]:
    values = list(row)
    for index, processor in convert.items():
        values[index] = processor(values[index])
    return values
