"""search by SQLite's full-text engine: one index row per attendee instead of one per word

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-07 20:40:00

The token table held a row per word (a quarter of a million for a 20,000-person conference, written at each
import). It becomes ``search_entry``, one row per attendee, with the database's own full-text index over it
(FTS5 on SQLite, GIN on PostgreSQL), filled here from the attendees' effective fields (see
checkin.store.search_index).
"""

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.drop_table("search_token")
    op.create_table(
        "search_entry",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("attendee_id", sa.String(length=36), nullable=False),
        sa.Column("sort_key", sa.String(length=400), nullable=False),
        sa.Column("words", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("attendee_id"),
    )
    op.create_index("ix_search_entry_sort", "search_entry", ["sort_key", "attendee_id"], unique=False)
    connection = op.get_bind()
    from checkin.attendees import search_entry
    from checkin.store import search_index

    search_index.create(connection)
    fields = ("first_name", "last_name", "email", "organization", "ticket_code")
    rows = connection.execute(sa.text(f"SELECT id, external_id, {', '.join(fields)} FROM attendee")).all()
    search_index.add(connection, [search_entry(row.id, row.external_id, dict(row._mapping)) for row in rows])


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        op.execute("DROP TABLE search_words")  # FTS5's own tables with it
    op.drop_table("search_entry")  # its trigger or GIN index with it
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
