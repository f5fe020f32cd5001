"""The public gallery: filters, search, pages, numbers, on SQLite and PostgreSQL alike."""

import re

import pytest

from campaign.extensions import db
from campaign.models import StoryStatus
from tests.factories import make_story
from tests.gallery.helpers import ensure_themes, publish

# Both engines: filters, search, paging and counts are SQL that differs by engine.
pytestmark = pytest.mark.both_databases


def titles(html: str) -> list[str]:
    """Card titles in page order (search highlights stripped)."""
    found = re.findall(r'<p class="card__title"[^>]*>(.*?)</p>', html)
    return [re.sub(r"</?mark>", "", title) for title in found]


@pytest.fixture
def shelf(db):
    """A small, varied set of published stories."""
    ensure_themes()
    return {
        "baker": publish(
            "The baker of Helsinki",
            quote="Bread is how I say hello",
            body="I opened a bakery in Helsinki after years of waiting. " * 3,
            origin_country="SY",
            residence_country="FI",
            language="en",
            themes=["work"],
        ),
        "nurse": publish(
            "Night shifts",
            quote="Every patient is someone's child",
            body="I work as a nurse in Berlin and my mother bakes at home. " * 3,
            origin_country="PH",
            residence_country="DE",
            language="en",
            themes=["work", "family"],
        ),
        "student": publish(
            "Learning Finnish",
            quote="Kieli avaa ovia",
            body="Opiskelen suomea joka päivä Tampereella, ja se on vaikeaa. " * 3,
            origin_country="AF",
            residence_country="FI",
            language="fi",
            themes=["education"],
        ),
        "poet": publish(
            "بيت جديد",
            quote="الوطن ليس مكانا",
            body="كتبت هذه القصة في بيتي الجديد في هلسنكي بعد رحلة طويلة جدا. " * 3,
            origin_country="SY",
            residence_country="SE",
            language="ar",
            themes=["family"],
        ),
    }


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("/stories/from/sy", {"The baker of Helsinki", "بيت جديد"}),
        ("/stories?origin=SY", {"The baker of Helsinki", "بيت جديد"}),
        ("/stories/in/fi", {"The baker of Helsinki", "Learning Finnish"}),
        ("/stories/theme/work", {"The baker of Helsinki", "Night shifts"}),
        ("/stories/language/fi", {"Learning Finnish"}),
        ("/stories?origin=SY&residence=FI", {"The baker of Helsinki"}),
        ("/stories/theme/family?language=ar", {"بيت جديد"}),
        ("/stories/from/sy?theme=education", set()),
    ],
)
def test_filters_alone_and_combined_show_just_the_matching_stories(client, shelf, url, expected):
    response = client.get(url)
    assert response.status_code == 200
    assert set(titles(response.get_data(as_text=True))) == expected


def test_filter_with_no_match_explains_and_offers_the_way_back(client, shelf):
    page = client.get("/stories/from/sy?theme=education").get_data(as_text=True)
    assert "No published story matches these filters yet." in page
    assert 'href="/stories"' in page


@pytest.mark.parametrize("url", ["/stories/from/xx", "/stories/in/zz1", "/stories/theme/nope"])
def test_unknown_country_or_theme_listing_is_404(client, shelf, url):
    assert client.get(url).status_code == 404


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("bread", ["The baker of Helsinki"]),  # the quote
        ("helsinki", ["The baker of Helsinki"]),  # title and body (the poet wrote it in Arabic)
        ("bak", ["The baker of Helsinki", "Night shifts"]),  # a prefix: bakery, bakes
        ("BERLIN nurse", ["Night shifts"]),  # every word, any case
        ("suomea", ["Learning Finnish"]),
        ("هلسنكي", ["بيت جديد"]),
        ("nothing-like-this", []),
        # No words: the default order, stories in the page's language (English) first.
        ("", ["Night shifts", "The baker of Helsinki", "بيت جديد", "Learning Finnish"]),
    ],
)
def test_search_finds_the_same_stories_on_both_databases(client, shelf, query, expected):
    page = client.get("/stories", query_string={"q": query}).get_data(as_text=True)
    assert titles(page) == expected


