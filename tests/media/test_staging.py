"""A photo kept while the share form is fixed belongs to the browser and form that sent it.

The form carries a random key for it; the row holds only the digest of that key
together with a secret kept in the uploader's session. No token from another
browser, from an abandoned or already sent form, guessed or forged, ever
attaches someone else's photo, even when row ids repeat; and a storyteller
whose kept photo is gone is told so next to the photo field, never saved
without it in silence.
"""

import html
import io
import re
from datetime import timedelta

import pytest
from sqlalchemy import func, select, text

from campaign.models import Photo, Story
from campaign.models._types import utcnow
from tests import images
from tests.submissions.helpers import VALID, form_data, hidden_value

# The database matters: ids, sequences and the lookup by digest.
pytestmark = pytest.mark.both_databases

GONE = "We could not keep the photo you chose before."


def send(client, photo: bytes | None = None, address="127.0.0.1", **changes):
    data = form_data(**changes)
    if photo is not None:
        data["photo"] = (io.BytesIO(photo), "photo.jpg")
    return client.post(
        "/share",
        data=data,
        content_type="multipart/form-data",
        environ_base={"REMOTE_ADDR": address},
    )


def stage_a_photo(client, photo: bytes | None = None, **changes) -> str:
    """Send the form with a photo and a missing title: the photo is kept; its token."""
    page = send(client, photo or images.jpeg(), title="", **changes).get_data(as_text=True)
    assert "We kept the photo you chose" in page
    return hidden_value(page, "staged_photo")


def photo_error(page: str) -> str | None:
    match = re.search(r'<p class="error" id="photo-error">([^<]*)</p>', page)
    return html.unescape(match.group(1)) if match else None


def story_titled(db, title: str) -> Story:
    db.session.expire_all()
    return db.session.scalar(select(Story).where(Story.title == title))


def staged_count(db) -> int:
    return db.session.scalar(select(func.count(Photo.id)).where(Photo.story_id.is_(None)))


def test_a_token_from_another_browser_attaches_nothing_and_she_keeps_her_photo(app, db):
    her, other = app.test_client(), app.test_client()
    token = stage_a_photo(her, images.jpeg(colour=(10, 200, 10)))

    taken = send(other, staged_photo=token, title="Not hers")

    page = taken.get_data(as_text=True)
    assert taken.status_code == 200  # shown again, not stored
    assert photo_error(page).startswith(GONE)
    assert story_titled(db, "Not hers") is None
    assert send(other, title="Not hers").status_code == 303  # sent again: without a photo
    assert story_titled(db, "Not hers").photo is None

    assert send(her, staged_photo=token, title="Mine").status_code == 303
    assert story_titled(db, "Mine").photo is not None


def test_a_token_kept_from_an_abandoned_form_never_takes_a_later_photo_when_ids_repeat(
    app, db, backend
):
    """Ids can repeat (an older backup restored, a sequence reset): tokens must not rest on them."""
    attacker, storyteller = app.test_client(), app.test_client()
    kept = stage_a_photo(attacker)
    abandoned_id = db.session.scalar(select(Photo.id))
    # The attacker removes the photo and keeps the token: the row it named is deleted.
    send(attacker, staged_photo=kept, remove_staged_photo="y", title="")
    assert db.session.get(Photo, abandoned_id) is None
    rewind_photo_ids(db, backend, to=abandoned_id)
    token = stage_a_photo(storyteller)
    assert db.session.get(Photo, abandoned_id) is not None  # the id came back: hers now

    taken = send(attacker, staged_photo=kept, title="Stolen")

    assert photo_error(taken.get_data(as_text=True)).startswith(GONE)
    assert story_titled(db, "Stolen") is None
    assert send(storyteller, staged_photo=token, title="Hers").status_code == 303
    assert story_titled(db, "Hers").photo.id == abandoned_id


def rewind_photo_ids(db, backend: str, *, to: int) -> None:
    """Make the next photo get id ``to`` again."""
    if backend == "sqlite":
        db.session.execute(
            text("UPDATE sqlite_sequence SET seq = :seq WHERE name = 'photo'"), {"seq": to - 1}
        )
    else:
        db.session.execute(text("SELECT setval('photo_id_seq', :id, false)"), {"id": to})
    db.session.commit()


