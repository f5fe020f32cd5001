"""`demo seed`: a bulk load that keeps every invariant the public pages rely on.

The rows go straight to the driver (executemany, COPY), past the ORM and its
session hooks, so these tests read the seeded stories back through the app's
own pages and compare the counts it keeps with the rows. No timings here:
speed is the benchmark's business (bench/cold.py).
"""

import re
from collections import Counter

import pytest
from sqlalchemy import func, select, text

from campaign.gallery import search
from campaign.models import GalleryStats, PublicCount, Story, Theme, story_theme
from campaign.ops import demo, vocabulary

pytestmark = pytest.mark.both_databases


@pytest.fixture
def themes(db):
    db.session.add_all(
        [Theme(slug=slug, name=slug.title(), position=n) for n, slug in enumerate(["work", "home"])]
    )
    db.session.commit()


def seeded(runner, count: int, *options: str) -> None:
    result = runner.invoke(args=["demo", "seed", str(count), "--seed", "3", *options])
    assert result.exit_code == 0, result.output
    assert f"Added {count} synthetic stories" in result.output


def test_seeded_stories_keep_the_public_counts_slugs_tokens_and_dates(runner, db, themes):
    seeded(runner, 120)
    stories = db.session.scalars(Story.published()).all()
    assert len(stories) == 120
    assert len({s.slug for s in stories}) == 120
    assert len({s.token_hash for s in stories}) == 120
    assert all(re.fullmatch(r"[0-9a-f]{64}", s.token_hash) for s in stories)
    assert all(s.is_sample and s.public_updated_at == s.published_at for s in stories)
    assert all(s.created_at < s.published_at for s in stories)
    assert all(1 <= len(s.themes) <= 2 for s in stories)
    row = db.session.get(GalleryStats, 1)
    assert row.stories == 120 and row.version >= 1
    counted = {
        (kind, value): n for kind, value, n in db.session.execute(select(PublicCount.__table__))
    }
    for kind, column in (("origin", "origin_country"), ("language", "language")):
        assert {
            (kind, value): n for value, n in Counter(getattr(s, column) for s in stories).items()
        } == {key: n for key, n in counted.items() if key[0] == kind}
    assert row.languages == sorted({s.language for s in stories})


def test_the_gallery_search_and_story_pages_read_seeded_stories(runner, client, db, themes):
    seeded(runner, 80)
    newest = db.session.scalar(Story.published().order_by(Story.published_at.desc()))
    gallery = client.get("/stories")
    assert gallery.status_code == 200
    assert newest.slug in gallery.text
    page = client.get(f"/stories/{newest.slug}")
    assert page.status_code == 200
    first_paragraph = newest.body.split("\n\n")[0]
    assert first_paragraph.split()[-1].rstrip(".") in page.text
    # The rarest word of its title finds it, through the index.
    ranked = vocabulary.words(newest.language)
    word = max(search.words(newest.title), key=lambda w: ranked.index(w) if w in ranked else -1)
    found = client.get("/stories", query_string={"q": word})
    assert found.status_code == 200 and newest.slug in found.text


def test_a_typical_word_of_the_zipf_vocabulary_is_in_few_stories(runner, db, themes):
    seeded(runner, 400)
    english = db.session.scalars(Story.published().where(Story.language == "en")).all()
    words = vocabulary.words("en")
    typical = words[len(words) // 2]
    with_typical = [s for s in english if typical in search.words(f"{s.title} {s.quote} {s.body}")]
    with_commonest = [s for s in english if words[0] in search.words(s.body)]
    assert len(with_typical) < len(english) / 10
    assert len(with_commonest) > len(english) / 2


def test_the_phrases_vocabulary_is_kept_for_the_worst_case_of_search(runner, client, db, themes):
    seeded(runner, 60, "--vocabulary", "phrases")
    bodies = db.session.scalars(select(Story.body)).all()
    phrases = {phrase for phrases in demo.PHRASES.values() for phrase in phrases}
    assert all(any(phrase in body for phrase in phrases) for body in bodies)
    english = db.session.scalar(
        select(func.count()).select_from(Story.published().where(Story.language == "en").subquery())
    )
    found = client.get("/stories", query_string={"q": "home"})
    assert found.status_code == 200
    assert english > 0 and "story-" in found.text


def test_stories_made_after_a_seed_get_new_ids_and_are_indexed(runner, db, themes):
    seeded(runner, 30)
    seeded(runner, 30)
    assert db.session.scalar(select(func.count()).select_from(Story)) == 60
    assert db.session.scalar(select(func.count()).select_from(story_theme)) >= 60
    if db.engine.dialect.name == "sqlite":
        indexed = db.session.scalar(text("SELECT count(*) FROM story_search"))
        assert indexed == 60
        triggers = db.session.scalars(
            text(
                "SELECT name FROM sqlite_master "
                "WHERE type = 'trigger' AND name LIKE 'story_search%'"
            )
        ).all()
        assert sorted(triggers) == ["story_search_ad", "story_search_ai", "story_search_au"]
        assert db.session.scalar(text("PRAGMA journal_mode")) == "wal"


def _schema(db) -> set:
    """The indexes and constraints of the story table and its theme links."""
    if db.engine.dialect.name == "sqlite":
        rows = db.session.execute(
            text(
                "SELECT name, sql FROM sqlite_master "
                "WHERE tbl_name IN ('story', 'story_theme') AND type = 'index'"
            )
        )
        keys = db.session.execute(text("PRAGMA foreign_key_list(story_theme)"))
        return {tuple(row) for row in rows} | {tuple(key) for key in keys}
    rows = db.session.execute(
        text(
            "SELECT indexname, indexdef FROM pg_indexes WHERE tablename IN ('story', 'story_theme')"
        )
    )
    constraints = db.session.execute(
        text(
            "SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint "
            "WHERE conrelid IN ('story'::regclass, 'story_theme'::regclass)"
        )
    )
    return {tuple(row) for row in rows} | {tuple(row) for row in constraints}


def test_a_large_seed_leaves_the_indexes_and_checks_as_they_were(runner, db, themes, monkeypatch):
    """Above REBUILD_INDEXES_FROM, PostgreSQL's indexes and the links' foreign keys are
    dropped for the load and made again; SQLite's search index takes a larger memory
    buffer for it. Afterwards the schema is the same, the keys hold (a withdrawn story's
    links go with it), and the buffer is FTS5's default again."""
    before = _schema(db)
    monkeypatch.setattr(demo, "REBUILD_INDEXES_FROM", 10)
    seeded(runner, 40)
    db.session.remove()
    assert _schema(db) == before
    first = db.session.scalar(select(func.min(Story.id)))
    links = select(func.count()).select_from(story_theme).where(story_theme.c.story_id == first)
    assert db.session.scalar(links)
    db.session.execute(text("DELETE FROM story WHERE id = :id"), {"id": first})
    db.session.commit()
    assert db.session.scalar(links) == 0
    if db.engine.dialect.name == "sqlite":
        size = db.session.scalar(text("SELECT v FROM story_search_config WHERE k = 'hashsize'"))
        assert size == demo.FTS_HASH_BYTES
        found = db.session.scalar(text("SELECT count(*) FROM story_search"))
        assert found == 39
