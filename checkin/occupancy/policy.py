"""The venue's counting rules, set once for the conference: when a door warns, whether presence carries
through back-to-back sessions, how early an arrival counts for the coming session, and the hours rule."""

from __future__ import annotations

import functools
from dataclasses import asdict, dataclass, fields
from typing import Any

from sqlalchemy import Connection, select

from checkin.store.models import Setting

PREFIX = "policy."


@dataclass(frozen=True)
class Policy:
    warn_at: float = 0.85  # share of capacity at which the door turns amber
    keep_back_to_back: bool = False  # presence carries into a session that follows within 15 minutes
    early_minutes: int = 30  # arriving this early counts for the coming session
    hours_share: float = 0.75  # present this share of a session to earn its hours
    day_ends_hour: int = 22  # presence in a room outside any session ends at this hour, conference time
    override_needs_pin: bool = False  # letting someone in past a door's refusal needs the supervisor PIN

    def problems(self) -> list[str]:
        found = []
        if not 0.5 <= self.warn_at <= 1.0:
            found.append("--warn-at must be between 50 and 100 (% of capacity).")
        if not 0.1 <= self.hours_share <= 1.0:
            found.append("--hours-share must be between 10 and 100 (% of a session).")
        if not 0 <= self.early_minutes <= 120:
            found.append("--early must be between 0 and 120 minutes.")
        if not 0 <= self.day_ends_hour <= 23:
            found.append("--day-ends must be an hour from 0 to 23.")
        return found


def load_policy(connection: Connection) -> Policy:
    stored = {row.key: row.value for row in connection.execute(_stored())}
    values: dict[str, object] = {}
    for item in fields(Policy):
        text = stored.get(PREFIX + item.name)
        if text is None:
            continue
        if item.type in ("bool", bool):
            values[item.name] = text == "true"
        elif item.type in ("int", int):
            values[item.name] = int(text)
        else:
            values[item.name] = float(text)
    return Policy(**values)  # type: ignore[arg-type]


@functools.cache
def _stored() -> Any:
    return select(Setting.key, Setting.value).where(Setting.key.like(f"{PREFIX}%"))


def save_policy(connection: Connection, policy: Policy) -> None:
    from checkin.store.dialect import insert_for

    for name, value in asdict(policy).items():
        text = ("true" if value else "false") if isinstance(value, bool) else str(value)
        stmt = insert_for(connection.dialect.name, Setting.__table__).values(key=PREFIX + name, value=text)
        connection.execute(stmt.on_conflict_do_update(index_elements=["key"], set_={"value": text}))
