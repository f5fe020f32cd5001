"""Translations travel: the API, feeds, embeds, oEmbed and share cards give a story in
the reader's (or embedding page's) language when a public translation exists, and an
out-of-date, unreviewed or removed translation is nowhere."""

import feedparser
import pytest
from sqlalchemy import select

from campaign.extensions import db
from campaign.models import (
    ShareCard,
    Story,
    TranslationSource,
    TranslationStatus,
    revise,
)
from campaign.publishing import stats
from tests.factories import make_translation
from tests.gallery.helpers import publish

pytestmark = pytest.mark.both_databases

XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"


def told_in_arabic(**fields) -> Story:
    values = {
        "title": "بيتي الجديد",
        "quote": "وجدت أصدقاء هنا",
        "body": "وصلت في الشتاء.",
        "language": "ar",
        "consents_translation": True,
        "consents_partners": True,
        "consents_share_images": True,
        "slug": "my-new-home",
    }
    values.update(fields)
    return publish(values.pop("title"), **values)


def in_french(story, **fields):
    values = {
        "title": "Ma nouvelle maison",
        "quote": "J'ai trouvé des amis ici",
        "body": "Je suis arrivée en hiver.",
    }
    values.update(fields)
    return make_translation(story, "fr", **values)


HIDE = {
    "outdated": lambda story, tr: setattr(tr, "status", TranslationStatus.OUTDATED),
    "in-review": lambda story, tr: setattr(tr, "status", TranslationStatus.IN_REVIEW),
    "consent-taken-back": lambda story, tr: setattr(story, "consents_translation", False),
    "removed": lambda story, tr: db.session.delete(tr),
}


# The API -------------------------------------------------------------------------


def test_the_api_gives_each_story_its_public_translations(client, db):
    story = told_in_arabic()
    in_french(story, source=TranslationSource.MACHINE_DRAFT)
    make_translation(story, "es", title="Mi nueva casa")
    make_translation(story, "uk", status=TranslationStatus.DRAFT, title="Чернетка")
    listed = client.get("/api/v1/stories").get_json()["stories"]
    one = client.get(f"/api/v1/stories/{story.id}").get_json()
    for shown in (listed[0], one):
        assert [t["language"] for t in shown["translations"]] == ["es", "fr"]
        french = shown["translations"][1]
        assert french == {
            "language": "fr",
            "status": "published",
            "source": "machine_draft",
            "title": "Ma nouvelle maison",
            "quote": "J'ai trouvé des amis ici",
            "body": "Je suis arrivée en hiver.",
            "body_html": "<p>Je suis arrivée en hiver.</p>",
            "url": "http://localhost/fr/stories/my-new-home",
        }
        assert shown["title"] == "بيتي الجديد"  # the original stays the story of record


@pytest.mark.parametrize("hide", list(HIDE))
def test_a_translation_no_longer_public_leaves_the_api(client, db, hide):
    story = told_in_arabic()
    tr = in_french(story)
    assert client.get(f"/api/v1/stories/{story.id}").get_json()["translations"]
    HIDE[hide](story, tr)
    db.session.commit()
    assert client.get(f"/api/v1/stories/{story.id}").get_json()["translations"] == []
    assert client.get("/api/v1/stories").get_json()["stories"][0]["translations"] == []


def test_the_openapi_document_describes_translations(client, db):
    document = client.get("/api/v1/openapi.json").get_json()
    schemas = document["components"]["schemas"]
    assert "translations" in schemas["Story"]["required"]
    assert schemas["Translation"]["properties"]["status"]["enum"] == ["published"]
    assert set(schemas["Translation"]["required"]) == {
        "language",
        "status",
        "source",
        "title",
        "quote",
        "body",
        "body_html",
        "url",
    }


# Feeds ---------------------------------------------------------------------------


def parse(client, url):
    response = client.get(url)
    assert response.status_code == 200, url
    feed = feedparser.parse(response.get_data())
    assert feed.bozo == 0, feed.get("bozo_exception")
    assert feed.version == "atom10"
    return feed, response.get_data()


