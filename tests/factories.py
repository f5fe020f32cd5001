"""Small factories for stories and moderators, committed like real requests would."""

import copy
import functools
import itertools
from datetime import timedelta

from sqlalchemy import insert, update

from campaign.accounts.services import create_moderator
from campaign.extensions import db
from campaign.media import voice
from campaign.media.blurring import note_faces
from campaign.media.pipeline import render, stored
from campaign.models import (
    Channel,
    Photo,
    Recording,
    Story,
    StoryStatus,
    Translation,
    TranslationSource,
    TranslationStatus,
)
from campaign.models._types import utcnow
from campaign.submissions.services import create_story
from tests import images, sounds

PASSWORD = "a long enough test password"
_counter = itertools.count(1)


def make_story(status: StoryStatus = StoryStatus.PENDING, **fields) -> Story:
    """A story in the given status; returns it with ``story.token`` set for tests."""
    number = next(_counter)
    values = {
        "title": f"Story number {number}",
        "body": f"This is story number {number}. " + "It is long enough to be accepted. " * 3,
        "author_name": f"Teller {number}",
        "origin_country": "SY",
        "residence_country": "FI",
        "contact_email": None,
        # Allowed everywhere unless a test says otherwise (tests/cards test the refusals).
        "channels": set(Channel),
    }
    values.update(fields)
    story, token = create_story(**values)
    if status is not StoryStatus.PENDING:
        story.move_to(status)
    db.session.commit()
    story.token = token
    return story


def make_moderator(
    email: str | None = None,
    *,
    admin: bool = False,
    password: str = PASSWORD,
    can_moderate: bool = True,
    reads: str = "",
):
    """A moderator; ``can_moderate=False`` and ``reads="fr ar"`` make a translator-only one."""
    moderator = create_moderator(
        email or f"moderator{next(_counter)}@example.org",
        password,
        admin=admin,
        can_moderate=can_moderate,
        languages=reads.split(),
    )
    db.session.commit()
    return moderator


def make_photo(story: Story) -> list[str]:
    """Give the story a photo whose renditions are really stored; their file names."""
    processed = stored(_rendered("photo"))
    # Only the columns every schema since photos came has: tests of old migrations use it too.
    db.session.execute(
        insert(Photo).values(
            story_id=story.id,
            alt_text="A harbour",
            width=processed.width,
            height=processed.height,
            renditions=processed.renditions,
        )
    )
    db.session.commit()
    return [rendition["name"] for rendition in processed.renditions]


@functools.cache
def _kept_rendering(kind: str):
    return render(images.photograph("astronaut") if kind == "portrait" else images.jpeg((900, 600)))


def _rendered(kind: str):
    """A photo's renditions and faces, made once per test process (finding the faces
    costs about 0.7 s; the pipeline's own tests in tests/media make theirs afresh), a
    copy for each story: what a test changes is its own."""
    return copy.deepcopy(_kept_rendering(kind))


def make_portrait(story: Story) -> list[str]:
    """Give the story a real portrait (scikit-image's astronaut), its face found as an
    upload's is; the names of its stored renditions."""
    processed = stored(_rendered("portrait"))
    photo = Photo(
        story_id=story.id,
        alt_text="A woman in a space suit",
        width=processed.width,
        height=processed.height,
        renditions=processed.renditions,
    )
    note_faces(photo, processed)
    db.session.add(photo)
    db.session.commit()
    return [rendition["name"] for rendition in processed.renditions]


def make_recording(story: Story, transcript: str = "I came in winter.", **fields) -> list[str]:
    """Give the story a recording (a 3-second tone) whose renditions are really stored;
    their file names."""
    processed = voice.process(sounds.tone(3))
    recording = Recording(
        story_id=story.id,
        duration_seconds=processed.duration_seconds,
        renditions=processed.renditions,
        transcript=transcript,
        transcript_source="storyteller" if transcript else None,
        **fields,
    )
    db.session.add(recording)
    db.session.commit()
    db.session.refresh(story)
    return [rendition["name"] for rendition in processed.renditions]


def last_changed_days_ago(story: Story, days: int) -> None:
    """As if the story was last changed ``days`` ago (for the purge's retention)."""
    db.session.execute(
        update(Story)
        .where(Story.id == story.id)
        .values(updated_at=utcnow() - timedelta(days=days))
        .execution_options(synchronize_session=False)
    )
    db.session.commit()


def make_translation(
    story: Story,
    language: str = "fr",
    status: TranslationStatus = TranslationStatus.PUBLISHED,
    *,
    translator=None,
    reviewer=None,
    source: TranslationSource = TranslationSource.VOLUNTEER,
    **fields,
) -> Translation:
    """A volunteer's translation of ``story``, as the translation desk would leave it
    (published by default: reviewed, made from the original's current text)."""
    values = {
        "title": f"{story.title} ({language})",
        "quote": f"{story.quote} ({language})" if story.quote else "",
        "body": f"[{language}] {story.body}",
        "alt_text": "",
    }
    values.update(fields)
    translation = Translation(
        story_id=story.id,
        language=language,
        status=status,
        source=source,
        translator_id=translator.id if translator is not None else None,
        reviewer_id=reviewer.id if reviewer is not None else None,
        original_version=story.text_version,
        published_at=utcnow() if status is TranslationStatus.PUBLISHED else None,
        **values,
    )
    db.session.add(translation)
    db.session.commit()
    return translation
