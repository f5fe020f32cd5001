import html
import json
from urllib.parse import quote

import pytest

from campaign.models import StoryStatus
from campaign.web.security import SUBRESOURCE_TYPES
from tests.api.stories import assert_no_private_field, assert_valid_html, make_theme, public_story
from tests.gallery.test_story_page import PHOTO

# Both engines: the chosen stories are a query (country, theme, limit).
pytestmark = pytest.mark.both_databases

FRAMEABLE = ["/embed", "/embed?country=SY&theme=work&lang=en&limit=2"]


def csp(response) -> dict[str, str]:
    policy = response.headers["Content-Security-Policy"]
    directives = (part.strip().partition(" ") for part in policy.split(";") if part.strip())
    return {name: value for name, _space, value in directives}


def test_embed_is_the_only_frameable_page(client):
    story = public_story()
    for url in [*FRAMEABLE, f"/embed/stories/{story.slug}"]:
        response = client.get(url)
        assert response.status_code == 200, url
        assert csp(response)["frame-ancestors"] == "'self' https:", url
        assert csp(response)["default-src"] == "'self'", url
        assert "X-Frame-Options" not in response.headers
    for url in [
        "/",
        "/stories",
        f"/stories/{story.slug}",
        "/share",
        "/login",
        "/journeys",
        "/embed/builder",
        "/api/v1/stories",
        "/feed.atom",
        "/no-such-page",
    ]:
        response = client.get(url)
        assert csp(response)["frame-ancestors"] == "'none'", url


def test_embed_shows_the_chosen_stories_newest_first(client):
    work = make_theme("work", "Work")
    public_story(title="Syrian in Finland at work", origin_country="SY", themes=[work])
    public_story(title="Syrian in Finland", origin_country="SY")
    public_story(title="Iraqi at work", origin_country="IQ", themes=[work])
    public_story(title="Syrian in Arabic", origin_country="SY", themes=[work], language="ar")
    page = client.get("/embed?country=sy&theme=work&lang=en").get_data(as_text=True)
    assert "Syrian in Finland at work" in page
    for other in ["Syrian in Finland<", "Iraqi at work", "Syrian in Arabic"]:
        assert other not in page
    page = client.get("/embed?limit=2").get_data(as_text=True)
    assert page.count('class="card embed-card') == 2
    assert page.index("Syrian in Arabic") < page.index("Iraqi at work")


def test_embed_answers_304_when_unchanged(client):
    public_story()
    etag = client.get("/embed").headers["ETag"]
    assert client.get("/embed", headers={"If-None-Match": etag}).status_code == 304
    public_story(title="A new one")
    assert client.get("/embed", headers={"If-None-Match": etag}).status_code == 200


def test_embed_links_open_the_story_outside_the_frame(client):
    story = public_story(title="Open me")
    page = client.get("/embed").get_data(as_text=True)
    assert f'href="http://localhost/stories/{story.slug}" target="_blank" rel="noopener"' in page


def test_withdrawn_story_vanishes_from_embeds(client, db):
    story = public_story(title="Leaving soon", quote="Goodbye")
    assert "Leaving soon" in client.get("/embed").get_data(as_text=True)
    story.move_to(StoryStatus.WITHDRAWN)
    db.session.commit()
    assert "Leaving soon" not in client.get("/embed").get_data(as_text=True)
    gone = client.get(f"/embed/stories/{story.slug}")
    assert gone.status_code == 404
    assert "Leaving soon" not in gone.get_data(as_text=True)
    assert "no longer available" in gone.get_data(as_text=True)
    assert (
        csp(gone)["frame-ancestors"] == "'self' https:"
    )  # the partner's frame says so, not an error
    url = quote(f"http://localhost/stories/{story.slug}", safe="")
    assert client.get(f"/oembed?url={url}").status_code == 404