def test_a_languages_feed_holds_stories_translated_into_it_in_the_translation(client, db):
    story = told_in_arabic()
    in_french(story)
    publish("Écrit en français", language="fr", consents_partners=True)
    publish("Written in English", language="en", consents_partners=True)
    feed, raw = parse(client, "/fr/feed/language/fr.atom")
    titles = [entry.title for entry in feed.entries]
    assert set(titles) == {"Ma nouvelle maison", "Écrit en français"}
    entry = next(e for e in feed.entries if e.title == "Ma nouvelle maison")
    assert entry.link == "http://localhost/fr/stories/my-new-home"
    assert entry.get("language") == "fr" or 'xml:lang="fr"' in raw.decode()
    assert "Je suis arrivée en hiver." in entry.content[0].value
    # The Arabic feed holds the original, in Arabic.
    feed, raw = parse(client, "/ar/feed/language/ar.atom")
    assert [e.title for e in feed.entries] == ["بيتي الجديد"]
    assert 'xml:lang="ar"' in raw.decode()


def test_the_newest_feed_under_a_language_gives_the_translations_into_it(client, db):
    story = told_in_arabic()
    in_french(story)
    feed, _raw = parse(client, "/fr/feed.atom")
    assert [e.title for e in feed.entries] == ["Ma nouvelle maison"]
    feed, _raw = parse(client, "/en/feed.atom")
    assert [e.title for e in feed.entries] == ["بيتي الجديد"]


@pytest.mark.parametrize("hide", list(HIDE))
def test_a_translation_no_longer_public_leaves_the_feeds(client, db, hide):
    story = told_in_arabic()
    tr = in_french(story)
    HIDE[hide](story, tr)
    db.session.commit()
    for url in ("/fr/feed.atom", "/fr/feed/language/fr.atom"):
        _feed, raw = parse(client, url)
        assert "Ma nouvelle maison" not in raw.decode(), url


def test_a_language_not_served_has_no_feed(client, db):
    assert client.get("/feed/language/xx.atom").status_code == 404


# Embeds and oEmbed ---------------------------------------------------------------


def test_the_embed_under_a_language_shows_the_translation(client, db):
    story = told_in_arabic()
    in_french(story)
    one = client.get(f"/fr/embed/stories/{story.slug}").get_data(as_text=True)
    listed = client.get("/fr/embed").get_data(as_text=True)
    for html in (one, listed):
        assert 'lang="fr" dir="ltr">Ma nouvelle maison' in html
        assert 'class="card__translated"' in html
    arabic = client.get(f"/ar/embed/stories/{story.slug}").get_data(as_text=True)
    assert "Ma nouvelle maison" not in arabic and 'dir="rtl">بيتي الجديد' in arabic


def test_oembed_takes_the_language_from_the_address_or_the_lang_parameter(client, db):
    story = told_in_arabic()
    in_french(story)

    def oembed(url, **extra):
        return client.get("/oembed", query_string={"url": url, **extra}).get_json()

    french = oembed("http://localhost/fr/stories/my-new-home")
    assert french["title"] == "Ma nouvelle maison"
    assert "/fr/embed/stories/my-new-home" in french["html"]
    assert oembed("http://localhost/stories/my-new-home")["title"] == "بيتي الجديد"
    asked = oembed("http://localhost/stories/my-new-home", lang="fr")
    assert asked["title"] == "Ma nouvelle maison" and "/fr/embed/" in asked["html"]
    assert oembed("http://localhost/es/stories/my-new-home")["title"] == "بيتي الجديد"


@pytest.mark.parametrize("hide", list(HIDE))
def test_a_translation_no_longer_public_leaves_embeds_and_oembed(client, db, hide):
    story = told_in_arabic()
    tr = in_french(story)
    HIDE[hide](story, tr)
    db.session.commit()
    assert "Ma nouvelle maison" not in client.get(f"/fr/embed/stories/{story.slug}").get_data(
        as_text=True
    )
    assert "Ma nouvelle maison" not in client.get("/fr/embed").get_data(as_text=True)
    answer = client.get(
        "/oembed", query_string={"url": "http://localhost/fr/stories/my-new-home"}
    ).get_json()
    assert answer["title"] == "بيتي الجديد"


# Share cards ---------------------------------------------------------------------


def fetch(client, url):
    with client.get(url) as response:
        response.get_data()
        return response


def cards_of(story) -> dict[str, ShareCard]:
    db.session.expire_all()
    rows = db.session.scalars(select(ShareCard).where(ShareCard.story_id == story.id))
    return {row.language: row for row in rows}


