"""The translation desk in a real browser (issue 20): a translator signs in with
two-factor, finds an Arabic story in the queue, writes French beside the right-to-left
original, saves, sends it for review; a moderator publishes it."""

import pyotp
import pytest
from sqlalchemy import select

from campaign.extensions import db
from campaign.models import AuditEntry, StoryStatus, Translation, TranslationStatus
from campaign.models._types import utcnow
from tests.browser.helpers import sign_in_with_two_factor
from tests.factories import PASSWORD, make_moderator, make_story

pytestmark = pytest.mark.browser

TITLE = "رحلتي إلى فنلندا"


def direction(page, selector: str) -> str:
    return page.locator(selector).first.evaluate("element => getComputedStyle(element).direction")


def test_a_translator_writes_french_beside_the_arabic_original_and_a_moderator_publishes(
    live_app, live_server, page, browser
):
    secret = pyotp.random_base32()
    with live_app.app_context():
        translator = make_moderator(can_moderate=False, reads="fr")
        translator.totp_secret = secret
        translator.totp_confirmed_at = utcnow()
        moderator = make_moderator()
        db.session.commit()
        emails = translator.email, moderator.email
        story = make_story(
            StoryStatus.PUBLISHED,
            title=TITLE,
            quote="لم أكن أعرف أحداً",
            body="وصلت في الشتاء ولم أكن أعرف أحداً. " * 4,
            language="ar",
        )
        story_id = story.id
        db.session.remove()

    sign_in_with_two_factor(page, f"{live_server}/translate", emails[0], secret, "**/translate")
    item = page.locator(".translate-item", has_text=TITLE)
    assert direction(page, f".translate-item__title:text('{TITLE}')") == "rtl"
    item.get_by_role("button", name="Translate").click()
    page.wait_for_url("**/translate/*")

    # The original right to left, beside fields written left to right.
    assert page.locator(".pair__original .pair__text[lang=ar]").count() == 3
    assert direction(page, ".pair__original .pair__text[lang=ar]") == "rtl"
    assert direction(page, "#title") == "ltr" and direction(page, "#body") == "ltr"
    assert page.locator("#title").get_attribute("lang") == "fr"
    page.get_by_label("In French: Title").fill("Mon voyage vers la Finlande")
    page.get_by_label("In French: Quote").fill("Je ne connaissais personne")
    page.get_by_role("button", name="Save draft").click()
    assert "Draft saved." in page.locator(".flash").inner_text()
    assert page.locator("#title").input_value() == "Mon voyage vers la Finlande"
    page.get_by_label("In French: Story").fill(
        "Je suis arrivée en hiver. Je ne connaissais personne."
    )
    page.get_by_role("button", name="Send for review").click()
    page.wait_for_url("**/translate?language=fr")
    assert "Sent for review" in page.locator(".flash").inner_text()

    # A moderator (no two-factor needed here) reviews it and publishes.
    reviewing = browser.new_context()
    review = reviewing.new_page()
    review.goto(f"{live_server}/login")
    review.get_by_label("Email").fill(emails[1])
    review.get_by_label("Password").fill(PASSWORD)
    review.keyboard.press("Enter")
    review.wait_for_url("**/moderate")
    with live_app.app_context():
        translation_id = db.session.scalar(
            select(Translation.id).where(Translation.story_id == story_id)
        )
        db.session.remove()
    review.goto(f"{live_server}/translate/{translation_id}")
    assert direction(review, ".pair__translation .pair__text[lang=fr]") == "ltr"
    review.get_by_role("button", name="Publish the translation").click()
    review.wait_for_url("**/translate?language=fr")
    assert "Published." in review.locator(".flash").inner_text()
    reviewing.close()

    with live_app.app_context():
        translation = db.session.get(Translation, translation_id)
        assert translation.status is TranslationStatus.PUBLISHED
        actions = db.session.scalars(
            select(AuditEntry.action).where(AuditEntry.story_id == story_id)
        ).all()
        db.session.remove()
    assert [a for a in actions if a.startswith("translation_")] == [
        "translation_started",
        "translation_sent_for_review",
        "translation_published",
    ]
