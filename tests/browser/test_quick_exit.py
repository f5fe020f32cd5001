"""Quick exit in a real browser (issue 17): the button, or Escape pressed twice, puts the
neutral site in place of ours, so that Back does not return to the page that was open."""

import pytest

from campaign.extensions import db
from tests.factories import make_story

pytestmark = pytest.mark.browser

NEUTRAL = "https://weather.com/"


@pytest.fixture
def neutral_site(context):
    """The neutral site, answered inside the browser: the tests need no network."""
    context.route(
        f"{NEUTRAL}**",
        lambda route: route.fulfill(
            status=200, content_type="text/html", body="<title>Weather</title><p>Sunny.</p>"
        ),
    )
    return NEUTRAL


def left_without_a_way_back(page, live_server, entries: int) -> None:
    """The neutral site took our page's place in the history (a new tab starts on
    about:blank, the one entry before ours): Back does not return to our site."""
    page.wait_for_url(f"{NEUTRAL}**")
    assert page.evaluate("history.length") == entries
    page.go_back()
    assert not page.url.startswith(live_server), page.url


def test_the_button_leaves_the_share_form_with_no_way_back(live_server, page, neutral_site):
    page.goto(f"{live_server}/share")
    page.locator("#title").fill("Something I would not want seen")
    entries = page.evaluate("history.length")
    page.get_by_role("link", name="Leave this site quickly").click()
    left_without_a_way_back(page, live_server, entries)
    # Back on the form in the same tab, what was typed is gone (the form's draft).
    page.goto(f"{live_server}/share")
    assert page.locator("#title").input_value() == ""
    assert page.evaluate("sessionStorage.length") == 0


def test_escape_pressed_twice_leaves_the_private_page(live_app, live_server, page, neutral_site):
    with live_app.app_context():
        token = make_story().token
        db.session.remove()
    page.goto(f"{live_server}/my-story/{token}")
    page.keyboard.press("Escape")
    page.wait_for_timeout(1200)  # one press, then another long after: an accident, we stay
    page.keyboard.press("Escape")
    assert page.url == f"{live_server}/my-story/{token}"
    entries = page.evaluate("history.length")
    page.keyboard.press("Escape")  # the second of two quick presses
    left_without_a_way_back(page, live_server, entries)


def test_escape_twice_works_while_typing_in_a_field(live_server, page, neutral_site):
    page.goto(f"{live_server}/share")
    page.locator("#title").click()
    page.keyboard.type("My journey")
    entries = page.evaluate("history.length")
    page.keyboard.press("Escape")
    page.keyboard.press("Escape")
    left_without_a_way_back(page, live_server, entries)


def test_going_back_after_the_exit_never_shows_the_page_that_was_open(
    live_server, page, neutral_site
):
    """Reached from the home page: Back leads to the page before, never the form."""
    page.goto(f"{live_server}/")
    page.goto(f"{live_server}/privacy")
    entries = page.evaluate("history.length")
    page.get_by_role("link", name="Leave this site quickly").click()
    page.wait_for_url(f"{NEUTRAL}**")
    assert page.evaluate("history.length") == entries  # replaced, not added
    page.go_back()
    assert page.url == f"{live_server}/"  # the public home page, not the privacy page


def test_on_a_phone_the_button_is_large_and_leaves_room_for_the_form(live_server, page):
    page.set_viewport_size({"width": 360, "height": 800})
    page.goto(f"{live_server}/share")
    button = page.get_by_role("link", name="Leave this site quickly")
    box = button.bounding_box()
    assert box["height"] >= 48 and box["width"] >= 300  # a bar across the screen
    assert box["y"] + box["height"] == pytest.approx(800, abs=1)  # fixed at the bottom
    # At the end of the page, the form's last button (the next step) is above the bar.
    page.evaluate("window.scrollTo(0, document.documentElement.scrollHeight)")
    send = page.locator("form[data-once] button:visible").last.bounding_box()
    box = button.bounding_box()
    assert send["y"] + send["height"] <= box["y"]
    # And it stays in view wherever the visitor is on the page.
    page.evaluate("window.scrollTo(0, 0)")
    assert button.is_visible() and button.bounding_box()["y"] == pytest.approx(box["y"], abs=1)


def test_without_javascript_the_button_is_a_plain_link(browser, live_server):
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    page.goto(f"{live_server}/share")
    link = page.get_by_role("link", name="Leave this site quickly")
    assert link.get_attribute("href") == NEUTRAL
    context.close()
