"""Signals and diffs, mostly as plain functions; the watch list, with its setting."""

import pytest
from sqlalchemy import event

from campaign.diff import word_diff
from campaign.models import StoryStatus
from campaign.moderation import signals
from campaign.moderation.signals import (
    highlighted_paragraphs,
    save_watch_words,
    shingles,
    similarity,
    watch_words,
)
from tests.factories import make_story
from tests.plans import explain

WALK = (
    "We walked for nine days through the mountains before we reached the border town, "
    "and my brother carried our mother's photograph in his coat the whole way."
)


def test_nearly_identical_texts_are_similar_and_different_ones_are_not():
    story = "We walked for nine days through the mountains before we reached the border town."
    retold = story + " My sister carried the baby."
    other = "I learned to bake bread in a small shop where the owner spoke four languages."
    assert similarity(shingles(story), shingles(retold)) > 0.6
    assert similarity(shingles(story), shingles(other)) < 0.1
    assert similarity(shingles(""), shingles(story)) == 0.0


def test_word_diff_marks_removed_and_added_words_and_escapes_html():
    diff = str(word_diff("I met <b>Ali</b> Hassan in Lyon.", "I met Ali in a city."))
    assert "<del>&lt;/b&gt; Hassan</del>" in diff
    assert "<ins>a city</ins>" in diff
    assert "<b>" not in diff and "&lt;b&gt;" in diff


def test_watch_words_are_marked_whole_words_only_case_insensitively():
    html = str(highlighted_paragraphs("Passport lost.\n\nNo passports <here>.", ["passport"]))
    assert '<mark class="watch">Passport</mark> lost.' in html
    assert "passports" in html and '<mark class="watch">passports' not in html
    assert "&lt;here&gt;" in html


@pytest.mark.parametrize("config_overrides", [{"MODERATION_WATCH_WORDS": ("smuggler",)}])
def test_the_configured_watch_words_count_until_an_admin_saves_a_list(app, db):
    assert watch_words() == ["smuggler"]
    saved = save_watch_words("  passport \n\nMüller\n")
    assert saved == ["passport", "Müller"] and watch_words() == ["passport", "Müller"]
    # An emptied list falls back to the configured words (today's rule, written once).
    save_watch_words("\n  \n")
    assert watch_words() == ["smuggler"]


@pytest.mark.parametrize("config_overrides", [{"MODERATION_WATCH_WORDS": ("smuggler",)}])
def test_the_settings_page_and_the_review_page_use_the_same_watch_words(signed_in, admin_client):
    settings = admin_client.get("/moderate/admin/settings").get_data(as_text=True)
    assert "smuggler</textarea>" in settings
    story = make_story(body="The smuggler took our money and left us at the border. " * 2)
    review = signed_in.get(f"/moderate/stories/{story.id}").get_data(as_text=True)
    assert '<mark class="watch">smuggler</mark>' in review


def test_likely_duplicates_are_the_most_alike_of_the_newest_stories_not_withdrawn(db, monkeypatch):
    beyond = make_story(body=WALK)  # the oldest: past the candidates read
    close = make_story(body=WALK + " It rained.")
    closer = make_story(body=WALK)
    make_story(StoryStatus.WITHDRAWN, body=WALK)
    make_story(body="I learned to bake bread in a shop where the owner spoke four languages.")
    story = make_story(body=WALK + " We slept in barns.")
    monkeypatch.setattr(signals, "DUPLICATE_CANDIDATES", 3)  # bread, closer, close
    found = signals.likely_duplicates(story, threshold=0.5)
    assert [other.id for other, _score in found] == [closer.id, close.id]
    assert found[0][1] > found[1][1] >= 0.5
    assert beyond.id not in {other.id for other, _score in found}


@pytest.mark.both_databases
def test_the_duplicate_candidates_are_read_newest_first_without_sorting_every_story(db):
    """The review page's candidates come from the primary key read backwards, which
    stops after them; ordered by a column without an index, every story was sorted on
    each review page."""
    story = make_story(body=WALK)
    sent = []

    def keep(_conn, _cursor, statement, parameters, *_args):
        sent.append((statement, parameters))

    event.listen(db.engine, "before_cursor_execute", keep)
    try:
        signals.likely_duplicates(story, threshold=0.5)
    finally:
        event.remove(db.engine, "before_cursor_execute", keep)
    statement, parameters = next(
        (s, p) for s, p in sent if s.startswith("SELECT story.id, story.title, story.body")
    )
    found = explain(db.session.connection(), statement, parameters)
    assert "TEMP B-TREE" not in found, found  # SQLite
    assert "Sort" not in found and "Seq Scan" not in found, found  # PostgreSQL
