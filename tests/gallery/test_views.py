import pytest

from campaign.models import StoryStatus
from tests.factories import make_story

# Both engines: listing order and cursor paging are queries.
pytestmark = pytest.mark.both_databases

PUBLIC_PAGES = ["/", "/stories", "/share", "/login"]


def test_published_story_is_on_home_gallery_and_its_page(client):
    story = make_story(StoryStatus.PUBLISHED, title="Bread and language")
    for url in ["/", "/stories", f"/stories/{story.slug}"]:
        assert "Bread and language" in client.get(url).get_data(as_text=True), url


@pytest.mark.parametrize(
    "status", [StoryStatus.PENDING, StoryStatus.REJECTED, StoryStatus.WITHDRAWN]
)
def test_unpublished_story_is_404_and_absent_from_lists(client, status):
    story = make_story(status, title="Not for the public yet")
    assert client.get(f"/stories/{story.slug}").status_code == 404
    for url in ["/", "/stories"]:
        assert "Not for the public yet" not in client.get(url).get_data(as_text=True)


def test_contact_email_appears_in_no_public_response(client):
    published = make_story(StoryStatus.PUBLISHED, contact_email="secret-marker@example.org")
    pending = make_story(contact_email="pending-marker@example.org")
    urls = [*PUBLIC_PAGES, f"/stories/{published.slug}", f"/stories/{pending.slug}"]
    for url in urls:
        body = client.get(url).get_data(as_text=True)
        assert "marker@example.org" not in body, url


def test_story_text_is_escaped_and_split_into_paragraphs(client):
    story = make_story(
        StoryStatus.PUBLISHED,
        body="First paragraph with a < sign and a & sign, long enough.\n\nSecond one.\nSame one.",
    )
    page = client.get(f"/stories/{story.slug}").get_data(as_text=True)
    assert "<p>First paragraph with a &lt; sign and a &amp; sign, long enough.</p>" in page
    assert "<p>Second one.<br>\nSame one.</p>" in page


def test_gallery_lists_newest_first_and_pages_without_repeats(app, client):
    app.config["STORIES_PER_PAGE"] = 2
    titles = [make_story(StoryStatus.PUBLISHED, title=f"Tale {n}").title for n in range(5)]
    seen, url = [], "/stories"
    while url:
        page = client.get(url).get_data(as_text=True)
        seen += [t for t in reversed(titles) if f">{t}</p>" in page]
        marker = 'rel="next" href="'
        url = page.split(marker)[1].split('"')[0].replace("&amp;", "&") if marker in page else None
    assert seen == list(reversed(titles))


def test_gallery_page_stays_correct_when_a_story_is_published_meanwhile(app, client):
    app.config["STORIES_PER_PAGE"] = 2
    for n in range(4):
        make_story(StoryStatus.PUBLISHED, title=f"Old {n}")
    first = client.get("/stories").get_data(as_text=True)
    next_url = first.split('rel="next" href="')[1].split('"')[0]
    make_story(StoryStatus.PUBLISHED, title="Brand new")
    second = client.get(next_url).get_data(as_text=True)
    assert ">Old 1</p>" in second and ">Old 0</p>" in second
    assert "Brand new" not in second


def test_broken_gallery_cursor_shows_first_page(client):
    make_story(StoryStatus.PUBLISHED, title="Still here")
    response = client.get("/stories?after=%%%garbage")
    assert response.status_code == 200
    assert "Still here" in response.get_data(as_text=True)


def test_unknown_page_is_friendly_404_leading_to_gallery(client):
    response = client.get("/no-such-page")
    assert response.status_code == 404
    assert 'href="/stories"' in response.get_data(as_text=True)


def test_pages_send_baseline_security_headers(client):
    response = client.get("/")
    csp = response.headers["Content-Security-Policy"]
    assert "default-src 'self'" in csp and "object-src 'none'" in csp
    assert "unsafe-inline" not in csp
    assert response.headers["X-Content-Type-Options"] == "nosniff"
