"""door events readable without JSON: room and door as stored generated columns, one covering index

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-22 11:30:00

A full presence replay reads every door event in (attendee, id) order. With the room and door pulled out of
the payload when the event is written, and an index that holds every column the replay reads, that read is
a walk along one index: no JSON parsing and no sort.
"""

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None

DOOR_KINDS = "kind IN ('entered', 'exited')"
COLUMNS = ["attendee_id", "id", "kind", "station_time", "room_id", "door"]


def upgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        # SQLite cannot add a stored generated column in place: the table is rebuilt (once, at upgrade).
        room, door = "json_extract(payload, '$.room_id')", "json_extract(payload, '$.door')"
        with op.batch_alter_table("event", recreate="always") as batch_op:
            batch_op.add_column(sa.Column("room_id", sa.String(36), sa.Computed(room, persisted=True)))
            batch_op.add_column(sa.Column("door", sa.String(100), sa.Computed(door, persisted=True)))
    else:
        op.add_column(
            "event", sa.Column("room_id", sa.String(36), sa.Computed("payload ->> 'room_id'", persisted=True))
        )
        op.add_column("event", sa.Column("door", sa.String(100), sa.Computed("payload ->> 'door'", persisted=True)))
    op.create_index(
        "ix_event_door", "event", COLUMNS, sqlite_where=sa.text(DOOR_KINDS), postgresql_where=sa.text(DOOR_KINDS)
    )


def downgrade() -> None:
    op.drop_index("ix_event_door", "event")
    with op.batch_alter_table("event") as batch_op:
        batch_op.drop_column("door")
        batch_op.drop_column("room_id")
