"""The storyteller's private page: status, changes, name, photo, withdrawal."""

import re

import pytest
from sqlalchemy import func, select

from campaign.audit import AuditAction, record
from campaign.extensions import db as _db
from campaign.models import AuditEntry, NameDisplay, Photo, Story, StoryStatus, Theme
from tests.factories import make_photo, make_story


def with_photo(story: Story) -> Story:
    make_photo(story)
    _db.session.refresh(story)
    return story


def stored(app, photo_renditions) -> list[bool]:
    storage = app.extensions["media_storage"]
    return [storage.exists(r["name"]) for r in photo_renditions]


def edit_data(story, **changes):
    data = {
        "title": story.title,
        "quote": "",
        "body": story.body,
        "name_display": story.name_display.value,
        "author_name": story.author_name,
        "origin_country": story.origin_country,
        "residence_country": story.residence_country,
        "language": story.language,
        "version": story.version,  # the version the edit form was shown with
    }
    data.update(changes)
    return data


def test_pending_story_shows_waiting_and_reminds_to_keep_the_link(client):
    story = make_story()
    page = client.get(f"/my-story/{story.token}").get_data(as_text=True)
    assert 'aria-current="step"' in page and "In review" in page
    assert "You do not need to do anything." in page
    assert "Keep its link safe" in page


def test_published_story_links_to_its_public_page(client):
    story = make_story(StoryStatus.PUBLISHED)
    page = client.get(f"/my-story/{story.token}").get_data(as_text=True)
    assert "Everyone can read your story in the gallery now." in page
    assert f'href="/stories/{story.slug}"' in page or f"/{story.slug}" in page


def test_changes_requested_shows_the_moderators_message(client, db):
    story = make_story(StoryStatus.CHANGES_REQUESTED)
    story.moderator_message = "Please remove your street name."
    db.session.commit()
    page = client.get(f"/my-story/{story.token}").get_data(as_text=True)
    assert "A moderator asks you to change something" in page
    assert "Please remove your street name." in page
    assert "Change my story" in page


def test_not_published_shows_the_reason_when_given(client, db):
    story = make_story(StoryStatus.REJECTED)
    story.moderator_message = "It names other people without their consent."
    db.session.commit()
    page = client.get(f"/my-story/{story.token}").get_data(as_text=True)
    assert "A moderator decided not to publish your story." in page
    assert "It names other people without their consent." in page
    assert "Change my story" not in page


@pytest.mark.parametrize("path", ["", "/edit", "/withdraw"])
def test_every_private_page_is_not_cached_and_sends_no_referrer(client, path):
    story = make_story()
    response = client.get(f"/my-story/{story.token}{path}")
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "no-store"
    assert response.headers["Referrer-Policy"] == "no-referrer"
    page = without_the_quick_exit(response.get_data(as_text=True))
    assert "http://" not in page.replace("http://localhost", "")
    assert "https://" not in page


def without_the_quick_exit(page: str) -> str:
    """The page without its one link to another site: "Leave this site quickly", which
    sends no referrer (rel=noreferrer, on top of the page's no-referrer policy) and
    loads nothing until it is pressed."""
    link = '<a class="quick-exit" href="https://weather.com/" rel="noreferrer" data-quick-exit>'
    assert page.count(link) == 1
    return page.replace(link, "")


def test_private_page_loads_nothing_from_other_sites(client):
    story = make_story()
    page = without_the_quick_exit(client.get(f"/my-story/{story.token}").get_data(as_text=True))
    for url in re.findall(r'(?:src|href)="([^"]+)"', page):
        # data: URLs (the empty favicon) are inline, not fetched from anywhere.
        assert url.startswith(("/", "#", "http://localhost/", "data:")), url


def test_editing_a_pending_story_saves_it(client, db):
    story = make_story()
    response = client.post(
        f"/my-story/{story.token}/edit", data=edit_data(story, title="A better title")
    )
    assert response.status_code == 303
    db.session.refresh(story)
    assert story.title == "A better title"
    assert story.status is StoryStatus.PENDING


@pytest.mark.both_databases
def test_editing_after_changes_were_requested_sends_it_back_to_the_queue(client, db):
    story = make_story(StoryStatus.CHANGES_REQUESTED)
    client.post(
        f"/my-story/{story.token}/edit",
        data=edit_data(story, body="A new version of my story, without my street name in it."),
    )
    db.session.refresh(story)
    assert story.status is StoryStatus.PENDING
    assert story.body.startswith("A new version")


def test_edit_errors_are_shown_and_text_kept(client, db):
    story = make_story()
    response = client.post(
        f"/my-story/{story.token}/edit", data=edit_data(story, title="", quote="Keep me")
    )
    page = response.get_data(as_text=True)
    assert "Give your story a title." in page and 'id="title-error"' in page
    assert 'value="Keep me"' in page
    db.session.refresh(story)
    assert story.title.startswith("Story number")


def test_published_story_cannot_be_edited(client, db):
    story = make_story(StoryStatus.PUBLISHED)
    response = client.post(f"/my-story/{story.token}/edit", data=edit_data(story, title="Sneaky"))
    assert response.status_code == 303
    db.session.refresh(story)
    assert story.title != "Sneaky"
    assert story.status is StoryStatus.PUBLISHED