def test_embed_pages_hold_no_private_field_and_are_valid_html(client):
    story = public_story(quote="A < quote & more")
    for url in ["/embed", f"/embed/stories/{story.slug}", "/embed/builder", "/embed/stories/gone"]:
        body = client.get(url).get_data(as_text=True)
        assert_no_private_field(body, story)
        assert_valid_html(body)
        assert "<main" in body
        # No inline style (the builder shows the partner's snippet, with its own, as text).
        assert 'style="' not in body and "<style" not in body


def test_oembed_gives_a_rich_card_with_an_iframe_of_the_story(client):
    story = public_story(title="Bread & salt", author_name="Omar Said")
    url = quote(f"http://localhost/stories/{story.slug}", safe="")
    response = client.get(f"/oembed?url={url}&format=json&maxwidth=400")
    assert response.status_code == 200
    data = response.get_json()
    assert data["version"] == "1.0" and data["type"] == "rich"
    assert data["title"] == "Bread & salt"
    assert data["author_name"] == "Omar"
    assert data["provider_url"] == "http://localhost/"
    assert data["width"] == 400 and data["height"] > 0
    assert data["html"].startswith(f'<iframe src="http://localhost/embed/stories/{story.slug}"')
    assert 'title="Bread &amp; salt"' in data["html"]
    assert_no_private_field(json.dumps(data), story)
    framed = client.get(f"/embed/stories/{story.slug}")
    assert "Bread &amp; salt" in framed.get_data(as_text=True)


@pytest.mark.parametrize(
    "url",
    [
        "http://localhost/stories/no-such-story",
        "http://elsewhere.example/stories/{slug}",
        "http://localhost/share",
        "javascript:alert(1)",
        "",
    ],
)
def test_oembed_is_404_for_anything_but_a_published_story_here(client, url):
    story = public_story()
    response = client.get("/oembed", query_string={"url": url.format(slug=story.slug)})
    assert response.status_code == 404
    assert response.get_json()["error"]["status"] == 404


def test_oembed_xml_is_not_implemented(client):
    story = public_story()
    response = client.get(
        "/oembed", query_string={"url": f"http://localhost/stories/{story.slug}", "format": "xml"}
    )
    assert response.status_code == 501


def test_story_page_announces_its_oembed(client):
    story = public_story()
    page = client.get(f"/stories/{story.slug}").get_data(as_text=True)
    marker = 'rel="alternate" type="application/json+oembed" href="'
    assert marker in page
    href = page.split(marker)[1].split('"')[0].replace("&amp;", "&")
    assert client.get(href).get_json()["type"] == "rich"


def test_builder_works_without_javascript_through_its_form(client):
    make_theme("family", "Family")
    public_story(origin_country="IQ")
    page = client.get("/embed/builder?country=IQ&theme=family&limit=4").get_data(as_text=True)
    assert '<option value="IQ" selected>' in page
    assert '<option value="family" selected>' in page
    assert 'value="4"' in page
    assert 'id="preview"' in page and 'src="/embed?country=IQ&amp;theme=family&amp;limit=4"' in page
    # The snippet to copy is the same address, as HTML for the partner's page
    # (its &amp; shown as text inside the text area, hence escaped once more).
    snippet = "&lt;iframe src=&#34;http://localhost/embed?country=IQ&amp;amp;theme=family&amp;amp;limit=4&#34;"
    assert snippet in page
    assert 'src="/static/js/embed-builder.js"' in page


def test_every_other_route_refuses_to_be_framed(app, client):
    """Walks the whole URL map, so a route added later cannot forget the rule."""
    story = public_story()
    make_theme("work", "Work")
    values = {
        "slug": story.slug,
        "story_id": story.id,
        "code": "SY",
        "filename": "css/site.css",
        "token": "not-a-real-token",
        "name": "nothing",
        "origin": "sy",
        "residence": "sy",
        "theme": "work",
        "language": "en",
        "number": 1,
    }
    frameable = set()
    for rule in app.url_map.iter_rules():
        if "GET" not in rule.methods:
            continue
        url = rule.build(
            {arg: values.get(arg, "1" if "id" in arg else "x") for arg in rule.arguments},
            append_unknown=False,
        )[1]
        with client.get(url) as response:
            if response.mimetype in SUBRESOURCE_TYPES:
                continue  # a stylesheet or script is no document: nothing to frame
            if csp(response)["frame-ancestors"] != "'none'":
                frameable.add(rule.endpoint)
    assert frameable == {"embeds.stories", "embeds.story"}


