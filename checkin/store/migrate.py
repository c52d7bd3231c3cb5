"""Schema migrations with Alembic, run from code (no alembic.ini needed on a station).

Alembic is imported only when there is something to migrate: opening an up-to-date database is one query, so a
one-shot `checkin` command does not pay for loading Alembic."""

from __future__ import annotations

import functools
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import Engine, inspect, text

if TYPE_CHECKING:
    from alembic.config import Config

MIGRATIONS = Path(__file__).with_name("migrations")
VERSION_TABLE = "alembic_version"


def alembic_config() -> Config:
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    return config


@functools.cache
def known_revisions() -> frozenset[str]:
    """Every schema revision this version of Muster can migrate to (a hub at any other is newer).

    Each migration's file is named after its revision, and revisions follow one another ("0007_…" after
    "0006_…"; tests/checkin/test_store.py holds Alembic to that)."""
    return frozenset(path.name.partition("_")[0] for path in (MIGRATIONS / "versions").glob("[0-9]*_*.py"))


def head_revision() -> str:
    return max(known_revisions())


def current_revision(engine: Engine) -> str | None:
    with engine.connect() as connection:
        if not inspect(connection).has_table(VERSION_TABLE):
            return None
        found = connection.execute(text(f"SELECT version_num FROM {VERSION_TABLE}")).scalar()
        return str(found) if found is not None else None


class NotMusters(Exception):
    """The database holds another program's tables: Muster does not add its own among them."""


def upgrade(engine: Engine, revision: str = "head") -> None:
    """Bring the database to ``revision``; a no-op (one cheap query) when it is already there."""
    current = current_revision(engine)
    if revision == "head" and current == head_revision():
        return
    if current is None:
        _refuse_another_programs(engine)
    from alembic import command

    config = alembic_config()
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, revision)


def _refuse_another_programs(engine: Engine) -> None:
    """A database with tables, none of them Muster's, belongs to something else (a --db pointed at the
    wrong file, a hub URL naming another application's database): adding Muster's tables would mix the two."""
    from checkin.store.models import Base

    with engine.connect() as connection:
        tables = set(inspect(connection).get_table_names())
    if tables and not tables & set(Base.metadata.tables):
        where = engine.url.database if engine.dialect.name == "sqlite" else engine.url.render_as_string()
        shown = ", ".join(sorted(tables)[:4]) + (", …" if len(tables) > 4 else "")
        raise NotMusters(
            f"{where} holds another program's tables ({shown}), not Muster's; give Muster a "
            "database of its own (a new file, or an empty PostgreSQL database)"
        )
