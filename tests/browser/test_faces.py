"""Blurring faces in a real browser: the storyteller sees the result before sending, and a
moderator blurs what the detector missed by dragging on the photo or with the keyboard."""

import io

import pytest
from PIL import Image
from sqlalchemy import select

from campaign.extensions import db
from campaign.models import Photo, Story
from tests import images
from tests.browser.helpers import fill_share_form, next_step
from tests.factories import PASSWORD, make_moderator, make_portrait, make_story

pytestmark = pytest.mark.browser

FACE = [0.3977, 0.1828, 0.0797, 0.0797]  # well inside the astronaut's face
SUIT = [0.57, 0.47, 0.26, 0.31]  # badges and a flag


def detail_of(page, src: str, box) -> float:
    """The high-frequency energy of a region of the image the page shows."""
    body = page.request.get(src).body()
    return images.laplacian_variance(Image.open(io.BytesIO(body)), box)


def photo_of(live_app, story_id: int) -> Photo:
    with live_app.app_context():
        photo = db.session.scalar(select(Photo).where(Photo.story_id == story_id))
        db.session.expunge_all()
        db.session.remove()
    return photo


def portrait_story(live_app) -> tuple[int, str]:
    with live_app.app_context():
        story = make_story(title="A face in the crowd")
        make_portrait(story)
        email = make_moderator().email
        story_id = story.id
        db.session.remove()
    return story_id, email


def sign_in(page, live_server, email: str) -> None:
    page.goto(f"{live_server}/login")
    page.locator("#email").fill(email)
    page.locator("#password").fill(PASSWORD)
    with page.expect_navigation():
        page.locator("main form button[type=submit]").click()


def test_a_storyteller_sees_her_photo_blurred_before_her_story_is_sent(live_app, live_server, page):
    page.goto(f"{live_server}/share")
    # The photo and the choice are in the form's first step.
    photo = {"name": "me.jpg", "mimeType": "image/jpeg", "buffer": images.photograph()}
    page.locator("#photo").set_input_files(photo)
    page.locator("#photo-preview").wait_for(state="visible")
    page.locator("#blur_faces").check()
    fill_share_form(
        page,
        title="The face I keep to myself",
        body="My family is still at home, so I keep our faces hidden. " * 2,
        name="Mina",
        origin="AF",
        residence="FI",
    )
    page.get_by_role("button", name="Send my story").click()
    page.locator("#form-notice").wait_for()  # the answer, shown in place of the page

    # Not sent yet: the blurred photo the server kept is shown, with what was done.
    assert "Your story is not sent yet" in page.locator("#form-notice").inner_text()
    assert "1 blurred area" in page.locator("#faces-result").inner_text()
    preview = page.locator(".staged-photo img")
    assert preview.is_visible()
    assert detail_of(page, preview.evaluate("img => img.src"), FACE) < 5
    with live_app.app_context():
        assert db.session.scalar(select(Story).where(Story.title.like("The face%"))) is None
        db.session.remove()

    next_step(page)
    next_step(page)
    page.get_by_role("button", name="Send my story").click()
    page.wait_for_url("**/share/thanks")
    with live_app.app_context():
        story = db.session.scalar(select(Story).where(Story.title.like("The face%")))
        assert story.photo.blurred and len(story.photo.faces) == 1
        db.session.remove()


def test_a_moderator_blurs_an_area_by_dragging_across_the_photo(live_app, live_server, page):
    story_id, email = portrait_story(live_app)
    sign_in(page, live_server, email)
    page.goto(f"{live_server}/moderate/stories/{story_id}")
    assert page.locator(".photo-blur__face").count() == 1  # the face the detector found

    frame = page.locator("[data-blur-frame]").bounding_box()
    page.mouse.move(frame["x"] + 0.55 * frame["width"], frame["y"] + 0.45 * frame["height"])
    page.mouse.down()
    page.mouse.move(frame["x"] + 0.70 * frame["width"], frame["y"] + 0.60 * frame["height"])
    page.mouse.move(frame["x"] + 0.85 * frame["width"], frame["y"] + 0.80 * frame["height"])
    page.mouse.up()

    drawn = [
        float(page.locator(f"#{name}").input_value()) for name in ("x", "y", "width", "height")
    ]
    assert drawn == pytest.approx([55, 45, 30, 35], abs=1)
    assert page.locator(".photo-blur__selection").is_visible()
    with page.expect_navigation():
        page.get_by_role("button", name="Blur this area").click()

    assert "Blurred in every size" in page.locator(".flash").inner_text()
    photo = photo_of(live_app, story_id)
    assert len(photo.blurred) == 1
    shown = page.locator("[data-blur-frame] img").evaluate("img => img.src")
    assert detail_of(page, shown, SUIT) < 5
    assert detail_of(page, shown, FACE) > 300  # only the area drawn


def test_a_moderator_blurs_with_the_keyboard_alone(live_app, live_server, page):
    story_id, email = portrait_story(live_app)
    sign_in(page, live_server, email)
    page.goto(f"{live_server}/moderate/stories/{story_id}")

    # An area typed in the four fields; the arrow keys change it, the box follows.
    page.locator("#x").focus()
    page.keyboard.type("55")
    for name, value in (("y", "45"), ("width", "29"), ("height", "35")):
        page.keyboard.press("Tab")
        assert page.evaluate("document.activeElement.id") == name
        page.keyboard.type(value)
    page.locator("#width").focus()
    page.keyboard.press("ArrowUp")
    assert page.locator("#width").input_value() == "30"
    assert page.locator(".photo-blur__selection").is_visible()
    assert page.locator(".photo-blur__selection").evaluate("box => box.style.width") == "30%"
    with page.expect_navigation():
        page.keyboard.press("Enter")  # sends the area's form
    assert photo_of(live_app, story_id).blurred == [[0.55, 0.45, 0.3, 0.35]]

    # The detected faces, in one action reached by keyboard.
    page.get_by_role("button", name="Blur detected faces").focus()
    with page.expect_navigation():
        page.keyboard.press("Enter")
    photo = photo_of(live_app, story_id)
    assert len(photo.blurred) == 2 and photo.faces_left == 0
    shown = page.locator("[data-blur-frame] img").evaluate("img => img.src")
    assert detail_of(page, shown, FACE) < 5
    assert "All of them are blurred." in page.locator(".photo-tools").inner_text()
