"""The public listings are answered from indexes, on both databases.

Each test runs EXPLAIN on the very statement the app sends (caught as it goes
to the database), never a copy of it. PostgreSQL is told to avoid table scans
whenever it can (enable_seqscan off), so a plan with a scan of a table means
no index could serve the query at all. Search has its own plans tests.
"""

import re

import pytest
from sqlalchemy import event, select, text

from campaign.extensions import db
from campaign.gallery import queries
from campaign.models import Story, StoryStatus, Theme, published_story
from campaign.ops import demo
from tests.factories import make_story
from tests.plans import explain

# Both engines: the plans of each engine.
pytestmark = pytest.mark.both_databases


@pytest.fixture
def archive(db):
    """A few hundred published stories, and one from a country nobody else comes from."""
    for position, slug in enumerate(["work", "family", "language"]):
        db.session.add(Theme(slug=slug, name=slug.title(), position=position))
    db.session.commit()
    demo.seed_stories(300, seed=7)
    db.session.commit()
    make_story(origin_country="NZ", residence_country="NZ").move_to(StoryStatus.PUBLISHED)
    db.session.commit()
    if db.engine.dialect.name == "postgresql":
        db.session.execute(text("ANALYZE"))  # what autovacuum does on a live database
        db.session.commit()


def sent_while(action) -> tuple[str, object]:
    """The first statement reading a page of stories that ``action`` sends."""
    caught = []

    def keep(_conn, _cursor, statement, parameters, *_args):
        caught.append((statement, parameters))

    event.listen(db.engine, "before_cursor_execute", keep)
    try:
        action()
    finally:
        event.remove(db.engine, "before_cursor_execute", keep)
    return next((s, p) for s, p in caught if s.startswith("SELECT story.id"))


def plan(statement: str, parameters) -> str:
    return explain(db.session.connection(), statement, parameters)


def assert_no_table_scan(found: str) -> None:
    lines = found.splitlines()
    assert not [line for line in lines if line.startswith("SCAN ")], found  # SQLite
    assert "Seq Scan" not in found, found  # PostgreSQL


def deep_cursor(sort: str) -> str:
    order = Story.published_at.asc() if sort == "oldest" else Story.published_at.desc()
    story = db.session.scalar(Story.published().order_by(order).offset(200).limit(1))
    return queries.encode_cursor(sort, story.published_at, story.id)


def gallery(**filters):
    return lambda: queries.gallery_page(queries.Filters(**filters), None, 20)


@pytest.mark.parametrize(
    ("action", "index"),
    [
        (gallery(sort="newest"), "ix_story_status_published"),
        (gallery(sort="oldest"), "ix_story_status_published"),
        (gallery(origin="NZ"), "ix_story_origin_published"),
        (gallery(residence="NZ"), "ix_story_residence_published"),
    ],
    ids=["newest", "oldest", "origin", "residence"],
)
def test_gallery_pages_walk_an_index_in_order(archive, action, index):
    found = plan(*sent_while(action))
    assert index in found
    assert_no_table_scan(found)
    assert "TEMP B-TREE" not in found and "Sort" not in found.split()  # no sorting step


@pytest.mark.parametrize("sort", ["newest", "oldest"])
def test_a_deep_page_starts_at_the_cursor_in_the_index(archive, sort):
    cursor = deep_cursor(sort)
    found = plan(*sent_while(lambda: queries.gallery_page(queries.Filters(sort=sort), cursor, 20)))
    assert "ix_story_status_published" in found
    assert_no_table_scan(found)
    # The index lookup itself is bounded by the cursor, not only filtered after it.
    bounded = [line for line in found.splitlines() if "ix_story_status_published" in line]
    bounded += [line for line in found.splitlines() if "Index Cond" in line]
    assert any("published_at" in line for line in bounded), found


def test_a_theme_page_uses_the_theme_indexes(archive):
    found = plan(*sent_while(gallery(theme="work")))
    assert_no_table_scan(found)
    assert "story_theme" in found or "pk_story_theme" in found


def test_a_story_page_is_found_by_its_slug_index(archive):
    slug = db.session.scalar(select(Story.slug).where(Story.origin_country == "NZ"))
    found = plan(*sent_while(lambda: published_story(slug)))
    assert_no_table_scan(found)
    assert "uq_story_slug" in found or "(slug=?)" in found


def test_the_api_list_walks_the_published_index(archive, client):
    found = plan(*sent_while(lambda: client.get("/api/v1/stories?limit=20")))
    assert "ix_story_status_published" in found
    assert_no_table_scan(found)


def test_the_api_numbers_and_the_embed_builder_languages_come_from_the_kept_counts(archive, client):
    """Stories, countries and languages are kept (gallery_stats, public_count), not
    counted; the newest publication comes from the end of the published index. (The
    most common journeys are still grouped: no count keeps them.)"""
    caught = []

    def keep(_conn, _cursor, statement, parameters, *_args):
        caught.append((statement, parameters))

    event.listen(db.engine, "before_cursor_execute", keep)
    try:
        numbers = client.get("/api/v1/stats").get_json()
        builder = client.get("/embed/builder")
    finally:
        event.remove(db.engine, "before_cursor_execute", keep)

    assert numbers["stories"] == 301 and builder.status_code == 200
    assert not [s for s, _p in caught if "distinct" in s.lower()], "counted again"
    newest = [(s, p) for s, p in caught if s.startswith("SELECT story.published_at")]
    assert len(newest) == 1, caught
    found = plan(*newest[0])
    assert_no_table_scan(found)
    assert "ix_story_status_published" in found


