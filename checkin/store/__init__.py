"""Storage: models, engine setup and migrations."""

from checkin.store.engine import Store, default_db_path, demo_db_path, open_store

__all__ = ["Store", "default_db_path", "demo_db_path", "open_store"]
