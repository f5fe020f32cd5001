"""Reading in one's own language, in a real browser: a French visitor meets French
stories and translations first, switches to the original and back; an Arabic (RTL)
original and its French (LTR) translation each read in their own direction."""

import os
from pathlib import Path

import pytest
from sqlalchemy import select

from campaign.extensions import db
from campaign.models import Photo, StoryStatus
from tests.browser.conftest import PHONE
from tests.factories import make_portrait, make_story, make_translation

pytestmark = pytest.mark.browser

LAPTOP = {"width": 1366, "height": 900}
SCREENS = Path(os.environ.get("TREAD_SCREENS", "/work/screens/tread"))


@pytest.fixture(scope="module")
def stories(live_app):
    """Stories in four languages; an Arabic one (with a portrait) translated into
    French and English; an English one translated into Arabic."""
    with live_app.app_context():
        for number, language in enumerate(["en", "uk", "fr", "en", "uk", "fr", "en"]):
            make_story(
                StoryStatus.PUBLISHED,
                title=f"Story {number} ({language})",
                language=language,
                quote=f"Words of story {number}",
            )
        arabic = make_story(
            StoryStatus.PUBLISHED,
            title="بيتي الجديد",
            quote="وجدت أصدقاء هنا، وصار لي بيت.",
            body="وصلت في الشتاء وكان الجو باردا جدا.\n\nتعلمت اللغة في المكتبة كل مساء.",
            language="ar",
            author_name="Amal",
            origin_country="SY",
            residence_country="FR",
        )
        arabic.consents_translation = True
        arabic.consents_share_images = True
        make_portrait(arabic)
        db.session.commit()
        photo = db.session.scalar(select(Photo).where(Photo.story_id == arabic.id))
        photo.alt_text = "امرأة تبتسم أمام نافذة"
        db.session.commit()
        make_translation(
            arabic,
            "fr",
            title="Ma nouvelle maison",
            quote="J’ai trouvé des amis ici, et une maison.",
            body="Je suis arrivée en hiver et il faisait très froid.\n\n"
            "J’ai appris la langue à la bibliothèque chaque soir.",
            alt_text="Une femme sourit devant une fenêtre",
        )
        make_translation(
            arabic,
            "en",
            title="My new home",
            quote="I found friends here, and a home.",
            body="I arrived in winter and it was very cold.\n\n"
            "I learned the language at the library every evening.",
        )
        english = make_story(
            StoryStatus.PUBLISHED,
            title="The night bus",
            quote="Every night I took the last bus home.",
            language="en",
        )
        english.consents_translation = True
        db.session.commit()
        make_translation(english, "ar", title="حافلة الليل", quote="كل ليلة كنت أركب آخر حافلة.")
        data = {"arabic": arabic.slug, "english": english.slug}
        db.session.remove()
    return data


def card_titles(page) -> list[str]:
    return page.locator(".cards .card__title").all_inner_texts()


def test_a_french_visitor_sees_french_stories_and_translations_first(live_server, stories, browser):
    context = browser.new_context(viewport=PHONE, locale="fr-FR")
    page = context.new_page()
    page.goto(f"{live_server}/fr/stories")
    titles = card_titles(page)
    first = titles[:3]
    assert set(first) == {"Story 2 (fr)", "Story 5 (fr)", "Ma nouvelle maison"}, titles
    assert "بيتي الجديد" not in titles  # the translation stands in for it
    card = page.locator(".card", has_text="Ma nouvelle maison")
    assert card.locator(".card__title").get_attribute("lang") == "fr"
    label = card.locator(".card__translated")
    assert label.is_visible() and "arabe" in label.inner_text()
    # "All languages" one click away: every story, newest first.
    page.get_by_role("link", name="Toutes les langues, les plus récents d’abord").click()
    assert card_titles(page)[0] == "The night bus"
    context.close()


def test_the_french_visitor_switches_to_the_original_and_back(live_server, stories, phone):
    phone.goto(f"{live_server}/fr/stories/{stories['arabic']}")
    article = phone.locator("article.story")
    assert article.get_attribute("lang") == "fr" and article.get_attribute("dir") == "ltr"
    assert phone.locator("h1").inner_text() == "Ma nouvelle maison"
    label = phone.locator(".story__translation")
    assert label.get_attribute("lang") == "fr"
    assert "bénévole" in label.inner_text() and "arabe" in label.inner_text()
    assert phone.locator(".story__photo img").get_attribute("alt") == (
        "Une femme sourit devant une fenêtre"
    )

    phone.get_by_role("link", name="Lire l’original").click()
    phone.wait_for_url("**original=1")
    article = phone.locator("article.story")
    assert article.get_attribute("lang") == "ar" and article.get_attribute("dir") == "rtl"
    assert phone.locator("h1").inner_text() == "بيتي الجديد"
    # The label around it stays in the reader's language and direction.
    label = phone.locator(".story__translation")
    assert label.get_attribute("lang") == "fr" and label.get_attribute("dir") == "ltr"
    assert phone.locator("h1").evaluate("h => getComputedStyle(h).direction") == "rtl"
    assert phone.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]

    phone.get_by_role("link", name="Lire la traduction (français)").click()
    phone.wait_for_url(lambda url: "/fr/stories/" in url and "original" not in url)
    assert phone.locator("h1").inner_text() == "Ma nouvelle maison"


def test_an_arabic_reader_reads_an_english_story_in_arabic_beside_its_ltr_original(
    live_server, stories, phone
):
    phone.goto(f"{live_server}/ar/stories/{stories['english']}")
    html = phone.locator("html")
    assert html.get_attribute("dir") == "rtl"
    article = phone.locator("article.story")
    assert article.get_attribute("lang") == "ar" and article.get_attribute("dir") == "rtl"
    assert phone.locator("h1").inner_text() == "حافلة الليل"
    phone.locator(".story__translation a").click()
    phone.wait_for_url("**original=1")
    article = phone.locator("article.story")
    assert article.get_attribute("lang") == "en" and article.get_attribute("dir") == "ltr"
    assert phone.locator("h1").evaluate("h => getComputedStyle(h).direction") == "ltr"
    label = phone.locator(".story__translation")
    assert label.get_attribute("dir") == "rtl"  # the page's own words stay right-to-left
    assert phone.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]


@pytest.mark.parametrize("viewport", [PHONE, LAPTOP], ids=["phone", "laptop"])
@pytest.mark.parametrize("language", ["en", "fr", "ar"])
def test_screenshots_of_translated_pages(live_server, stories, browser, viewport, language):
    """Screenshots for the eye (not compared): a translated story page and the gallery
    with translated cards, on a phone and a laptop, in en, fr and ar."""
    SCREENS.mkdir(parents=True, exist_ok=True)
    context = browser.new_context(viewport=viewport)
    page = context.new_page()
    size = f"{viewport['width']}x{viewport['height']}"
    page.goto(f"{live_server}/{language}/stories/{stories['arabic']}")
    page.screenshot(path=str(SCREENS / f"story-{language}-{size}.png"), full_page=False)
    page.goto(f"{live_server}/{language}/stories")
    page.screenshot(path=str(SCREENS / f"gallery-{language}-{size}.png"), full_page=False)
    assert page.evaluate("document.documentElement.scrollWidth") <= viewport["width"]
    context.close()
