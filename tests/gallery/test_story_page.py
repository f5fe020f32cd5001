"""A single story: language, photo, facts, sharing, meta tags, reporting."""

import re

import pytest

from campaign.extensions import db as _db
from campaign.gallery.geo import centroids, distance_km, haversine_km
from campaign.i18n.countries import country_codes
from campaign.models import StoryStatus
from tests.gallery.helpers import ensure_themes, publish

PHOTO = {
    "width": 1600,
    "height": 1200,
    "alt_text": "My grandmother's kitchen in Aleppo",
    "renditions": [
        {"name": "abc-480.webp", "width": 480, "height": 360, "format": "webp"},
        {"name": "abc-1200.webp", "width": 1200, "height": 900, "format": "webp"},
        {"name": "abc-480.jpg", "width": 480, "height": 360, "format": "jpeg"},
        {"name": "abc-1200.jpg", "width": 1200, "height": 900, "format": "jpeg"},
    ],
}


@pytest.fixture
def with_media(app):
    """Photos are served by the media blueprint."""
    assert "media.file" in app.view_functions
    return app


def test_story_is_shown_in_its_own_language_and_direction(client, db):
    arabic = "الفقرة الأولى طويلة بما يكفي.\n\nالفقرة الثانية."
    story = publish("بيت جديد", body=arabic, language="ar")
    page = client.get(f"/stories/{story.slug}").get_data(as_text=True)
    assert '<article class="story" lang="ar" dir="rtl">' in page
    assert "<p>الفقرة الأولى طويلة بما يكفي.</p>" in page


def test_left_to_right_story_keeps_ltr(client, db):
    story = publish("Suomeksi", language="fi")
    page = client.get(f"/stories/{story.slug}").get_data(as_text=True)
    assert '<article class="story" lang="fi" dir="ltr">' in page


def test_photo_has_renditions_size_and_description(client, db, with_media):
    story = publish("With a photo", photo=PHOTO)
    page = client.get(f"/stories/{story.slug}").get_data(as_text=True)
    assert 'srcset="/media/abc-480.webp 480w, /media/abc-1200.webp 1200w"' in page
    assert 'srcset="/media/abc-480.jpg 480w, /media/abc-1200.jpg 1200w"' in page
    assert 'width="1600" height="1200"' in page
    assert 'alt="My grandmother&#39;s kitchen in Aleppo"' in page
    assert "sizes=" in page


def test_gallery_photos_below_the_fold_load_lazily(client, db, with_media):
    for n in range(4):
        publish(f"Photo {n}", photo=PHOTO)
    page = client.get("/stories").get_data(as_text=True)
    images = re.findall(r"<img [^>]+>", page.split("<main")[1])
    assert len(images) == 4
    assert ['loading="lazy"' in image for image in images] == [False, False, True, True]


def test_story_without_photo_shows_a_placeholder_not_a_broken_image(client, db):
    story = publish("No photo")
    page = client.get(f"/stories/{story.slug}").get_data(as_text=True)
    assert "<img" not in page.split("<main")[1]
    card_page = client.get("/stories").get_data(as_text=True)
    assert "card--quote" in card_page


@pytest.mark.both_databases
def test_story_page_shows_countries_themes_date_and_more_from_the_country(client, db):
    ensure_themes()
    story = publish("Main", origin_country="SY", residence_country="FI", themes=["journey"])
    publish("Also from Syria", origin_country="SY")
    publish("From Iraq", origin_country="IQ")
    page = client.get(f"/stories/{story.slug}").get_data(as_text=True)
    assert "From: Syria · Lives in: Finland" in page
    assert 'href="/stories/from/sy"' in page and 'href="/stories/in/fi"' in page
    assert 'href="/stories/theme/journey"' in page
    assert f'<time datetime="{story.published_at.isoformat(timespec="seconds")}">' in page
    more = page.split('id="more-heading"')[1]
    assert "More stories from Syria" in more and "Also from Syria" in more
    assert "From Iraq" not in more and ">Main</a>" not in more


def test_share_links_are_plain_links_and_copy_is_an_enhancement(client, db):
    story = publish("Share me")
    page = client.get(f"/stories/{story.slug}").get_data(as_text=True)
    encoded = "http%3A//localhost/stories/" + story.slug
    assert f'href="https://www.facebook.com/sharer/sharer.php?u={encoded}"' in page
    assert 'href="mailto:?subject=Share%20me&amp;body=' in page
    assert 'data-copy-link="http://localhost/stories/' in page and " hidden>" in page
    assert '<script src="/static/js/copy-link.js" defer></script>' in page
    assert not re.search(r"<script(?![^>]*src=\"/static/)", page)  # nothing third-party


