"""The story's language on a phone (360×800): it starts as the page's, and a text
written in another language is proposed as they write, or on sending without JS."""

import pytest
from sqlalchemy import select

from campaign.extensions import db
from campaign.models import Story
from tests.browser.conftest import PHONE
from tests.browser.helpers import next_step
from tests.i18n.test_detect import SHORT_TEXTS

pytestmark = pytest.mark.browser

UKRAINIAN = " ".join(SHORT_TEXTS["uk"][:3])


def fill_the_rest(page, title: str) -> None:
    """The first step's body and language are set: the title, then the next two steps."""
    page.locator("#title").fill(title)
    next_step(page)
    page.locator("#author_name").fill("Olena")
    page.locator("#origin_country").select_option("UA")
    page.locator("#residence_country").select_option("FI")
    next_step(page)
    page.locator("#age_confirmed").check()
    page.locator("#consent").check()


def stored(live_app, title: str) -> Story:
    with live_app.app_context():
        story = db.session.scalar(select(Story).where(Story.title == title))
        db.session.expunge_all()
        db.session.remove()
    return story


def test_the_arabic_share_form_starts_with_arabic_on_a_phone(live_server, phone):
    phone.goto(f"{live_server}/ar/share")
    language = phone.locator("#language")
    assert language.input_value() == "ar"
    assert language.evaluate("select => select.selectedOptions[0].textContent").startswith(
        "العربية"
    )
    box = language.bounding_box()
    assert box["x"] >= 0 and box["x"] + box["width"] <= PHONE["width"]
    assert phone.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]


def test_ukrainian_typed_on_the_english_form_is_proposed_as_ukrainian(live_app, live_server, phone):
    phone.goto(f"{live_server}/share")
    assert phone.locator("#language").input_value() == "en"
    phone.locator("#body").fill(UKRAINIAN)
    proposal = phone.locator("#language-proposal")
    proposal.wait_for(state="visible")
    assert proposal.locator("p").inner_text() == "Your story seems to be in Ukrainian."
    assert proposal.evaluate("box => box.getBoundingClientRect().right") <= PHONE["width"]

    phone.get_by_role("button", name="Change to Ukrainian").click()

    assert phone.locator("#language").input_value() == "uk"
    assert proposal.is_hidden()
    fill_the_rest(phone, "Proposed as they wrote")
    with phone.expect_navigation():
        phone.get_by_role("button", name="Send my story").click()
    assert phone.url.endswith("/share/thanks")
    story = stored(live_app, "Proposed as they wrote")
    assert (story.language, story.proposed_language) == ("uk", None)


def test_a_proposal_seen_and_left_keeps_their_choice_without_asking_again(
    live_app, live_server, phone
):
    phone.goto(f"{live_server}/share")
    phone.locator("#body").fill(UKRAINIAN)
    phone.locator("#language-proposal").wait_for(state="visible")
    fill_the_rest(phone, "Kept as English")
    with phone.expect_navigation():
        phone.get_by_role("button", name="Send my story").click()
    assert phone.url.endswith("/share/thanks")
    story = stored(live_app, "Kept as English")
    assert (story.language, story.proposed_language) == ("en", "uk")


def test_without_javascript_the_proposal_comes_on_sending_and_nothing_is_lost(
    browser, live_app, live_server
):
    context = browser.new_context(viewport=PHONE, java_script_enabled=False)
    page = context.new_page()
    try:
        page.goto(f"{live_server}/share")
        # Without JavaScript the form is one page: every field is there at once.
        page.locator("#body").fill(UKRAINIAN)
        page.locator("#title").fill("Proposed on sending")
        page.locator("#author_name").fill("Olena")
        page.locator("#origin_country").select_option("UA")
        page.locator("#residence_country").select_option("FI")
        page.locator("#age_confirmed").check()
        page.locator("#consent").check()
        with page.expect_navigation():
            page.get_by_role("button", name="Send my story").click()

        proposal = page.locator("#language-proposal")
        assert proposal.is_visible()
        assert "Your story seems to be in Ukrainian." in proposal.inner_text()
        assert page.locator("#body").input_value() == UKRAINIAN
        assert page.locator("#author_name").input_value() == "Olena"
        assert page.locator("#consent").is_checked()
        with page.expect_navigation():
            page.get_by_role("button", name="Change to Ukrainian and send").click()
        assert page.url.endswith("/share/thanks")
    finally:
        context.close()
    story = stored(live_app, "Proposed on sending")
    assert (story.language, story.proposed_language) == ("uk", None)
