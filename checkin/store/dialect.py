"""Dialect-specific statements the log needs: INSERT ... ON CONFLICT on SQLite and PostgreSQL."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Connection
from sqlalchemy.dialects import postgresql, sqlite


def insert_for(dialect_name: str, table: Any) -> Any:
    """An INSERT that supports on_conflict_do_nothing / on_conflict_do_update on this database."""
    return (postgresql.insert if dialect_name == "postgresql" else sqlite.insert)(table)


def dialect_of(connection: Connection) -> str:
    return connection.dialect.name
