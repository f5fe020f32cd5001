"""Every public page unfurls as a card: og:image, og:title, og:description, twitter:card
and canonical, its image a real 1200×630 JPEG (the whole URL map is walked, so a page
added later cannot forget them)."""

import io
import re

from PIL import Image

from campaign.models import StoryStatus
from campaign.web.access import Access, classify
from tests.factories import make_photo, make_story
from tests.gallery.helpers import ensure_themes

REQUIRED = (
    r'<meta property="og:image" content="(http://localhost/[^"]+)">',
    r'<meta property="og:title" content="[^"]+">',
    r'<meta property="og:description" content="[^"]+">',
    r'<meta name="twitter:card" content="summary_large_image">',
    r'<link rel="canonical" href="http://localhost/[^"]*">',
)
# Pages for partners' frames, not for sharing: their links point to the story pages.
FRAMED = {"embeds.stories", "embeds.story", "embeds.builder"}


def public_html_pages(app, client, values):
    for rule in app.url_map.iter_rules():
        if "GET" not in rule.methods or rule.endpoint in FRAMED:
            continue
        if classify(rule.endpoint, rule.rule) is not Access.PUBLIC:
            continue
        arguments = {arg: values.get(arg, "1" if "id" in arg or arg == "number" else "x")
                     for arg in rule.arguments}  # fmt: skip
        url = rule.build(arguments, append_unknown=False)[1]
        with client.get(url) as response:
            if response.status_code != 200 or response.mimetype != "text/html":
                continue
            page = response.get_data(as_text=True)
        if '<meta name="robots" content="noindex' in page:
            continue  # private, sign-in and error pages: not meant to be found or shared
        yield rule.endpoint, url, page


def test_every_public_page_has_a_link_image_title_description_and_canonical(app, client):
    ensure_themes()
    story = make_story(StoryStatus.PUBLISHED, quote="A quote to share.")
    make_photo(story)
    values = {"slug": story.slug, "origin": "sy", "residence": "fi", "theme": "work",
              "language": "en", "filename": "css/site.css"}  # fmt: skip
    seen, images = set(), {}
    for endpoint, url, page in public_html_pages(app, client, values):
        for pattern in REQUIRED:
            assert re.search(pattern, page), f"{url}: no {pattern}"
        image = re.search(REQUIRED[0], page)[1].removeprefix("http://localhost")
        images.setdefault(image, url)
        seen.add(endpoint)
    assert {"gallery.home", "gallery.stories", "gallery.story", "gallery.about",
            "gallery.from_country", "gallery.by_theme", "journeys.journeys",
            "submissions.share"} <= seen  # fmt: skip
    for image, url in images.items():
        with client.get(image) as response:
            assert response.status_code == 200, f"{url}: {image}"
            assert response.mimetype == "image/jpeg"
            assert Image.open(io.BytesIO(response.get_data())).size == (1200, 630)
