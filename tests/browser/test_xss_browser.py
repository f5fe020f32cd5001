"""The XSS payload stories in Chromium: no page runs any of them.

The same stories as tests/test_xss.py (every payload through every text
field, shared through the real forms and also stored raw). Every page where
their text appears is loaded while the browser watches for dialogs, page
errors, console errors, Content-Security-Policy violations, calls to
alert/confirm/prompt/print (the sentinel) and requests to other hosts.

With the Content-Security-Policy switched off, every page is loaded: escaping
alone must keep the payloads inert (this also catches our own scripts putting
text into the page as markup). As served, with the policy on, the listing
pages and every eighth story's pages are loaded: no violation, no error. The
storyteller's private pages and the report form (not where the public or the
desk read the text; the test client checks them all) are sampled likewise.

The loads are split in two classes of about equal length: in a parallel run
(--dist loadscope) each class goes whole to a worker, so the policy-bypassed
visit of every page (the longest) runs beside the sampled ones. A worker that gets
both runs them in this order (the storyteller's pages before publishing), on one
site; workers do not share one.
"""

import pyotp
import pytest

from campaign.extensions import db
from campaign.models._types import utcnow
from tests.browser.helpers import sign_in_with_two_factor
from tests.factories import PASSWORD, make_moderator
from tests.xss import GENEROUS_LIMITS, PayloadSite, load_payloads

# Slow (the longest browser module): handed out first in a parallel run.
pytestmark = [pytest.mark.browser, pytest.mark.slow]

# Runs before any script of the page: calls that payloads make are recorded
# even if a dialog were suppressed, and so are CSP violations (a sign that
# markup got through escaping and only the policy stopped it).
SENTINEL = """
window.__xss = [];
for (const name of ["alert", "confirm", "prompt", "print"]) {
  const original = window[name];
  window[name] = function (...args) {
    window.__xss.push(name);
    return original.apply(this, args);
  };
}
document.addEventListener("securitypolicyviolation", (event) => {
  window.__xss.push("CSP " + event.violatedDirective + " " + event.blockedURI);
});
"""


@pytest.fixture(scope="module")
def desk_session(live_app, live_server, browser):
    """A moderator signed in with password and two-factor code, once: a code works once."""
    with live_app.app_context():
        moderator = make_moderator(email="xss-desk@example.org")
        secret = pyotp.random_base32()
        moderator.totp_secret = secret
        moderator.totp_confirmed_at = utcnow()
        db.session.commit()
        db.session.remove()
    context = browser.new_context()
    page = context.new_page()
    sign_in_with_two_factor(page, f"{live_server}/login", "xss-desk@example.org", secret)
    state = context.storage_state()
    context.close()
    return state


@pytest.fixture(scope="module")
def site(live_app):
    """Payload stories shared, changes asked for with payload messages, then edited."""
    live_app.config.update(GENEROUS_LIMITS, EMBED_MAX_STORIES=100, FEED_SIZE=100)
    live_app.config["WTF_CSRF_ENABLED"] = False  # only while the test client seeds
    try:
        with live_app.app_context():
            make_moderator(email="xss-seeder@example.org")
            client = live_app.test_client()
            response = client.post(
                "/login", data={"email": "xss-seeder@example.org", "password": PASSWORD}
            )
            assert response.status_code == 303
            site = PayloadSite(client, load_payloads())
            site.submit()
            site.request_changes()
            site.edit()
            db.session.remove()
    finally:
        live_app.config["WTF_CSRF_ENABLED"] = True
    return site


@pytest.fixture(scope="module")
def published_site(live_app, site):
    if not site.published:
        live_app.config["WTF_CSRF_ENABLED"] = False
        try:
            with live_app.app_context():
                site.publish()
                db.session.remove()
        finally:
            live_app.config["WTF_CSRF_ENABLED"] = True
    return site


SAMPLE_STRIDE = 8  # every eighth story, where a sample is enough


class Watcher:
    """One signed-in browser context; loads pages and collects what should never happen."""

    def __init__(self, browser, base_url: str, session: dict, *, bypass_csp: bool):
        self.base_url = base_url
        self.stride = 1 if bypass_csp else SAMPLE_STRIDE  # which stories' own pages to load
        self.context = browser.new_context(bypass_csp=bypass_csp, storage_state=session)
        self.context.add_init_script(SENTINEL)
        self.problems: list[str] = []
        self.loaded = 0
        self.page = self.context.new_page()
        self.page.on("dialog", self._dialog)
        self.page.on("pageerror", lambda error: self._note(f"page error: {error}"))
        self.page.on("console", self._console)
        # Watched, not intercepted: a route on every request would send each one through
        # this process and switch off the browser's cache, which made every page load
        # fetch all its styles, scripts and fonts again through Python.
        self.context.on("request", self._request)

    def _note(self, problem: str):
        self.problems.append(f"{self.page.url}: {problem}")

    def _dialog(self, dialog):
        self._note(f"{dialog.type} dialog: {dialog.message!r}")
        dialog.dismiss()

    def _console(self, message):
        if message.type == "error":
            self._note(f"console error: {message.text}")

    def _request(self, request):
        if not request.url.startswith((self.base_url, "data:")):
            self._note(f"request to another host: {request.url}")

    def load(self, path: str):
        response = self.page.goto(self.base_url + path)
        assert response is not None and response.ok, path
        calls = self.page.evaluate("window.__xss")
        if calls:
            self._note(f"sentinel: {calls}")
        self.loaded += 1

    def assert_clean(self):
        assert not self.problems, f"{len(self.problems)} problems:\n" + "\n".join(self.problems)

    def close(self):
        self.context.close()