def discovery_link(page: str) -> str:
    marker = 'rel="alternate" type="application/json+oembed" href="'
    return html.unescape(page.split(marker)[1].split('"')[0])


NON_LATIN_TITLES = ["رحلتي إلى برلين", "سفر من به هلسینکی", "Моя дорога до Львова"]


@pytest.mark.parametrize("title", NON_LATIN_TITLES)
@pytest.mark.parametrize("prefix", ["", "/fr", "/ar"])
def test_oembed_answers_the_discovery_link_of_arabic_persian_and_ukrainian_stories(
    client, title, prefix
):
    """Issue 14, finding 13: the story page's own link (canonical, percent-encoded)
    and its pages under a language prefix were a 404."""
    story = public_story(title=title)
    page = client.get(f"{prefix}/stories/{quote(story.slug)}")
    assert page.status_code == 200
    href = discovery_link(page.get_data(as_text=True))
    assert "%25" in href  # the story's address inside it is percent-encoded
    response = client.get(href)
    assert response.status_code == 200, response.get_data(as_text=True)
    assert response.get_json()["title"] == title


@pytest.mark.parametrize(
    "address",
    [
        "http://localhost/fr/stories/{slug}",  # as a browser's address bar shows it
        "http://localhost/uk/stories/{encoded}",
        "http://localhost/fa/embed/stories/{encoded}",
        "http://LOCALHOST/stories/{encoded}?utm_source=partner#top",
    ],
)
def test_oembed_takes_every_address_the_site_gives_a_story(client, address):
    story = public_story(title="Моя дорога до Львова")
    url = address.format(slug=story.slug, encoded=quote(story.slug))
    response = client.get("/oembed", query_string={"url": url})
    assert response.status_code == 200, response.get_data(as_text=True)
    assert response.get_json()["title"] == "Моя дорога до Львова"


def cards_of(page: str) -> list[str]:
    return page.split('<article class="card embed-card')[1:]


def test_embed_cards_lead_with_the_person_in_the_site_wording(client):
    public_story(
        title="Bread & salt",
        author_name="Omar Said",
        quote="Home is people.",
        origin_country="SY",
        residence_country="DE",
    )
    [card] = cards_of(client.get("/embed").get_data(as_text=True))
    person = card.index('class="card__name"')
    assert person < card.index("Bread &amp; salt")  # the name first, the title after
    assert '<span class="card__name" dir="auto">Omar</span>' in card
    assert '<span class="card__distance">2,918 km from home</span>' in card
    assert "From: Syria · Lives in: Germany" in card
    assert "lives in Germany" not in card  # not the old sentence
    assert "Home is people." in card


def test_every_story_in_an_embed_carries_its_language_and_direction(client):
    public_story(title="رحلتي إلى برلين", quote="البيت أناس نحبهم.", language="ar")
    public_story(title="Matka", quote="Koti on ihmiset.", language="fi")
    for layout in ("cards", "compact"):
        page = client.get(f"/embed?layout={layout}").get_data(as_text=True)
        finnish, arabic = cards_of(page)  # newest first
        for card, lang, direction in ((arabic, "ar", "rtl"), (finnish, "fi", "ltr")):
            for part in ("card__title", "card__words" if layout == "cards" else "card__quote"):
                assert f'class="{part}" lang="{lang}" dir="{direction}"' in card, (layout, part)
    framed_in_arabic = client.get("/ar/embed").get_data(as_text=True)
    assert '<html lang="ar" dir="rtl">' in framed_in_arabic


