"""Preparing a hub: its database and schema, and the conference it starts from."""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import Engine

from checkin.conference import current_conference, has_conference
from checkin.store import Store
from checkin.store.engine import create_hub_engine
from checkin.sync import hub, reference


@dataclass(frozen=True)
class HubReady:
    conference: str | None
    published: dict[str, int] = field(default_factory=dict)  # rows copied up, per table


def init_hub(url: str, store: Store | None) -> HubReady:
    """Create the database if needed, migrate it, and give it the conference ``store`` holds.

    Safe to run again: the schema step is idempotent, and publishing copies only new or changed rows.
    A hub that already holds a different conference is refused rather than mixed.
    """
    hub.ensure_database(url)
    engine = create_hub_engine(url)
    try:
        hub.prepare(engine)
        return _publish(engine, store)
    finally:
        engine.dispose()


def _publish(engine: Engine, store: Store | None) -> HubReady:
    with engine.begin() as remote:
        on_hub = hub.hub_conference(remote)
        if store is None:
            return HubReady(on_hub[1] if on_hub else None)
        with store.reading() as local:
            if not has_conference(local):
                return HubReady(on_hub[1] if on_hub else None)
            here = current_conference(local)
            if on_hub is not None and on_hub[0] != here.id:
                raise hub.HubProblem(f"the hub already holds '{on_hub[1]}', not '{here.name}'")
            published = reference.publish(local, remote)
    return HubReady(here.name, published)
