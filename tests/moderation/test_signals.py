"""Signals and diffs, mostly as plain functions; the watch list, with its setting."""

import pytest

from campaign.diff import word_diff
from campaign.moderation.signals import (
    highlighted_paragraphs,
    save_watch_words,
    shingles,
    similarity,
    watch_words,
)
from tests.factories import make_story


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
