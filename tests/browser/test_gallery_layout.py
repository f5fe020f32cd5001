"""Home, gallery and story pages fit small phones and wide screens without sideways scrolling."""

from pathlib import Path

import pytest
from playwright.sync_api import expect

from campaign.extensions import db
from tests.gallery.helpers import ensure_themes, publish

pytestmark = pytest.mark.browser

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
WIDTHS = [360, 1280, 1440]


@pytest.fixture(scope="module")
def stories(live_app):
    with live_app.app_context():
        ensure_themes()
        made = [
            publish(
                "A remarkably long title about a journey across mountains and seas to Helsinki",
                quote="Supercalifragilisticexpialidociouslylongwordwithoutanyspaces" * 2,
                body="We walked for days.\n\n" + "A long paragraph about the road. " * 40,
                origin_country="AF",
                residence_country="FI",
                themes=["journey", "family"],
                featured=True,
            ),
            publish(
                "بيت جديد",
                quote="الوطن ليس مكانا",
                body="كتبت هذه القصة في بيتي الجديد. " * 20,
                origin_country="SY",
                residence_country="SE",
                language="ar",
                themes=["family"],
            ),
            publish(
                "Night shifts",
                quote="Every patient is someone's child",
                origin_country="PH",
                residence_country="DE",
                themes=["work"],
            ),
        ]
        slugs = [story.slug for story in made]
        db.session.remove()
    return slugs


@pytest.mark.parametrize("width", WIDTHS)
def test_public_pages_have_no_horizontal_overflow(live_server, browser, stories, width):
    ARTIFACTS.mkdir(exist_ok=True)
    context = browser.new_context(viewport={"width": width, "height": 900})
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    pages = {
        "home": "/",
        "gallery": "/stories",
        "search": "/stories?q=journey&origin=AF",
        "story": f"/stories/{stories[0]}",
        "story-rtl": f"/stories/{stories[1]}",
    }
    try:
        for name, path in pages.items():
            response = page.goto(f"{live_server}{path}")
            assert response.status == 200, path
            overflow = page.evaluate(
                "document.documentElement.scrollWidth - document.documentElement.clientWidth"
            )
            page.screenshot(path=str(ARTIFACTS / f"{name}-{width}.png"), full_page=True)
            assert overflow <= 0, f"{path} scrolls sideways by {overflow}px at {width}px"
    finally:
        context.close()
    assert errors == []


def test_copy_link_button_appears_with_javascript(live_server, browser, stories):
    context = browser.new_context(permissions=["clipboard-read", "clipboard-write"])
    page = context.new_page()
    try:
        page.goto(f"{live_server}/stories/{stories[2]}")
        button = page.get_by_role("button", name="Copy link")
        button.click()
        # The clipboard answers asynchronously: wait for the status, don't read it at once.
        expect(page.locator("[data-copy-status]")).to_have_text("Link copied")
    finally:
        context.close()


def test_filters_work_without_javascript(live_server, browser, stories):
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    try:
        page.goto(f"{live_server}/stories")
        page.locator(".filters summary").click()
        page.get_by_label("From").select_option("SY")
        page.get_by_role("button", name="Show stories").click()
        page.wait_for_url("**/stories?*origin=SY*")
        titles = page.locator(".card__title").all_inner_texts()
        assert titles == ["بيت جديد"]
    finally:
        context.close()
