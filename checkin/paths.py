"""Where Muster keeps its files. Light on purpose: `checkin --help` names these without opening anything."""

from __future__ import annotations

import os
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


def make_private_folder(folder: Path) -> None:
    """Create ``folder`` and any missing parents readable by this user only (0700). Folders that exist are left
    as they are: widening or narrowing someone's home folder is not Muster's business."""
    missing = []
    while not folder.exists():
        missing.append(folder)
        folder = folder.parent
    for each in reversed(missing):
        each.mkdir(mode=0o700, exist_ok=True)
        os.chmod(each, 0o700)  # mkdir's mode passes through the umask


def make_private_file(path: Path) -> None:
    """A station's database holds names, emails and check-ins: created readable by this user only (0600), and
    narrowed to that if an older Muster left it wider. SQLite gives its -wal and -shm files the same mode."""
    make_private_folder(path.parent)
    if not path.exists():
        os.close(os.open(path, os.O_CREAT | os.O_WRONLY, 0o600))  # before SQLite has it open: no lock to lose
    found = path.stat()
    if found.st_mode & 0o077 and found.st_uid == getattr(os, "getuid", lambda: found.st_uid)():
        os.chmod(path, 0o600)
