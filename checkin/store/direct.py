"""Running a statement built once straight through SQLite's driver: the scan hot path.

SQLAlchemy spends about 50 µs of Python on every execute (cache lookup, parameter processing, result set-up),
and a door scan runs a dozen statements, so that was a third of a scan. Here a statement is compiled once per
set of parameter names, with its parameter order and its column types' own conversions (the same ones
SQLAlchemy applies, so values read and written are identical); each run is then one call into the driver.
On PostgreSQL (the hub) statements go through SQLAlchemy as everywhere else.

Only for statements made once (``functools.cache``): each is kept here for the life of the process.
"""

from __future__ import annotations

import sqlite3
from collections import namedtuple
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection
from sqlalchemy.engine import Dialect
from sqlalchemy.exc import DBAPIError
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.dml import UpdateBase
from sqlalchemy.sql.elements import ClauseElement
from sqlalchemy.sql.expression import Executable

Processor = Callable[[Any], Any] | None
_REQUIRED = object()


class Rows:
    """What a statement returned: its rows (tuples with named fields) and how many rows it changed."""

    def __init__(self, rows: Sequence[Any], rowcount: int) -> None:
        self._rows = rows
        self.rowcount = rowcount

    def __iter__(self) -> Iterator[Any]:
        return iter(self._rows)

    def all(self) -> list[Any]:
        return list(self._rows)

    def first(self) -> Any | None:
        return self._rows[0] if self._rows else None

    def one(self) -> Any:
        if len(self._rows) != 1:
            raise LookupError(f"expected one row, got {len(self._rows)}")
        return self._rows[0]

    def scalar(self) -> Any | None:
        return self._rows[0][0] if self._rows else None

    def scalar_one(self) -> Any:
        return self.one()[0]


def execute(connection: Connection, statement: Executable, params: Mapping[str, Any] | None = None) -> Rows:
    """Run ``statement`` (made once) with ``params`` in the connection's transaction."""
    params = params or {}
    if connection.dialect.name != "sqlite":
        result = connection.execute(statement, dict(params))
        return Rows(result.all() if result.returns_rows else [], result.rowcount)
    prepared = _prepared_for(connection.dialect, statement, params)
    values = []
    for name, default, process in prepared.binds:
        value = params[name] if name in params or default is _REQUIRED else default
        values.append(process(value) if process is not None else value)
    fetched, rowcount = run(connection, prepared.sql, values)
    if prepared.row is None:
        return Rows([], rowcount)
    return Rows([prepared.row(*prepared.convert(raw)) for raw in fetched], rowcount)


def run(connection: Connection, sql: str, values: Sequence[Any] = ()) -> tuple[list[Any], int]:
    """``sql`` on the connection's SQLite driver: its raw rows and row count. Errors are raised as SQLAlchemy
    raises them, because callers explain those (a full disk, a file another process holds locked)."""
    driver = connection.connection.driver_connection
    assert driver is not None
    try:
        cursor = driver.execute(sql, values)
        return cursor.fetchall(), cursor.rowcount
    except sqlite3.Error as error:
        raise DBAPIError.instance(sql, list(values), error, sqlite3.Error, dialect=connection.dialect) from error


@dataclass(frozen=True)
class _Prepared:
    sql: str
    binds: tuple[tuple[str, Any, Processor], ...]  # in the order of the SQL's ? marks
    row: Callable[..., Any] | None  # a namedtuple class for statements that return rows
    processors: tuple[Processor, ...]

    def convert(self, raw: tuple[Any, ...]) -> Iterator[Any]:
        for value, process in zip(raw, self.processors, strict=True):
            yield process(value) if process is not None else value


_cache: dict[tuple[int, str, tuple[str, ...]], tuple[Executable, _Prepared]] = {}


def _prepared_for(dialect: Dialect, statement: Executable, params: Mapping[str, Any]) -> _Prepared:
    # An INSERT or UPDATE is compiled for the columns it is given; a SELECT does not depend on them.
    keys = tuple(params) if isinstance(statement, UpdateBase) else ()
    key = (id(statement), dialect.name, keys)
    found = _cache.get(key)
    if found is None:
        found = _cache[key] = (statement, _prepare(dialect, statement, keys))  # kept: its id stays unique
    return found[1]


def _prepare(dialect: Dialect, statement: Executable, keys: tuple[str, ...]) -> _Prepared:
    assert isinstance(statement, ClauseElement)
    compiled = statement.compile(dialect=dialect, column_keys=list(keys) or None)
    assert isinstance(compiled, SQLCompiler)
    if compiled.post_compile_params:
        raise ValueError("a list or literal_execute parameter changes the SQL: run this one through SQLAlchemy")
    binds = []
    for name in compiled.positiontup or ():
        bind = compiled.binds[name]
        default = _REQUIRED if bind.required else bind.effective_value
        binds.append((name, default, bind.type.dialect_impl(dialect).bind_processor(dialect)))
    columns = list(getattr(statement, "selected_columns", ()))
    returning = not isinstance(statement, UpdateBase) and bool(columns)
    row = namedtuple("Row", [c.key or f"_{n}" for n, c in enumerate(columns)], rename=True) if returning else None
    processors = tuple(c.type.dialect_impl(dialect).result_processor(dialect, None) for c in columns)
    return _Prepared(compiled.string, tuple(binds), row, processors if returning else ())