def test_a_translated_page_has_a_card_in_its_translation(client, db):
    story = told_in_arabic()
    tr = in_french(story)
    page = client.get(f"/fr/stories/{story.slug}").get_data(as_text=True)
    assert (
        f'<meta property="og:image" content="http://localhost/fr/stories/{story.slug}'
        '/card-1200x630.jpg">'
    ) in page
    original = client.get(f"/fr/stories/{story.slug}?original=1").get_data(as_text=True)
    assert f"/fr/stories/{story.slug}/card-1200x630.jpg?original=1" in original
    assert fetch(client, f"/fr/stories/{story.slug}/card-1200x630.jpg").status_code == 200
    assert fetch(client, f"/ar/stories/{story.slug}/card-1200x630.jpg").status_code == 200
    kept = {language: card.key for language, card in cards_of(story).items()}
    assert set(kept) == {"fr", ""}
    # The card's key follows the translation's version: an edit draws it again.
    tr.quote = "Des amis, enfin"
    db.session.commit()
    assert fetch(client, f"/fr/stories/{story.slug}/card-1200x630.jpg").status_code == 200
    assert cards_of(story)["fr"].key != kept["fr"]


def test_the_cards_words_are_the_translations(app, db):
    from campaign.cards.services import card_content

    story = told_in_arabic()
    tr = in_french(story)
    content = card_content(story, tr)
    assert content.quote == "J'ai trouvé des amis ici"
    assert content.language == "fr" and not content.rtl
    assert card_content(story).rtl


@pytest.mark.parametrize("hide", ["outdated", "removed"])
def test_a_translation_leaving_the_public_takes_its_card_along(client, db, hide):
    story = told_in_arabic()
    tr = in_french(story)
    assert fetch(client, f"/fr/stories/{story.slug}/card-1200x630.jpg").status_code == 200
    assert "fr" in cards_of(story)
    HIDE[hide](story, tr)
    db.session.commit()
    assert "fr" not in cards_of(story)
    fetch(client, f"/fr/stories/{story.slug}/card-1200x630.jpg")
    assert set(cards_of(story)) == {""}  # the original's card now


def test_no_card_of_a_translation_without_consent_to_share_images(client, db):
    story = told_in_arabic(consents_share_images=False)
    in_french(story)
    page = client.get(f"/fr/stories/{story.slug}").get_data(as_text=True)
    assert "card-1200x630" not in page
    assert fetch(client, f"/fr/stories/{story.slug}/card-1200x630.jpg").status_code in (404, 410)


# A translation's public change is a public change -------------------------------------


def made_public(story, tr):
    tr.status = TranslationStatus.PUBLISHED


@pytest.mark.parametrize(
    "change",
    [
        made_public,
        lambda story, tr: setattr(tr, "title", "Un autre titre"),
        lambda story, tr: setattr(tr, "status", TranslationStatus.OUTDATED),
        lambda story, tr: db.session.delete(tr),
    ],
    ids=["published", "edited-while-published", "outdated", "removed"],
)
def test_a_translations_public_change_bumps_the_version_and_stamps_the_story(db, change):
    story = told_in_arabic()
    tr = in_french(story, status=TranslationStatus.IN_REVIEW)
    if change is not made_public:
        tr.status = TranslationStatus.PUBLISHED
        db.session.commit()
    before, stamped = stats.current().version, story.public_updated_at
    change(story, tr)
    db.session.commit()
    db.session.expire_all()
    assert stats.current().version > before
    assert story.public_updated_at is not None and story.public_updated_at != stamped


def test_a_drafts_saves_change_nothing_the_public_sees(db):
    story = told_in_arabic()
    tr = in_french(story, status=TranslationStatus.DRAFT)
    before = stats.current().version
    tr.body = "Encore un brouillon."
    db.session.commit()
    assert stats.current().version == before


def test_an_edit_of_the_original_empties_the_page_cache_of_the_translated_page(
    client, db, moderator
):
    story = told_in_arabic()
    in_french(story)
    assert "Ma nouvelle maison" in client.get(f"/fr/stories/{story.slug}").get_data(as_text=True)
    revise(story, moderator, quote="Une citation changée en arabe")
    db.session.commit()
    assert "Ma nouvelle maison" not in client.get(f"/fr/stories/{story.slug}").get_data(
        as_text=True
    )
