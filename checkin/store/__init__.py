"""Storage: models, engine setup and migrations."""

from checkin.store.engine import NotADatabase, Store, open_store
from checkin.store.migrate import NotMusters

OPEN_PROBLEMS = (NotADatabase, NotMusters)  # said in words by whoever opens a store a person named

__all__ = ["OPEN_PROBLEMS", "NotADatabase", "NotMusters", "Store", "open_store"]
