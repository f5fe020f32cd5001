"""The review desk in a real browser: two-factor sign-in, then a queue reviewed by keyboard."""

import pyotp
import pytest
from sqlalchemy import select

from campaign.extensions import db
from campaign.models import Story, StoryStatus
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
    page.get_by_role("button", name="Turn on").click()
    page.wait_for_url("**/account/two-factor")
    assert page.locator(".recovery-codes li").count() == 10