def test_embed_comes_light_or_dark_and_as_cards_or_a_compact_list(client):
    public_story(title="With a photo", photo=PHOTO)
    cards = client.get("/embed").get_data(as_text=True)
    assert '<body class="embed embed--light embed--cards">' in cards
    assert 'class="card__photo"' in cards and "/media/abc-480.webp" in cards
    compact = client.get("/embed?colours=dark&layout=compact").get_data(as_text=True)
    assert '<body class="embed embed--dark embed--compact">' in compact
    assert "/media/abc" not in compact  # a list without photos
    single = client.get("/embed/stories/" + public_story(title="One").slug + "?colours=dark")
    assert '<body class="embed embed--dark embed--cards">' in single.get_data(as_text=True)


@pytest.mark.parametrize("query", ["colours=pink", "layout=huge", "colours=Dark"])
def test_an_unknown_look_is_a_clear_400(client, query):
    public_story()
    response = client.get(f"/embed?{query}")
    assert response.status_code == 400
    assert "must be one of" in response.get_data(as_text=True)


def test_builder_offers_the_looks_and_a_snippet_with_the_optional_script(client):
    public_story()
    page = client.get("/embed/builder?colours=dark&layout=compact").get_data(as_text=True)
    assert '<input type="radio" id="colours-dark" name="colours" value="dark" checked>' in page
    assert '<input type="radio" id="layout-compact" name="layout" value="compact" checked>' in page
    assert 'src="/embed?limit=3&amp;colours=dark&amp;layout=compact"' in page  # the preview
    snippet = html.unescape(page.split('<textarea id="snippet"')[1].split("</textarea>")[0])
    assert 'src="http://localhost/embed?limit=3&amp;colours=dark&amp;layout=compact"' in snippet
    assert 'height="420"' in snippet  # the compact list's height without the script
    assert "inline-size:100%;max-inline-size:600px" in snippet  # full width on a phone
    assert '<script src="http://localhost/static/js/embed.js" async></script>' in snippet
    # In Arabic too the script has one address, without the language prefix.
    arabic = html.unescape(client.get("/ar/embed/builder").get_data(as_text=True))
    assert 'src="http://localhost/ar/embed?limit=3"' in arabic
    assert '<script src="http://localhost/static/js/embed.js" async>' in arabic
    # The defaults are left out of the address: partners' snippets stay short.
    default = client.get("/embed/builder?colours=light&layout=cards").get_data(as_text=True)
    assert 'src="http://localhost/embed?limit=3" width="600" height="640"' in html.unescape(default)


def test_the_partner_script_may_be_loaded_by_other_sites_and_nothing_else_is(client):
    with client.get("/static/js/embed.js") as response:
        assert response.status_code == 200
        assert response.headers["Cross-Origin-Resource-Policy"] == "cross-origin"
    for own in ("/static/js/embed-frame.js", "/static/js/copy-link.js", "/static/css/site.css"):
        with client.get(own) as answer:
            assert answer.headers["Cross-Origin-Resource-Policy"] == "same-origin", own


def test_oembed_of_an_arabic_address_frames_the_arabic_embed(client):
    story = public_story(title="رحلتي إلى برلين", language="ar")
    address = f"http://localhost/ar/stories/{quote(story.slug)}"
    data = client.get("/oembed", query_string={"url": address}).get_json()
    src = f"http://localhost/ar/embed/stories/{quote(story.slug)}"
    assert data["html"].startswith(f'<iframe src="{src}"')
    assert '<script src="http://localhost/static/js/embed.js" async></script>' in data["html"]
    assert data["height"] == 560 and f'height="{data["height"]}"' in data["html"]
    framed = client.get(src.removeprefix("http://localhost"))
    assert framed.status_code == 200
    page = framed.get_data(as_text=True)
    assert '<html lang="ar" dir="rtl">' in page and "رحلتي إلى برلين" in page
    # Without a prefix the frame is the unprefixed embed (the reader's own language).
    plain = client.get("/oembed", query_string={"url": address.replace("/ar/", "/")})
    assert plain.get_json()["html"].startswith('<iframe src="http://localhost/embed/stories/')
