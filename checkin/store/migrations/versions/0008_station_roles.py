"""stations log in to the hub with their own roles, and read people through views made for their kind

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-04 02:45:00

Nothing changes in the tables. On a hub, the organiser's prepare step (`checkin.sync.roles.secure`, run after
every upgrade) makes the station group, its grants, row-level policies, the join function and the
``station_*`` views that stations now read attendees, the log and tombstones through. This revision marks a
hub that has them, so a station of this version refuses a hub prepared by an older Muster and says to
prepare it again, instead of failing on a missing view.
"""

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
