"""What a read-only request asks of the database, and what a request that writes keeps.

A public page on PostgreSQL reads without a transaction around it (no BEGIN and
ROLLBACK round trips); on SQLite it reads in a deferred transaction that never
takes the write lock. Either way a GET that does write (a moderator's viewing, a
share card) keeps its writes together: they commit, or roll back, as one.
"""

import pytest
from sqlalchemy import event, func, select

from campaign.database import _is_plain_read
from campaign.extensions import db as _db
from campaign.models import StoryStatus, Theme
from tests.factories import make_story


@pytest.fixture
def statements(app):
    """(statement, whether it ran inside a transaction) in order."""
    seen: list[tuple[str, bool]] = []

    def before(connection, _cursor, sql, *_args):
        dbapi = connection.connection.dbapi_connection
        if connection.dialect.name == "sqlite":
            inside = dbapi.in_transaction or sql.startswith("BEGIN")
        else:
            inside = not dbapi.autocommit
        seen.append((" ".join(sql.split())[:40], inside))

    event.listen(_db.engine, "before_cursor_execute", before)
    yield seen
    event.remove(_db.engine, "before_cursor_execute", before)


@pytest.mark.both_databases
def test_a_public_page_reads_without_a_transaction_or_the_write_lock(client, db, statements):
    make_story(StoryStatus.PUBLISHED, title="Bread from home")
    _db.session.remove()
    statements.clear()

    assert client.get("/en/stories").status_code == 200

    sent = [sql for sql, _inside in statements]
    assert any(sql.startswith("SELECT") for sql in sent)
    assert not any(sql.startswith(("INSERT", "UPDATE", "DELETE")) for sql in sent)
    if db.engine.dialect.name == "sqlite":
        assert "BEGIN IMMEDIATE" not in sent and "BEGIN" in sent
    else:
        assert [inside for _sql, inside in statements] == [False] * len(statements)


def _themes() -> int:
    return _db.session.scalar(select(func.count()).select_from(Theme))


@pytest.mark.both_databases
def test_a_get_that_writes_commits_its_writes_together(app, db, add_route, statements):
    def two_themes():
        _db.session.add(Theme(slug="work", name="Work", position=1))
        _db.session.flush()
        _db.session.add(Theme(slug="home", name="Home", position=2))
        _db.session.commit()
        return "done"

    add_route(app, "/two-themes", two_themes)
    assert app.test_client().get("/two-themes").status_code == 200

    assert _themes() == 2
    writes = [inside for sql, inside in statements if sql.startswith("INSERT")]
    assert len(writes) >= 2 and all(writes), "every insert inside the transaction"


@pytest.mark.both_databases
def test_a_get_that_fails_after_writing_keeps_none_of_it(app, db, add_route):
    def write_then_fail():
        _db.session.add(Theme(slug="work", name="Work", position=1))
        _db.session.flush()
        raise RuntimeError("the request fails before its commit")

    app.config["PROPAGATE_EXCEPTIONS"] = False
    add_route(app, "/write-then-fail", write_then_fail)
    assert app.test_client().get("/write-then-fail").status_code == 500

    _db.session.remove()
    assert _themes() == 0


@pytest.mark.parametrize(
    ("statement", "plain"),
    [
        ("SELECT story.id FROM story", True),
        ("  select 1", True),
        ("SELECT story.id FROM story FOR UPDATE", False),
        ("SELECT id FROM story FOR SHARE", False),
        ("WITH gone AS (DELETE FROM story RETURNING id) SELECT * FROM gone", False),
        ("INSERT INTO theme (slug) VALUES ('x')", False),
        ("UPDATE story SET title = 'x'", False),
    ],
)
def test_only_a_plain_select_runs_outside_a_transaction(statement, plain):
    assert _is_plain_read(statement) is plain