def test_the_token_is_random_and_the_database_keeps_only_a_digest(app, db):
    client = app.test_client()
    token = stage_a_photo(client)
    staged = db.session.scalar(select(Photo))

    assert len(token) >= 43  # 256 random bits in URL-safe base64
    assert "." not in token  # not a signed value (of a row id): random bits only
    assert staged.token_hash and token not in staged.token_hash
    assert db.session.scalar(select(Photo).where(Photo.token_hash == token)) is None
    assert stage_a_photo(app.test_client()) != token


@pytest.mark.parametrize("forged", ["1", "1.forged-signature", "x" * 43, "y" * 500])
def test_a_guessed_or_forged_token_attaches_nothing_and_says_so(app, db, forged):
    stage_a_photo(app.test_client())
    client = app.test_client()

    response = send(client, staged_photo=forged, title="Guessing")

    assert photo_error(response.get_data(as_text=True)).startswith(GONE)
    assert story_titled(db, "Guessing") is None
    assert staged_count(db) == 1  # the other photo is still waiting for its story


def test_a_token_sent_again_after_its_story_was_stored_attaches_nothing(app, db):
    client = app.test_client()
    token = stage_a_photo(client)
    assert send(client, staged_photo=token, title="First").status_code == 303
    photo_id = story_titled(db, "First").photo.id

    again = send(client, staged_photo=token, title="Second")

    assert photo_error(again.get_data(as_text=True)).startswith(GONE)
    assert story_titled(db, "Second") is None
    assert story_titled(db, "First").photo.id == photo_id


def test_a_photo_gone_since_the_last_try_is_said_and_everything_typed_is_kept(app, db, runner):
    client = app.test_client()
    token = stage_a_photo(client)
    db.session.scalar(select(Photo)).created_at = utcnow() - timedelta(days=2)
    db.session.commit()
    runner.invoke(args=["media", "cleanup"])

    response = send(client, staged_photo=token, photo_alt="At the harbour")

    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert photo_error(page).startswith(GONE)
    assert 'href="#photo"' in page  # the summary of errors leads to the field
    assert html.escape(VALID["body"]) in page and "At the harbour" in page
    assert db.session.scalar(select(func.count(Story.id))) == 0
    assert hidden_value(page, "staged_photo") == ""
    # Choosing the photo again stores the story with it.
    assert send(client, images.jpeg(), photo_alt="At the harbour").status_code == 303
    assert db.session.scalar(select(Story)).photo.alt_text == "At the harbour"


def test_a_photo_kept_longer_than_its_lifetime_is_not_attached(app, db):
    client = app.test_client()
    token = stage_a_photo(client)
    db.session.scalar(select(Photo)).created_at = utcnow() - timedelta(days=2)
    db.session.commit()

    response = send(client, staged_photo=token)

    assert photo_error(response.get_data(as_text=True)).startswith(GONE)


def test_a_photo_attached_to_its_story_keeps_no_key_and_no_trace_of_the_address(app, db):
    client = app.test_client()
    token = stage_a_photo(client, address="203.0.113.7")
    staged = db.session.scalar(select(Photo))
    assert staged.token_hash and staged.staged_from
    assert "203.0.113.7" not in staged.staged_from

    assert send(client, staged_photo=token, address="203.0.113.7").status_code == 303

    db.session.expire_all()
    attached = db.session.scalar(select(Photo))
    assert attached.story_id is not None
    assert attached.token_hash is None and attached.staged_from is None


@pytest.mark.parametrize("config_overrides", [{"WTF_CSRF_ENABLED": True}])
def test_a_form_shown_again_for_its_csrf_token_keeps_her_photo_or_says_it_is_gone(app, db):
    her = app.test_client()
    csrf = hidden_value(her.get("/share").get_data(as_text=True), "csrf_token")
    token = stage_a_photo(her, csrf_token=csrf)

    again = send(her, staged_photo=token)  # no CSRF token: shown again, not sent
    foreign = send(app.test_client(), staged_photo=token)

    page = again.get_data(as_text=True)
    assert again.status_code == 400
    assert "We kept the photo you chose" in page and photo_error(page) is None
    assert hidden_value(page, "staged_photo") == token
    assert foreign.status_code == 400
    assert photo_error(foreign.get_data(as_text=True)).startswith(GONE)
    assert db.session.scalar(select(func.count(Story.id))) == 0
