import pytest
from sqlalchemy import event

from campaign.models import NameDisplay, StoryStatus
from tests.api.stories import (
    assert_no_private_field,
    days_ago,
    make_theme,
    public_story,
)

# Both engines: filters, cursors and counts are queries.
pytestmark = pytest.mark.both_databases


def test_story_list_has_every_public_field_and_nothing_else(client):
    work = make_theme("work", "Work", 1)
    story = public_story(
        title="Night shifts",
        quote="I learned the language at work",
        author_name="Amina Haddad",
        origin_country="SY",
        residence_country="DE",
        language="ar",
        themes=[work],
    )
    response = client.get("/api/v1/stories")
    assert response.status_code == 200
    [item] = response.get_json()["stories"]
    assert item == {
        "id": story.id,
        "slug": story.slug,
        "url": f"http://localhost/stories/{story.slug}",
        "title": "Night shifts",
        "quote": "I learned the language at work",
        "text": story.body,
        "body_html": f"<p>{story.body}</p>",
        "display_name": "Amina",
        "origin": {"code": "SY", "name": "Syria"},
        "residence": {"code": "DE", "name": "Germany"},
        "themes": [{"slug": "work", "name": "Work"}],
        "language": "ar",
        "published_at": story.published_at.isoformat(),
        "photo": None,
        "voice": None,
        "translations": [],
    }


def test_country_names_follow_the_readers_language(app, client):
    app.config["SUPPORTED_LOCALES"] = ("en", "fr")
    public_story(origin_country="SY", residence_country="DE")
    item = client.get("/api/v1/stories", headers={"Accept-Language": "fr"}).get_json()
    assert item["stories"][0]["residence"] == {"code": "DE", "name": "Allemagne"}


@pytest.mark.parametrize(
    "status", [StoryStatus.PENDING, StoryStatus.REJECTED, StoryStatus.WITHDRAWN]
)
def test_unpublished_story_is_absent_from_the_api(client, status):
    story = public_story(status=status, title="Not public")
    assert client.get("/api/v1/stories").get_json()["stories"] == []
    response = client.get(f"/api/v1/stories/{story.id}")
    assert response.status_code == 404
    assert response.get_json()["error"]["status"] == 404
    assert client.get("/api/v1/stats").get_json()["stories"] == 0
    assert client.get("/api/v1/countries").get_json()["countries"] == []


def test_withdrawn_story_vanishes_from_the_api(client, db):
    story = public_story(title="Soon gone")
    assert client.get(f"/api/v1/stories/{story.id}").status_code == 200
    story.move_to(StoryStatus.WITHDRAWN)
    db.session.commit()
    assert client.get(f"/api/v1/stories/{story.id}").status_code == 404
    assert "Soon gone" not in client.get("/api/v1/stories").get_data(as_text=True)


def test_hidden_story_is_absent_from_the_api(client, db):
    story = public_story(title="Reported many times")
    story.hidden = True
    db.session.commit()
    assert client.get("/api/v1/stories").get_json()["stories"] == []


def test_no_private_field_in_any_api_response(client):
    story = public_story()
    for url in [
        "/api/v1/stories",
        f"/api/v1/stories/{story.id}",
        "/api/v1/countries",
        "/api/v1/themes",
        "/api/v1/stats",
    ]:
        response = client.get(url)
        assert response.status_code == 200, url
        assert_no_private_field(response.get_data(as_text=True), story)


def test_filters_select_by_origin_residence_theme_language_and_words(client):
    family = make_theme("family", "Family")
    public_story(title="A", origin_country="SY", residence_country="DE", language="ar")
    public_story(title="B", origin_country="IQ", residence_country="DE", themes=[family])
    public_story(title="C", origin_country="IQ", residence_country="FI", quote="Snow everywhere")

    def titles(query):
        return sorted(
            s["title"] for s in client.get(f"/api/v1/stories?{query}").get_json()["stories"]
        )

    assert titles("origin=IQ") == ["B", "C"]
    assert titles("origin=iq&residence=FI") == ["C"]
    assert titles("residence=DE") == ["A", "B"]
    assert titles("theme=family") == ["B"]
    assert titles("language=ar") == ["A"]
    assert titles("q=snow") == ["C"]
    assert titles("q=SNOW%20everywhere") == ["C"]
    assert titles("q=100%25") == []


def test_cursor_pages_through_every_story_once_in_both_orders(client):
    for days in range(5):
        public_story(title=f"Day {days}", published_at=days_ago(days))
    for sort, expected in [
        ("newest", [f"Day {d}" for d in range(5)]),
        ("oldest", [f"Day {d}" for d in reversed(range(5))]),
    ]:
        seen, url = [], f"/api/v1/stories?limit=2&sort={sort}"
        while url:
            page = client.get(url).get_json()
            seen += [s["title"] for s in page["stories"]]
            url = page["next"]
            if url:
                assert page["next_cursor"] in url and f"sort={sort}" in url
        assert seen == expected


