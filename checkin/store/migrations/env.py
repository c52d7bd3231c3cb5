"""Alembic environment: always given a live connection by checkin.store.migrate."""

from alembic import context

from checkin.store import search_index
from checkin.store.models import Base

connection = context.config.attributes["connection"]
context.configure(
    connection=connection,
    target_metadata=Base.metadata,
    render_as_batch=connection.dialect.name == "sqlite",
    include_name=search_index.modelled,
)
with context.begin_transaction():
    context.run_migrations()
