"""Fixtures: an app on a fresh database per test, on SQLite and on PostgreSQL.

Database tests run once per backend (the ``app`` fixture is parametrized).
PostgreSQL comes from TEST_POSTGRES_URL (default: the local server, database
campaign_test, created when missing). Where PostgreSQL or Chromium is missing
the tests that need them skip with a one-line reason, except in CI (CI=true),
where they fail: CI must prove them.
"""

import os

import psycopg
import pytest
from sqlalchemy import event, text
from sqlalchemy.engine import make_url

from campaign import create_app
from campaign.extensions import db as _db
from campaign.extensions import limiter

IN_CI = os.environ.get("CI", "").lower() in {"1", "true", "yes"}
POSTGRES_URL = os.environ.get(
    "TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/campaign_test"
)


def missing(reason: str):
    """Skip on a laptop; fail in CI, where everything must really run."""
    if IN_CI:
        pytest.fail(f"{reason} (required in CI)", pytrace=False)
    pytest.skip(reason)


def _ensure_postgres_database(url: str) -> None:
    parsed = make_url(url)
    admin = parsed.set(database="postgres", drivername="postgresql")
    conninfo = admin.render_as_string(hide_password=False)
    with psycopg.connect(conninfo, autocommit=True, connect_timeout=3) as connection:
        exists = connection.execute(
            "SELECT 1 FROM pg_database WHERE datname = %s", (parsed.database,)
        ).fetchone()
        if not exists:
            connection.execute(f'CREATE DATABASE "{parsed.database}"')


@pytest.fixture(scope="session")
def postgres_url():
    try:
        _ensure_postgres_database(POSTGRES_URL)
    except psycopg.OperationalError as error:
        missing(f"PostgreSQL not reachable at {make_url(POSTGRES_URL).host}: {error}".strip())
    return POSTGRES_URL


@pytest.fixture(scope="session")
def _postgres_schema(postgres_url):
    """Build the schema once per session; tests empty the tables afterwards."""
    app = create_app(_test_config(postgres_url), instance_path=None)
    with app.app_context():
        # Start from an empty schema, whatever an earlier run left behind.
        with _db.engine.begin() as connection:
            connection.execute(text("DROP SCHEMA public CASCADE; CREATE SCHEMA public"))
        _db.create_all()
        _db.engine.dispose()
    return postgres_url


def _test_config(database_url: str, **overrides) -> dict:
    config = {
        "TESTING": True,
        "CAMPAIGN_ENV": "development",
        "SECRET_KEY": "test-secret-key-not-for-production",
        "SQLALCHEMY_DATABASE_URI": database_url,
        "WTF_CSRF_ENABLED": False,
        "SERVER_NAME": "localhost",
        # Read the public content version on every request: tests look at once.
        "PAGE_CACHE_VERSION_SECONDS": 0,
    }
    config.update(overrides)
    return config


@pytest.fixture(params=["sqlite", "postgresql"])
def backend(request):
    return request.param


@pytest.fixture
def config_overrides():
    """Override in a test module to change settings for its app."""
    return {}


@pytest.fixture
def app(request, backend, tmp_path, config_overrides):
    if backend == "sqlite":
        url = f"sqlite:///{tmp_path / 'test.sqlite3'}"
    else:
        url = request.getfixturevalue("_postgres_schema")
    app = create_app(_test_config(url, **config_overrides), instance_path=str(tmp_path))
    with app.app_context():
        if backend == "sqlite":
            _db.create_all()
        yield app
        limiter.reset()  # limits are counted in memory, shared by every test app
        _db.session.remove()
        if backend == "postgresql":
            tables = ", ".join(f'"{t.name}"' for t in _db.metadata.sorted_tables)
            with _db.engine.begin() as connection:
                connection.execute(text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))
        _db.engine.dispose()


@pytest.fixture
def db(app):
    return _db


@pytest.fixture
def count_queries(app):
    """The SQL statements sent while the test runs (clear it before the part to measure)."""
    statements: list[str] = []

    def count(_conn, _cursor, statement, *_args):
        statements.append(statement)

    event.listen(_db.engine, "before_cursor_execute", count)
    yield statements
    event.remove(_db.engine, "before_cursor_execute", count)


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


@pytest.fixture
def moderator(db):
    from tests.factories import make_moderator

    return make_moderator()


@pytest.fixture
def signed_in(client, moderator):
    """A test client signed in as a moderator."""
    from tests.factories import PASSWORD

    response = client.post("/login", data={"email": moderator.email, "password": PASSWORD})
    assert response.status_code == 303, response.get_data(as_text=True)
    return client


@pytest.fixture
def admin(db):
    from tests.factories import make_moderator

    return make_moderator(admin=True)


@pytest.fixture
def admin_client(app, admin):
    """A second test client, signed in as an admin."""
    from tests.factories import PASSWORD

    own = app.test_client()
    response = own.post("/login", data={"email": admin.email, "password": PASSWORD})
    assert response.status_code == 303, response.get_data(as_text=True)
    return own


@pytest.fixture
def mail_sent(monkeypatch):
    """Every e-mail the app sends (an EmailMessage, written from its template), kept here."""
    sent = []

    def keep(message):
        sent.append(message)
        return True

    monkeypatch.setattr("campaign.mail.deliver", keep)
    return sent
