"""Every XSS payload typed into every text field, then read on every surface.

The payloads go through the real forms (share, moderator decision and edit,
visitor report) and, for the story texts, straight into the database too, so
output escaping is tested even for text the input cleaning never saw. Then
every place the text appears is read: HTML pages (scanned for anything that
would run), the JSON API and oEmbed (data only), Atom feeds (text or escaped
HTML only) and the e-mails (plain text). tests/browser/test_xss_browser.py
loads the same pages in Chromium and watches for dialogs and script errors.
"""

from urllib.parse import quote

import pytest
from markupsafe import escape
from sqlalchemy import select

from campaign.models import Story, StoryStatus
from tests.factories import make_story
from tests.xss import (
    FIELDS,
    GENEROUS_LIMITS,
    PRIVATE_MARK,
    SHARE_FIELDS,
    FakeSMTP,
    PayloadSite,
    assert_atom_safe,
    assert_email_safe,
    assert_json_data,
    assert_no_xss,
    assert_oembed_html_safe,
    find_xss,
    load_payloads,
    oversized,
    share_form,
    text_for,
)

pytestmark = pytest.mark.slow  # every payload through every form and surface

PAYLOADS = load_payloads()
ORIGINS = ("IQ", "SY")  # of the shared stories and of their raw copies


def test_the_payload_list_covers_the_known_kinds():
    assert len(PAYLOADS) >= 100
    assert len(set(PAYLOADS)) == len(PAYLOADS)
    kinds = {
        "script tag": "<script>",
        "mixed case": "<ScRiPt>",
        "event handler": "onerror=",
        "javascript URL": "javascript:",
        "data URL": "data:text/html",
        "SVG": "<svg",
        "MathML": "<math",
        "decimal entities": "&#106;",
        "hex entities": "&#x6A;",
        "attribute breakout": '" onmouseover="',
    }
    for kind, marker in kinds.items():
        assert any(marker in p for p in PAYLOADS), kind


def test_the_checker_catches_every_markup_payload_left_unescaped():
    page = "<!doctype html><html><body><p>{}</p></body></html>"
    missed = [p for p in PAYLOADS if "<" in p and not find_xss(page.format(p), [p])]
    assert not missed


def test_the_checker_accepts_escaped_payloads_and_our_own_scripts():
    page = "<html><head><script src='/static/js/site.js' defer></script></head><body>{}</body>"
    for payload in PAYLOADS:
        assert_no_xss(page.format(f"<p>{escape(payload)}</p>"), PAYLOADS)


def test_every_payload_is_planned_through_every_field_it_fits():
    site = PayloadSite(None, PAYLOADS)
    too_long = {(p, name) for name, batch in oversized(PAYLOADS).items() for p in batch}
    every = {(p, name) for p in PAYLOADS for name in FIELDS}
    assert site.covered() == every - too_long
    # Only the 100-character fields refuse a few of the longest payloads; the
    # echo test below types those in too.
    assert len(site.covered()) >= 100 * len(FIELDS)
    assert {name for _p, name in too_long} <= {"author_name", "helper_relationship"}


@pytest.fixture
def config_overrides():
    # Feeds and embeds as long as they go, and mail handed to FakeSMTP.
    return {**GENEROUS_LIMITS, "FEED_SIZE": 100, "EMBED_MAX_STORIES": 100, "MAIL_SERVER": "mx"}


@pytest.fixture
def outbox(monkeypatch):
    sent = []
    monkeypatch.setattr(FakeSMTP, "sent", sent)
    monkeypatch.setattr("campaign.mail.smtplib.SMTP", FakeSMTP)
    return sent


class Reader:
    """Fetches surfaces and checks them; knows the payloads and the texts as stored."""

    def __init__(self, client, db):
        self.client = client
        self.db = db
        self.payloads = list(PAYLOADS)
        self.surfaces: set[str] = set()

    def learn_stored_texts(self):
        """Texts as stored (cleaning can turn &lt;b&gt; into <b>) must not come back verbatim."""
        stories = self.db.session.scalars(select(Story)).all()
        stored = {
            text
            for story in stories
            for text in (story.title, story.quote, story.body, story.author_name)
            if text and "<" in text
        }
        self.payloads = list(PAYLOADS) + sorted(stored)

    def html(self, surface: str, path: str, *, public: bool, status: int = 200) -> str:
        response = self.client.get(path)
        assert response.status_code == status, path
        assert response.mimetype == "text/html"
        page = response.get_data(as_text=True)
        problems = find_xss(page, self.payloads)
        assert not problems, f"{path}:\n" + "\n".join(problems)
        if public:
            assert PRIVATE_MARK not in page, f"private text on {path}"
        self.surfaces.add(surface)
        return page

    def json(self, surface: str, path: str):
        response = self.client.get(path)
        assert response.status_code == 200, path
        assert PRIVATE_MARK not in response.get_data(as_text=True), path
        self.surfaces.add(surface)
        return assert_json_data(response)

    def atom(self, surface: str, path: str) -> list[str]:
        response = self.client.get(path)
        assert response.status_code == 200 and response.mimetype == "application/atom+xml"
        assert PRIVATE_MARK not in response.get_data(as_text=True), path
        self.surfaces.add(surface)
        return assert_atom_safe(response.get_data(), self.payloads)


