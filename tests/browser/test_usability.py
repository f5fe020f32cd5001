"""Keyboard, focus, motion, mirroring and weight of the pages, in a real browser."""

import gzip

import pytest

from campaign.extensions import db
from campaign.models import StoryStatus
from tests.browser.helpers import send_unchecked
from tests.factories import make_story

pytestmark = pytest.mark.browser

KB = 1024
# Bytes of a first visit (headers and bodies, photos excepted, fonts included),
# with HTML, CSS and JavaScript counted as a server that compresses text sends
# them (README: Deployment; fonts and photos are compressed already).
TEXT = {"document", "stylesheet", "script"}
BUDGETS = {
    "/": 100 * KB,
    "/stories": 100 * KB,
    "/share": 100 * KB,
    "/ar/": 100 * KB,
    "/ar/share": 100 * KB,
    "/embed": 100 * KB,  # inside a partner's page: the site's styles and fonts, no photos
    "/ar/embed?layout=compact": 100 * KB,
}


@pytest.fixture(scope="module")
def gallery_stories(live_app):
    """More published stories than one gallery page holds."""
    per_page = live_app.config["STORIES_PER_PAGE"]
    with live_app.app_context():
        for number in range(per_page + 1):
            make_story(StoryStatus.PUBLISHED, title=f"Crossing number {number + 1}")
        db.session.remove()


def focused(page) -> dict:
    return page.evaluate(
        """() => {
          const el = document.activeElement;
          const style = getComputedStyle(el);
          return {
            id: el.id, tag: el.tagName.toLowerCase(), text: (el.textContent || '').trim(),
            outlineStyle: style.outlineStyle, outlineWidth: parseFloat(style.outlineWidth),
            visible: el.getBoundingClientRect().width > 0,
          };
        }"""
    )


