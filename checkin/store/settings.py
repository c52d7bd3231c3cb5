"""The database's own small settings (sync cursors, the clock's offset, the supervisor PIN): read and written by key."""

from __future__ import annotations

from sqlalchemy import Connection, select

from checkin.store.dialect import insert_for
from checkin.store.models import Setting


def setting_text(connection: Connection, key: str) -> str | None:
    return connection.execute(select(Setting.value).where(Setting.key == key)).scalar()


def set_setting(connection: Connection, key: str, value: int | str) -> None:
    statement = insert_for(connection.dialect.name, Setting.__table__).values(key=key, value=str(value))
    connection.execute(statement.on_conflict_do_update(index_elements=["key"], set_={"value": str(value)}))
