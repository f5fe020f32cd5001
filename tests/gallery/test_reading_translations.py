"""Reading a story in one's own language: a volunteer's translation beside the original."""

import re

import pytest

from campaign.extensions import db
from campaign.models import TranslationSource, TranslationStatus, revise
from tests.factories import make_translation
from tests.gallery.helpers import publish
from tests.gallery.test_seo import parse


def arabic_story(**fields):
    values = {
        "title": "بيتي الجديد",
        "quote": "وجدت أصدقاء هنا",
        "body": "وصلت في الشتاء وكان الجو باردا.",
        "language": "ar",
        "consents_translation": True,
        "origin_country": "SY",
        "slug": "my-new-home",
    }
    values.update(fields)
    title = values.pop("title")
    return publish(title, **values)


def french(story, **fields):
    values = {
        "title": "Ma nouvelle maison",
        "quote": "J'ai trouvé des amis ici",
        "body": "Je suis arrivée en hiver et il faisait froid.",
    }
    values.update(fields)
    return make_translation(story, "fr", **values)


def page(client, url) -> str:
    response = client.get(url)
    assert response.status_code == 200, url
    return response.get_data(as_text=True)


def article(html: str) -> str:
    return html.split('<article class="story', 1)[1].split("</article>", 1)[0]


def test_a_french_reader_reads_the_french_translation_labelled_with_the_original_one_click_away(
    client, db
):
    story = arabic_story()
    french(story)
    html = page(client, f"/fr/stories/{story.slug}")
    shown = article(html)
    assert 'lang="fr" dir="ltr"' in shown.split(">", 1)[0]
    assert "<h1>Ma nouvelle maison</h1>" in shown
    assert "J&#39;ai trouvé des amis ici" in shown
    assert "Je suis arrivée en hiver" in shown
    assert "بيتي الجديد" not in shown
    label = shown.split('class="story__translation"', 1)[1].split("</p>", 1)[0]
    assert "bénévole" in label and "arabe" in label
    assert f'href="/fr/stories/{story.slug}?original=1"' in label
    assert "<title>Ma nouvelle maison" in html


def test_the_original_shows_in_its_own_language_with_the_translation_one_click_back(client, db):
    story = arabic_story()
    french(story)
    shown = article(page(client, f"/fr/stories/{story.slug}?original=1"))
    assert 'lang="ar" dir="rtl"' in shown.split(">", 1)[0]
    assert "<h1>بيتي الجديد</h1>" in shown
    assert "Ma nouvelle maison" not in shown
    back = shown.split('class="story__translation"', 1)[1].split("</p>", 1)[0]
    assert 'lang="fr" dir="ltr"' in back  # the label speaks the reader's language
    assert f'href="/fr/stories/{story.slug}"' in back and "traduction" in back


def test_a_machine_assisted_translation_says_so(client, db):
    story = arabic_story()
    french(story, source=TranslationSource.MACHINE_DRAFT)
    html = page(client, f"/en/stories/{story.slug}")
    assert "Ma nouvelle maison" not in html  # no English translation: the original
    make_translation(story, "en", source=TranslationSource.MACHINE_DRAFT, title="My new home")
    html = page(client, f"/en/stories/{story.slug}")
    assert "Translated from Arabic by a volunteer, from a machine draft" in html


def test_the_photo_description_is_read_in_the_translation(client, db):
    photo = {"width": 800, "height": 1000, "alt_text": "امرأة تبتسم", "renditions": []}
    story = arabic_story(photo=photo)
    french(story, alt_text="Une femme sourit")
    html = page(client, f"/fr/stories/{story.slug}")
    if 'alt="' in html:
        assert 'alt="Une femme sourit"' in html or "<picture" not in html


def alternates_of(html: str) -> dict[str, str]:
    return dict(re.findall(r'<link rel="alternate" hreflang="([^"]+)" href="([^"]+)">', html))


def test_hreflang_lists_the_original_and_each_translation(client, db):
    story = arabic_story()
    french(story)
    make_translation(story, "es", title="Mi nueva casa")
    make_translation(story, "uk", status=TranslationStatus.IN_REVIEW, title="Не готово")
    html = page(client, f"/fr/stories/{story.slug}?original=1")
    alternates = alternates_of(html)
    assert alternates["x-default"] == f"http://localhost/stories/{story.slug}?original=1"
    # Each alternate shows the story in its language: the original, each translation.
    shown = {}
    for code in ("ar", "es", "fr", "uk"):
        assert alternates[code] == f"http://localhost/{code}/stories/{story.slug}", code
        found = article(page(client, alternates[code].removeprefix("http://localhost")))
        shown[code] = re.search(r"<h1>([^<]+)</h1>", found).group(1)
    assert shown == {
        "ar": "بيتي الجديد",
        "es": "Mi nueva casa",
        "fr": "Ma nouvelle maison",
        "uk": "بيتي الجديد",  # in review: the original
    }


