"""Dialect-specific statements the log needs: INSERT ... ON CONFLICT on SQLite and PostgreSQL."""

from __future__ import annotations

from typing import Any

from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session


def insert_for(session: Session, table: Any) -> Any:
    """An INSERT that supports on_conflict_do_nothing / on_conflict_do_update on this session's database."""
    factory = postgresql.insert if session.get_bind().dialect.name == "postgresql" else sqlite.insert
    return factory(table)
