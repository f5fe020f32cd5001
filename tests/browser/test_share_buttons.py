"""The share buttons on a story page, on a 360×800 clipboard_phone: big enough for a thumb,
labelled, inside the screen, the clipboard_phone's share sheet first, and the plain links
alone without JavaScript."""

import pytest

from campaign.extensions import db
from campaign.models import StoryStatus
from tests.browser.conftest import PHONE
from tests.factories import make_story

pytestmark = pytest.mark.browser

APPS = ["WhatsApp", "Telegram", "Facebook", "X", "E-mail"]
# A clipboard_phone's browser: the Web Share API answers, and we keep what it was given.
SHARE_SHEET = """
navigator.share = (data) => { window.sharedWith = data; return Promise.resolve(); };
"""


@pytest.fixture(scope="module")
def story_path(live_app):
    with live_app.app_context():
        story = make_story(StoryStatus.PUBLISHED, title="A kitchen in Aleppo")
        path = f"/stories/{story.slug}"
        db.session.remove()
    return path


def share_buttons(page):
    return page.locator(".share .share-link:visible")


@pytest.mark.parametrize("language", ["en", "ar"])
def test_share_buttons_fit_a_phone_and_are_big_labelled_targets(
    clipboard_phone, live_server, story_path, language
):
    page = clipboard_phone
    page.add_init_script(SHARE_SHEET)
    page.goto(f"{live_server}/{language}{story_path}")
    buttons = share_buttons(page)
    assert buttons.count() == 7  # the share sheet, five apps, copy
    screen = page.evaluate("document.documentElement.clientWidth")
    for index in range(buttons.count()):
        button = buttons.nth(index)
        box = button.bounding_box()
        assert box["height"] >= 44 and box["width"] >= 44, button.inner_text()
        assert box["x"] >= 0 and box["x"] + box["width"] <= screen, button.inner_text()
        assert button.inner_text().strip(), "every icon has its name beside it"
    assert page.evaluate("document.documentElement.scrollWidth") <= screen
    if language == "en":
        names = [name.strip() for name in buttons.all_inner_texts()]
        assert names == ["Share…", *APPS, "Copy link"]


def test_the_share_sheet_comes_first_and_gets_the_story(clipboard_phone, live_server, story_path):
    page = clipboard_phone
    page.add_init_script(SHARE_SHEET)
    page.goto(f"{live_server}{story_path}")
    first = share_buttons(page).first
    assert first.inner_text().strip() == "Share…"
    first.click()
    shared = page.evaluate("window.sharedWith")
    assert shared == {"title": "A kitchen in Aleppo", "url": f"{live_server}{story_path}"}


def test_copy_link_puts_the_story_address_on_the_clipboard(
    clipboard_phone, live_server, story_path
):
    page = clipboard_phone
    page.add_init_script(SHARE_SHEET)
    page.goto(f"{live_server}{story_path}")
    page.get_by_role("button", name="Copy link").click()
    status = page.locator(".share [data-copy-status]")
    status.wait_for(state="visible")
    assert status.inner_text() == "Link copied"
    assert page.evaluate("navigator.clipboard.readText()") == f"{live_server}{story_path}"


def test_without_javascript_the_apps_are_plain_links(browser, live_server, story_path):
    context = browser.new_context(viewport=PHONE, java_script_enabled=False)
    page = context.new_page()
    page.goto(f"{live_server}{story_path}")
    names = [name.strip() for name in share_buttons(page).all_inner_texts()]
    assert names == APPS  # no share sheet, no copy: they need JavaScript
    whatsapp = page.get_by_role("link", name="WhatsApp")
    assert whatsapp.get_attribute("href").startswith("https://wa.me/?text=A%20kitchen")
    context.close()
