"""Seven languages: chosen by URL prefix, then cookie, then the browser; right-to-left."""

import re

import pytest

from campaign.i18n.locale import LANGUAGE_NAMES, text_direction
from campaign.models import StoryStatus
from tests.factories import make_story


def html_tag(response) -> str:
    return re.search(r"<html[^>]*>", response.get_data(as_text=True)).group(0)


def test_prefixed_url_shows_the_page_in_that_language(client):
    response = client.get("/fr/share")
    assert response.status_code == 200
    assert '<html lang="fr" dir="ltr">' in html_tag(response)
    assert "Partagez votre récit" in response.get_data(as_text=True)


def test_links_on_a_prefixed_page_stay_in_that_language(client):
    page = client.get("/fi/").get_data(as_text=True)
    assert 'href="/fi/stories"' in page
    assert 'href="/fi/share"' in page
    assert 'href="/stories"' not in page


def test_form_on_a_prefixed_page_posts_back_to_that_language(client):
    page = client.get("/uk/share").get_data(as_text=True)
    assert 'action="/uk/share"' in page


def test_unprefixed_urls_stay_english_by_default(client):
    response = client.get("/stories")
    assert response.status_code == 200
    assert '<html lang="en" dir="ltr">' in html_tag(response)
    assert {"Accept-Language", "Cookie"} <= set(response.vary)


def test_static_files_are_the_same_in_every_language(client):
    with client.get("/static/css/site.css") as response:
        assert "Accept-Language" not in response.vary
    with client.get("/fr/static/css/site.css") as response:
        assert response.status_code == 200
        assert "Set-Cookie" not in response.headers


STATIC_LINK = re.compile(r'(?:href|src)="([^"]*/static/[^"]*)"')
FONT = re.compile(r'url\("\.\./(fonts/[^"]+)"\)')
CACHING = ("Cache-Control", "Content-Type", "ETag", "Last-Modified", "Vary")


def caching_headers(response) -> dict:
    return {name: response.headers.get(name) for name in CACHING}


def test_every_page_links_its_files_at_one_address_in_every_language(client, db):
    """Browsers and CDNs keep one copy of the styles, scripts, images and fonts: every
    page in every language links them at /static/..., never under its language prefix,
    and they answer there with the caching headers an old prefixed link still gets."""
    story = make_story(StoryStatus.PUBLISHED)
    paths = [
        "/",
        "/stories",
        f"/stories/{story.slug}",
        "/share",
        "/login",
        "/about",
        "/privacy",
        "/journeys",
        "/lost-link",
        "/embed/builder",
        "/embed",
        f"/embed/stories/{story.slug}",
        "/no-such-page",
    ]
    linked = set()
    for language in ALL_LANGUAGES:
        for path in paths:
            page = client.get(f"/{language}{path}").get_data(as_text=True)
            found = set(STATIC_LINK.findall(page))
            assert found, (language, path)
            assert {link for link in found if not link.startswith("/static/")} == set(), (
                language,
                path,
            )
            linked |= found
    with client.get("/static/css/site.css") as styles:
        fonts = {f"/static/{font}" for font in FONT.findall(styles.get_data(as_text=True))}
    assert {"/static/css/site.css", "/static/js/site.js"} <= linked
    assert fonts
    for address in sorted(linked | fonts):
        with client.get(address) as one, client.get(f"/ar{address}") as prefixed:
            assert one.status_code == 200, address
            assert prefixed.status_code == 200, address  # old links still answer
            assert caching_headers(one) == caching_headers(prefixed), address
            assert one.headers["Cache-Control"], address


def test_browser_language_chooses_when_the_url_does_not(client):
    response = client.get("/stories", headers={"Accept-Language": "es-MX,es;q=0.9,en;q=0.5"})
    assert '<html lang="es" dir="ltr">' in html_tag(response)
    assert "Historias" in response.get_data(as_text=True)


def test_url_prefix_wins_over_the_browser_language(client):
    response = client.get("/fi/stories", headers={"Accept-Language": "ar"})
    assert '<html lang="fi" dir="ltr">' in html_tag(response)
    assert "Accept-Language" not in response.vary


def test_chosen_language_is_remembered_for_unprefixed_pages(client):
    response = client.get("/uk/stories", headers={"Accept-Language": "fr"})
    assert "lang=uk" in response.headers["Set-Cookie"]
    later = client.get("/share", headers={"Accept-Language": "fr"})
    assert '<html lang="uk" dir="ltr">' in html_tag(later)


def test_choosing_english_in_the_switcher_overrides_the_browser(client):
    client.get("/en/", headers={"Accept-Language": "ar"})
    response = client.get("/stories", headers={"Accept-Language": "ar"})
    assert '<html lang="en" dir="ltr">' in html_tag(response)


def test_unknown_prefix_is_just_a_missing_page(client):
    assert client.get("/xx/stories").status_code == 404


@pytest.mark.parametrize("language", ["ar", "fa"])
def test_arabic_and_dari_pages_are_right_to_left(client, language):
    response = client.get(f"/{language}/")
    assert f'<html lang="{language}" dir="rtl">' in html_tag(response)


