"""Sending a story with a photo from a phone on a slow network, and keeping what was typed."""

import io
import json
import time

import pytest
from PIL import Image, ImageOps
from sqlalchemy import select
from werkzeug.formparser import parse_form_data

from campaign.extensions import db
from campaign.models import Story
from tests import images
from tests.browser.conftest import PHONE
from tests.browser.helpers import fill_share_form, next_step
from tests.factories import make_story

pytestmark = pytest.mark.browser

STORY_TEXT = "We arrived by boat at dawn. The harbour was quiet and cold.\n\nNow I work there."


@pytest.fixture
def received(live_app):
    """The photos (bytes) the server receives with the share form, as they arrive."""
    photos: list[bytes] = []
    inner = live_app.wsgi_app

    def recording(environ, start_response):
        if environ["REQUEST_METHOD"] == "POST" and environ["PATH_INFO"].endswith("/share"):
            body = environ["wsgi.input"].read(int(environ.get("CONTENT_LENGTH") or 0))
            copy = {**environ, "wsgi.input": io.BytesIO(body)}
            _stream, _form, files = parse_form_data(copy)
            if files.get("photo") and files["photo"].filename:
                photos.append(files["photo"].read())
            for upload in files.values():
                upload.close()
            environ["wsgi.input"] = io.BytesIO(body)
        return inner(environ, start_response)

    live_app.wsgi_app = recording
    yield photos
    live_app.wsgi_app = inner


def noisy_quadrants_jpeg(size=(4000, 3000), orientation=6) -> bytes:
    """A 12 MP phone photo of about 4 MB: coloured quarters under grain (which JPEG cannot
    squeeze the way it squeezes flat colours), stored sideways with an EXIF orientation."""
    grain = Image.effect_noise(size, 40).convert("RGB")
    photo = Image.blend(images.quadrants(size), grain, 0.25)
    exif = Image.Exif()
    exif[images.ORIENTATION] = orientation
    buffer = io.BytesIO()
    photo.save(buffer, "JPEG", quality=90, exif=exif.tobytes())
    return buffer.getvalue()


def upright_quadrants(orientation: int) -> Image.Image:
    """How the quarters look once turned upright, on a small copy turned by Pillow."""
    small = images.quadrants((40, 30))
    exif = small.getexif()
    exif[images.ORIENTATION] = orientation
    small.info["exif"] = exif.tobytes()
    return ImageOps.exif_transpose(small)


def colour_at(image, x, y):
    return image.getpixel((int(image.width * x), int(image.height * y)))


def stored_story(live_app, title):
    with live_app.app_context():
        story = db.session.scalar(select(Story).where(Story.title == title))
        details = story and {
            "body": story.body,
            "photo": story.photo and (story.photo.width, story.photo.height),
        }
        db.session.remove()
        return details


def test_a_12_megapixel_photo_arrives_at_2000_px_under_1_mb_and_upright(
    live_app, live_server, phone, received, tmp_path
):
    original = tmp_path / "IMG_2041.jpg"
    original.write_bytes(noisy_quadrants_jpeg())
    assert 3.5 * 2**20 < original.stat().st_size < 6 * 2**20  # what a phone camera makes

    phone.goto(f"{live_server}/share")
    phone.locator("#photo").set_input_files(original)  # in the first step
    phone.locator("#photo-preview").wait_for(state="visible")
    fill_share_form(phone, title="A photo from my phone")
    phone.get_by_role("button", name="Send my story").click()
    phone.wait_for_url("**/share/thanks")
    assert phone.locator("#private-link").count() == 1  # the answer itself was shown

    [sent] = received
    assert len(sent) <= 1_000_000
    with Image.open(io.BytesIO(sent)) as photo:
        assert photo.format == "JPEG"
        assert photo.size == (1500, 2000)  # upright: 3000 x 4000, halved
        assert not photo.getexif()  # nothing of the camera's travels
        expected = upright_quadrants(6)
        for x, y in ((0.25, 0.25), (0.75, 0.25), (0.25, 0.75), (0.75, 0.75)):
            got, wanted = colour_at(photo.convert("RGB"), x, y), colour_at(expected, x, y)
            # The grain moves each pixel: the quarter's colour must still be the one there.
            assert sum(abs(a - b) for a, b in zip(got, wanted, strict=True)) < 150, (x, y)
    assert stored_story(live_app, "A photo from my phone")["photo"] == (1500, 2000)


