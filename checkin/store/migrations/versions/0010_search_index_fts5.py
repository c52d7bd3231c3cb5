"""search by SQLite's full-text engine: one index row per attendee instead of one per word

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-07 20:40:00

The token table held a row per word (a quarter of a million for a 20,000-person conference, written at each
import). On a station it becomes ``search_entry`` (one row per attendee) with an FTS5 index over it, filled
here from the attendees' effective fields (see checkin.store.search_index). A hub never searches: there the
token table is only dropped.
"""

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.drop_table("search_token")
    connection = op.get_bind()
    if connection.dialect.name != "sqlite":
        return
    from checkin.attendees import search_entry
    from checkin.store import search_index

    search_index.create(connection)
    fields = ("first_name", "last_name", "email", "organization", "ticket_code")
    rows = connection.execute(sa.text(f"SELECT id, external_id, {', '.join(fields)} FROM attendee")).all()
    search_index.add(connection, [search_entry(row.id, row.external_id, dict(row._mapping)) for row in rows])


def downgrade() -> None:
    connection = op.get_bind()
    if connection.dialect.name == "sqlite":
        op.execute("DROP TABLE IF EXISTS search_words")  # its own tables with it
        op.execute("DROP TABLE IF EXISTS search_entry")  # and its trigger
    op.create_table(
        "search_token",
        sa.Column("token", sa.String(length=200), nullable=False),
        sa.Column("attendee_id", sa.String(length=36), nullable=False),
        sa.Column("sort_key", sa.String(length=400), nullable=False),
        sa.ForeignKeyConstraint(["attendee_id"], ["attendee.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("token", "sort_key", "attendee_id"),
        sqlite_with_rowid=False,
    )
    op.create_index("ix_search_token_attendee_id", "search_token", ["attendee_id"], unique=False)
    # The tokens are a projection: `checkin rebuild` on the older version refills them.
