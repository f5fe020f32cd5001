"""The schema comes from migrations, and SQLite stays safe under concurrent writers."""

import threading
import time
from datetime import timedelta
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import upgrade
from sqlalchemy import Integer, MetaData, delete, func, insert, select
from sqlalchemy.engine import make_url

from campaign.extensions import db as _db
from campaign.gallery import search
from campaign.models import Report, Story, StoryStatus
from campaign.models._types import utcnow
from campaign.moderation.services import decide, delete_for_good
from campaign.submissions.retention import purge
from campaign.submissions.services import new_stamp, withdraw
from tests.factories import make_moderator, make_photo, make_story, make_translation
from tests.helpers import app_to_migrate, reset_postgres_schema

pytestmark = pytest.mark.both_databases


def test_migrations_build_exactly_the_models_schema(backend, tmp_path, request):
    """`flask db upgrade` on an empty database gives the schema the models describe."""
    if backend == "sqlite":
        url = f"sqlite:///{tmp_path / 'migrated.sqlite3'}"
    else:
        url = request.getfixturevalue("postgres_url")
    app = app_to_migrate(url, tmp_path)
    with app.app_context():
        if backend == "postgresql":
            reset_postgres_schema()
        try:
            upgrade()
            with _db.engine.connect() as connection:
                # The search index lives outside the models' metadata (campaign/search.py).
                context = MigrationContext.configure(
                    connection, opts={"include_name": search.include_name}
                )
                assert compare_metadata(context, _db.metadata) == []
                if backend == "sqlite":
                    # compare_metadata does not see AUTOINCREMENT, which keeps ids from repeating.
                    assert autoincrement_tables(connection) == models_with_autoincrement()
        finally:
            if backend == "postgresql":
                # Leave the shared test schema as the other tests expect it.
                reset_postgres_schema()
                _db.create_all()
            _db.engine.dispose()


def autoincrement_tables(connection) -> set[str]:
    rows = connection.exec_driver_sql("SELECT name, sql FROM sqlite_master WHERE type = 'table'")
    return {name for name, sql in rows if "AUTOINCREMENT" in (sql or "")}


def models_with_autoincrement() -> set[str]:
    """Every table whose key is one integer id that no other table owns."""
    return {
        table.name
        for table in _db.metadata.tables.values()
        if len(table.primary_key.columns) == 1
        and isinstance(next(iter(table.primary_key.columns)).type, Integer)
        and not next(iter(table.primary_key.columns)).foreign_keys
    }


@pytest.mark.parametrize("backend", ["sqlite"])
def test_sqlite_runs_in_wal_mode_with_foreign_keys_and_busy_timeout(app):
    with _db.engine.connect() as connection:
        assert connection.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert connection.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
        assert connection.exec_driver_sql("PRAGMA busy_timeout").scalar() >= 5000
        # Deleted rows are overwritten with zeros, not just unlinked (issue 14, finding 20).
        assert connection.exec_driver_sql("PRAGMA secure_delete").scalar() == 1


