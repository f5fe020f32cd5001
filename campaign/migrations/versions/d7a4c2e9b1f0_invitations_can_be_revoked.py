"""Invitations can be revoked, and go with the account of the admin who sent them

A departing admin's open invitation still made a working account, admins
included: invitations could not be taken back. ``invitation.revoked_at`` is set
when an admin revokes one and when the account of its sender is deactivated;
a revoked invitation makes no account. Invitations still open whose sender is
already deactivated (or deleted) are revoked here, so the admin page lists only
what can still be accepted.

Revision ID: d7a4c2e9b1f0
Revises: d5e7a9b1c3f4
Create Date: 2026-12-01 12:30:00.000000

"""

from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "d7a4c2e9b1f0"
down_revision = 'd5e7a9b1c3f4'
branch_labels = None
depends_on = None


def upgrade():
    # A plain ADD COLUMN on SQLite too (no table rebuild): AUTOINCREMENT stays.
    with op.batch_alter_table("invitation") as batch_op:
        batch_op.add_column(sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True))

    invitation = sa.table(
        "invitation",
        sa.column("invited_by_id", sa.Integer),
        sa.column("accepted_at", sa.DateTime(timezone=True)),
        sa.column("revoked_at", sa.DateTime(timezone=True)),
    )
    moderator = sa.table("moderator", sa.column("id", sa.Integer), sa.column("active", sa.Boolean))
    still_active = sa.select(moderator.c.id).where(moderator.c.active.is_(sa.true()))
    op.execute(
        invitation.update()
        .where(
            invitation.c.accepted_at.is_(None),
            invitation.c.revoked_at.is_(None),
            sa.or_(
                invitation.c.invited_by_id.is_(None),
                invitation.c.invited_by_id.not_in(still_active),
            ),
        )
        .values(revoked_at=datetime.now(UTC))
    )


def downgrade():
    with op.batch_alter_table("invitation") as batch_op:
        batch_op.drop_column("revoked_at")