def test_changing_to_anonymous_shows_a_migrant_from_country_in_the_gallery(client, db):
    story = make_story(StoryStatus.PUBLISHED, author_name="Amina Yusuf", origin_country="SO")
    client.post(f"/my-story/{story.token}/name", data={"name_display": "anonymous"})
    db.session.refresh(story)
    assert story.name_display is NameDisplay.ANONYMOUS
    page = client.get(f"/stories/{story.slug}").get_data(as_text=True)
    assert "A migrant from Somalia" in page
    assert "Amina" not in page


def test_changing_to_full_name_needs_a_name(client, db):
    story = make_story(author_name="")
    response = client.post(
        f"/my-story/{story.token}/name", data={"name_display": "full", "author_name": ""}
    )
    assert "Write the name to show" in response.get_data(as_text=True)


@pytest.mark.both_databases
def test_removing_the_photo_deletes_its_files(app, client, db):
    story = with_photo(make_story(StoryStatus.PUBLISHED))
    renditions = story.photo.renditions
    assert all(stored(app, renditions))
    response = client.post(f"/my-story/{story.token}/photo/remove")
    assert response.status_code == 303
    assert not any(stored(app, renditions))
    assert db.session.scalar(select(func.count(Photo.id))) == 0
    assert client.get(f"/media/{renditions[0]['name']}").status_code == 404


def test_withdrawal_asks_for_confirmation_first(client, db):
    story = make_story(StoryStatus.PUBLISHED)
    response = client.post(f"/my-story/{story.token}/withdraw", data={})
    assert "Tick the box to confirm" in response.get_data(as_text=True)
    assert db.session.get(Story, story.id) is not None


@pytest.mark.both_databases
def test_withdrawn_story_disappears_and_everything_personal_is_deleted(app, client, db):
    story = with_photo(
        make_story(
            StoryStatus.PUBLISHED, author_name="Omar Haddad", contact_email="omar@example.org"
        )
    )
    story_id, slug, token = story.id, story.slug, story.token
    renditions = story.photo.renditions
    assert client.get(f"/stories/{slug}").status_code == 200

    response = client.post(f"/my-story/{token}/withdraw", data={"confirm": "y"})

    assert response.status_code == 303
    assert "withdrawn" in client.get(response.headers["Location"]).get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(Story, story_id) is None
    assert db.session.scalar(select(func.count(Photo.id))) == 0
    assert not any(stored(app, renditions))
    gone = client.get(f"/stories/{slug}")  # a tombstone: that it went, nothing of it
    assert gone.status_code == 410 and "Omar" not in gone.get_data(as_text=True)
    assert "Omar" not in client.get("/stories").get_data(as_text=True)
    assert client.get(f"/my-story/{token}").status_code == 404
    entry = db.session.scalar(select(AuditEntry).where(AuditEntry.story_id == story_id))
    assert entry.action == "withdrawn" and entry.actor_id is None
    assert entry.from_status == "published" and entry.to_status == "withdrawn"
    assert entry.note is None


@pytest.mark.both_databases
def test_withdrawal_also_forgets_moderators_notes_about_the_story(client, db, moderator):
    story = make_story()
    record(
        moderator, AuditAction.REQUEST_CHANGES, story, note="Omar, please remove your street name."
    )
    db.session.commit()
    client.post(f"/my-story/{story.token}/withdraw", data={"confirm": "y"})
    entries = db.session.scalars(select(AuditEntry).where(AuditEntry.story_id == story.id)).all()
    assert {entry.action for entry in entries} == {"request_changes", "withdrawn"}
    assert all(entry.note is None for entry in entries)


def test_edit_keeps_themes_and_describes_the_photo(app, client, db):
    family = Theme(slug="family", name="Family", position=1)
    db.session.add(family)
    db.session.commit()
    story = with_photo(make_story())
    page = client.get(f"/my-story/{story.token}/edit").get_data(as_text=True)
    assert 'value="A harbour"' in page
    client.post(
        f"/my-story/{story.token}/edit",
        data=edit_data(story, themes=[str(family.id)], photo_alt="My mother at the harbour"),
    )
    db.session.refresh(story)
    assert [theme.slug for theme in story.themes] == ["family"]
    assert story.photo.alt_text == "My mother at the harbour"


@pytest.mark.both_databases
def test_pending_story_can_be_withdrawn_too(client, db):
    story = make_story()
    client.post(f"/my-story/{story.token}/withdraw", data={"confirm": "y"})
    db.session.expire_all()
    assert db.session.scalar(select(func.count(Story.id))) == 0


@pytest.mark.parametrize("config_overrides", [{"WTF_CSRF_ENABLED": True}])
def test_withdrawal_without_csrf_token_is_refused(client, db):
    story = make_story()
    response = client.post(f"/my-story/{story.token}/withdraw", data={"confirm": "y"})
    assert response.status_code == 400
    assert db.session.get(Story, story.id) is not None
