import html

import bleach
import pytest

from campaign.submissions.services import make_slug
from campaign.text import clean_text, paragraphs, slugify


def test_clean_text_removes_tags_and_keeps_plain_characters():
    assert clean_text("<b>Hi</b> & <3 <img src=x onerror=alert(1)>") == "Hi & <3"


def test_clean_text_normalises_line_breaks_and_control_characters():
    assert clean_text("a\r\nb\rc\x00d\x07") == "a\nb\ncd"


def test_paragraphs_escape_everything():
    html = str(paragraphs('<script>x</script>\n\n"quoted"'))
    assert html == "<p>&lt;script&gt;x&lt;/script&gt;</p>\n<p>&#34;quoted&#34;</p>"


@pytest.mark.parametrize(
    "value",
    [
        "Plain words, 'quotes' and \"double quotes\"",
        "5 > 3 = true; a => b",
        "Tabs\tand\nlines\n\nand paragraphs  ",
        "Unicode: حلب → Helsinki, 😀, \u2028 and \ufeff",
        "",
    ],
)
def test_text_without_tags_or_references_is_kept_as_bleach_would_keep_it(value):
    # The fast path for plain text gives what the full cleaning gives.
    through_bleach = html.unescape(
        bleach.clean(value, tags=set(), attributes={}, strip=True, strip_comments=True)
    ).strip()
    assert clean_text(value) == through_bleach


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("I <3 my home & family", "I <3 my home & family"),
        ("<b>bold</b> &lt;script&gt;", "bold <script>"),
        ("Fish &amp; chips", "Fish & chips"),
    ],
)
def test_text_with_tags_or_references_still_goes_through_bleach(value, expected):
    assert clean_text(value) == expected


@pytest.mark.parametrize(
    ("value", "slug"),
    [
        ("My first winter", "my-first-winter"),
        ("Mon hiver à Oulu !", "mon-hiver-à-oulu"),
        ("رحلتي إلى هلسنكي", "رحلتي-إلى-هلسنكي"),
        ("  --Work & family--  ", "work-family"),
        ("ＦＵＬＬＷＩＤＴＨ", "fullwidth"),  # NFKC: the letters people read alike match alike
    ],
)
def test_slugs_keep_the_words_of_any_script_joined_by_hyphens(value, slug):
    assert slugify(value, "story") == slug


def test_a_slug_without_any_word_falls_back_and_a_long_one_is_cut_at_a_word_gap():
    assert slugify("?!… —", "theme") == "theme"
    long = slugify("word " * 30, "story")
    assert len(long) <= 60 and not long.endswith("-") and long.startswith("word-word")


def test_story_slugs_are_readable_and_never_shared():
    first, second = make_slug("My first winter"), make_slug("My first winter")
    assert first.startswith("my-first-winter-") and first != second
    assert make_slug("!!!").startswith("story-")
