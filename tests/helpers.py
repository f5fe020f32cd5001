"""What fixtures and tests share: the test apps' settings, the test databases, `missing`."""

import os
from contextlib import contextmanager

import psycopg
import pytest
from sqlalchemy import text
from sqlalchemy.engine import make_url

from campaign import create_app
from campaign.extensions import db

IN_CI = os.environ.get("CI", "").lower() in {"1", "true", "yes"}


def _postgres_url() -> str:
    """TEST_POSTGRES_URL; under pytest-xdist each worker has a database of its own."""
    url = make_url(
        os.environ.get(
            "TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/campaign_test"
        )
    )
    worker = os.environ.get("PYTEST_XDIST_WORKER")  # gw0, gw1... (unset without -n)
    if worker:
        url = url.set(database=f"{url.database}_{worker}")
    return url.render_as_string(hide_password=False)


POSTGRES_URL = _postgres_url()

# A cheap hash for the tests' passwords: scrypt costs about 0.1 s a hash, and
# nearly every test signs someone in. Production keeps scrypt (the default in
# campaign/config.py; tests/accounts/test_security.py checks it).
TEST_PASSWORD_HASH = "pbkdf2:sha256:1"


def missing(reason: str):
    """Skip on a laptop; fail in CI, where everything must really run."""
    if IN_CI:
        pytest.fail(f"{reason} (required in CI)", pytrace=False)
    pytest.skip(reason)


def app_config(database_url: str, **overrides) -> dict:
    """The settings of a test app (overrides win)."""
    config = {
        "TESTING": True,
        "CAMPAIGN_ENV": "development",
        "SECRET_KEY": "test-secret-key-not-for-production",
        "SQLALCHEMY_DATABASE_URI": database_url,
        "WTF_CSRF_ENABLED": False,
        "SERVER_NAME": "localhost",
        # Read the public content version on every request: tests look at once.
        "PAGE_CACHE_VERSION_SECONDS": 0,
        "PASSWORD_HASH_METHOD": TEST_PASSWORD_HASH,
    }
    config.update(overrides)
    return config


def ensure_postgres_database(url: str) -> None:
    """Create the database of ``url`` when it does not exist yet."""
    parsed = make_url(url)
    admin = parsed.set(database="postgres", drivername="postgresql")
    conninfo = admin.render_as_string(hide_password=False)
    with psycopg.connect(conninfo, autocommit=True, connect_timeout=3) as connection:
        exists = connection.execute(
            "SELECT 1 FROM pg_database WHERE datname = %s", (parsed.database,)
        ).fetchone()
        if not exists:
            connection.execute(f'CREATE DATABASE "{parsed.database}"')
        # A test database is thrown away: its commits need not wait for the disk
        # (about 15 ms each here). Crash safety is PostgreSQL's, not under test;
        # what the tests see committed is the same.
        connection.execute(f'ALTER DATABASE "{parsed.database}" SET synchronous_commit = off')


def reset_postgres_schema() -> None:
    """An empty public schema in the app's database, whatever an earlier run left behind."""
    with db.engine.begin() as connection:
        connection.execute(text("DROP SCHEMA public CASCADE; CREATE SCHEMA public"))


def fresh_database(backend: str, tmp_path, suffix: str) -> str:
    """An empty database with the current schema, for a server of its own."""
    if backend == "sqlite":
        url = f"sqlite:///{tmp_path / 'served.sqlite3'}"
    else:
        url = make_url(POSTGRES_URL)
        url = url.set(database=f"{url.database}_{suffix}").render_as_string(hide_password=False)
        try:
            ensure_postgres_database(url)
        except psycopg.OperationalError as error:
            missing(f"PostgreSQL not reachable: {error}")
    app = app_for_database(url, tmp_path)
    with app.app_context():
        db.drop_all()
        db.create_all()
        db.engine.dispose()
    return url


@contextmanager
def empty_redis_database(number: int):
    """A Redis database of the local server, emptied before and after; a test that
    needs Redis fails in CI (and skips elsewhere) when the server is not there."""
    redis = pytest.importorskip("redis")
    url = f"redis://127.0.0.1:6379/{number}"
    try:
        connection = redis.Redis.from_url(url, socket_connect_timeout=2)
        connection.flushdb()
    except redis.exceptions.ConnectionError as error:
        missing(f"Redis not reachable at 127.0.0.1:6379: {error}")
    try:
        yield url, connection
    finally:
        connection.flushdb()
        connection.close()


def app_for_database(url: str, tmp_path):
    """An app on a database that servers in other processes share (to set it up or
    to add accounts to it from the test)."""
    return create_app(
        {
            "TESTING": True,
            "CAMPAIGN_ENV": "development",
            "SECRET_KEY": "x",
            "SQLALCHEMY_DATABASE_URI": url,
        },
        instance_path=str(tmp_path),
    )
