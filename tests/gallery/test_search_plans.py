"""Search reads the full-text index: the plans of the very SQL the gallery sends.

At 100,000 stories a search that reads every story's text instead takes
seconds; these tests ask each database how it would run the app's query.
"""

import pytest
from sqlalchemy import event, text

from campaign.extensions import db
from campaign.gallery import search
from campaign.models import Story
from tests.gallery.helpers import publish
from tests.plans import explain

# Both engines: each engine has its own full-text index.
pytestmark = [
    pytest.mark.both_databases,
    pytest.mark.parametrize("config_overrides", [{"PAGE_CACHE_ENABLED": False}]),
]


@pytest.fixture
def sent(app):
    """(statement, parameters) of every query the app sends."""
    statements: list[tuple[str, object]] = []

    def record(_conn, _cursor, statement, parameters, *_args):
        statements.append((statement, parameters))

    event.listen(db.engine, "before_cursor_execute", record)
    yield statements
    event.remove(db.engine, "before_cursor_execute", record)


@pytest.fixture
def library(db, backend):
    """Thousands of stories, one of them about winter: an index is worth using."""
    publish("Story", body="We cooked together every evening. " * 3)
    publish("My first winter", body="The winter was long and the nights were dark. " * 3)
    if backend == "postgresql":
        # The planner reads a table this small whole; make it big enough not to.
        copied = [c.name for c in Story.__table__.columns if c.name != "id"]
        changed = {"slug": "slug || '-' || n", "token_hash": "md5(slug || n)"}
        values = ", ".join(changed.get(name, name) for name in copied)
        copy = (
            f"INSERT INTO story ({', '.join(copied)}) SELECT {values} "  # noqa: S608 - model names
            "FROM story, generate_series(1, 3000) AS n WHERE title = 'Story'"
        )
        with db.engine.begin() as connection:
            connection.execute(text(copy))
            # Bulk rows wait in the GIN index's pending list (which makes the
            # planner shun it) until a vacuum; move them into the index proper.
            connection.execute(text(f"SELECT gin_clean_pending_list('{search.PG_INDEX}')"))
            connection.execute(text("ANALYZE story"))
    db.session.remove()


def _search_query(sent) -> tuple[str, object]:
    marker = search.FTS_TABLE if db.engine.dialect.name == "sqlite" else search.PG_COLUMN
    found = [(statement, params) for statement, params in sent if marker in statement]
    assert len(found) == 1, found
    return found[0]


def _plan(statement: str, params) -> str:
    with db.engine.begin() as connection:
        return explain(connection, statement, params)


@pytest.mark.parametrize("sort", ["relevance", "newest", "oldest"])
def test_search_finds_the_stories_through_the_full_text_index(client, library, sent, sort):
    response = client.get("/stories", query_string={"q": "winter", "sort": sort})
    assert response.status_code == 200
    assert "My first <mark>winter</mark>" in response.get_data(as_text=True)
    plan = _plan(*_search_query(sent))
    if db.engine.dialect.name == "sqlite":
        # A MATCH read from the FTS5 table, not one FTS lookup per story.
        assert f"SCAN {search.FTS_TABLE} VIRTUAL TABLE INDEX 0:M" in plan, plan
        assert "INDEX 0:=M" not in plan, plan
    else:
        assert "to_tsvector" not in plan, plan  # no story's text is parsed again
        if sort == "relevance":
            # Every match is ranked: the GIN index finds them all.
            assert f"Bitmap Index Scan on {search.PG_INDEX}" in plan, plan
        else:
            # The newest (or oldest) stories first, each checked against its
            # stored words, until the page is full; or the matches from the
            # index, sorted by date: the planner picks by how many match.
            assert (
                f"Bitmap Index Scan on {search.PG_INDEX}" in plan
                or "Index Scan Backward using ix_story_status_published" in plan
                or "Index Scan using ix_story_status_published" in plan
            ), plan


def test_ranked_search_sorts_ids_and_reads_only_the_page_of_stories(client, library, sent):
    client.get("/stories", query_string={"q": "winter"})
    statement, _params = _search_query(sent)
    inner = statement[statement.index("(SELECT") :]
    # The inner query (every match ranked and sorted) carries no story text.
    assert "story.body" not in inner.split("FROM", 1)[0]
    assert "LIMIT" in inner
