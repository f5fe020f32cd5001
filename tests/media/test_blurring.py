"""Blurring faces, end to end: the share form, the private page and the moderators' desk.

Whoever blurs, every stored rendition is cut again from the blurred pixels, the
unblurred files are deleted after the commit (their addresses answer 404 and go
to the CDN purge), and the storyteller sees the result before the story is sent.
"""

import io
import re

import pytest
from PIL import Image
from sqlalchemy import func, select

from campaign.audit import AuditAction
from campaign.extensions import db as _db
from campaign.media.storage import media_root
from campaign.models import AuditEntry, Photo, Story, StoryStatus
from tests import images
from tests.factories import PASSWORD, make_portrait, make_story
from tests.submissions.helpers import form_data, hidden_value

# Both engines: the files follow each engine's commit and rollback.
# Slow (face detection in photo children): handed out first in a parallel run.
pytestmark = [pytest.mark.both_databases, pytest.mark.slow]

FACE = [0.3977, 0.1828, 0.0797, 0.0797]  # well inside the astronaut's face
SUIT = [0.57, 0.47, 0.26, 0.31]  # badges and a flag: detail, no face


def detail(name: str, box) -> float:
    return images.laplacian_variance(Image.open(media_root() / name), box)


def files_on_disk() -> set[str]:
    return {path.name for path in media_root().iterdir() if path.is_file()}


def names(photo: Photo) -> list[str]:
    return [rendition["name"] for rendition in photo.renditions]


def served(client, name: str) -> int:
    response = client.get(f"/media/{name}")
    response.close()
    return response.status_code


def fresh(story: Story) -> Story:
    _db.session.expire_all()
    return _db.session.get(Story, story.id)


def audit_actions(story: Story) -> list[str]:
    return list(
        _db.session.scalars(
            select(AuditEntry.action).where(AuditEntry.story_id == story.id).order_by(AuditEntry.id)
        )
    )


def share(client, photo: bytes | None = None, **changes):
    data = form_data(**changes)
    if photo is not None:
        data["photo"] = (io.BytesIO(photo), "me.jpg")
    return client.post("/share", data=data, content_type="multipart/form-data")


# --- the storyteller -----------------------------------------------------------


def test_a_storyteller_who_chooses_blurring_sees_the_blurred_photo_before_it_is_sent(
    app, client, db
):
    response = share(client, images.photograph("astronaut"), blur_faces="y")

    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Your story is not sent yet" in page
    assert "The photo above has 1 blurred area" in page
    assert db.session.scalar(select(func.count(Story.id))) == 0
    staged = db.session.scalars(select(Photo)).one()
    assert staged.blurred and len(staged.faces) == 1
    assert set(names(staged)) == files_on_disk()  # only the blurred renditions exist
    for name in names(staged):
        assert detail(name, FACE) < 5, name
        assert f"/media/{name}" in page or name.endswith((".webp", "-512.jpg"))

    sent = share(client, staged_photo=hidden_value(page, "staged_photo"), blur_faces="y")

    assert sent.status_code == 303
    story = db.session.scalars(select(Story)).one()
    assert story.photo.blurred == staged.blurred
    assert story.photo.focal_x == pytest.approx(0.4376, abs=0.001)
    assert files_on_disk() == set(names(story.photo))


def test_blurring_chosen_after_the_photo_was_kept_deletes_the_unblurred_files(app, client, db):
    first = share(client, images.photograph("astronaut"), title="").get_data(as_text=True)
    unblurred = files_on_disk()
    assert max(detail(name, FACE) for name in unblurred) > 300

    again = share(client, staged_photo=hidden_value(first, "staged_photo"), blur_faces="y")

    assert again.status_code == 200  # shown again: the result first
    assert "Your story is not sent yet" in again.get_data(as_text=True)
    assert not files_on_disk() & unblurred
    assert all(detail(name, FACE) < 5 for name in files_on_disk())


def test_a_storyteller_blurs_the_faces_of_a_published_photo_from_the_private_page(
    app, client, db, purge_endpoint
):
    url, received = purge_endpoint
    app.config.update(CDN_PURGE_URL=url, PUBLIC_BASE_URL="https://example.org")
    story = make_story(StoryStatus.PUBLISHED)
    old = make_portrait(story)

    response = client.post(f"/my-story/{story.token}/photo/blur")

    assert response.status_code == 303
    page = client.get(f"/my-story/{story.token}").get_data(as_text=True)
    assert "The faces in your photo are blurred" in page
    assert "1 blurred area" in page
    photo = fresh(story).photo
    assert not set(names(photo)) & set(old)
    assert files_on_disk() == set(names(photo))
    assert all(detail(name, FACE) < 5 for name in names(photo))
    assert {served(client, name) for name in old} == {404}
    assert {served(client, name) for name in names(photo)} == {200}
    ((body, _headers),) = received
    assert {f"https://example.org/media/{name}" for name in old} <= set(body["files"])
    assert audit_actions(story)[-1] == AuditAction.PHOTO_BLURRED_BY_STORYTELLER
    # Sent again (a second tap): nothing is cut again, nothing more recorded.
    client.post(f"/my-story/{story.token}/photo/blur")
    assert names(fresh(story).photo) == names(photo)
    assert audit_actions(story).count(AuditAction.PHOTO_BLURRED_BY_STORYTELLER) == 1


def csrf_token(page: str) -> str:
    return re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page).group(1)


