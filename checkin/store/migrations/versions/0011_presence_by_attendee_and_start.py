"""presence intervals indexed by attendee and start: a door scan finds the latest in one step

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-08 03:00:00

Folding a door scan reads the attendee's latest interval. The index by attendee alone held their intervals in
row order, so SQLite read all of them (fifty in a conference week) and sorted them to find the newest. The
index by (attendee, start event) holds them in the order asked for; it replaces the old one, so a scan still
writes the same number of index trees.
"""

from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_presence_attendee_start", "presence_interval", ["attendee_id", "start_event"], unique=False)
    op.drop_index("ix_presence_interval_attendee_id", "presence_interval")


def downgrade() -> None:
    op.create_index("ix_presence_interval_attendee_id", "presence_interval", ["attendee_id"], unique=False)
    op.drop_index("ix_presence_attendee_start", "presence_interval")