def test_an_original_in_a_language_the_site_does_not_speak_has_its_own_alternate(client, db):
    story = arabic_story(language="sw")  # Swahili: no site of its own
    make_translation(story, "en", title="My new home")
    alternates = alternates_of(page(client, f"/fr/stories/{story.slug}"))
    assert alternates["sw"] == f"http://localhost/en/stories/{story.slug}?original=1"
    assert alternates["en"] == f"http://localhost/en/stories/{story.slug}"


def sitemap_alternates(client, url: str, loc: str) -> dict[str, str]:
    """The ``xhtml:link`` alternates of one address in a sitemap file."""
    root = parse(client.get(url))
    space = {
        "s": "http://www.sitemaps.org/schemas/sitemap/0.9",
        "x": "http://www.w3.org/1999/xhtml",
    }
    for entry in root.iterfind("s:url", space):
        if entry.findtext("s:loc", namespaces=space) == loc:
            return {
                link.get("hreflang"): link.get("href") for link in entry.iterfind("x:link", space)
            }
    raise AssertionError(f"{loc} is not in {url}")


def test_the_sitemap_gives_each_page_the_same_alternates_as_its_head(client, db):
    spoken = arabic_story()
    french(spoken)
    unspoken = arabic_story(language="sw", slug="nyumba")
    make_translation(unspoken, "en", title="My new home")
    for story in (spoken, unspoken):
        loc = f"http://localhost/fr/stories/{story.slug}"
        in_sitemap = sitemap_alternates(client, "/sitemaps/fr/1.xml", loc)
        in_head = alternates_of(page(client, f"/fr/stories/{story.slug}"))
        assert in_sitemap == in_head, story.language
    assert in_sitemap["sw"] == f"http://localhost/en/stories/{unspoken.slug}?original=1"
    home = sitemap_alternates(client, "/sitemaps/uk/1.xml", "http://localhost/uk/")
    assert home == alternates_of(page(client, "/uk/"))
    assert home["ar"] == "http://localhost/ar/" and home["x-default"] == "http://localhost/"


@pytest.mark.parametrize(
    "hide",
    [
        lambda story, tr: setattr(tr, "status", TranslationStatus.OUTDATED),
        lambda story, tr: setattr(tr, "status", TranslationStatus.IN_REVIEW),
        lambda story, tr: setattr(story, "consents_translation", False),
        lambda story, tr: db.session.delete(tr),
    ],
    ids=["outdated", "in-review", "consent-taken-back", "removed"],
)
def test_a_translation_no_longer_public_is_hidden_from_the_page_and_the_cards(client, db, hide):
    story = arabic_story()
    tr = french(story)
    assert "Ma nouvelle maison" in page(client, f"/fr/stories/{story.slug}")
    assert "Ma nouvelle maison" in page(client, "/fr/stories")
    hide(story, tr)
    db.session.commit()
    for url in (f"/fr/stories/{story.slug}", "/fr/stories", "/fr/", "/fr/stories?q=maison"):
        assert "Ma nouvelle maison" not in page(client, url), url
    assert "بيتي الجديد" in page(client, f"/fr/stories/{story.slug}")


def test_an_edit_of_the_original_hides_its_translation_until_reviewed_again(client, db, moderator):
    story = arabic_story()
    french(story)
    revise(story, moderator, body="وصلت في الربيع.")
    db.session.commit()
    html = page(client, f"/fr/stories/{story.slug}")
    assert "Ma nouvelle maison" not in html and "وصلت في الربيع." in html


def test_gallery_cards_show_the_translated_title_and_quote_marked_as_a_translation(client, db):
    story = arabic_story(photo={"width": 800, "height": 1000, "alt_text": "x", "renditions": []})
    french(story)
    publish("Une histoire en français", language="fr")
    html = page(client, "/fr/stories")
    card = html.split("Ma nouvelle maison", 1)[0].rsplit('<article class="card', 1)[1]
    card += html.split("Ma nouvelle maison", 1)[1].split("</article>", 1)[0]
    assert re.search(r'class="card__title" lang="fr" dir="ltr">Ma nouvelle maison', html)
    assert "Traduit de l’arabe" in card or "arabe" in card.split('class="card__translated"')[1]
    # In English there is no English translation: the original, unlabelled.
    html = page(client, "/en/stories")
    assert "Ma nouvelle maison" not in html and 'class="card__translated"' not in html
    assert "بيتي الجديد" in html