def test_concurrent_submissions_are_all_stored(app, client):
    """Many writers at once: none fails with "database is locked", none is lost."""
    app.config["WTF_CSRF_ENABLED"] = False
    app.config["SHARE_RATE_LIMIT"] = "100 per hour"
    stamps = [new_stamp(shown_at=time.time() - 60) for _ in range(16)]
    errors: list[BaseException] = []
    statuses: list[int] = []

    def submit(number: int) -> None:
        try:
            with app.test_client() as own_client:
                response = own_client.post(
                    "/share",
                    data={
                        "title": f"Concurrent {number}",
                        "body": "A story written at the same moment as many others. " * 2,
                        "author_name": "Sam",
                        "origin_country": "AF",
                        "residence_country": "DE",
                        "age_confirmed": "y",
                        "consent": "y",
                        "stamp": stamps[number],
                    },
                )
                statuses.append(response.status_code)
        except BaseException as error:
            errors.append(error)

    threads = [threading.Thread(target=submit, args=(n,)) for n in range(16)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert statuses == [303] * 16
    assert _db.session.scalar(select(func.count()).select_from(Story)) == 16


def test_the_id_of_a_deleted_newest_story_or_photo_is_never_given_again(app):
    """Withdrawal, a delete or the purge free the newest row; the next one gets a new id."""
    make_story()
    newest = make_story()
    make_photo(newest)
    newest_id, photo_id = newest.id, newest.photo.id
    _db.session.delete(newest)
    _db.session.commit()

    newcomer = make_story()
    make_photo(newcomer)
    assert newcomer.id > newest_id
    assert newcomer.photo.id > photo_id


@pytest.mark.parametrize("backend", ["sqlite"])
def test_upgrading_an_sqlite_database_keeps_its_rows_and_never_gives_an_old_id_again(
    backend, tmp_path
):
    """The migration to AUTOINCREMENT rebuilds the tables: nothing is lost (no cascade
    from the rebuild), search still follows the stories, and an id used before it,
    even one whose story is gone and known only to the audit log, does not come back."""
    url = f"sqlite:///{tmp_path / 'upgraded.sqlite3'}"
    app = app_to_migrate(url, tmp_path)
    with app.app_context():
        try:
            upgrade(revision="e24829bfb02a")  # the last schema that reused ids
            kept_id, gone_id = _rows_of_the_old_schema()

            upgrade()

            kept = _db.session.get(Story, kept_id)
            assert kept.photo is not None
            assert _db.session.scalars(search_ids("harbour")).all() == [kept_id]
            newcomer = make_story(title="Harbour at dawn")
            assert newcomer.id > gone_id
            assert sorted(_db.session.scalars(search_ids("harbour"))) == [kept_id, newcomer.id]
            _db.session.remove()
            # The migration's connection went back to the pool with foreign keys on again.
            with _db.engine.connect() as connection:
                assert connection.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
        finally:
            _db.session.remove()
            _db.engine.dispose()


def _rows_of_the_old_schema() -> tuple[int, int]:
    """A published story with a photo, and a withdrawn one that only its audit entry
    still names, written in SQL to the tables as that schema has them (today's
    models have columns it lacks): their ids."""
    tables = MetaData()
    tables.reflect(_db.engine, only=["story", "photo", "audit_entry"])
    story, photo, audit = (tables.tables[name] for name in ("story", "photo", "audit_entry"))
    now = utcnow()

    def story_row(title: str, status: StoryStatus) -> dict:
        return {
            "slug": f"{title.lower().replace(' ', '-')}-{status.value}",
            "title": title,
            "body": f"{title}. " + "It is long enough to be accepted. " * 3,
            "author_name": "Teller",
            "origin_country": "SY",
            "residence_country": "FI",
            "token_hash": f"{status.value:0<64}"[:64],
            "status": status.value,
            "is_sample": False,
            "created_at": now,
            "updated_at": now,
            "published_at": now if status is StoryStatus.PUBLISHED else None,
            "version": 1,
        }

    with _db.engine.begin() as connection:
        kept_id = connection.execute(
            insert(story).values(story_row("Harbour lights", StoryStatus.PUBLISHED))
        ).inserted_primary_key[0]
        connection.execute(
            insert(photo).values(
                story_id=kept_id, alt_text="A harbour", width=900, height=600,
                renditions=[], created_at=now,
            )
        )  # fmt: skip
        gone_id = connection.execute(
            insert(story).values(story_row("Soon gone", StoryStatus.PENDING))
        ).inserted_primary_key[0]
        # Withdrawn: deleted, only its audit entry still names its id.
        connection.execute(
            insert(audit).values(
                created_at=now, action="withdrawn", story_id=gone_id,
                from_status="pending", to_status="withdrawn",
            )
        )  # fmt: skip
        connection.execute(delete(story).where(story.c.id == gone_id))
    return kept_id, gone_id


def search_ids(query: str):
    found, _rank = search.narrowed(select(Story.id), query, ranked=False)
    return found


# Deleted for good means gone from the files (issue 14, finding 20) --------------------

WORD = "Quokkazanzibar"  # in no other story, no template, no language


def database_file_bytes(app) -> bytes:
    """The SQLite file and its write-ahead log, as anyone who copies them would read them."""
    path = Path(make_url(app.config["SQLALCHEMY_DATABASE_URI"]).database)
    files = (path, path.with_name(f"{path.name}-wal"), path.with_name(f"{path.name}-shm"))
    return b"".join(file.read_bytes() for file in files if file.exists()).lower()


def delete_by_admin(story: Story) -> None:
    delete_for_good(story, make_moderator(admin=True), seen_version=story.version, reason="spam")


def delete_by_purge(story: Story) -> None:
    purge(now=utcnow() + timedelta(days=365))


@pytest.mark.parametrize("backend", ["sqlite"])
@pytest.mark.parametrize(
    "delete", [delete_by_admin, withdraw, delete_by_purge], ids=["admin", "storyteller", "purge"]
)
def test_a_story_deleted_for_good_cannot_be_read_back_from_the_database_files(app, delete):
    make_story(StoryStatus.PUBLISHED)  # the rest of the site stays
    story = make_story(
        title=f"{WORD} in the harbour",
        quote=f"They called me {WORD}.",
        body=f"My name is {WORD} and this is where I live now. " * 4,
    )
    decide(story, "reject", make_moderator(), seen_version=story.version, note=f"{WORD} is named")
    _db.session.add(Report(story_id=story.id, reason="mine", message=f"I am {WORD}"))
    # A volunteer's translation of it, in the translations' search index too.
    make_translation(story, "fr", title=f"{WORD} au port", body=f"Je m'appelle {WORD}. " * 4)
    _db.session.commit()
    assert database_file_bytes(app).count(WORD.lower().encode()) > 0  # the files hold it so far

    delete(story)
    _db.session.commit()

    assert database_file_bytes(app).count(WORD.lower().encode()) == 0  # not in any copy
    assert _db.session.scalars(search_ids("harbour")).all() == []


def test_a_bare_app_under_our_gunicorn_settings_gathers_no_statistics():
    """The benchmark's baseline (a bare Flask app, no database) boots under
    gunicorn.conf.py, whose post_worker_init gathers the planner's statistics."""
    from flask import Flask

    from campaign.database import refresh_statistics_at_worker_start

    refresh_statistics_at_worker_start(Flask("baseline"))  # no database, no error
