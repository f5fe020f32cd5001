"""The review desk in a real browser: two-factor sign-in, then a queue reviewed by keyboard."""

import pyotp
import pytest
from sqlalchemy import select

from campaign.extensions import db
from campaign.models import AuditEntry, Story, StoryStatus
from campaign.models._types import utcnow
from tests.browser.helpers import sign_in_with_two_factor
from tests.factories import PASSWORD, make_moderator, make_story

pytestmark = pytest.mark.browser


def test_queue_is_reviewed_with_the_keyboard_after_two_factor_sign_in(live_app, live_server, page):
    secret = pyotp.random_base32()
    with live_app.app_context():
        moderator = make_moderator()
        moderator.totp_secret = secret
        moderator.totp_confirmed_at = utcnow()
        db.session.commit()
        email = moderator.email
        titles = ["Keyboard first", "Keyboard second", "Keyboard third"]
        ids = [make_story(title=title).id for title in titles]
        db.session.remove()

    # Sign in: password, then the code from the authenticator app.
    sign_in_with_two_factor(page, f"{live_server}/moderate", email, secret)

    # j selects the first (oldest) row, Enter opens it.
    page.keyboard.press("j")
    assert "Keyboard first" in page.locator("tr.is-current").inner_text()
    page.keyboard.press("Enter")
    page.wait_for_url(f"**/moderate/stories/{ids[0]}")

    # a approves; the next pending story opens.
    page.keyboard.press("a")
    page.wait_for_url(f"**/moderate/stories/{ids[1]}")
    flash = page.locator(".flash").inner_text()
    assert "Published" in flash and "Keyboard first" in flash

    # c asks for changes: the message field gets the focus.
    page.keyboard.press("c")
    page.keyboard.type("Please leave out the name of your street.")
    page.keyboard.press("Tab")
    page.keyboard.press("Enter")
    page.wait_for_url(f"**/moderate/stories/{ids[2]}")

    # ? shows the help, ? hides it again.
    page.keyboard.press("?")
    assert page.locator("#shortcut-help").is_visible()
    assert "approve and publish" in page.locator("#shortcut-help").inner_text()
    page.keyboard.press("?")
    assert not page.locator("#shortcut-help").is_visible()

    # e opens the editor on the story text.
    page.keyboard.press("e")
    assert page.evaluate("document.activeElement.id") == "body"
    page.keyboard.press("Tab")  # leave the text for the Save button

    # r: choose a reason with the arrow key, then send.
    page.keyboard.press("r")
    assert page.evaluate("document.activeElement.id") == "reason"
    page.keyboard.press("ArrowDown")
    for _ in range(3):  # note, message, button
        page.keyboard.press("Tab")
    page.keyboard.press("Enter")
    page.wait_for_url("**/moderate")

    with live_app.app_context():
        statuses = {
            story.id: story.status
            for story in db.session.scalars(select(Story).where(Story.id.in_(ids)))
        }
        db.session.remove()
    assert statuses == {
        ids[0]: StoryStatus.PUBLISHED,
        ids[1]: StoryStatus.CHANGES_REQUESTED,
        ids[2]: StoryStatus.REJECTED,
    }


def test_moderator_turns_on_two_factor_with_the_qr_code_and_gets_recovery_codes(
    live_app, live_server, page
):
    with live_app.app_context():
        email = make_moderator().email
        db.session.remove()
    page.goto(f"{live_server}/login")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url("**/moderate")
    page.goto(f"{live_server}/account/two-factor")
    qr = page.get_by_alt_text("QR code for your authenticator app")
    assert qr.evaluate("image => image.complete && image.naturalWidth > 0")  # allowed by the CSP
    secret = page.locator("#totp-secret").inner_text()
    page.get_by_label("The 6-digit code your app shows now").fill(pyotp.TOTP(secret).now())
    with page.expect_navigation():  # back to the same address: wait for the new page
        page.get_by_role("button", name="Turn on").click()
    assert page.locator(".recovery-codes li").count() == 10


def sign_in(page, live_server, email) -> None:
    page.goto(f"{live_server}/login")
    page.locator("#email").fill(email)
    page.locator("#password").fill(PASSWORD)
    page.locator("#password").press("Enter")
    page.wait_for_url("**/moderate")


def audit_actions(live_app, story_id) -> list[str]:
    with live_app.app_context():
        found = list(
            db.session.scalars(
                select(AuditEntry.action)
                .where(AuditEntry.story_id == story_id)
                .order_by(AuditEntry.id)
            )
        )
        db.session.remove()
    return found


def status_of(live_app, story_id) -> StoryStatus:
    with live_app.app_context():
        status = db.session.get(Story, story_id).status
        db.session.remove()
    return status


def test_a_approves_and_undo_returns_the_story_to_the_queue(live_app, live_server, page):
    with live_app.app_context():
        email = make_moderator().email
        first, second = (make_story(title=title).id for title in ("Undo me", "Next in line"))
        db.session.remove()
    sign_in(page, live_server, email)
    page.goto(f"{live_server}/moderate/stories/{first}")

    page.keyboard.press("a")
    page.wait_for_url(f"**/moderate/stories/{second}")
    flash = page.locator(".flash")
    assert "Published" in flash.inner_text() and "Undo me" in flash.inner_text()
    assert status_of(live_app, first) is StoryStatus.PUBLISHED

    # The Undo button of the message (the u key presses it).
    assert flash.get_by_role("button", name="Undo").is_visible()
    page.keyboard.press("u")
    page.wait_for_url(f"**/moderate/stories/{first}")
    assert "Undone" in page.locator(".flash").inner_text()
    assert "Status: Waiting for review" in page.locator(".status").inner_text()
    assert status_of(live_app, first) is StoryStatus.PENDING
    assert audit_actions(live_app, first) == ["approve", "undo"]

    page.goto(f"{live_server}/moderate")
    assert page.get_by_role("link", name="Undo me").is_visible()  # back in the queue


def test_a_story_back_after_a_change_request_shows_the_request_and_the_diff(
    live_app, live_server, page, browser
):
    with live_app.app_context():
        email = make_moderator().email
        story = make_story(
            title="Our street", body="We lived at 4 Hope Street, next to the bakery. " * 3
        )
        story_id, token = story.id, story.token
        db.session.remove()
    sign_in(page, live_server, email)
    page.goto(f"{live_server}/moderate/stories/{story_id}")
    page.keyboard.press("c")
    page.keyboard.type("Please leave out the name of your street.")
    page.get_by_role("button", name="Ask for changes").click()
    assert status_of(live_app, story_id) is StoryStatus.CHANGES_REQUESTED

    # The storyteller reads the request on their private page and changes the text.
    teller = browser.new_context().new_page()
    teller.goto(f"{live_server}/my-story/{token}/edit")
    teller.locator("#body").fill("We lived in a quiet street, next to the bakery. " * 3)
    teller.locator("form button[type=submit]").first.click()
    teller.wait_for_url(f"**/my-story/{token}")
    teller.context.close()
    assert status_of(live_app, story_id) is StoryStatus.PENDING

    page.goto(f"{live_server}/moderate/stories/{story_id}")
    came_back = page.locator("section.came-back")
    assert "Please leave out the name of your street." in came_back.inner_text()
    assert came_back.locator("del").first.inner_text() == "at 4 Hope Street"
    assert came_back.locator("ins").first.inner_text() == "in a quiet street"
