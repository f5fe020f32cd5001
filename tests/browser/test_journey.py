"""The whole journey in a real browser: share, moderate, publish, see."""

import pytest

from campaign.extensions import db
from tests.factories import PASSWORD, make_moderator

pytestmark = pytest.mark.browser


def test_story_travels_from_form_to_gallery(live_app, live_server, browser, page):
    with live_app.app_context():
        moderator_email = make_moderator().email
        db.session.remove()

    # A storyteller shares a story.
    page.goto(f"{live_server}/share")
    page.get_by_label("Your story", exact=True).fill(
        "I crossed the river at night with my brother.\n\nNow I study engineering."
    )
    page.get_by_label("Title of your story").fill("The river I crossed")
    page.get_by_role("button", name="Next: about you").click()
    page.get_by_label("Your name").fill("Karim")
    page.get_by_label("Country you come from").select_option("AF")
    page.get_by_label("Country where you live now").select_option("FI")
    page.get_by_role("button", name="Next: permission").click()
    page.get_by_label("I am at least 16 years old").check()
    page.get_by_label("I agree that this story may be published").check()
    page.get_by_role("button", name="Send my story").click()
    page.wait_for_url("**/share/thanks")
    private_link = page.locator(".new-link__open").get_attribute("href")
    assert "/my-story/" in private_link

    page.goto(private_link)
    assert "In review" in page.locator(".timeline__step--now").inner_text()

    # A moderator signs in and approves it.
    moderator_page = browser.new_context().new_page()
    moderator_page.goto(f"{live_server}/moderate")
    moderator_page.wait_for_url("**/login?next=*")
    moderator_page.get_by_label("Email").fill(moderator_email)
    moderator_page.get_by_label("Password").fill(PASSWORD)
    moderator_page.get_by_role("button", name="Sign in").click()
    moderator_page.wait_for_url("**/moderate")
    moderator_page.get_by_role("link", name="The river I crossed").click()
    moderator_page.get_by_role("button", name="Approve and publish").click()
    moderator_page.wait_for_url("**/moderate")
    assert "Published “\u2068The river I crossed\u2069”." in moderator_page.content()

    # The public sees it, and the storyteller sees it is published.
    page.goto(f"{live_server}/stories")
    page.locator(".card", has_text="The river I crossed").click()  # the whole card leads there
    assert page.locator("h1").inner_text() == "The river I crossed"
    assert "Now I study engineering." in page.locator(".story__body").inner_text()

    page.goto(private_link)
    assert "Published" in page.locator(".timeline__step:last-child").inner_text()