@pytest.mark.parametrize(
    "query",
    ["limit=0", "limit=101", "limit=ten", "origin=Syria", "sort=random", "cursor=%%%broken"],
)
def test_bad_parameters_get_a_json_400(client, query):
    response = client.get(f"/api/v1/stories?{query}")
    assert response.status_code == 400
    body = response.get_json()
    assert body["error"]["status"] == 400 and body["error"]["message"]


def test_unknown_api_address_gets_a_json_404_and_other_methods_a_json_405(client):
    response = client.get("/api/v1/nothing-here")
    assert response.status_code == 404
    assert response.get_json()["error"]["status"] == 404
    response = client.post("/api/v1/stories")
    assert response.status_code == 405
    assert response.get_json()["error"]["status"] == 405
    # Outside the API, errors stay friendly pages.
    assert client.get("/nothing-here").mimetype == "text/html"


def test_countries_themes_and_stats_count_published_stories(client):
    work = make_theme("work", "Work", 1)
    make_theme("home", "Home", 2)
    public_story(origin_country="SY", residence_country="DE", themes=[work])
    public_story(origin_country="SY", residence_country="FI", language="ar")
    public_story(origin_country="IQ", residence_country="DE", themes=[work])
    public_story(status=StoryStatus.PENDING, origin_country="AF", residence_country="SE")

    countries = client.get("/api/v1/countries").get_json()["countries"]
    assert countries == [
        {"code": "FI", "name": "Finland", "origin_count": 0, "residence_count": 1},
        {"code": "DE", "name": "Germany", "origin_count": 0, "residence_count": 2},
        {"code": "IQ", "name": "Iraq", "origin_count": 1, "residence_count": 0},
        {"code": "SY", "name": "Syria", "origin_count": 2, "residence_count": 0},
    ]
    themes = client.get("/api/v1/themes").get_json()["themes"]
    assert themes == [
        {"slug": "work", "name": "Work", "count": 2},
        {"slug": "home", "name": "Home", "count": 0},
    ]
    stats = client.get("/api/v1/stats").get_json()
    assert stats["stories"] == 3
    assert stats["countries_of_origin"] == 2
    assert stats["countries_of_residence"] == 2
    assert stats["languages"] == 2
    assert stats["journeys"][0] == {
        "origin": {"code": "IQ", "name": "Iraq"},
        "residence": {"code": "DE", "name": "Germany"},
        "count": 1,
    }
    assert len(stats["journeys"]) == 3


def test_photo_renditions_are_listed_with_sizes_and_alt_text(app, client):
    assert "media.file" in app.view_functions  # renditions are served by the media blueprint
    photo = {
        "alt_text": "A kitchen table with bread",
        "width": 1600,
        "height": 1200,
        "renditions": [
            {"name": "abc-800.webp", "width": 800, "height": 600, "format": "webp"},
            {"name": "abc-800.jpg", "width": 800, "height": 600, "format": "jpeg"},
        ],
    }
    story = public_story(photo=photo)
    item = client.get(f"/api/v1/stories/{story.id}").get_json()
    assert item["photo"] == {
        "alt": "A kitchen table with bread",
        "renditions": [
            {
                "url": "http://localhost/media/abc-800.webp",
                "width": 800,
                "height": 600,
                "format": "webp",
            },
            {
                "url": "http://localhost/media/abc-800.jpg",
                "width": 800,
                "height": 600,
                "format": "jpeg",
            },
        ],
    }


def test_unchanged_answer_is_a_304_by_etag(client):
    public_story()
    first = client.get("/api/v1/stories")
    etag = first.headers["ETag"]
    again = client.get("/api/v1/stories", headers={"If-None-Match": etag})
    assert again.status_code == 304
    assert again.get_data() == b""
    public_story(title="Something new")
    changed = client.get("/api/v1/stories", headers={"If-None-Match": etag})
    assert changed.status_code == 200
    assert changed.headers["ETag"] != etag


