"""What the storyteller sees of translations and may do to them (issue 20, "staying
true"): the private page lists them; one is removed at once; no consent to translation
hides them all; withdrawal deletes them."""

import pytest
from sqlalchemy import func, select

from campaign.extensions import db as _db
from campaign.models import (
    AuditEntry,
    StoryStatus,
    Translation,
    TranslationSource,
    TranslationStatus,
    published_translations,
)
from tests.factories import make_moderator, make_story, make_translation


@pytest.fixture
def story(db):
    return make_story(StoryStatus.PUBLISHED, language="ar", title="Rihlati")


def translation_count(story) -> int:
    _db.session.expire_all()
    return _db.session.scalar(
        select(func.count()).select_from(Translation).where(Translation.story_id == story.id)
    )


def public_count(story) -> int:
    _db.session.expire_all()
    query = published_translations().where(Translation.story_id == story.id)
    return len(_db.session.scalars(query).all())


def test_the_private_page_lists_the_published_translations(client, story):
    volunteer = make_moderator(reads="fr")
    make_translation(story, "fr", translator=volunteer)
    make_translation(story, "es", source=TranslationSource.MACHINE_DRAFT)
    make_translation(story, "uk", TranslationStatus.DRAFT)
    page = client.get(f"/my-story/{story.token}").get_data(as_text=True)
    assert "Translations of your story" in page
    assert f'href="/fr/stories/{story.slug}" hreflang="fr">French</a>' in page
    assert f'href="/es/stories/{story.slug}" hreflang="es">Spanish</a>' in page
    assert "by a volunteer" in page
    assert "from a machine draft, reviewed by a volunteer" in page
    assert "Ukrainian" not in page  # a draft is nobody's business yet


def test_the_storyteller_removes_a_translation_at_once_and_it_is_recorded(client, db, story):
    translation = make_translation(story, "fr")
    response = client.post(f"/my-story/{story.token}/translations/{translation.id}/remove", data={})
    assert response.status_code == 303
    assert translation_count(story) == 0
    entry = db.session.scalar(
        select(AuditEntry).where(AuditEntry.action == "translation_removed_by_storyteller")
    )
    assert entry.actor_id is None and entry.note == "fr" and entry.story_id == story.id
    page = client.get(f"/my-story/{story.token}").get_data(as_text=True)
    assert "The translation has been deleted." in page


def test_a_storyteller_cannot_remove_another_storys_translation(client, story):
    other = make_story(StoryStatus.PUBLISHED)
    translation = make_translation(other, "fr")
    client.post(f"/my-story/{story.token}/translations/{translation.id}/remove", data={})
    assert translation_count(other) == 1


@pytest.mark.both_databases
def test_no_consent_to_translation_hides_every_translation_at_once(client, story):
    make_translation(story, "fr")
    make_translation(story, "es")
    assert public_count(story) == 2
    # The private page's channel form, with every channel but translation.
    client.post(
        f"/my-story/{story.token}/channels",
        data={"share_images": "y", "partners": "y", "print": "y"},
    )
    assert public_count(story) == 0
    assert translation_count(story) == 2  # kept, hidden: they come back with the consent
    page = client.get(f"/my-story/{story.token}").get_data(as_text=True)
    assert "You do not allow translations now, so nobody sees them." in page


@pytest.mark.both_databases
def test_withdrawal_deletes_the_translations(client, story):
    make_translation(story, "fr")
    make_translation(story, "es", TranslationStatus.DRAFT)
    response = client.post(f"/my-story/{story.token}/withdraw", data={"confirm": "y"})
    assert response.status_code in (302, 303)
    _db.session.expire_all()
    assert _db.session.scalar(select(func.count()).select_from(Translation)) == 0
