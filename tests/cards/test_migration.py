"""The migration to consent per channel: what stories shared before it agreed to."""

from flask_migrate import upgrade
from sqlalchemy import MetaData, insert

from campaign.extensions import db
from campaign.models import Channel, Story
from campaign.models._types import utcnow
from tests.helpers import app_to_migrate


def test_stories_shared_before_keep_the_website_and_partners_and_nothing_new(tmp_path):
    """The consent text of 2026-11 said "published on this website", whose own feeds,
    API and embeds already showed it; share images, print and translation are new."""
    app = app_to_migrate(f"sqlite:///{tmp_path / 'old.sqlite3'}", tmp_path)
    with app.app_context():
        try:
            upgrade(revision="c8e2f0a4d6b1")  # the schema before consent per channel
            tables = MetaData()
            tables.reflect(db.engine, only=["story"])
            now = utcnow()
            with db.engine.begin() as connection:
                story_id = connection.execute(
                    insert(tables.tables["story"]).values(
                        slug="before", title="Before", body="Shared before. " * 5,
                        author_name="Teller", origin_country="SY", residence_country="FI",
                        token_hash="0" * 64, status="published", is_sample=False,
                        consent_version="2026-11", created_at=now, updated_at=now,
                        published_at=now, version=1,
                    )
                ).inserted_primary_key[0]  # fmt: skip

            upgrade()

            story = db.session.get(Story, story_id)
            assert story.channels == {Channel.WEBSITE, Channel.PARTNERS}
            assert story.consent_version == "2026-11"  # what they agreed to, unchanged
        finally:
            db.session.remove()
            db.engine.dispose()
