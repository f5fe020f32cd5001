"""Sharing with a photo, and withdrawing, in a real browser."""

import pytest
from sqlalchemy import select

from campaign.extensions import db
from campaign.media.pipeline import process
from campaign.media.storage import get_storage
from campaign.models import Photo, Story, StoryStatus
from tests import images
from tests.browser.helpers import fill_share_form, send_unchecked
from tests.factories import make_story

pytestmark = pytest.mark.browser


def test_photo_is_kept_across_a_failed_submit(live_app, live_server, page):
    page.goto(f"{live_server}/share")
    page.locator("#photo").set_input_files(
        files=[{"name": "harbour.jpg", "mimeType": "image/jpeg", "buffer": images.rotated_jpeg()}]
    )
    page.locator("#photo-preview").wait_for(state="visible")
    fill_share_form(page)
    assert "characters" in page.locator("#body-count").inner_text()
    page.locator("#title").evaluate("title => { title.value = ''; }")
    send_unchecked(page)

    assert "Give your story a title." in page.locator("#error-summary").inner_text()
    assert "Give your story a title." in page.locator("#title-error").inner_text()
    kept = page.locator(".staged-photo img")
    assert kept.is_visible(), "the step with the error, and the photo, are shown"
    kept.scroll_into_view_if_needed()
    assert kept.evaluate("image => image.decode().then(() => image.naturalWidth)") == 200
    assert page.locator("#author_name").input_value() == "Yusuf"

    page.get_by_label("Title of your story").fill("The harbour at dawn")
    page.get_by_label("Describe the photo").fill("A quiet harbour at dawn")
    page.get_by_role("button", name="Next: about you").click()
    page.get_by_role("button", name="Next: permission").click()
    page.get_by_role("button", name="Send my story").click()
    page.wait_for_url("**/share/thanks")

    with live_app.app_context():
        story = db.session.scalar(select(Story).where(Story.title == "The harbour at dawn"))
        assert story.photo is not None
        assert story.photo.alt_text == "A quiet harbour at dawn"
        assert (story.photo.width, story.photo.height) == (200, 300)
        assert all(get_storage().exists(r["name"]) for r in story.photo.renditions)
        db.session.remove()

    page.goto(page.locator(".new-link__open").get_attribute("href"))
    assert page.get_by_alt_text("A quiet harbour at dawn").is_visible()


def test_withdrawal_removes_the_story_from_the_gallery_and_deletes_its_files(
    live_app, live_server, page
):
    with live_app.app_context():
        story = make_story(StoryStatus.PUBLISHED, title="A story I take back")
        processed = process(images.jpeg())
        db.session.add(
            Photo(
                story_id=story.id,
                width=processed.width,
                height=processed.height,
                renditions=processed.renditions,
            )
        )
        db.session.commit()
        token, slug = story.token, story.slug
        files = [r["name"] for r in processed.renditions]
        storage = get_storage()
        assert all(storage.exists(name) for name in files)
        db.session.remove()

    page.goto(f"{live_server}/stories")
    assert page.locator(".card__title", has_text="A story I take back").is_visible()

    page.goto(f"{live_server}/my-story/{token}")
    page.get_by_role("link", name="Withdraw my story").click()
    page.get_by_label("Yes, delete my story for good").check()
    page.get_by_role("button", name="Withdraw and delete my story").click()
    page.wait_for_url("**/share/withdrawn")
    assert "Your story is withdrawn" in page.locator("h1").inner_text()

    page.goto(f"{live_server}/stories")
    assert page.locator(".card__title", has_text="A story I take back").count() == 0
    assert page.goto(f"{live_server}/stories/{slug}").status == 410  # its tombstone
    assert page.goto(f"{live_server}/my-story/{token}").status == 404
    for name in files:
        # Asked of the server itself: the browser may still hold the image it showed.
        assert page.request.get(f"{live_server}/media/{name}").status == 404
    with live_app.app_context():
        assert not any(get_storage().exists(name) for name in files)
