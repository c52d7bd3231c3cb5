"""Schema migrations with Alembic, run from code (no alembic.ini needed on a station)."""

from __future__ import annotations

import functools
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine, inspect

MIGRATIONS = Path(__file__).with_name("migrations")


def alembic_config() -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    return config


@functools.cache
def head_revision() -> str | None:
    return ScriptDirectory.from_config(alembic_config()).get_current_head()


@functools.cache
def known_revisions() -> frozenset[str]:
    """Every schema revision this version of Muster can migrate to (a hub at any other is newer)."""
    return frozenset(script.revision for script in ScriptDirectory.from_config(alembic_config()).walk_revisions())


def current_revision(engine: Engine) -> str | None:
    with engine.connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()


class NotMusters(Exception):
    """The database holds another program's tables: Muster does not add its own among them."""


def upgrade(engine: Engine, revision: str = "head") -> None:
    """Bring the database to ``revision``; a no-op (one cheap query) when it is already there."""
    current = current_revision(engine)
    if revision == "head" and current == head_revision():
        return
    if current is None:
        _refuse_another_programs(engine)
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