def tab_to(page, element_id: str, limit: int = 80) -> None:
    """Press Tab until the element with this id has the focus."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        if focused(page)["id"] == element_id:
            return
    raise AssertionError(f"#{element_id} cannot be reached with the Tab key")


def choose_with_arrows(page, select_id: str, value: str) -> None:
    """Pick an option of a focused, closed <select> with the arrow keys only."""
    index = page.evaluate(
        "([id, value]) => [...document.getElementById(id).options]"
        ".findIndex(option => option.value === value)",
        [select_id, value],
    )
    current = page.evaluate("id => document.getElementById(id).selectedIndex", select_id)
    for _ in range(index - current):
        page.keyboard.press("ArrowDown")
    assert page.evaluate("id => document.getElementById(id).value", select_id) == value


@pytest.mark.parametrize("language", ["en", "ar"])
def test_story_can_be_shared_with_the_keyboard_alone(live_server, page, language):
    page.goto(f"{live_server}/{language}/share")
    tab_to(page, "body")
    page.keyboard.type("At first I understood nothing.\n\nNow I teach others the words I learnt.")
    if language != "en":
        # English words on the Arabic form: once they pause, the form says which language
        # they seem to be in; keeping the page's language then, the server asks no more.
        page.locator("#language-proposal").wait_for(state="visible")
    tab_to(page, "title")
    page.keyboard.type("Learning the language")
    page.keyboard.press("Enter")  # in a field of the first step: the next step
    assert focused(page)["id"] == "step-about-heading"
    tab_to(page, "author_name")
    page.keyboard.type("Olena")
    tab_to(page, "origin_country")
    choose_with_arrows(page, "origin_country", "UA")
    tab_to(page, "residence_country")
    choose_with_arrows(page, "residence_country", "FI")
    press_button(page, "data-step-next")
    assert focused(page)["id"] == "step-permission-heading"
    tab_to(page, "age_confirmed")
    page.keyboard.press("Space")
    tab_to(page, "consent")
    page.keyboard.press("Space")
    with page.expect_navigation():
        press_button(page, "type", "submit")
    assert page.url.endswith(f"/{language}/share/thanks")
    assert f"/{language}/my-story/" in page.locator("#private-link").input_value()


def press_button(page, attribute: str, value: str = "") -> None:
    """Tab to the next button with this attribute, and press Enter."""
    for _ in range(20):
        page.keyboard.press("Tab")
        if page.evaluate(
            "([name, value]) => document.activeElement.tagName === 'BUTTON'"
            " && document.activeElement.hasAttribute(name)"
            " && (!value || document.activeElement.getAttribute(name) === value)",
            [attribute, value],
        ):
            page.keyboard.press("Enter")
            return
    raise AssertionError(f"no button [{attribute}] reached with the Tab key")


@pytest.mark.parametrize("path", ["/", "/share", "/stories"])
@pytest.mark.parametrize("language", ["en", "ar"])
def test_focus_is_visible_on_every_element_reached_with_tab(
    live_server, page, gallery_stories, path, language
):
    page.goto(f"{live_server}/{language}{path}")
    seen = []
    for _ in range(120):
        page.keyboard.press("Tab")
        state = focused(page)
        if state["tag"] == "body" or (seen and state == seen[0]):
            break  # went round
        seen.append(state)
        assert state["visible"], state
        assert state["outlineStyle"] != "none" and state["outlineWidth"] >= 2, state
    assert len(seen) >= 8, "the header, switcher, main content and footer links are reachable"


def test_skip_link_appears_first_and_moves_focus_to_the_content(live_server, page):
    page.goto(f"{live_server}/stories")
    page.keyboard.press("Tab")
    skip = focused(page)
    assert skip["text"] == "Skip to content"
    box = page.locator(".skip-link").bounding_box()
    assert box["y"] >= 0, "the skip link comes into view when focused"
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "main"


@pytest.mark.parametrize("language", ["en", "ar"])
def test_failed_submit_moves_focus_to_the_error_summary(live_server, page, language):
    page.goto(f"{live_server}/{language}/share")
    page.locator("#title").fill("Only a title")
    send_unchecked(page)
    page.wait_for_function("document.activeElement.id === 'error-summary'")
    assert page.locator("#title").input_value() == "Only a title", "what was typed is kept"
    links = page.locator("#error-summary a")
    assert links.count() >= 4
    for number in range(links.count()):
        field_id = links.nth(number).get_attribute("href").removeprefix("#")
        described_by = page.locator(f"#{field_id}").get_attribute("aria-describedby").split()
        assert f"{field_id}-error" in described_by
        error_text = page.locator(f"#{field_id}-error").inner_text()
        assert error_text and error_text in links.nth(number).inner_text()


def test_error_summary_link_takes_the_keyboard_to_the_field(live_server, page):
    page.goto(f"{live_server}/share")
    send_unchecked(page)
    page.wait_for_function("document.activeElement.id === 'error-summary'")
    page.keyboard.press("Tab")
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "body", "the story comes first"
    # A link to a field of another step opens that step.
    page.locator("#error-summary a[href='#age_confirmed']").click()
    assert page.locator("#step-permission").is_visible()
    assert not page.locator("#step-story").is_visible()
    assert page.evaluate("document.activeElement.id") == "age_confirmed"


@pytest.mark.parametrize("motion", ["reduce", "no-preference"])
def test_animations_respect_reduced_motion(browser, live_server, motion):
    context = browser.new_context(reduced_motion=motion)
    page = context.new_page()
    page.goto(f"{live_server}/share")
    moving = page.evaluate(
        """() => [...document.querySelectorAll('*')].filter(el => {
          const s = getComputedStyle(el);
          const durations = (s.transitionDuration + ',' + s.animationDuration).split(',');
          return durations.some(d => parseFloat(d) > 0) && (s.animationName !== 'none'
            || s.transitionProperty !== 'none');
        }).map(el => el.tagName + '.' + el.className)"""
    )
    context.close()
    if motion == "reduce":
        assert moving == []
    else:
        assert moving, "the buttons' hover transition is there when motion is welcome"


@pytest.mark.parametrize(("language", "arrow"), [("en", "→"), ("ar", "←")])
def test_forward_arrows_point_the_reading_way(live_server, page, gallery_stories, language, arrow):
    page.goto(f"{live_server}/{language}/stories")
    content = page.evaluate(
        "getComputedStyle(document.querySelector('a[rel=next]'), '::after').content"
    )
    assert arrow in content


@pytest.mark.parametrize("path", list(BUDGETS))
def test_page_weight_stays_within_the_low_bandwidth_budget(
    browser, live_server, gallery_stories, path
):
    context = browser.new_context()  # empty cache: a first visit
    page = context.new_page()
    finished = []
    page.on("requestfinished", lambda request: finished.append(request))
    page.goto(f"{live_server}{path}", wait_until="load")
    page.wait_for_load_state("networkidle")
    transferred = []
    for request in finished:
        if request.resource_type == "image":
            continue
        sizes = request.sizes()
        body = sizes["responseBodySize"]
        if request.resource_type in TEXT:
            body = len(gzip.compress(request.response().body()))
        transferred.append(sizes["responseHeadersSize"] + body)
    context.close()
    total = sum(transferred)
    assert len(transferred) >= 3, "the page, its stylesheet and its script were counted"
    assert total <= BUDGETS[path], f"{path}: {total / KB:.1f} KB > {BUDGETS[path] / KB:.0f} KB"


@pytest.mark.parametrize(
    ("path", "needed", "never"),
    [
        ("/share", {"latin"}, {"arabic", "cyrillic"}),
        ("/ar/share", {"arabic", "arabic-punctuation"}, {"cyrillic", "latin"}),
        ("/uk/share", {"cyrillic"}, {"arabic"}),
    ],
)
def test_pages_load_only_the_fonts_of_their_scripts_and_no_frameworks(
    browser, live_server, path, needed, never
):
    context = browser.new_context()  # empty cache: every file is asked for
    page = context.new_page()
    requests = []
    page.on("request", lambda request: requests.append(request))
    page.goto(f"{live_server}{path}", wait_until="networkidle")
    fonts = [r.url.removeprefix(live_server) for r in requests if r.resource_type == "font"]
    # The site's own woff2 files, only the scripts this page is written in.
    assert all("/static/fonts/noto-sans-" in url for url in fonts), fonts
    assert all(url.endswith(".woff2") for url in fonts), fonts
    # The language switcher names every language in its own script, in the
    # system's fonts: only the page's own script costs a download.
    loaded = {url.split("noto-sans-")[1].rsplit("-", 1)[0] for url in fonts}
    assert needed <= loaded and not loaded & never, loaded
    family = "Noto Sans Arabic" if "arabic" in needed else "Noto Sans"  # the page's own
    assert page.evaluate('family => document.fonts.check(`16px "${family}"`)', family)
    context.close()
    scripts = [request.url for request in requests if request.resource_type == "script"]
    # Only the site's own small scripts: the shared one, the quick exit and the form's.
    language = path.removesuffix("/share")
    assert {url.removeprefix(live_server).removeprefix(language) for url in scripts} == {
        "/static/js/site.js",
        "/static/js/quick-exit.js",
        "/static/js/share.js",
        "/static/js/share-photo.js",
        "/static/js/share-draft.js",
        "/static/js/language.js",
    }
