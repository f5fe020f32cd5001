"""The schema comes from migrations, and SQLite stays safe under concurrent writers."""

import threading
import time

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import upgrade
from sqlalchemy import func, select

from campaign import create_app
from campaign.extensions import db as _db
from campaign.gallery import search
from campaign.models import Story
from campaign.submissions.services import new_stamp
from tests.helpers import app_config, reset_postgres_schema

pytestmark = pytest.mark.both_databases


def test_migrations_build_exactly_the_models_schema(backend, tmp_path, request):
    """`flask db upgrade` on an empty database gives the schema the models describe."""
    if backend == "sqlite":
        url = f"sqlite:///{tmp_path / 'migrated.sqlite3'}"
    else:
        url = request.getfixturevalue("postgres_url")
    app = create_app(app_config(url), instance_path=str(tmp_path))
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
        finally:
            if backend == "postgresql":
                # Leave the shared test schema as the other tests expect it.
                reset_postgres_schema()
                _db.create_all()
            _db.engine.dispose()


@pytest.mark.parametrize("backend", ["sqlite"])
def test_sqlite_runs_in_wal_mode_with_foreign_keys_and_busy_timeout(app):
    with _db.engine.connect() as connection:
        assert connection.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert connection.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
        assert connection.exec_driver_sql("PRAGMA busy_timeout").scalar() >= 5000


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