@pytest.mark.parametrize("config_overrides", [{"WTF_CSRF_ENABLED": True}])
def test_a_blur_without_the_forms_token_changes_nothing(app, client, moderator, db):
    story = make_story(StoryStatus.PUBLISHED)
    old = make_portrait(story)
    login_page = client.get("/login").get_data(as_text=True)
    client.post(
        "/login",
        data={"email": moderator.email, "password": PASSWORD, "csrf_token": csrf_token(login_page)},
    )
    area = {"x": 1, "y": 1, "width": 50, "height": 50}

    client.post(f"/my-story/{story.token}/photo/blur")
    client.post(f"/moderate/stories/{story.id}/photo/blur-faces", data={"version": 1})
    client.post(
        f"/moderate/stories/{story.id}/photo/blur-area",
        data={"version": fresh(story).version, **area},
    )

    assert names(fresh(story).photo) == old
    assert files_on_disk() == set(old)
    assert fresh(story).photo.blurred == []
    # With the token of the page, the same request blurs.
    review = client.get(f"/moderate/stories/{story.id}").get_data(as_text=True)
    client.post(
        f"/moderate/stories/{story.id}/photo/blur-area",
        data={"version": fresh(story).version, "csrf_token": csrf_token(review), **area},
    )
    assert fresh(story).photo.blurred == [[0.01, 0.01, 0.5, 0.5]]


# --- the moderators ----------------------------------------------------------------


def test_a_moderator_blurs_the_detected_faces_in_one_action(app, signed_in, db):
    story = make_story()
    old = make_portrait(story)

    response = signed_in.post(
        f"/moderate/stories/{story.id}/photo/blur-faces", data={"version": fresh(story).version}
    )

    assert response.status_code == 303
    photo = fresh(story).photo
    assert files_on_disk() == set(names(photo)) and not set(old) & set(names(photo))
    assert all(detail(name, FACE) < 5 for name in names(photo))
    assert all(detail(name, SUIT) > 50 for name in names(photo))  # the rest is untouched
    entry = db.session.scalars(select(AuditEntry).order_by(AuditEntry.id.desc())).first()
    assert entry.action == AuditAction.BLUR_FACES and entry.actor_id is not None
    page = signed_in.get(f"/moderate/stories/{story.id}").get_data(as_text=True)
    assert "All of them are blurred." in page
    assert "Blur detected faces" not in page


def test_a_moderator_blurs_an_area_drawn_by_hand_in_every_size(app, signed_in, db):
    story = make_story()
    make_portrait(story)

    response = signed_in.post(
        f"/moderate/stories/{story.id}/photo/blur-area",
        data={"version": fresh(story).version, "x": "55", "y": "45", "width": "30", "height": "35"},
    )

    assert response.status_code == 303
    photo = fresh(story).photo
    assert photo.blurred == [[0.55, 0.45, 0.3, 0.35]]
    assert len(names(photo)) == 4
    for name in names(photo):
        assert detail(name, SUIT) < 5, name
        assert detail(name, FACE) > 300, name  # only what was drawn
    entry = db.session.scalars(select(AuditEntry).order_by(AuditEntry.id.desc())).first()
    assert entry.action == AuditAction.BLUR_AREA
    assert entry.note == "x y w h %: 55.0 45.0 30.0 35.0"


# A form's check, before anything is written: one engine proves it (tests/conftest.py).
@pytest.mark.parametrize("backend", ["sqlite"], indirect=True)
@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("x", "left", "Enter a number from 0 to 100."),
        ("width", "0", "Enter a number from 1 to 100."),
        ("height", "", "Enter a number from 1 to 100."),
        ("y", "140", "Enter a number from 0 to 100."),
        ("x", "NaN", "Enter a number from 0 to 100."),
        ("width", "-inf", "Enter a number from 1 to 100."),
    ],
)
def test_an_area_with_a_wrong_number_is_refused_next_to_its_field(
    app, signed_in, db, field, value, message
):
    story = make_story()
    old = make_portrait(story)
    data = {"version": fresh(story).version, "x": "10", "y": "10", "width": "20", "height": "20"}

    response = signed_in.post(
        f"/moderate/stories/{story.id}/photo/blur-area", data={**data, field: value}
    )

    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert f'<p class="error" id="{field}-error">{message}</p>' in page
    assert 'aria-invalid="true"' in page
    assert names(fresh(story).photo) == old and files_on_disk() == set(old)


def test_a_blur_on_a_story_changed_meanwhile_blurs_nothing(app, signed_in, db):
    story = make_story()
    old = make_portrait(story)

    response = signed_in.post(
        f"/moderate/stories/{story.id}/photo/blur-faces",
        data={"version": fresh(story).version + 1},
        follow_redirects=True,
    )

    assert "Someone else changed this story" in response.get_data(as_text=True)
    assert names(fresh(story).photo) == old and files_on_disk() == set(old)


def test_a_photo_from_before_face_detection_gets_its_faces_found_and_blurred(app, signed_in, db):
    story = make_story()
    make_portrait(story)
    photo = fresh(story).photo
    photo.faces, photo.focal_x, photo.focal_y = None, None, None
    db.session.commit()

    signed_in.post(
        f"/moderate/stories/{story.id}/photo/blur-faces", data={"version": fresh(story).version}
    )

    photo = fresh(story).photo
    assert len(photo.faces) == 1 and photo.focal_x is not None
    assert all(detail(name, FACE) < 5 for name in names(photo))
