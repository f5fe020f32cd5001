"""A photo keeps the faces found in it, its focal point and the areas blurred

The photo pipeline now looks for faces (OpenCV's Haar cascades, in the photo
child process). ``photo.faces`` holds the boxes found, as fractions of the
upright photo (NULL for photos stored before: never looked for), ``focal_x``
and ``focal_y`` the centre of the largest face (where portrait crops are cut),
and ``blurred`` the areas blurred in every rendition by the storyteller or a
moderator (empty for the photos stored before).

Revision ID: f4c1b7e93a2d
Revises: ad0be1de4366
Create Date: 2026-12-01 15:00:00.000000

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "f4c1b7e93a2d"
down_revision = "ad0be1de4366"
branch_labels = None
depends_on = None


def upgrade():
    # Plain ADD COLUMNs on SQLite too (no table rebuild).
    with op.batch_alter_table("photo") as batch_op:
        batch_op.add_column(sa.Column("faces", sa.JSON(), nullable=True))
        batch_op.add_column(sa.Column("focal_x", sa.Float(), nullable=True))
        batch_op.add_column(sa.Column("focal_y", sa.Float(), nullable=True))
        batch_op.add_column(
            sa.Column("blurred", sa.JSON(), nullable=False, server_default="[]")
        )


def downgrade():
    with op.batch_alter_table("photo") as batch_op:
        batch_op.drop_column("blurred")
        batch_op.drop_column("focal_y")
        batch_op.drop_column("focal_x")
        batch_op.drop_column("faces")
