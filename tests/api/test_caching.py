"""The API, feeds, embeds and oEmbed are kept like public pages: fast, yet never stale."""

import pytest
from sqlalchemy import event

from campaign.extensions import db
from campaign.models import StoryStatus
from tests.api.stories import make_theme, public_story

# Both engines: kept answers follow the public version in the database.
pytestmark = pytest.mark.both_databases

# Headers that differ between any two requests, cached or not.
# Date: when the answer was made (a run may cross a second between the requests).
PER_REQUEST = {"X-Request-ID", "X-RateLimit-Remaining", "X-RateLimit-Reset", "Retry-After", "Date"}


@pytest.fixture
def story(db):
    return public_story(
        title="Bread and salt", origin_country="SY", themes=[make_theme("work", "Work")]
    )


def urls(story) -> list[str]:
    return [
        "/api/v1/stories",
        "/api/v1/stories?origin=SY&theme=work",
        f"/api/v1/stories/{story.id}",
        "/api/v1/countries",
        "/api/v1/themes",
        "/api/v1/stats",
        "/feed.atom",
        "/feed/from/SY.atom",
        "/feed/theme/work.atom",
        "/embed",
        "/embed?country=SY&limit=2",
        f"/embed/stories/{story.slug}",
        f"/oembed?url=http://localhost/stories/{story.slug}",
    ]


def content_queries(client, url, *, version_too: bool = False) -> int:
    """How many statements one request makes, besides reading the public version."""
    statements = []

    def keep(_conn, _cursor, statement, *_args):
        if statement.startswith("SELECT") and (version_too or "gallery_stats" not in statement):
            statements.append(statement)

    event.listen(db.engine, "before_cursor_execute", keep)
    try:
        assert client.get(url).status_code == 200, url
    finally:
        event.remove(db.engine, "before_cursor_execute", keep)
    return len(statements)


def test_repeat_requests_read_nothing_but_the_version(client, story):
    for url in urls(story):
        assert content_queries(client, url) > 0, url
        assert content_queries(client, url) == 0, url


@pytest.mark.parametrize("config_overrides", [{"PAGE_CACHE_VERSION_SECONDS": 60}])
def test_a_remembered_version_costs_no_query_until_a_change_is_committed_here(client, story):
    client.get("/api/v1/stories")
    assert content_queries(client, "/api/v1/stories", version_too=True) == 0
    story.title = "Bread, salt and tea"
    db.session.commit()
    assert "Bread, salt and tea" in client.get("/api/v1/stories").get_data(as_text=True)


def test_cached_answers_carry_the_same_headers_as_fresh_ones(client, story):
    """Fresh, from the kept body, then replayed before Flask (feeds, embeds, oEmbed)."""
    for url in urls(story):
        answers = [client.get(url) for _ in range(3)]
        fresh, *cached = answers
        for answer in cached:
            assert answer.get_data() == fresh.get_data(), url
            assert {k: v for k, v in answer.headers if k not in PER_REQUEST} == {
                k: v for k, v in fresh.headers if k not in PER_REQUEST
            }, url
        assert fresh.headers["Cache-Control"] == "public, no-cache", url
        assert "X-Campaign-Public-Page" not in fresh.headers, url
        if url.startswith("/api/"):
            assert fresh.mimetype == "application/json", url
            assert answers[-1].headers["Access-Control-Allow-Origin"] == "*", url
            assert "X-RateLimit-Limit" in answers[-1].headers, url
        elif url.startswith("/feed"):
            assert fresh.mimetype == "application/atom+xml", url
        elif url.startswith("/embed"):
            assert (
                "frame-ancestors 'self' https:" in answers[-1].headers["Content-Security-Policy"]
            ), url
            assert "X-Frame-Options" not in answers[-1].headers, url


def test_each_answer_revalidates_with_a_304(client, story):
    for url in urls(story):
        etag = client.get(url).headers["ETag"]
        for _ in range(2):  # from the kept body, then from before Flask
            again = client.get(url, headers={"If-None-Match": etag})
            assert again.status_code == 304, url
            assert again.get_data() == b"", url


