import html
import json
from urllib.parse import quote

import pytest

from campaign.models import StoryStatus
from campaign.web.security import SUBRESOURCE_TYPES
from tests.api.stories import assert_no_private_field, assert_valid_html, make_theme, public_story

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
    assert page.count('class="embed-card"') == 2
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
        assert "style=" not in body and "<style" not in body


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
