"""Where Muster keeps its files. Light on purpose: `checkin --help` names these without opening anything."""

from __future__ import annotations

from pathlib import Path

import platformdirs

APP_NAME = "Muster"


def data_dir() -> Path:
    return Path(platformdirs.user_data_dir(APP_NAME, appauthor=False))


def default_db_path() -> Path:
    return data_dir() / "muster.sqlite"


def demo_db_path() -> Path:
    return data_dir() / "demo.sqlite"


def is_url(target: Path | str) -> bool:
    """A hub's URL (postgresql+psycopg://...) rather than a database file."""
    return isinstance(target, str) and "://" in target