CHANGES = {
    "publish": lambda story, other: other.move_to(StoryStatus.PUBLISHED),
    "edit": lambda story, other: setattr(story, "title", "Bread, salt and tea"),
    "unpublish": lambda story, other: story.move_to(StoryStatus.REJECTED),
    "withdraw": lambda story, other: story.move_to(StoryStatus.WITHDRAWN),
}


@pytest.mark.parametrize("change", CHANGES)
def test_a_public_change_shows_everywhere_at_once(client, story, change):
    other = public_story(title="Tea at dawn", status=StoryStatus.PENDING, origin_country="SY")
    story_urls = {
        f"/api/v1/stories/{story.id}",
        f"/embed/stories/{story.slug}",
        f"/oembed?url=http://localhost/stories/{story.slug}",
    }
    before = {url: client.get(url) for url in urls(story)}
    for url in urls(story):
        client.get(url)  # now kept, before Flask too where allowed
    CHANGES[change](story, other)
    db.session.commit()
    for url in urls(story):
        answer = client.get(url, headers={"If-None-Match": before[url].headers["ETag"]})
        gone = change in ("unpublish", "withdraw") and url in story_urls
        assert answer.status_code == (404 if gone else 200), url
        assert answer.headers.get("ETag") != before[url].headers["ETag"], url
    listing = client.get("/api/v1/stories").get_data(as_text=True)
    feed = client.get("/feed.atom").get_data(as_text=True)
    embed = client.get("/embed").get_data(as_text=True)
    for text in (listing, feed, embed):
        assert ("Tea at dawn" in text) == (change == "publish")
        assert ("Bread, salt and tea" in text) == (change == "edit")
        assert ("Bread and salt" in text) == (change in ("publish",))


def test_query_string_variants_are_kept_apart(client, db):
    for number in range(3):
        public_story(title=f"Syrian story {number}", origin_country="SY")
    public_story(title="Afghan story", origin_country="AF")
    syrian = client.get("/api/v1/stories?origin=SY&limit=2").get_json()
    afghan = client.get("/api/v1/stories?origin=AF&limit=2").get_json()
    assert [s["title"] for s in afghan["stories"]] == ["Afghan story"]
    assert len(syrian["stories"]) == 2 and syrian["next_cursor"]
    following = client.get(f"/api/v1/stories?origin=SY&limit=2&cursor={syrian['next_cursor']}")
    assert [s["title"] for s in following.get_json()["stories"]] == ["Syrian story 0"]
    assert client.get("/api/v1/stories?origin=SY&limit=2").get_json() == syrian
    embeds = [client.get(f"/embed?country={code}").get_data(as_text=True) for code in ("SY", "AF")]
    assert "Afghan story" not in embeds[0] and "Afghan story" in embeds[1]


def test_answers_in_each_language_are_kept_apart(client, story):
    for _ in range(3):
        for language, name in (("fr", "Syrie"), ("en", "Syria")):
            answer = client.get("/api/v1/countries", headers={"Accept-Language": language})
            assert name in {country["name"] for country in answer.get_json()["countries"]}
        feed = client.get("/feed/from/SY.atom", headers={"Accept-Language": "fr"})
        assert "Syrie" in feed.get_data(as_text=True)
    assert "Accept-Language" in client.get("/api/v1/countries").headers["Vary"]


@pytest.mark.parametrize("config_overrides", [{"API_RATE_LIMIT": "2 per minute"}])
def test_kept_api_answers_still_count_for_the_rate_limit(client, story):
    assert client.get("/api/v1/themes").status_code == 200
    assert client.get("/api/v1/themes").status_code == 200  # from the kept body
    refused = client.get("/api/v1/themes")
    assert refused.status_code == 429
    assert refused.mimetype == "application/json"
    assert refused.headers["Access-Control-Allow-Origin"] == "*"