def test_cors_is_open_on_the_api_only(client):
    story = public_story()
    for url in [
        "/api/v1/stories",
        f"/api/v1/stories/{story.id}",
        "/api/v1/openapi.json",
        "/api/v1/nothing",
    ]:
        response = client.get(url)
        assert response.headers["Access-Control-Allow-Origin"] == "*", url
    preflight = client.options(
        "/api/v1/stories",
        headers={"Origin": "https://partner.example", "Access-Control-Request-Method": "GET"},
    )
    assert preflight.status_code == 200
    assert preflight.headers["Access-Control-Allow-Origin"] == "*"
    assert "GET" in preflight.headers["Access-Control-Allow-Methods"]
    for url in [
        "/",
        "/stories",
        f"/stories/{story.slug}",
        "/feed.atom",
        "/embed",
        "/journeys",
        "/embed/builder",
        f"/oembed?url=http://localhost/stories/{story.slug}",
    ]:
        response = client.get(url, headers={"Origin": "https://partner.example"})
        assert response.status_code == 200, url
        assert "Access-Control-Allow-Origin" not in response.headers, url


@pytest.mark.parametrize("config_overrides", [{"API_RATE_LIMIT": "3 per minute"}])
def test_too_many_requests_get_a_clear_json_429(client):
    for _ in range(3):
        assert client.get("/api/v1/stats").status_code == 200
    response = client.get("/api/v1/stats")
    assert response.status_code == 429
    assert response.get_json()["error"]["status"] == 429
    assert "3 per 1 minute" in response.get_json()["error"]["message"]
    assert int(response.headers["Retry-After"]) > 0
    assert response.headers["Access-Control-Allow-Origin"] == "*"
    # Other addresses are counted apart.
    other = client.get("/api/v1/stats", environ_base={"REMOTE_ADDR": "192.0.2.7"})
    assert other.status_code == 200


def test_display_name_is_as_the_storyteller_chose(client):
    anonymous = public_story(
        author_name="Rami Khalil", origin_country="SY", name_display=NameDisplay.ANONYMOUS
    )
    full = public_story(author_name="Rami Khalil", name_display=NameDisplay.FULL)
    assert client.get(f"/api/v1/stories/{anonymous.id}").get_json()["display_name"] == (
        "A migrant from Syria"
    )
    assert client.get(f"/api/v1/stories/{full.id}").get_json()["display_name"] == "Rami Khalil"
    assert "Rami" not in client.get(f"/api/v1/stories/{anonymous.id}").get_data(as_text=True)


def test_head_request_answers_like_get_without_a_body(client):
    story = public_story()
    response = client.head(f"/api/v1/stories/{story.id}")
    assert response.status_code == 200
    assert response.headers["Access-Control-Allow-Origin"] == "*"
    assert response.get_data() == b""


def test_story_list_costs_the_same_few_queries_however_many_stories(app, client, db):
    work = make_theme("work", "Work")

    def queries_for(url):
        statements = []

        def count(*_args):
            statements.append(1)

        event.listen(db.engine, "before_cursor_execute", count)
        try:
            assert client.get(url).status_code == 200
        finally:
            event.remove(db.engine, "before_cursor_execute", count)
        return len(statements)

    public_story(themes=[work])
    client.get("/api/v1/stories")  # a known public page: its version is read before Flask
    public_story(themes=[work])
    few = queries_for("/api/v1/stories")
    for _ in range(5):
        public_story(themes=[work])
    # stories, themes, photos, recordings, their public translations (one query), set-up;
    # the public version before Flask and in Flask (the tests remember it for 0 s)
    assert queries_for("/api/v1/stories") == few <= 9


def test_typed_markup_is_plain_text_in_the_api_and_escaped_in_body_html(client):
    """Issue 14, finding 19: a typed ``&lt;svg onload=…&gt;`` is stored as the text
    ``<svg onload=…>``. The API gives text as text (documented: the consumer escapes
    it) and, for partners who insert HTML, the paragraphs already escaped."""
    story = public_story(
        title="Markup as words",
        body="I typed &lt;svg onload=alert(1)&gt; here.\n\nA second <b>paragraph</b> & more\nline",
    )
    data = client.get(f"/api/v1/stories/{story.id}").get_json()
    assert data["text"].startswith("I typed <svg onload=alert(1)> here.")
    assert data["body_html"] == (
        "<p>I typed &lt;svg onload=alert(1)&gt; here.</p>\n"
        "<p>A second paragraph &amp; more<br>\nline</p>"
    )
    listed = client.get("/api/v1/stories").get_json()["stories"][0]
    assert listed["body_html"] == data["body_html"]


def test_the_openapi_document_says_text_fields_are_plain_text(client):
    document = client.get("/api/v1/openapi.json").get_json()
    story = document["components"]["schemas"]["Story"]["properties"]
    for field in ("title", "quote", "text", "display_name"):
        assert "plain text" in story[field]["description"].lower(), field
    assert "escaped" in story["body_html"]["description"]
    assert "plain text" in document["info"]["description"].lower()
