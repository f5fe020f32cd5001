"""Hostile files sent with the share form: a clear message, the story kept, nothing stored."""

import html
import io
import re
import time

import pytest
from flask.testing import EnvironBuilder
from sqlalchemy import func, select

from campaign.media import pipeline
from campaign.media.inflight import journal_root
from campaign.media.storage import media_root
from campaign.models import Photo, Story
from tests import images
from tests.submissions.helpers import VALID, form_data

NOT_A_PHOTO = "This file is not a photo we can use. Choose a JPEG, PNG or WebP photo."

# What a person might send, by mistake or on purpose; the file is always called photo.jpg.
HOSTILE = {
    # Real, fully decodable PNGs of black pixels, about 100 KB and 60 KB.
    "decompression bomb over Pillow's limit (10,000 x 10,000)": (
        lambda: images.decompression_bomb(10_000, 10_000),
        "This photo has far too many pixels. Choose a smaller photo.",
    ),
    "decompression bomb over our limit only (8,000 x 8,000)": (
        lambda: images.decompression_bomb(8_000, 8_000),
        "This photo is 8000 by 8000 pixels, which is more than we accept.",
    ),
    "a few bytes declaring 100,000 x 100,000 pixels": (
        lambda: images.png_claiming(100_000, 100_000),
        "This photo has far too many pixels. Choose a smaller photo.",
    ),
    "a few bytes declaring 40,000 x 2 pixels": (
        lambda: images.png_claiming(40_000, 2),
        "This photo is 40000 by 2 pixels, which is more than we accept.",
    ),
    # A full decoding pass per scan: 5,000 scans of 15 bytes, minutes of CPU at 12 MP.
    "progressive JPEG with one tiny scan repeated 5,000 times": (
        lambda: images.jpeg_with_repeated_scan(5_000),
        "This photo is saved in a way that takes far too long to read.",
    ),
    "truncated JPEG": (
        images.truncated_jpeg,
        "This photo seems damaged or incomplete. Try another photo or save it again.",
    ),
    "HTML page with a JPEG after it": (images.html_jpeg_polyglot, NOT_A_PHOTO),
    "SVG with a script": (lambda: images.SVG_WITH_SCRIPT, NOT_A_PHOTO),
    "PDF": (images.pdf, NOT_A_PHOTO),
    "text": (lambda: images.TEXT_NAMED_JPG, NOT_A_PHOTO),
    "zero bytes": (lambda: b"", "The photo file is empty."),
    # Under the request limit (12 MB), over the photo limit (10 MB).
    "11 MB": (
        lambda: images.jpeg() + bytes(11 * 2**20),
        "This photo is larger than 10 MB. Choose a smaller one.",
    ),
}


def send_share_form(client, photo: bytes, **changes):
    """Like ``helpers.submit``, but closes the spooled request body of a large upload."""
    data = {**form_data(**changes), "photo": (io.BytesIO(photo), "photo.jpg")}
    builder = EnvironBuilder(client.application, path="/share", method="POST", data=data)
    environ = builder.get_environ()
    try:
        return client.open(environ)
    finally:
        environ["wsgi.input"].close()  # werkzeug's test builder leaves it open
        builder.close()


def files_under(folder):
    return sorted(p for p in folder.rglob("*") if p.is_file()) if folder.exists() else []


def photo_error(page: str) -> str:
    """The message shown next to the photo field (and only there)."""
    match = re.search(r'<p class="error" id="photo-error">([^<]*)</p>', page)
    assert match, "no error next to the photo field"
    return html.unescape(match.group(1))


@pytest.mark.parametrize("kind", HOSTILE)
def test_hostile_file_gets_a_clear_message_keeps_the_story_and_stores_nothing(
    app, client, db, kind
):
    make, message = HOSTILE[kind]

    response = send_share_form(client, make(), photo_alt="My street")

    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert photo_error(page).startswith(message)
    assert 'aria-invalid="true"' in page and 'href="#photo"' in page  # the summary leads there
    for field, typed in VALID.items():
        if field not in {"body", "age_confirmed", "consent"}:
            assert html.escape(typed) in page, field
    assert html.escape(VALID["body"]) in page
    assert "My street" in page
    for box in ("age_confirmed", "consent"):
        assert re.search(rf'<input checked id="{box}"', page), box
    assert db.session.scalar(select(func.count(Story.id))) == 0
    assert db.session.scalar(select(func.count(Photo.id))) == 0
    assert files_under(media_root()) == []
    assert files_under(journal_root(media_root())) == []


