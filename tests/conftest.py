"""Fixtures: an app on a fresh database per test; SQLite, or both engines where they differ.

Which database a test gets
--------------------------
A test that uses the ``app`` fixture (or ``db``, ``client``, ``backend``...) runs
on SQLite. A test or module that opts in with ``@pytest.mark.both_databases``
(``pytestmark = pytest.mark.both_databases`` for a whole module) runs twice, on
SQLite and on PostgreSQL: its ids end in ``[sqlite]`` and ``[postgresql]``.

Opt in wherever the engine can change the outcome: queries and their plans
(gallery, listings, API, feeds, embeds, journeys), counters and statistics,
search, concurrent writers and locking, migrations, crash safety, the write
transaction, the page cache's public version, anything that counts, orders,
compares dates or text in SQL. The other tests (pages, forms, access rules,
headers, escaping, translations, mail) go through the same ORM code on either
engine; one engine proves them, and running them twice doubled the suite's
time for nothing. When in doubt, opt in.

PostgreSQL comes from TEST_POSTGRES_URL (default: the local server, database
campaign_test, created when missing; under pytest-xdist each worker adds its
name, campaign_test_gw0...). Its schema is built once per session and its
tables emptied after each test; SQLite databases are copies of one file built
once per session. Where PostgreSQL or Chromium is missing the tests that need
them skip with a one-line reason, except in CI (CI=true), where they fail: CI
must prove them. Shared helpers live in tests/helpers.py, not here.
"""

import shutil

import psycopg
import pytest
from flask import Flask
from sqlalchemy import event
from sqlalchemy.engine import make_url

from campaign import create_app
from campaign.extensions import db as _db
from campaign.extensions import limiter
from campaign.web.access import ENDPOINTS, Access
from tests.factories import PASSWORD, make_moderator
from tests.helpers import (
    POSTGRES_URL,
    CompiledTemplates,
    app_config,
    empty_postgres_tables,
    ensure_postgres_database,
    missing,
    reset_postgres_schema,
    reuse_parsed_rules,
    reuse_url_builders,
    share_compiled_statements,
)
from tests.objectstore import CREDENTIALS, running_object_store

BACKENDS = ("sqlite", "postgresql")

# Every app of this test process, whoever makes it (fixtures, live servers, tests that
# call create_app), shares the compiled templates (see CompiledTemplates; Flask reads
# jinja_options when an app first builds its Jinja environment), URL builders,
# parsed URL rules and compiled SQL statements.
Flask.jinja_options = {**Flask.jinja_options, "bytecode_cache": CompiledTemplates()}
reuse_url_builders()
reuse_parsed_rules()
share_compiled_statements()


def pytest_generate_tests(metafunc):
    """Tests marked both_databases get ``backend`` = sqlite, then postgresql."""
    if "backend" not in metafunc.fixturenames:
        return
    if not metafunc.definition.get_closest_marker("both_databases"):
        return
    for marker in metafunc.definition.iter_markers("parametrize"):
        names = marker.args[0]
        if "backend" in (names.split(",") if isinstance(names, str) else names):
            return  # the test names its backends itself
    metafunc.parametrize("backend", BACKENDS, indirect=True)


def pytest_collection_modifyitems(items):
    """Long modules first: those marked ``slow``, then the other browser journeys.

    Under pytest-xdist (`make test`) each module (or test class) goes whole to one
    worker (--dist loadscope, in pyproject.toml), so its live server and sample data
    are built once; handing out the longest first lets the workers finish together
    instead of one waiting for the other. The order within a module is kept (a
    module's later tests may build on its earlier ones' data).
    """

    def rank(marker: str) -> set:
        return {item.module for item in items if item.get_closest_marker(marker)}

    slow, browser = rank("slow"), rank("browser")

    def order(item) -> int:
        module = getattr(item, "module", None)
        return 0 if module in slow else 1 if module in browser else 2

    items.sort(key=order)


@pytest.fixture
def backend(request):
    """sqlite, unless the test is marked both_databases (see the docstring above)."""
    return getattr(request, "param", "sqlite")


@pytest.fixture(scope="session")
def postgres_url():
    try:
        ensure_postgres_database(POSTGRES_URL)
    except psycopg.OperationalError as error:
        missing(f"PostgreSQL not reachable at {make_url(POSTGRES_URL).host}: {error}".strip())
    return POSTGRES_URL


@pytest.fixture(scope="session")
def _postgres_schema(postgres_url):
    """Build the schema once per session; tests empty the tables afterwards."""
    app = create_app(app_config(postgres_url), instance_path=None)
    with app.app_context():
        reset_postgres_schema()
        _db.create_all()
        _db.engine.dispose()
    return postgres_url


@pytest.fixture(scope="session")
def _sqlite_template(tmp_path_factory):
    """An SQLite file with the schema, built once: each test gets a copy (cheaper than DDL)."""
    folder = tmp_path_factory.mktemp("sqlite-template")
    path = folder / "template.sqlite3"
    app = create_app(app_config(f"sqlite:///{path}"), instance_path=str(folder))
    with app.app_context():
        _db.create_all()
        _db.engine.dispose()
    # The last connection closed wrote the write-ahead log into the file itself.
    assert not path.with_name(f"{path.name}-wal").exists()
    return path


@pytest.fixture(scope="session")
def object_store(tmp_path_factory):
    """A real S3 server (SeaweedFS), started once per session (tests/objectstore.py)."""
    with running_object_store(tmp_path_factory.mktemp("seaweedfs")) as store:
        yield store


@pytest.fixture
def s3_bucket(object_store, monkeypatch):
    """A bucket of this test's own, and the credentials boto3 finds in the environment."""
    for name, value in CREDENTIALS.items():
        monkeypatch.setenv(name, value)
    with object_store.new_bucket() as bucket:
        yield bucket


@pytest.fixture
def config_overrides():
    """Override in a test module to change settings for its app."""
    return {}


@pytest.fixture
def app(request, backend, tmp_path, config_overrides):
    if backend == "sqlite":
        path = tmp_path / "test.sqlite3"
        shutil.copyfile(request.getfixturevalue("_sqlite_template"), path)
        url = f"sqlite:///{path}"
    else:
        url = request.getfixturevalue("_postgres_schema")
    app = create_app(app_config(url, **config_overrides), instance_path=str(tmp_path))
    with app.app_context():
        yield app
        limiter.reset()  # limits are counted in memory, shared by every test app
        _db.session.remove()
        if backend == "postgresql":
            empty_postgres_tables()
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
def add_route(monkeypatch):
    """Add a view to a test's app, classified in the access rules until the test ends.

    ``add_route(app, "/boom", view)``; the app is the test's own, so the rule
    goes with it, and the classification is taken out of ENDPOINTS afterwards.
    """

    def add(app, rule: str, view, *, endpoint: str | None = None, access=Access.PUBLIC):
        endpoint = endpoint or view.__name__
        app.add_url_rule(rule, endpoint, view)
        monkeypatch.setitem(ENDPOINTS, endpoint, access)
        return rule

    return add


@pytest.fixture
def moderator(db):
    return make_moderator()


@pytest.fixture
def signed_in(client, moderator):
    """A test client signed in as a moderator."""
    response = client.post("/login", data={"email": moderator.email, "password": PASSWORD})
    assert response.status_code == 303, response.get_data(as_text=True)
    return client


@pytest.fixture
def admin(db):
    return make_moderator(admin=True)


@pytest.fixture
def admin_client(app, admin):
    """A second test client, signed in as an admin."""
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