def test_search_ranks_a_title_match_above_a_passing_mention(client, shelf):
    publish("A mention", body="Once I visited a bakery, but that is another story. " * 3)
    publish("Bakery dreams", body="A story about flour and ovens and early mornings. " * 3)
    found = titles(client.get("/stories?q=bakery").get_data(as_text=True))
    assert found[0] == "Bakery dreams"
    assert set(found) == {"Bakery dreams", "A mention", "The baker of Helsinki"}


def test_search_combines_with_filters_and_date_order(client, shelf):
    assert titles(client.get("/stories/in/fi?q=bak").get_data(as_text=True)) == [
        "The baker of Helsinki"
    ]
    newest = titles(client.get("/stories?q=bak&sort=newest").get_data(as_text=True))
    oldest = titles(client.get("/stories?q=bak&sort=oldest").get_data(as_text=True))
    assert newest == ["Night shifts", "The baker of Helsinki"]
    assert oldest == list(reversed(newest))


def test_search_snippet_highlights_words_and_escapes_the_story(client, db):
    publish("Escapes", body="I <3 my brave sister & we crossed the border together. " * 3)
    publish("Escapes", body="Other words <i> and no match here at all, none at all. " * 3)
    page = client.get("/stories?q=brave").get_data(as_text=True)
    assert "I &lt;3 my <mark>brave</mark> sister &amp; we" in page
    assert "<mark>" not in page.split('class="card__snippet"')[0]


def test_search_query_is_escaped_and_kept_in_the_form(client, shelf):
    page = client.get('/stories?q="><script>alert(1)</script>').get_data(as_text=True)
    assert "<script>alert(1)</script>" not in page
    assert 'value="&#34;&gt;&lt;script&gt;alert(1)&lt;/script&gt;"' in page


def test_search_follows_edits_and_withdrawals(client, shelf):
    baker = shelf["baker"]
    baker.title = "The confectioner"
    db.session.commit()
    assert titles(client.get("/stories?q=confectioner").get_data(as_text=True)) == [
        "The confectioner"
    ]
    baker.move_to(StoryStatus.WITHDRAWN)
    db.session.commit()
    assert titles(client.get("/stories?q=confectioner").get_data(as_text=True)) == []


def _walk(client, url: str) -> list[str]:
    seen = []
    while url:
        page = client.get(url).get_data(as_text=True)
        seen += titles(page)
        found = re.search(r'rel="next" href="([^"]+)"', page)
        url = found.group(1).replace("&amp;", "&") if found else None
    return seen


@pytest.mark.parametrize(
    "url",
    [
        "/stories",
        "/stories?sort=oldest",
        "/stories/from/sy",
        "/stories?q=tale",
        "/stories/from/sy?q=tale&sort=oldest",
    ],
)
def test_pages_cover_every_story_once_in_every_order(app, client, db, url):
    app.config["STORIES_PER_PAGE"] = 2
    made = [publish(f"Tale {n}", origin_country="SY").title for n in range(5)]
    publish("Other place", origin_country="IQ")
    seen = _walk(client, url)
    assert sorted(seen) == sorted(made) or sorted(seen) == sorted([*made, "Other place"])
    assert len(seen) == len(set(seen))
    if "oldest" in url:
        assert seen[:5] == made
    elif "q=" not in url:
        assert seen[-5:] == list(reversed(made)) or seen == list(reversed(made))


@pytest.mark.parametrize("url", ["/stories?sort=oldest", "/stories/from/sy", "/stories?q=tale"])
def test_filtered_pages_stay_correct_while_stories_are_published(app, client, db, url):
    app.config["STORIES_PER_PAGE"] = 2
    made = [publish(f"Tale {n}", origin_country="SY").title for n in range(4)]
    first = client.get(url).get_data(as_text=True)
    shown = titles(first)
    next_url = re.search(r'rel="next" href="([^"]+)"', first).group(1).replace("&amp;", "&")
    publish("Tale brand new", origin_country="SY")
    rest = _walk(client, next_url)
    assert not set(shown) & set(rest)
    assert set(made) <= set(shown) | set(rest)
    if "oldest" in url:
        assert rest[-1] == "Tale brand new"  # appended at the end, nothing repeated
    elif "q=" not in url:
        assert "Tale brand new" not in rest


