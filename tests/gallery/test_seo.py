"""What search engines read: descriptions, canonical links, absolute hreflang
alternates with x-default, the sitemap (an index and one file per language and
chunk) and robots.txt."""

from html.parser import HTMLParser
from xml.etree import ElementTree

import pytest

from campaign.gallery import sitemap
from campaign.i18n.locale import LANGUAGE_NAMES
from campaign.models import StoryStatus
from tests.factories import make_story
from tests.gallery.helpers import publish

SITEMAP = "{http://www.sitemaps.org/schemas/sitemap/0.9}"
LANGUAGES = ("en", "fr", "es", "ar", "fa", "uk", "fi")


def parse(response) -> ElementTree.Element:
    return ElementTree.fromstring(response.data)  # noqa: S314 (our own answer)


class Head(HTMLParser):
    """The meta and link elements of a page."""

    def __init__(self, html: str):
        super().__init__()
        self.meta: dict[str, str] = {}
        self.links: list[dict] = []
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        if tag == "meta" and "name" in attributes:
            self.meta[attributes["name"]] = attributes.get("content") or ""
        elif tag == "link":
            self.links.append(attributes)

    def canonical(self) -> str | None:
        return next((link["href"] for link in self.links if link.get("rel") == "canonical"), None)

    def alternates(self) -> dict[str, str]:
        return {
            link["hreflang"]: link["href"]
            for link in self.links
            if link.get("rel") == "alternate" and "hreflang" in link
        }


def public_pages(story) -> list[str]:
    return [
        "/",
        "/stories",
        f"/stories/{story.slug}",
        "/stories/from/SY",
        "/stories/in/FI",
        "/journeys",
        "/share",
        "/privacy",
        "/embed/builder",
        "/about",
    ]


@pytest.mark.parametrize("prefix", ["", "/ar", "/fa"])
def test_every_public_page_has_a_description_a_canonical_link_and_absolute_alternates(
    client, db, prefix
):
    story = publish("A bakery on the corner", quote="Bread is how I said hello.")
    for path in public_pages(story):
        response = client.get(prefix + path)
        assert response.status_code == 200, path
        head = Head(response.get_data(as_text=True))
        assert len(head.meta.get("description", "")) >= 20, f"{path}: a real description"
        canonical = head.canonical()
        assert canonical and canonical.startswith("http://localhost/"), path
        alternates = head.alternates()
        assert set(alternates) == {*LANGUAGES, "x-default"}, path
        for code in LANGUAGES:
            assert alternates[code].startswith(f"http://localhost/{code}/"), (path, alternates)
        # The page without a language answers in the visitor's own: the default.
        assert alternates["x-default"] == f"http://localhost{path}", path


def test_private_and_error_pages_ask_not_to_be_indexed(client, db):
    story = make_story()
    for path in (f"/my-story/{story.token}", "/login", "/no-such-page", "/stories/no-such"):
        head = Head(client.get(path).get_data(as_text=True))
        assert "noindex" in head.meta.get("robots", ""), path


def test_the_sitemap_index_lists_a_file_for_every_language(client, db):
    publish("One story")
    response = client.get("/sitemap.xml")
    assert response.status_code == 200
    assert response.mimetype == "application/xml"
    root = parse(response)
    assert root.tag == f"{SITEMAP}sitemapindex"
    locations = [element.text for element in root.iter(f"{SITEMAP}loc")]
    assert locations == [f"http://localhost/sitemaps/{code}/1.xml" for code in LANGUAGES]


@pytest.mark.both_databases
def test_a_language_file_lists_the_main_pages_and_only_published_stories(client, db):
    shown = publish("Shown to everyone")
    hidden = publish("Hidden after a report", hidden=True)
    pending = make_story(title="Still in review")
    rejected = make_story(StoryStatus.REJECTED, title="Not published")
    response = client.get("/sitemaps/ar/1.xml")
    assert response.status_code == 200
    root = parse(response)
    locations = [element.text for element in root.iter(f"{SITEMAP}loc")]
    assert locations[:4] == [
        "http://localhost/ar/",
        "http://localhost/ar/stories",
        "http://localhost/ar/journeys",
        "http://localhost/ar/share",
    ]
    assert f"http://localhost/ar/stories/{shown.slug}" in locations
    for story in (hidden, pending, rejected):
        assert not any(story.slug in location for location in locations)
    lastmods = [element.text for element in root.iter(f"{SITEMAP}lastmod")]
    assert len(lastmods) == 1 and lastmods[0].endswith("+00:00")


@pytest.mark.both_databases
def test_stories_are_split_into_files_and_a_file_past_the_end_is_not_found(client, db, monkeypatch):
    monkeypatch.setattr(sitemap, "STORIES_PER_FILE", 2)
    stories = [publish(f"Story {n}") for n in range(3)]
    root = parse(client.get("/sitemap.xml"))
    assert len(list(root.iter(f"{SITEMAP}loc"))) == 2 * len(LANGUAGES)
    second = parse(client.get("/sitemaps/fi/2.xml"))
    assert [e.text for e in second.iter(f"{SITEMAP}loc")] == [
        f"http://localhost/fi/stories/{stories[2].slug}"
    ]
    assert client.get("/sitemaps/fi/3.xml").status_code == 404
    assert client.get("/sitemaps/xx/1.xml").status_code == 404
    assert client.get("/sitemaps/fi/0.xml").status_code == 404


def test_robots_txt_points_to_the_sitemap_and_keeps_crawlers_off_private_pages(client, db):
    response = client.get("/robots.txt")
    assert response.status_code == 200
    assert response.mimetype == "text/plain"
    lines = response.get_data(as_text=True).splitlines()
    assert "Sitemap: http://localhost/sitemap.xml" in lines
    for prefix in ("", *(f"/{code}" for code in LANGUAGES)):
        assert f"Disallow: {prefix}/moderate" in lines
        assert f"Disallow: {prefix}/translate" in lines
        assert f"Disallow: {prefix}/my-story/" in lines
    assert "Disallow: /stories" not in lines


def test_persian_is_offered_as_farsi():
    # One catalogue for Persian as written in Iran and in Afghanistan (Dari).
    assert LANGUAGE_NAMES["fa"] == "فارسی"