SURFACES = {
    "share form shown again",
    "private page",
    "storyteller's edit form",
    "review page",
    "queue",
    "private link e-mail",
    "request-changes e-mail",
    "story page",
    "embedded story",
    "withdraw page",
    "report form",
    "API story",
    "oEmbed",
    "home page",
    "gallery",
    "embed",
    "audit log",
    "API list",
    "Atom feed",
    "gallery search",
    "queue search",
}


def test_every_payload_in_every_field_renders_escaped_on_every_surface(signed_in, db, outbox):
    read = Reader(signed_in, db)
    site = PayloadSite(signed_in, PAYLOADS)
    _check_refused_forms(read, site)

    site.submit()
    read.learn_stored_texts()
    _check_pending(read, site, outbox)

    outbox.clear()
    site.request_changes()
    _check_changes_asked(read, site, outbox)

    site.edit()
    site.publish()
    read.learn_stored_texts()
    public = [db.session.get(Story, story.id) for story in site.stories]
    _check_each_story(read, site, public)
    _check_listings(read, public)
    _check_searches(read)
    assert read.surfaces == SURFACES


def _check_refused_forms(read: Reader, site: PayloadSite) -> None:
    """A refused share form shows every field again, as typed: every payload, every field."""
    echoed = set()
    for number, batches in enumerate(site.plan):
        values = {name: text_for(name, batches.get(name, []), number) for name in FIELDS}
        _echo(read, share_form(values, number, consent=None))
        echoed |= {(p, name) for name in SHARE_FIELDS for p in batches.get(name, [])}
    plain = {name: text_for(name, [], 0) for name in FIELDS}
    for name, refused in oversized(PAYLOADS).items():
        for payload in refused:
            # Refused for its length alone (consent is given), and shown again.
            _echo(read, share_form(plain, 0, **{name: text_for(name, [payload], 0)}))
            echoed.add((payload, name))
    assert echoed == {(p, name) for p in PAYLOADS for name in SHARE_FIELDS}


def _check_pending(read: Reader, site: PayloadSite, outbox) -> None:
    assert len(outbox) == len(site.stories) // 2  # the private links of the shared stories
    for message in outbox:
        assert "/my-story/" in assert_email_safe(message, read.payloads)
    read.surfaces.add("private link e-mail")
    for story in site.stories:
        read.html("private page", f"/my-story/{story.token}", public=False)
        read.html("storyteller's edit form", f"/my-story/{story.token}/edit", public=False)
        read.html("review page", f"/moderate/stories/{story.id}", public=False)
    read.html("queue", "/moderate?tab=pending", public=False)


def _check_changes_asked(read: Reader, site: PayloadSite, outbox) -> None:
    assert len(outbox) == len(site.stories)
    for story, message in zip(site.stories, outbox, strict=True):
        text = assert_email_safe(message, read.payloads)
        # Stored as every text is (clean_text), then sent as plain text, never as markup.
        assert read.db.session.get(Story, story.id).moderator_message in text
    read.surfaces.add("request-changes e-mail")
    for story in site.stories:
        page = read.html("private page", f"/my-story/{story.token}", public=False)
        stored = read.db.session.get(Story, story.id).moderator_message
        assert str(escape(stored).split("\n")[0].strip()) in page
    read.html("queue", "/moderate?tab=changes", public=False)


