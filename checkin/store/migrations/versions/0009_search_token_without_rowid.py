"""search tokens kept in one B-tree ordered as searches read them

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-04 05:10:00

The token table had a row id, a primary key on (token, attendee) and a covering index on (token, sort key,
attendee): three copies of a quarter of a million rows for a 20,000-person conference, each written at import.
Now (token, sort key, attendee) is the primary key itself, and on SQLite the table has no row id, so the rows
live in that one ordered tree (and the index by attendee that replacing a person's tokens needs).
"""

from typing import Any

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def _token_table(name: str, key: tuple[str, ...], **options: Any) -> None:
    op.create_table(
        name,
        sa.Column("token", sa.String(length=200), nullable=False),
        sa.Column("attendee_id", sa.String(length=36), nullable=False),
        sa.Column("sort_key", sa.String(length=400), nullable=False),
        sa.ForeignKeyConstraint(["attendee_id"], ["attendee.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint(*key),
        **options,
    )


def _replace(key: tuple[str, ...], **options: Any) -> None:
    _token_table("search_token_new", key, **options)
    op.execute(
        "INSERT INTO search_token_new (token, attendee_id, sort_key) "
        "SELECT token, attendee_id, sort_key FROM search_token"
    )
    op.drop_table("search_token")
    op.rename_table("search_token_new", "search_token")
    op.create_index("ix_search_token_attendee_id", "search_token", ["attendee_id"], unique=False)


def upgrade() -> None:
    _replace(("token", "sort_key", "attendee_id"), sqlite_with_rowid=False)


def downgrade() -> None:
    _replace(("token", "attendee_id"))
    op.create_index("ix_search_token_token_sort", "search_token", ["token", "sort_key", "attendee_id"], unique=False)
