"""The migration that proposes a language for the stories stored before there were proposals:
it proposes, never changes, on SQLite and PostgreSQL, and on an empty database."""

import pytest
from flask_migrate import downgrade, upgrade
from sqlalchemy import MetaData, insert, select

from campaign.extensions import db
from campaign.models._types import utcnow
from tests.helpers import app_to_migrate, reset_postgres_schema
from tests.i18n.test_detect import SHORT_TEXTS

pytestmark = pytest.mark.both_databases

REVISION = "5adb9f575f40"
BEFORE = f"{REVISION}-1"  # whatever comes just before it (the lead may chain it anew)


@pytest.fixture
def migrating_app(backend, tmp_path, request):
    if backend == "sqlite":
        url = f"sqlite:///{tmp_path / 'migrated.sqlite3'}"
    else:
        url = request.getfixturevalue("postgres_url")
    app = app_to_migrate(url, tmp_path)
    with app.app_context():
        if backend == "postgresql":
            reset_postgres_schema()
        try:
            yield app
        finally:
            db.session.remove()
            if backend == "postgresql":
                reset_postgres_schema()  # as the other tests expect the shared schema
                db.create_all()
            db.engine.dispose()


def _store_old_stories(rows: dict[str, tuple[str, str]]) -> dict[str, int]:
    """Stories written as the schema before the migration has them: {key: id}."""
    tables = MetaData()
    tables.reflect(db.engine, only=["story"])
    story = tables.tables["story"]
    now = utcnow()
    ids = {}
    with db.engine.begin() as connection:
        for n, (key, (language, body)) in enumerate(rows.items()):
            ids[key] = connection.execute(
                insert(story).values(
                    slug=f"old-{n}", title=f"Old story {n}", body=body, author_name="Teller",
                    origin_country="SY", residence_country="FI", language=language,
                    token_hash=f"{n:0>64}", status="published", is_sample=False,
                    created_at=now, updated_at=now, published_at=now, version=1,
                )
            ).inserted_primary_key[0]  # fmt: skip
    return ids


def test_stored_stories_get_a_proposal_and_keep_their_language(migrating_app):
    upgrade(revision=BEFORE)
    ids = _store_old_stories(
        {
            "arabic left on english": ("en", " ".join(SHORT_TEXTS["ar"])),
            "persian marked arabic": ("ar", " ".join(SHORT_TEXTS["fa"])),
            "ukrainian left on english": ("en", " ".join(SHORT_TEXTS["uk"])),
            "english as english": ("en", " ".join(SHORT_TEXTS["en"])),
            "dari as dari": ("fa-AF", " ".join(SHORT_TEXTS["fa"])),
            "too short to tell": ("en", "Ok."),
        }
    )

    upgrade()

    tables = MetaData()
    tables.reflect(db.engine, only=["story"])
    story = tables.tables["story"]
    with db.engine.connect() as connection:
        found = connection.execute(select(story.c.id, story.c.language, story.c.proposed_language))
        rows = {row.id: (row.language, row.proposed_language) for row in found}
    assert {key: rows[ids[key]] for key in ids} == {
        "arabic left on english": ("en", "ar"),
        "persian marked arabic": ("ar", "fa"),
        "ukrainian left on english": ("en", "uk"),
        "english as english": ("en", None),
        "dari as dari": ("fa-AF", None),
        "too short to tell": ("en", None),
    }


def test_the_migration_runs_on_an_empty_database_and_down_again(migrating_app):
    upgrade()
    downgrade(revision=BEFORE)
    tables = MetaData()
    tables.reflect(db.engine, only=["story"])
    assert "proposed_language" not in tables.tables["story"].c
    upgrade()
