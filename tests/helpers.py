"""What fixtures and tests share: the test apps' settings, the test databases, `missing`."""

import os
from contextlib import contextmanager

import psycopg
import pytest
from flask import Flask
from flask_sqlalchemy import SQLAlchemy
from jinja2 import BytecodeCache
from sqlalchemy import text
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Mapper
from werkzeug.routing import Rule

from campaign import create_app, migrating
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


class CompiledTemplates(BytecodeCache):
    """Compiled templates kept in memory for the whole test process.

    Every test gets a new app, and each app's Jinja environment compiled again each
    template it rendered: more than half the time of a test that shows pages (a
    story and four pages: 0.20 s of CPU, 0.085 s with the kept code). Jinja checks
    a template's source checksum before it uses the kept code, so a changed
    template is compiled afresh; the code depends on the environment's options,
    the same for every app ``create_app`` makes.
    """

    def __init__(self):
        self._code: dict[str, bytes] = {}

    def load_bytecode(self, bucket) -> None:
        code = self._code.get(bucket.key)
        if code is not None:
            bucket.bytecode_from_string(code)

    def dump_bytecode(self, bucket) -> None:
        self._code[bucket.key] = bucket.bytecode_to_string()


def reuse_url_builders() -> None:
    """Each URL rule's builder made once per test process, not once per app.

    Werkzeug compiles two small Python functions for every rule an app adds (to
    build its URLs): 70% of ``create_app``, 0.018 s of CPU of the 0.025 s each
    test's new app costs. Without defaults a builder is a function of the rule's
    parsed parts alone (the converters are looked up on the bound rule when it
    runs), so rules with equal parts share one; rules with defaults are compiled
    as before.
    """
    compile_builder = Rule._compile_builder
    if getattr(compile_builder, "reused", False):
        return
    builders = {}

    def reused(rule: Rule, append_unknown: bool = True):
        if rule.defaults:
            return compile_builder(rule, append_unknown)
        key = (rule.rule, tuple(rule._trace), append_unknown)
        if key not in builders:
            builders[key] = compile_builder(rule, append_unknown)
        return builders[key]

    reused.reused = True
    Rule._compile_builder = reused


def reuse_parsed_rules() -> None:
    """Each URL rule's string parsed once per test process, not once per app.

    Binding a rule to an app's map parses its string into the parts the matcher and
    the builders use: 45% of ``create_app`` once the builders are reused (above).
    The parts depend only on the rule's string, its domain part, slash merging and
    the map's converters, the same for every app ``create_app`` makes; a rule that
    differs in any of them is parsed afresh. The converters keep no state of their
    map (they are only asked for their regex, weight and to_python/to_url), so rules
    of several maps may share them.
    """
    compile_rule = Rule.compile
    if getattr(compile_rule, "reused", False):
        return
    parsed = {}

    def reused(rule: Rule) -> None:
        url_map = rule.map
        domain = (rule.host if url_map.host_matching else rule.subdomain) or ""
        key = (
            rule.rule,
            domain,
            rule.merge_slashes,
            url_map.host_matching,
            frozenset(url_map.converters.items()),
        )
        known = parsed.get(key)
        if known is None:
            compile_rule(rule)
            parsed[key] = (list(rule._parts), list(rule._trace), dict(rule._converters))
            return
        parts, trace, converters = known
        rule._parts, rule._trace, rule._converters = list(parts), list(trace), dict(converters)
        rule.arguments.update(converters)  # what parsing adds: the rule's variables
        rule._build = rule._compile_builder(False).__get__(rule, None)
        rule._build_unknown = rule._compile_builder(True).__get__(rule, None)

    reused.reused = True
    Rule.compile = reused


class CompiledStatements:
    """Compiled SQL statements kept for the whole test process, across its engines.

    SQLAlchemy keeps each engine's compiled statements (and each mapper's INSERT and
    UPDATE statements) keyed by the engine's dialect object. Every test's app has a new
    engine, so every test compiled again each statement it ran: 15% of the time of the
    tests outside the browser. A statement compiles the same for two dialects of one
    class, paramstyle and label length, talking to the same server (an engine's other
    options, its connection arguments, pool and events, do not change the SQL), so the
    key takes those instead of the object; SQLite's and PostgreSQL's stay apart by
    the class.
    """

    def __init__(self):
        self._compiled: dict = {}

    @staticmethod
    def _key(key: tuple) -> tuple:
        dialect, *rest = key
        return (type(dialect), dialect.paramstyle, dialect.label_length, *rest)

    def get(self, key: tuple, default=None):
        return self._compiled.get(self._key(key), default)

    def __setitem__(self, key: tuple, compiled) -> None:
        self._compiled[self._key(key)] = compiled


def share_compiled_statements() -> None:
    """Every engine of this test process, and every mapper, reads one CompiledStatements."""
    if getattr(SQLAlchemy._make_engine, "shared", False):
        return
    kept = CompiledStatements()
    make_engine = SQLAlchemy._make_engine

    def shared(self, bind_key, options, app):
        engine = make_engine(self, bind_key, options, app)
        engine._compiled_cache = kept
        return engine

    shared.shared = True
    SQLAlchemy._make_engine = shared
    Mapper._compiled_cache = property(lambda mapper: kept)


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
        # Photos are prepared in the request, as tests look at once; the tests of
        # preparing later (tests/media/test_preparing.py) turn it on.
        "PHOTO_PREPARE_LATER": False,
    }
    config.update(overrides)
    return config


def app_to_migrate(database_url: str, instance_path) -> Flask:
    """A test app whose schema its migrations build (campaign.migrating loads them)."""
    app = create_app(app_config(database_url), instance_path=str(instance_path))
    migrating.enable(app)
    return app


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


# Counted from the start again, as TRUNCATE ... RESTART IDENTITY did; only the
# sequences a test used (last_value is null until the first nextval).
_RESTART_SEQUENCES = (
    "SELECT setval(format('%I.%I', schemaname, sequencename)::regclass, start_value, false) "
    "FROM pg_sequences WHERE schemaname = current_schema() AND last_value IS NOT NULL"
)


def empty_postgres_tables() -> None:
    """Every table of the app's PostgreSQL database emptied and its ids restarted.

    DELETE, not TRUNCATE: TRUNCATE gives each table new files, which cost about
    0.25 s a test here, while DELETE of the few rows a test wrote costs a
    millisecond or two. Children first, so no foreign key is in the way; one
    round trip.
    """
    tables = reversed(db.metadata.sorted_tables)
    deletes = "; ".join(f'DELETE FROM "{table.name}"' for table in tables)  # noqa: S608 (our tables)
    with db.engine.begin() as connection:
        connection.execute(text(f"{deletes}; {_RESTART_SEQUENCES}"))


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