def test_the_home_page_reads_its_stories_from_indexes(archive, client):
    """The pinned stories from their partial index (a handful, however many stories
    there are), the latest from the end of the published index: no table scan, no sort
    of all published stories."""
    pinned = db.session.scalars(Story.published().limit(3)).all()
    for position, story in enumerate(pinned):
        story.featured_at = story.published_at.replace(microsecond=position)
    db.session.commit()
    caught = []

    def keep(_conn, _cursor, statement, parameters, *_args):
        caught.append((statement, parameters))

    event.listen(db.engine, "before_cursor_execute", keep)
    try:
        assert client.get("/en/").status_code == 200
    finally:
        event.remove(db.engine, "before_cursor_execute", keep)

    reads = [(s, p) for s, p in caught if s.startswith("SELECT story.id \nFROM story")]
    assert len(reads) == 2, reads  # the pinned, then the latest besides them
    plans = [plan(*read) for read in reads]
    assert "ix_story_featured" in plans[0]
    assert "ix_story_status_published" in plans[1]
    for found in plans:
        assert_no_table_scan(found)
        assert "TEMP B-TREE" not in found and "Sort" not in found.split()
    # Then their cards' faces, each story by its key.
    [faces] = [(s, p) for s, p in caught if s.startswith("SELECT story.id, story.language")]
    assert_no_table_scan(plan(*faces))


def language_first_statement(language: str, cursor=None) -> tuple[str, object]:
    caught = []

    def keep(_conn, _cursor, statement, parameters, *_args):
        caught.append((statement, parameters))

    event.listen(db.engine, "before_cursor_execute", keep)
    try:
        queries.gallery_page(queries.Filters(), cursor, 20, first=language)
    finally:
        event.remove(db.engine, "before_cursor_execute", keep)
    return next((s, p) for s, p in caught if " AS part" in s)


def assert_no_scan_of_a_table(found: str) -> None:
    """No whole story or translation table read (subqueries' own results may be)."""
    lines = [line.strip() for line in found.splitlines()]
    assert not [line for line in lines if line.startswith(("SCAN story", "SCAN translation"))]
    assert "Seq Scan on story" not in found and "Seq Scan on translation" not in found, found


@pytest.mark.parametrize("deep", [False, True], ids=["first-page", "deep-in-the-others"])
def test_the_readers_language_first_walks_indexes_and_stops_when_the_page_is_full(archive, deep):
    """Each part of "stories in my language first" is an index walk that stops after a
    page: the stories told in it (ix_story_language_published), those translated into
    it (found from the translations into it), the others (ix_story_status_published);
    no part reads every story, so a page costs the same at 1,000 or 1,000,000."""
    from tests.factories import make_translation

    stories = db.session.scalars(Story.published().where(Story.language != "fr").limit(5)).all()
    for story in stories:
        story.consents_translation = True
        db.session.commit()
        make_translation(story, "fr")
    if db.engine.dialect.name == "postgresql":
        db.session.execute(text("ANALYZE"))
        db.session.commit()
    cursor = None
    if deep:
        story = db.session.scalar(
            Story.published().order_by(Story.published_at.desc()).offset(150).limit(1)
        )
        cursor = queries.encode_cursor(queries.FIRST, story.published_at, story.id, 1)
    found = plan(*language_first_statement("fr", cursor))
    assert_no_scan_of_a_table(found)
    if not deep:
        assert "ix_story_language_published" in found, found
        # The translations into the language through an index of theirs (the planner
        # picks which by the table's size).
        assert re.search(r"(INDEX|using) (ix_translation|uq_translation)", found), found
    assert "ix_story_status_published" in found, found


def test_with_the_statistics_a_worker_gathers_the_translated_stories_come_from_their_translations(
    archive,
):
    """The walk of the stories translated into the reader's language starts from the
    translations (a few), never from the stories newest first, probing each for one:
    that read every story when there were few translations (33 ms at 20,000). Without
    statistics SQLite's planner chose that walk, so a worker gathers them at its start
    (refresh_statistics_at_worker_start, as gunicorn's post_worker_init calls it)."""
    from flask import current_app

    from campaign.database import refresh_statistics_at_worker_start
    from tests.factories import make_translation

    story = db.session.scalar(Story.published().where(Story.language != "fr").limit(1))
    story.consents_translation = True
    db.session.commit()
    make_translation(story, "fr")
    refresh_statistics_at_worker_start(current_app)
    if db.engine.dialect.name == "postgresql":
        db.session.execute(text("ANALYZE"))  # autovacuum's part there
        db.session.commit()
    found = plan(*language_first_statement("fr"))
    # One walk newest first: the others'. The translated stories are read by their key.
    assert found.count("ix_story_status_published") == 1, found
