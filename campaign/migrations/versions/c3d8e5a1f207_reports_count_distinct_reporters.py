"""Reports count distinct reporters, and a report leaves the story row alone

One visitor could hide any story by sending the report form three times.
Each report now stores a reporter key: an HMAC (keyed with the app's secret)
of the visitor's session id and address, never the address itself, so that
auto-hide counts distinct reporters. The key is cleared when a moderator
reviews the story's reports, and by the purge after REPORTER_KEY_DAYS.
Reports made before this change have no key and no longer count towards
hiding (moderators still see them).

story.report_count goes: the number of open reports is counted from the
report rows where the queue needs it. Keeping a counter on the story made
every report an update of the story, which emptied every page cache (a
public change), made a moderator's open form stale (its version moved) and
restarted the retention clock of the story's contact e-mail (updated_at).

Revision ID: c3d8e5a1f207
Revises: e24829bfb02a
Create Date: 2026-12-02 10:00:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'c3d8e5a1f207'
down_revision = 'e24829bfb02a'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('report', schema=None) as batch_op:
        batch_op.add_column(sa.Column('reporter_key', sa.String(length=64), nullable=True))

    with op.batch_alter_table('story', schema=None) as batch_op:
        batch_op.drop_column('report_count')


def downgrade():
    with op.batch_alter_table('story', schema=None) as batch_op:
        batch_op.add_column(sa.Column('report_count', sa.Integer(), server_default='0', nullable=False))
    op.execute(
        "UPDATE story SET report_count = (SELECT count(*) FROM report"
        " WHERE report.story_id = story.id AND report.reviewed_at IS NULL)"
    )

    with op.batch_alter_table('report', schema=None) as batch_op:
        batch_op.drop_column('reporter_key')
