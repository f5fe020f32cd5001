"""Signals and diffs, as plain functions (no database)."""

from campaign.moderation.diff import word_diff
from campaign.moderation.signals import highlighted_paragraphs, shingles, similarity


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