WITH_CSP = pytest.param(False, id="with-csp")
CSP_BYPASSED = pytest.param(True, id="csp-bypassed")


@pytest.fixture
def watcher(request, browser, live_server, desk_session):
    """A Watcher; its test names the policy: ``parametrize("watcher", [...], indirect=True)``."""
    watcher = Watcher(browser, live_server, desk_session, bypass_csp=request.param)
    yield watcher
    watcher.close()


def storyteller_and_desk_pages_run_no_payload(site, watcher):
    # The storyteller's own pages are not where the public or the desk read
    # the text; the test client checks all of them (tests/test_xss.py), the
    # browser a sample, to keep the suite short.
    stories = site.stories[::SAMPLE_STRIDE]
    for story in stories:
        watcher.load(f"/my-story/{story.token}")  # with the moderator's payload message
        watcher.load(f"/my-story/{story.token}/edit")  # the texts back in form fields
        watcher.load(f"/my-story/{story.token}/withdraw")
    watcher.load("/moderate?tab=changes")
    assert watcher.loaded == 3 * len(stories) + 1
    watcher.assert_clean()


# Each story's own pages: public, embedded, and the desk's review (revision diff and
# visitor report).
STORY_PAGES = ("/stories/{slug}", "/embed/stories/{slug}", "/moderate/stories/{id}")


def story_pages_run_no_payload(site, watcher, pages=STORY_PAGES):
    for story in site.stories[:: watcher.stride]:
        for page in pages:
            watcher.load(page.format(slug=story.slug, id=story.id))
    watcher.assert_clean()


def listings_and_data_run_no_payload(site, watcher):
    for story in site.stories[::SAMPLE_STRIDE]:
        watcher.load(f"/stories/{story.slug}/report")  # the title only
    for path in (
        "/",
        "/moderate?tab=published",
        "/moderate?tab=reported",
        "/moderate/log",
        "/embed?country=IQ&limit=100",
        "/embed?country=SY&limit=100",
    ):
        watcher.load(path)
    path, pages = "/stories", 0
    while path:
        watcher.load(path)
        pages += 1
        more = watcher.page.locator("a[rel=next]")
        path = more.first.get_attribute("href") if more.count() else None
    assert pages == -(-len(site.stories) // 12)  # 12 cards a page
    # Data, not pages: the browser shows them as text, never runs them.
    for path in (
        "/api/v1/stories?limit=100",
        f"/api/v1/stories/{site.stories[0].id}",
        "/feed.atom",
        "/feed/from/IQ.atom",
        "/feed/from/SY.atom",
    ):
        watcher.load(path)
    watcher.assert_clean()


class TestSampledPages:
    """The storyteller's pages while changes are asked (a sample, with and without the
    policy), then every page as served (the policy on: a sample of the stories)."""

    @pytest.mark.parametrize("watcher", [WITH_CSP, CSP_BYPASSED], indirect=True)
    def test_storyteller_and_desk_pages_run_no_payload_while_changes_are_asked(self, site, watcher):
        storyteller_and_desk_pages_run_no_payload(site, watcher)

    @pytest.mark.parametrize("watcher", [WITH_CSP], indirect=True)
    def test_every_page_with_payload_stories_runs_none_of_them(self, published_site, watcher):
        story_pages_run_no_payload(published_site, watcher)
        listings_and_data_run_no_payload(published_site, watcher)


class TestEveryPageWithoutThePolicy:
    """Every page with the policy switched off: escaping alone keeps every payload story
    inert, each story's own pages, then the listings and the data."""

    @pytest.mark.parametrize("watcher", [CSP_BYPASSED], indirect=True)
    @pytest.mark.parametrize("page", STORY_PAGES, ids=["story", "embedded", "review"])
    def test_every_story_page_runs_none_of_them(self, published_site, watcher, page):
        story_pages_run_no_payload(published_site, watcher, pages=[page])

    @pytest.mark.parametrize("watcher", [CSP_BYPASSED], indirect=True)
    def test_every_listing_and_data_page_runs_none_of_them(self, published_site, watcher):
        listings_and_data_run_no_payload(published_site, watcher)