def test_the_home_page_leads_with_the_translation_in_the_readers_language(client, db):
    story = arabic_story()
    french(story)
    html = page(client, "/fr/")
    assert "Ma nouvelle maison" in html and 'class="card__translated"' in html


# Stories in my language first ------------------------------------------------------


def card_titles(html: str) -> list[str]:
    found = re.findall(r'class="card__title" lang="[^"]+" dir="[^"]+">(.*?)</p>', html)
    return [re.sub(r"</?mark>", "", title) for title in found]


def next_link(html: str) -> str | None:
    found = re.search(r'<a rel="next" href="([^"]+)"', html)
    return found.group(1).replace("&amp;", "&") if found else None


def every_page(client, url: str) -> list[str]:
    titles = []
    while url:
        html = page(client, url)
        titles += card_titles(html)
        url = next_link(html)
    return titles


@pytest.fixture
def mixed(db):
    """Stories in four languages, newest last; one Arabic story translated into French."""
    made = {}
    for number in range(5):
        for language in ("en", "fr", "ar", "uk"):
            title = f"{language}-{number}"
            made[title] = publish(title, language=language, consents_translation=True)
    make_translation(made["ar-1"], "fr", title="ar-1 traduit")
    make_translation(made["uk-3"], "fr", status=TranslationStatus.OUTDATED, title="uk-3 ancien")
    return made


@pytest.mark.parametrize("config_overrides", [{"STORIES_PER_PAGE": 4}])
def test_a_french_visitor_sees_french_stories_and_translations_first_then_the_others(client, mixed):
    titles = every_page(client, "/fr/stories")
    mine = ["fr-4", "fr-3", "fr-2", "ar-1 traduit", "fr-1", "fr-0"]
    assert titles[:6] == mine
    rest = titles[6:]
    assert len(rest) == 14 and len(set(titles)) == 20  # every story once, across pages
    assert "uk-3 ancien" not in titles and "ar-1" not in titles  # outdated: the original
    newest_first = sorted(rest, key=lambda t: mixed[t].published_at, reverse=True)
    assert rest == newest_first


@pytest.mark.parametrize("config_overrides", [{"STORIES_PER_PAGE": 4}])
def test_all_languages_is_one_click_away_and_keeps_every_story_in_date_order(client, mixed):
    html = page(client, "/fr/stories")
    link = re.search(r'<a href="([^"]+languages=all[^"]*)"', html).group(1)
    titles = every_page(client, link.replace("&amp;", "&"))
    assert len(titles) == 20 and titles[0] == "uk-4"
    back = page(client, link.replace("&amp;", "&"))
    assert 'href="/fr/stories"' in back  # and back to my language first


@pytest.mark.both_databases
def test_a_search_in_french_finds_an_arabic_story_by_its_french_translation(client, db):
    story = arabic_story()
    french(story, body="Je suis arrivée en hiver, la neige couvrait la gare.")
    publish("Autre", body="Rien à voir.", language="fr")
    for sort in ("relevance", "newest", "oldest"):
        html = page(client, f"/fr/stories?q=neige&sort={sort}")
        assert card_titles(html) == ["Ma nouvelle maison"], sort
    # Only public translations are searched: out of date, it is found no more.
    translation = story.translations[0]
    translation.status = TranslationStatus.OUTDATED
    db.session.commit()
    assert card_titles(page(client, "/fr/stories?q=neige")) == []
    translation.status = TranslationStatus.PUBLISHED
    db.session.commit()
    assert card_titles(page(client, "/fr/stories?q=neige")) == ["Ma nouvelle maison"]
    db.session.delete(translation)
    db.session.commit()
    assert card_titles(page(client, "/fr/stories?q=neige")) == []


@pytest.mark.both_databases
def test_a_search_ranks_a_match_in_a_translations_title_first(client, db):
    in_body = publish("Une histoire", body="Ma maison est loin.", language="fr")
    story = arabic_story()
    french(story)  # "Ma nouvelle maison": maison in the title
    html = page(client, "/fr/stories?q=maison")
    assert card_titles(html) == ["Ma nouvelle maison", in_body.title]
