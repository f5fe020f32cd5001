"""Photos prepared after the request that brought them (issue 21)

A storyteller's request stores one clean copy of the photo at its largest size;
the faces are looked for and the other renditions cut afterwards, by a worker in
the background (campaign/media/preparing.py). ``prepare_at`` says when a worker
may next take the photo up (None: prepared). Every photo stored so far is
prepared.

Revision ID: e7a4c2b9d5f1
Revises: d9b3f5a7c1e2
Create Date: 2026-12-02 17:00:00.000000

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "e7a4c2b9d5f1"
down_revision = "d9b3f5a7c1e2"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("photo") as batch:
        batch.add_column(sa.Column("prepare_at", sa.DateTime(timezone=True), nullable=True))
        batch.create_index(batch.f("ix_photo_prepare_at"), ["prepare_at"], unique=False)


def downgrade():
    with op.batch_alter_table("photo") as batch:
        batch.drop_index(batch.f("ix_photo_prepare_at"))
        batch.drop_column("prepare_at")
