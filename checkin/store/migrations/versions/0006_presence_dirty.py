"""presence to recompute after a sync pull

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-22 08:31:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "presence_dirty",
        sa.Column("attendee_id", sa.String(length=36), nullable=False),
        sa.PrimaryKeyConstraint("attendee_id"),
    )


def downgrade() -> None:
    op.drop_table("presence_dirty")