# Measures rendering itself, so the page cache (which would answer instead) is off.
# The public numbers are remembered as in production (each publication forgets them).
@pytest.mark.parametrize(
    "config_overrides", [{"PAGE_CACHE_ENABLED": False, "PAGE_CACHE_VERSION_SECONDS": 60}]
)
@pytest.mark.parametrize("url", ["/", "/stories", "/stories/from/sy?q=tale", "/stories/theme/work"])
def test_pages_make_the_same_few_queries_for_two_or_twelve_cards(
    app, client, db, count_queries, url
):
    ensure_themes()
    photo = {"width": 800, "height": 600, "alt_text": "A view", "renditions": []}

    def queries_with(total: int) -> int:
        while (
            len(db.session.scalars(db.select(db.text("1")).select_from(db.text("story"))).all())
            < total
        ):
            publish("Tale", origin_country="SY", themes=["work", "family"], photo=photo)
        db.session.remove()
        count_queries.clear()
        assert client.get(url).status_code == 200
        return len(count_queries)

    few, many = queries_with(2), queries_with(12)
    assert few == many
    # The cards: stories, themes, photos, recordings; in the default order the page's
    # positions (the reader's language first: one union of index walks) come first.
    assert many <= 8
    assert not any("count(" in statement.lower() for statement in count_queries)


def test_home_shows_live_numbers_that_follow_publishing_and_withdrawal(client, db):
    publish("One", origin_country="SY", residence_country="FI")
    publish("Two", origin_country="SY", residence_country="DE")
    withdrawn = publish("Three", origin_country="IQ", residence_country="DE")
    make_story(title="Pending from Peru", origin_country="PE")

    def numbers():
        page = client.get("/").get_data(as_text=True)
        band = page.split('class="numbers"')[1].split("</ul>")[0]
        return re.findall(r"<li><strong>(\d+)</strong> ([^<]+)</li>", band)

    assert numbers() == [
        ("3", "stories published"),
        ("2", "countries of origin"),
        ("2", "countries of residence"),
    ]
    withdrawn.move_to(StoryStatus.WITHDRAWN)
    db.session.commit()
    assert numbers() == [
        ("2", "stories published"),
        ("1", "country of origin"),
        ("2", "countries of residence"),
    ]


def test_home_leads_with_one_person_then_the_featured_then_the_latest_each_once(client, db):
    publish("Pinned first", featured=True)
    publish("Pinned last", quote="I kept my mother's recipes.", featured=True)
    publish("Just published")
    page = client.get("/").get_data(as_text=True)
    hero = page.split('class="hero"')[1].split("</section>")[0]
    assert "I kept my mother&#39;s recipes." in hero, "the newest featured story leads"
    featured = page.split('id="featured-heading"')[1].split("</section>")[0]
    assert titles(featured) == ["Pinned first"]
    latest = page.split('id="latest-heading"')[1].split("</section>")[0]
    assert titles(latest) == ["Just published"], "no story twice"
    assert 'href="/share"' in page.split('class="invite"')[1]


def test_without_featured_stories_the_newest_leads_and_is_not_repeated(client, db):
    publish("Older")
    publish("Newest", quote="The sea was calm that night.")
    page = client.get("/").get_data(as_text=True)
    assert "The sea was calm that night." in page.split('class="hero"')[1].split("</section>")[0]
    assert titles(page.split('id="latest-heading"')[1]) == ["Older"]
    assert 'id="featured-heading"' not in page


def test_empty_home_and_gallery_invite_the_first_story(client, db):
    assert "Yours could be the first" in client.get("/").get_data(as_text=True)
    assert 'href="/share"' in client.get("/stories").get_data(as_text=True)


def test_cards_show_name_countries_distance_quote_and_themes(client, shelf):
    page = client.get("/stories/from/sy?languages=all").get_data(as_text=True)
    card = page.split('<article class="card')[-1]  # the oldest: the baker
    assert "Teller" in card and "From: Syria · Lives in: Finland" in card
    assert "3,157 km from home" in card
    assert "Bread is how I say hello" in card
    assert 'href="/stories/theme/work"' in card and ">Work</a>" in card
    assert "card--quote" in card, "without a photo, the person's words lead"


def test_numbers_follow_a_moderator_approving_through_the_review_page(signed_in, db):
    story = make_story(origin_country="ER", residence_country="IT")
    response = signed_in.post(
        f"/moderate/stories/{story.id}", data={"decision": "approve", "version": story.version}
    )
    assert response.status_code == 303
    page = signed_in.get("/").get_data(as_text=True)
    assert "<strong>1</strong> story published" in page
    assert "<strong>1</strong> country of origin" in page