def test_on_a_32_kb_per_second_connection_the_progress_bar_advances_and_the_story_arrives(
    live_app, live_server, phone, received, tmp_path
):
    original = tmp_path / "gradient.jpg"
    original.write_bytes(images.twelve_megapixel_jpeg())
    phone.goto(f"{live_server}/share")
    phone.locator("#photo").set_input_files(original)  # in the first step
    phone.locator("#photo-preview").wait_for(state="visible")
    fill_share_form(phone, title="Sent on a slow line")
    phone.locator("#photo-status").wait_for(state="hidden")  # made smaller, ready to send

    cdp = phone.context.new_cdp_session(phone)
    cdp.send("Network.enable")
    cdp.send(
        "Network.emulateNetworkConditions",
        {
            "offline": False,
            "latency": 150,
            "downloadThroughput": 32 * 1024,
            "uploadThroughput": 32 * 1024,
        },
    )
    phone.get_by_role("button", name="Send my story").click()
    status = phone.locator("#upload-progress")
    status.wait_for(state="visible")
    assert "Sending… keep this page open" in status.inner_text()
    seen = []
    deadline = time.monotonic() + 60
    while "/share/thanks" not in phone.url and time.monotonic() < deadline:
        value = phone.evaluate(
            "() => { const bar = document.querySelector('#upload-progress progress');"
            " return bar ? bar.value : null; }"
        )
        if value is not None and (not seen or value != seen[-1]):
            seen.append(value)
        phone.wait_for_timeout(100)
    phone.wait_for_url("**/share/thanks")
    assert seen == sorted(seen), seen
    assert len([value for value in seen if 0 < value < 100]) >= 3, seen
    assert received and len(received[0]) > 30 * 1024  # long enough to be watched
    assert stored_story(live_app, "Sent on a slow line")["photo"] == (4000 // 2, 3000 // 2)


def test_when_the_connection_drops_the_form_stays_filled_and_can_be_sent_again(
    live_app, live_server, phone
):
    phone.goto(f"{live_server}/share")
    fill_share_form(phone, title="Sent twice over a bad line")
    phone.context.set_offline(True)
    phone.get_by_role("button", name="Send my story").click()
    lost = phone.locator("#upload-progress[role=alert]")
    lost.wait_for(state="visible")
    assert "The connection was lost" in lost.inner_text()
    assert phone.get_by_label("Your story", exact=True).input_value() == STORY_TEXT

    phone.context.set_offline(False)
    phone.get_by_role("button", name="Send my story").click()
    phone.wait_for_url("**/share/thanks")
    assert stored_story(live_app, "Sent twice over a bad line")["body"]


def draft(page) -> dict:
    return json.loads(page.evaluate("() => sessionStorage.getItem('share-draft') || '{}'"))


def test_a_language_switch_mid_form_keeps_the_text(live_server, phone):
    phone.goto(f"{live_server}/share")
    fill_share_form(phone, title="Switching language")
    phone.get_by_label("Email (optional, private)").fill("me@example.org")
    phone.locator("#photo").set_input_files(
        files=[{"name": "me.jpg", "mimeType": "image/jpeg", "buffer": images.jpeg()}]
    )
    kept = draft(phone)["fields"]
    assert kept["title"] == "Switching language"
    # Never the photo, the form's hidden fields or the robots' field.
    assert not {"photo", "csrf_token", "stamp", "staged_photo", "website"} & set(kept)

    phone.locator(".language-menu summary").click()
    phone.locator(".language-list a[hreflang=ar]").click()
    phone.wait_for_url("**/ar/share")
    assert phone.locator("html").get_attribute("lang") == "ar"
    assert phone.locator("#title").input_value() == "Switching language"
    assert phone.locator("#body").input_value() == STORY_TEXT
    assert phone.locator("#author_name").input_value() == "Yusuf"
    assert phone.locator("#origin_country").input_value() == "ER"
    assert phone.locator("#contact_email").input_value() == "me@example.org"
    assert phone.locator("#consent").is_checked()
    assert phone.locator(".draft-notice").is_visible()


def test_a_reload_brings_the_draft_back_and_sending_the_story_deletes_it(
    live_app, live_server, phone
):
    phone.goto(f"{live_server}/share")
    fill_share_form(phone, title="Kept through a reload")
    phone.reload()
    assert phone.locator("#title").input_value() == "Kept through a reload"
    assert phone.locator("#body").input_value() == STORY_TEXT
    next_step(phone)
    next_step(phone)
    phone.get_by_role("button", name="Send my story").click()
    phone.wait_for_url("**/share/thanks")
    assert draft(phone) == {}
    phone.goto(f"{live_server}/share")
    assert phone.locator("#title").input_value() == ""
    assert phone.locator(".draft-notice").count() == 0


def test_start_again_empties_the_form_and_forgets_the_draft(live_server, phone):
    phone.goto(f"{live_server}/share")
    fill_share_form(phone, title="Not for the next person")
    phone.reload()
    phone.get_by_role("button", name="Start again with an empty form").click()
    assert phone.locator("#title").input_value() == ""
    assert draft(phone) == {}


def test_the_private_pages_keep_no_draft(live_app, live_server, phone):
    with live_app.app_context():
        token = make_story(title="Mine to change").token
        db.session.remove()
    phone.goto(f"{live_server}/my-story/{token}/edit")
    phone.locator("#body").fill(STORY_TEXT + " More.")
    assert phone.evaluate("() => sessionStorage.length") == 0


def test_a_file_that_is_not_a_photo_is_refused_as_soon_as_it_is_chosen(live_server, phone):
    phone.goto(f"{live_server}/share")
    phone.locator("#photo").set_input_files(
        files=[{"name": "cv.pdf", "mimeType": "application/pdf", "buffer": images.pdf()}]
    )
    error = phone.locator("#photo-error")
    assert error.inner_text() == (
        "This file is not a photo we can use. Choose a JPEG, PNG or WebP photo."
    )
    assert phone.locator("#photo").evaluate("input => input.files.length") == 0
    assert phone.locator("#photo-preview").count() == 0


def test_a_photo_too_large_to_send_is_refused_as_soon_as_it_is_chosen(
    live_server, phone, received, tmp_path
):
    too_big = tmp_path / "huge.jpg"  # not readable as a photo, so it cannot be made smaller
    too_big.write_bytes(b"\xff\xd8\xff\xe0" + bytes(13 * 1024 * 1024))
    phone.goto(f"{live_server}/share")
    phone.locator("#photo").set_input_files(too_big)  # in the first step
    error = phone.locator("#photo-error")
    error.wait_for(state="visible")
    assert error.inner_text() == "This photo is larger than 10 MB. Choose a smaller one."
    assert phone.locator("#photo").get_attribute("aria-invalid") == "true"
    assert phone.locator("label[for=photo]").inner_text().strip() == "Add a photo"
    assert received == []


def test_add_a_photo_is_a_large_button_in_the_pages_language(live_server, phone):
    phone.goto(f"{live_server}/share")
    assert phone.get_by_text("A photo (optional)", exact=True).count() == 1
    # The visually hidden input still takes the keyboard, and its label says what it is.
    assert phone.get_by_label("Add a photo").count() == 1
    phone.goto(f"{live_server}/ar/share")
    button = phone.locator("label[for=photo]")
    assert button.inner_text().strip() == "إضافة صورة"
    box = button.bounding_box()
    assert box["height"] >= 44 and box["width"] >= 44


@pytest.fixture
def no_javascript(browser):
    context = browser.new_context(java_script_enabled=False, viewport=PHONE)
    yield context.new_page()
    context.close()


def test_the_form_works_with_javascript_off(live_app, live_server, no_javascript):
    page = no_javascript
    page.goto(f"{live_server}/share")
    fill_share_form(page, title="Sent without JavaScript")
    page.locator("#photo").set_input_files(
        files=[{"name": "harbour.jpg", "mimeType": "image/jpeg", "buffer": images.rotated_jpeg()}]
    )
    page.get_by_role("button", name="Send my story").click()
    page.wait_for_url("**/share/thanks")
    assert stored_story(live_app, "Sent without JavaScript")["photo"] == (200, 300)


def test_a_photo_over_the_limit_sent_without_javascript_keeps_everything_typed(
    live_app, live_server, no_javascript, tmp_path
):
    page = no_javascript
    too_big = tmp_path / "huge.jpg"
    too_big.write_bytes(b"\xff\xd8\xff\xe0" + bytes(13 * 1024 * 1024))
    page.goto(f"{live_server}/share")
    fill_share_form(page, title="Too large, and no JavaScript")
    page.locator("#photo").set_input_files(too_big)
    with page.expect_navigation() as navigation:
        page.get_by_role("button", name="Send my story").click()
    assert navigation.value.status == 200  # was 413, a dead end without what was typed
    assert page.locator("#photo-error").inner_text() == (
        "This photo is larger than 10 MB. Choose a smaller one."
    )
    assert page.locator("#title").input_value() == "Too large, and no JavaScript"
    assert page.locator("#body").input_value() == STORY_TEXT
    assert page.locator("#consent").is_checked()
    assert stored_story(live_app, "Too large, and no JavaScript") is None
