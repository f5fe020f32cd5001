"""A moderator moves the point portrait crops are cut around when the detector chose
wrong (or found no face); the public cards follow at once."""

from sqlalchemy import select

from campaign.audit import AuditAction
from campaign.models import AuditEntry, Story
from tests.gallery.helpers import publish

WIDE = {
    "width": 1600,
    "height": 900,
    "alt_text": "Two friends on a bench",
    "focal_x": 0.2,
    "focal_y": 0.3,
    "renditions": [{"name": "bench-800.jpg", "width": 800, "height": 450, "format": "jpeg"}],
}


def fresh(story: Story) -> Story:
    from campaign.extensions import db

    db.session.expire_all()
    return db.session.get(Story, story.id)


def test_a_moderator_moves_the_crop_and_the_gallery_card_follows(app, client, signed_in, db):
    story = publish("On the bench", quote="We met in the language class.", photo=WIDE)
    review = signed_in.get(f"/moderate/stories/{story.id}").get_data(as_text=True)
    # The form shows where the crop is cut now, beside the blur form's own x and y.
    assert 'id="focus-x"' in review and 'value="20"' in review and 'id="x"' in review
    assert 'class="photo-blur__focus focus-x-20 focus-y-30"' in review  # a ring on the photo

    response = signed_in.post(
        f"/moderate/stories/{story.id}/photo/focus",
        data={"focus-version": fresh(story).version, "focus-x": "80", "focus-y": "25"},
    )

    assert response.status_code == 303
    assert response.headers["Location"].endswith(f"/moderate/stories/{story.id}#photo-blur")
    photo = fresh(story).photo
    assert (photo.focal_x, photo.focal_y) == (0.8, 0.25)
    entry = db.session.scalars(select(AuditEntry).order_by(AuditEntry.id.desc())).first()
    assert entry.action == AuditAction.PHOTO_FOCUS and entry.note == "x y %: 80 25"
    page = signed_in.get(f"/moderate/stories/{story.id}").get_data(as_text=True)
    assert "The portrait crop is cut around the new point on every page." in page
    gallery = client.get("/en/stories").get_data(as_text=True)
    # 80 % across a wide photo: the 4:5 crop slides as far right as it goes.
    assert 'class="focus-x-100 focus-y-25"' in gallery


def test_a_crop_point_outside_the_photo_is_refused_next_to_its_field(app, signed_in, db):
    story = publish("On the bench", photo=WIDE)

    response = signed_in.post(
        f"/moderate/stories/{story.id}/photo/focus",
        data={"focus-version": fresh(story).version, "focus-x": "120", "focus-y": "abc"},
    )

    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert '<p class="error" id="focus-x-error">Enter a number from 0 to 100.</p>' in page
    assert '<p class="error" id="focus-y-error">Enter a number from 0 to 100.</p>' in page
    assert 'value="120"' in page  # what was typed stays
    photo = fresh(story).photo
    assert (photo.focal_x, photo.focal_y) == (0.2, 0.3)


def test_a_crop_moved_on_a_story_changed_meanwhile_changes_nothing(app, signed_in, db):
    story = publish("On the bench", photo=WIDE)

    response = signed_in.post(
        f"/moderate/stories/{story.id}/photo/focus",
        data={"focus-version": fresh(story).version + 1, "focus-x": "80", "focus-y": "25"},
        follow_redirects=True,
    )

    assert "Someone else changed this story" in response.get_data(as_text=True)
    assert (fresh(story).photo.focal_x, fresh(story).photo.focal_y) == (0.2, 0.3)


def test_the_crop_cannot_be_moved_without_signing_in(app, client, db):
    story = publish("On the bench", photo=WIDE)

    response = client.post(
        f"/moderate/stories/{story.id}/photo/focus",
        data={"focus-version": 1, "focus-x": "80", "focus-y": "25"},
    )

    assert response.status_code in (302, 303, 401, 403)
    assert fresh(story).photo.focal_x == 0.2