def assert_shown_again_with_everything_typed(response, message: str) -> None:
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert photo_error(page).startswith(message)
    assert html.escape(VALID["body"]) in page and html.escape(VALID["author_name"]) in page


@pytest.mark.parametrize("config_overrides", [{"PHOTO_DECODE_TIMEOUT_SECONDS": 0.3}])
def test_a_photo_too_slow_to_read_shows_the_form_again_with_everything_typed(
    app, client, db, monkeypatch
):
    monkeypatch.setattr(pipeline, "_render", lambda data, limits, *rest: time.sleep(5))

    response = send_share_form(client, images.jpeg())

    assert_shown_again_with_everything_typed(response, "This photo took too long to read.")
    assert db.session.scalar(select(func.count(Story.id))) == 0


@pytest.mark.parametrize("config_overrides", [{"SHARE_RATE_LIMIT": "2 per hour"}])
def test_refused_photos_count_against_the_share_limit(app, client, db):
    for _ in range(2):
        assert send_share_form(client, images.pdf()).status_code == 200

    response = client.post("/share", data=form_data())

    assert response.status_code == 429
    assert db.session.scalar(select(func.count(Story.id))) == 0


@pytest.mark.parametrize("config_overrides", [{"SHARE_RATE_LIMIT": "2 per hour"}])
def test_every_photo_the_decoder_read_counts_against_the_share_limit(app, client, db):
    """A photo kept while the form is fixed cost as much CPU as a refused one."""
    first = send_share_form(client, images.jpeg(), title="")
    assert "We kept the photo you chose" in first.get_data(as_text=True)
    assert send_share_form(client, images.jpeg(), title="").status_code == 200
    assert client.post("/share", data=form_data()).status_code == 429


@pytest.mark.parametrize("config_overrides", [{"STAGED_PHOTOS_PER_ADDRESS": 2}])
def test_photos_waiting_for_their_story_are_capped_per_address(app, db):
    first, second, third = app.test_client(), app.test_client(), app.test_client()
    kept = {}
    for visitor in (first, second):
        page = send_share_form(visitor, images.jpeg(), title="").get_data(as_text=True)
        assert "We kept the photo you chose" in page
        kept[visitor] = re.search(r'name="staged_photo" type="hidden" value="([^"]+)"', page)[1]

    refused = send_share_form(third, images.jpeg(), title="")

    assert_shown_again_with_everything_typed(refused, "Many photos sent from your connection")
    staged = select(func.count(Photo.id)).where(Photo.story_id.is_(None))
    assert db.session.scalar(staged) == 2
    # Replacing one's own kept photo takes no more room than before.
    page = send_share_form(first, images.webp(), title="", staged_photo=kept[first])
    assert "We kept the photo you chose" in page.get_data(as_text=True)
    # Once a story is sent, its photo no longer waits: there is room again.
    assert second.post("/share", data=form_data(staged_photo=kept[second])).status_code == 303
    assert "We kept the photo you chose" in send_share_form(
        third, images.jpeg(), title=""
    ).get_data(as_text=True)
    # Another address has its own room.
    elsewhere = app.test_client()
    elsewhere.environ_base["REMOTE_ADDR"] = "198.51.100.9"
    other = send_share_form(elsewhere, images.jpeg(), title="")
    assert "We kept the photo you chose" in other.get_data(as_text=True)


@pytest.mark.parametrize("config_overrides", [{"STAGED_PHOTOS_PER_ADDRESS": 1}])
def test_the_addresses_of_one_ipv6_network_share_its_room(app, db):
    """One home or phone is given a whole /64: its addresses are one uploader."""

    def stage_from(address: str) -> str:
        visitor = app.test_client()
        visitor.environ_base["REMOTE_ADDR"] = address
        return send_share_form(visitor, images.jpeg(), title="").get_data(as_text=True)

    assert "We kept the photo you chose" in stage_from("2001:db8:1:2::10")
    assert "Many photos sent from your connection" in stage_from("2001:db8:1:2:ffff::1")
    assert "We kept the photo you chose" in stage_from("2001:db8:1:3::1")