def test_switcher_names_each_language_in_itself_and_links_to_the_same_page(client):
    page = client.get("/fr/stories?after=abc").get_data(as_text=True)
    switcher = re.search(r'<nav class="language-switcher".*?</nav>', page, re.S).group(0)
    for code, name in LANGUAGE_NAMES.items():
        assert re.search(
            rf'<a href="/{code}/stories\?after=abc" lang="{code}" hreflang="{code}" '
            rf'dir="{text_direction(code)}"[^>]*>{name}</a>',
            switcher,
        ), code
    assert 'aria-current="true">Français<' in switcher


def test_every_page_has_a_language_switcher_even_errors(client):
    page = client.get("/ar/no-such-page")
    assert page.status_code == 404
    assert 'href="/fa/no-such-page"' in page.get_data(as_text=True)


def test_story_page_localises_dates_and_country_names(client, db):
    story = make_story(StoryStatus.PUBLISHED, origin_country="SY", residence_country="FI")
    page = client.get(f"/fr/stories/{story.slug}").get_data(as_text=True)
    assert "Syrie" in page and "Finlande" in page
    months = ["janv.", "févr.", "mars", "avr.", "mai", "juin", "juil.", "août", "sept.", "oct."]
    months += ["nov.", "déc."]
    assert any(month in page for month in months)


def test_story_keeps_its_own_language_on_a_page_in_another(client, db):
    story = make_story(
        StoryStatus.PUBLISHED,
        title="رحلتي إلى هلسنكي",
        body="عبرت البحر مع أخي في الليل. " * 5,
    )
    story.language = "ar"
    db.session.commit()
    page = client.get(f"/fi/stories/{story.slug}").get_data(as_text=True)
    # The whole story (title, quote, text) is marked; the byline is in the page's language.
    assert '<article class="story" lang="ar" dir="rtl">' in page
    assert '<p class="story__byline" lang="fi" dir="ltr">' in page
    gallery = client.get("/fi/stories").get_data(as_text=True)
    assert re.search(r'<p class="card__title" lang="ar" dir="rtl">', gallery)


@pytest.mark.parametrize(
    ("code", "direction"),
    [("ar", "rtl"), ("fa", "rtl"), ("fa-AF", "rtl"), ("he", "rtl"), ("fi", "ltr"), ("", "ltr")],
)
def test_text_direction_follows_the_script_of_the_language(code, direction):
    assert text_direction(code) == direction


def test_text_direction_of_an_unknown_language_is_left_to_right():
    assert text_direction("zz-not-a-language") == "ltr"


ALL_LANGUAGES = list(LANGUAGE_NAMES)


@pytest.mark.parametrize("language", ALL_LANGUAGES)
def test_public_pages_are_translated_in_every_language(client, language):
    direction = text_direction(language)
    for path, status in [("/", 200), ("/stories", 200), ("/share", 200), ("/login", 200)]:
        response = client.get(f"/{language}{path}")
        assert response.status_code == status, path
        assert f'<html lang="{language}" dir="{direction}">' in html_tag(response), path
    missing = client.get(f"/{language}/no-such-page")
    assert missing.status_code == 404
    errors = client.post(f"/{language}/share", data={}).get_data(as_text=True)
    assert 'id="error-summary"' in errors
    if language != "en":
        for english in ("Share your story", "Please check the form", "Give your story a title."):
            assert english not in errors, (language, english)


@pytest.mark.parametrize("language", ["ar", "fi"])
def test_moderation_sign_in_keeps_the_language(client, language):
    response = client.get(f"/{language}/moderate")
    assert response.status_code == 302
    assert response.location.startswith(f"/{language}/login?next=")


def test_private_page_and_review_keep_the_story_language(signed_in, db):
    story = make_story(title="Мій шлях додому", body="Я повернулася до Києва навесні. " * 3)
    story.language = "uk"
    db.session.commit()
    private = signed_in.get(f"/ar/my-story/{story.token}").get_data(as_text=True)
    assert '<h2 lang="uk" dir="ltr">' in private
    review = signed_in.get(f"/ar/moderate/stories/{story.id}").get_data(as_text=True)
    assert '<html lang="ar" dir="rtl">' in review
    assert '<h1 lang="uk" dir="ltr">' in review


# ---- Lists of words in the reader's language (Babel's list patterns) ----------------


@pytest.mark.parametrize(
    ("language", "joined"),
    [
        ("en", "alpha, beta, and gamma"),
        ("ar", "alpha وbeta وgamma"),
        ("fa", "alpha،\u200f beta، و gamma"),
    ],
)
def test_a_list_of_words_is_joined_as_the_readers_language_joins_it(app, language, joined):
    from flask_babel import force_locale

    from campaign.i18n.locale import format_list

    with app.test_request_context("/"), force_locale(language):
        assert format_list(["alpha", "beta", "gamma"]) == joined


def test_a_wrong_choice_names_the_right_ones_as_alternatives_in_arabic(client):
    response = client.get("/ar/api/v1/stories?sort=loudest")

    assert response.status_code == 400
    assert response.json["error"]["message"].endswith(": newest أو oldest.")