def test_share_buttons_offer_the_phone_sheet_first_then_the_apps_with_icons(client, db):
    story = publish("Bread & salt")
    page = client.get(f"/stories/{story.slug}").get_data(as_text=True)
    share = page.split('<section class="share"')[1].split("</section>")[0]
    names = re.findall(r'class="share-link[^"]*"[^>]*>.*?<span>([^<]+)</span>', share)
    assert names == ["Share…", "WhatsApp", "Telegram", "Facebook", "X", "E-mail", "Copy link"]
    # The share sheet and copy wait for JavaScript; the apps are plain links.
    sheet = r'<button type="button" class="share-link share-link--sheet"[^>]* hidden>'
    assert re.search(sheet, share)
    url = "http%3A//localhost/stories/" + story.slug
    assert f'href="https://wa.me/?text=Bread%20%26%20salt%20{url}"' in share
    assert f'href="https://t.me/share/url?url={url}&amp;text=Bread%20%26%20salt"' in share
    assert f'href="https://x.com/intent/post?url={url}&amp;text=Bread%20%26%20salt"' in share
    # Each icon is this site's own file, hidden from screen readers beside its name.
    icons = re.findall(r'<svg class="share-link__icon[^>]*><use href="([^"]+)">', share)
    assert len(icons) == 7 and all(i.startswith("/static/img/share-icons.svg#") for i in icons)
    assert share.count('aria-hidden="true" focusable="false"') == 7
    assert "Bluesky" not in share and "linkedin" not in share


def test_open_graph_twitter_and_canonical_tags(client, db, with_media):
    story = publish("Card title", quote="The quote & more", photo=PHOTO)
    page = client.get(f"/stories/{story.slug}").get_data(as_text=True)
    url = f"http://localhost/stories/{story.slug}"
    assert f'<link rel="canonical" href="{url}">' in page
    assert '<meta property="og:title" content="Card title">' in page
    assert '<meta property="og:description" content="The quote &amp; more">' in page
    assert f'<meta property="og:url" content="{url}">' in page
    assert '<meta property="og:image" content="http://localhost/media/abc-1200.jpg">' in page
    assert '<meta name="twitter:card" content="summary_large_image">' in page


def test_story_without_quote_describes_itself_with_its_opening(client, db):
    story = publish("No quote", body="It began on a Tuesday in the rain, long enough. " * 10)
    page = client.get(f"/stories/{story.slug}").get_data(as_text=True)
    description = re.search(r'<meta property="og:description" content="([^"]+)">', page)[1]
    assert description.startswith("It began on a Tuesday") and description.endswith("…")
    assert '<meta name="twitter:card" content="summary">' in page


def test_story_page_links_to_its_report_form(client, db):
    story = publish("Read me")
    page = client.get(f"/stories/{story.slug}").get_data(as_text=True)
    assert f'<a href="/stories/{story.slug}/report" rel="nofollow">Report this story</a>' in page
    assert client.get(f"/stories/{story.slug}/report").status_code == 200


def test_print_stylesheet_is_linked_for_print_only(client, db):
    story = publish("Printable")
    page = client.get(f"/stories/{story.slug}").get_data(as_text=True)
    assert 'href="/static/css/print.css" media="print"' in page


@pytest.mark.both_databases
def test_hidden_story_is_404_with_a_way_back_into_the_gallery(client, db):
    story = publish("Hidden after reports")
    story.hidden = True
    _db.session.commit()
    response = client.get(f"/stories/{story.slug}")
    assert response.status_code == 404
    assert 'href="/stories"' in response.get_data(as_text=True)
    assert "Hidden after reports" not in client.get("/").get_data(as_text=True)


@pytest.mark.both_databases
def test_withdrawn_story_disappears_from_every_public_page(client, db):
    ensure_themes()
    story = publish("Going away", origin_country="SY", themes=["work"], quote="unique-word")
    urls = ["/", "/stories", "/stories/from/sy", "/stories/theme/work", "/stories?q=unique"]
    assert all("Going away" in client.get(url).get_data(as_text=True) for url in urls)
    story.move_to(StoryStatus.WITHDRAWN)
    _db.session.commit()
    for url in urls:
        assert "Going away" not in client.get(url).get_data(as_text=True), url
    assert client.get(f"/stories/{story.slug}").status_code == 404


def test_every_country_has_a_centre_for_the_distance_from_home():
    assert country_codes() <= set(centroids())


def test_distance_from_home_is_the_great_circle_between_country_centres():
    assert round(haversine_km((0, 0), (0, 90))) == 10008  # a quarter of the equator
    assert 3100 < distance_km("SY", "FI") < 3200
    assert distance_km("SY", "FI") == distance_km("FI", "SY")
    assert distance_km("FI", "FI") is None
    assert distance_km("SY", "??") is None


@pytest.mark.parametrize("config_overrides", [{"PROPAGATE_EXCEPTIONS": False}])
def test_server_error_is_a_friendly_page(app, client, db, add_route):
    def broken():
        raise RuntimeError("boom")

    response = client.get(add_route(app, "/broken", broken))
    assert response.status_code == 500
    page = response.get_data(as_text=True)
    assert "Something went wrong on our side" in page and "boom" not in page