def _check_each_story(read: Reader, site: PayloadSite, public: list[Story]) -> None:
    for story, stored in zip(site.stories, public, strict=True):
        page = read.html("story page", f"/stories/{story.slug}", public=True)
        assert str(escape(stored.title)) in page
        read.html("embedded story", f"/embed/stories/{story.slug}", public=True)
        review = read.html("review page", f"/moderate/stories/{story.id}", public=False)
        assert 'class="diff"' in review  # the moderator's edit, as a revision diff
        read.html("private page", f"/my-story/{story.token}", public=False)
        read.html("withdraw page", f"/my-story/{story.token}/withdraw", public=False)
        read.html("report form", f"/stories/{story.slug}/report", public=True)
        _check_api_and_oembed(read, stored)


def _check_listings(read: Reader, public: list[Story]) -> None:
    titles = {str(escape(stored.title)) for stored in public}
    home = read.html("home page", "/", public=True)
    assert any(title in home for title in titles)
    path, cards = "/stories", ""
    while path:
        page = read.html("gallery", path, public=True)
        cards += page
        found = [line for line in page.split('"') if line.startswith("/stories?after=")]
        path = found[0].replace("&amp;", "&") if found else None
    assert all(title in cards for title in titles)
    # Feeds and embeds hold at most 100 stories: the shared ones come from Iraq,
    # the raw copies from Syria, so the two countries' lists hold every story.
    embeds = "".join(
        read.html("embed", f"/embed?country={code}&limit=100", public=True) for code in ORIGINS
    )
    assert all(title in embeds for title in titles)
    for tab in ("published", "reported"):
        read.html("queue", f"/moderate?tab={tab}", public=False)
    read.html("audit log", "/moderate/log", public=False)

    listed = _api_list(read)
    assert {item["id"]: item["title"] for item in listed} == {s.id: s.title for s in public}
    in_feeds = read.atom("Atom feed", "/feed.atom") + read.atom("Atom feed", "/feed/in/FI.atom")
    for code in ORIGINS:
        in_feeds += read.atom("Atom feed", f"/feed/from/{code}.atom")
    assert set(in_feeds) == {stored.title for stored in public}


def _check_searches(read: Reader) -> None:
    # Words found in the payload stories: results with <mark>ed titles and snippets.
    for words in ("alert", "svg onload", "javascript", "script img"):
        page = read.html("gallery search", f"/stories?q={_quoted(words)}", public=True)
        assert "<mark>" in page
    # The search boxes show what was typed again, on the gallery and in the queue.
    for payload in PAYLOADS:
        read.html("gallery search", f"/stories?q={_quoted(payload)}", public=True)
        read.html("queue search", f"/moderate?tab=published&q={_quoted(payload)}", public=False)


def _quoted(text: str) -> str:
    return quote(text, safe="")


def _echo(read: Reader, data: dict) -> str:
    response = read.client.post("/share", data=data, content_type="multipart/form-data")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert_no_xss(page, read.payloads)
    read.surfaces.add("share form shown again")
    return page


def _check_api_and_oembed(read: Reader, stored: Story) -> None:
    data = read.json("API story", f"/api/v1/stories/{stored.id}")
    # The texts as data, exactly as stored: a JSON string, never HTML.
    assert (data["title"], data["quote"], data["text"]) == (
        stored.title,
        stored.quote,
        stored.body,
    )
    if stored.photo is not None:
        assert data["photo"]["alt"] == stored.photo.alt_text
    url = f"http://localhost/stories/{stored.slug}"
    oembed = read.json("oEmbed", f"/oembed?url={_quoted(url)}")
    assert oembed["title"] == stored.title
    assert_oembed_html_safe(
        oembed["html"], f"http://localhost/embed/stories/{stored.slug}", stored.title
    )


def _api_list(read: Reader) -> list[dict]:
    listed, path = [], "/api/v1/stories?limit=100"
    while path:
        data = read.json("API list", path)
        listed += data["stories"]
        path = data["next"] and data["next"].removeprefix("http://localhost")
    return listed


@pytest.mark.both_databases
def test_every_payload_searched_for_comes_back_escaped_on_both_engines(signed_in, db):
    """Search differs by engine (FTS5 on SQLite, a weighted tsvector on PostgreSQL),
    and so do the results it marks up: on each, payload stories are found with
    their words in <mark>, and every payload typed into the gallery and queue
    search boxes is shown again escaped."""
    for payload in PAYLOADS[:40]:
        make_story(
            StoryStatus.PUBLISHED,
            title=f"Alert {payload}"[:120],
            body=f"A story about javascript, a script, an img and an svg onload. {payload} " * 2,
        )
    read = Reader(signed_in, db)
    read.learn_stored_texts()
    _check_searches(read)
    assert read.surfaces == {"gallery search", "queue search"}
