"""Transactions that change what the public sees: counted, versioned, and the page cache told.

Session hooks, so that every code path that publishes, withdraws, hides,
edits or deletes a story keeps the numbers and the public version right
without knowing about them:

- before a flush, the stories about to be written are read back as the
  database has them (public or not, counted under which countries and
  language): attribute history cannot be trusted to know old values that
  were never loaded;
- after the flush, ``gallery.stats`` adds the difference and bumps the
  version on the same connection, so it commits or rolls back with the change;
- after the flush and after the commit, the process forgets the numbers and
  version it remembered (``stats.forget()``), so the next page reads them anew;
- before a flush, a story whose public face really changes (``PUBLIC_FIELDS``,
  or its photo) gets ``public_updated_at`` stamped, which feeds give as
  ``<updated>``, so feed readers replace what they kept. Whoever changes it
  (moderator edit, approved name change, photo removal, theme change) need
  not know;
- a translation whose public face changes (published, out of date, back in
  review, edited while published, removed) is a public change of its story
  (the version bumped, ``public_updated_at`` stamped), whoever changes it.

``session.info`` carries what one hook tells the next; this module alone
writes those keys (``stats`` reads ``UNCOMMITTED``: a transaction that changed
the public numbers must not let another request remember them before the commit).
"""

from collections import Counter

from flask import has_app_context
from sqlalchemy import inspect, select
from sqlalchemy.orm import Session

from campaign.database import listen_once
from campaign.models import (
    CONSENT_COLUMNS,
    Photo,
    RetiredStory,
    ShareCard,
    Story,
    Theme,
    Translation,
    TranslationStatus,
)
from campaign.models._types import utcnow
from campaign.models.story import slug_digest
from campaign.publishing import stats

_BEFORE = "public_changes.before"  # {story id: counted under, or None}, read before the flush
_CONSENT = "public_changes.consent"  # a public story's consent per channel changes in this flush
_TRANSLATIONS = "public_changes.translations"  # translations whose public face changes


def _stories_to_compare(session: Session) -> list[Story]:
    dirty = [obj for obj in session.dirty if isinstance(obj, Story) and session.is_modified(obj)]
    return dirty + [obj for obj in session.deleted if isinstance(obj, Story)]


# What the public sees of a story and of its photo (feeds, pages, API, embeds).
PUBLIC_FIELDS = (
    "slug",
    "title",
    "quote",
    "body",
    "author_name",
    "name_display",
    "origin_country",
    "residence_country",
    "moved_year",
    "language",
    "published_at",
    "themes",
    "photo",
)
PUBLIC_PHOTO_FIELDS = ("alt_text", "width", "height", "renditions")
# What the public sees of a published translation (pages, cards, API, feeds, embeds).
PUBLIC_TRANSLATION_FIELDS = ("language", "title", "quote", "body", "alt_text", "source", "status")
# Where a story may be seen (API, embeds, feeds, share cards): not its face, but a
# change must reach every cached page and answer at once.
CONSENT_FIELDS = tuple(CONSENT_COLUMNS.values())


def _really_changed(obj, names) -> bool:
    """A value set to what it was (a form saved unchanged) is no change."""
    attrs = inspect(obj).attrs
    return any(
        list(attrs[name].history.added) != list(attrs[name].history.deleted) for name in names
    )


def _stamp_public_changes(session: Session, _context, _instances) -> None:
    now = utcnow()
    # A new story needs no stamp: until it changes, it was last updated when published.
    stories = {
        story
        for story in session.dirty
        if isinstance(story, Story) and _really_changed(story, PUBLIC_FIELDS)
    }
    photos = [obj for obj in (*session.dirty, *session.deleted) if isinstance(obj, Photo)]
    for photo in photos:
        gone = photo in session.deleted
        if photo.story_id and (gone or _really_changed(photo, PUBLIC_PHOTO_FIELDS)):
            story = session.get(Story, photo.story_id)
            if story is not None and story not in session.deleted:
                stories.add(story)
    for translation in _public_translation_changes(session):
        if translation in session.deleted or translation.status is not TranslationStatus.PUBLISHED:
            _drop_cards_in(session, translation)
        # Its relationship, not story_id: one added through story.translations has no
        # story_id before the flush.
        story = translation.story
        if story is not None and story not in session.deleted and story.published_at:
            stories.add(story)
    for story in stories:
        published_now = inspect(story).attrs.published_at.history.added
        # Published in this flush: updated when published; otherwise now.
        story.public_updated_at = published_now[0] if published_now else now


def _drop_cards_in(session: Session, translation: Translation) -> None:
    """A translation leaving the public takes its share cards along (their files
    follow the rows: media.files)."""
    cards = session.scalars(
        select(ShareCard).where(
            ShareCard.story_id == translation.story_id,
            ShareCard.language == translation.language,
        )
    )
    for card in cards:
        session.delete(card)


def _public_translation_changes(session: Session) -> list[Translation]:
    """Translations whose public face changes in this flush: published, taken out of
    the public (out of date, back in review), edited while published, or deleted while
    published. A draft's every save changes nothing a visitor sees. Whether it was
    published is read from the database: an expired attribute has no history."""
    touched = [
        obj
        for obj in (*session.new, *session.dirty, *session.deleted)
        if isinstance(obj, Translation)
    ]
    if not touched:
        return []
    stored = [obj.id for obj in touched if obj.id is not None]
    was_published = set()
    if stored:
        was_published = set(
            session.connection().scalars(
                select(Translation.id).where(
                    Translation.id.in_(stored), Translation.status == TranslationStatus.PUBLISHED
                )
            )
        )
    changed = []
    for obj in touched:
        was = obj.id in was_published
        gone = obj in session.deleted
        now = not gone and obj.status is TranslationStatus.PUBLISHED
        if not (was or now):
            continue
        if gone or was != now or _really_changed(obj, PUBLIC_TRANSLATION_FIELDS):
            changed.append(obj)
    return changed


def _read_before(session: Session, _context, _instances) -> None:
    ids = [story.id for story in _stories_to_compare(session) if story.id is not None]
    before = stats.counted_by_id(session.connection(), ids) if ids else {}
    session.info[_BEFORE] = before
    session.info[_TRANSLATIONS] = _public_translation_changes(session)
    session.info[_CONSENT] = any(
        before.get(story.id) is not None and _really_changed(story, CONSENT_FIELDS)
        for story in session.dirty
        if isinstance(story, Story)
    )


def _retire_deleted(session: Session, _context, _instances) -> None:
    """A story once published that is deleted (withdrawn, or by an admin) leaves a
    tombstone, so its addresses answer 410 Gone (models.RetiredStory)."""
    for story in session.deleted:
        if (
            isinstance(story, Story)
            and story.published_at is not None
            and session.get(RetiredStory, story.id) is None
        ):
            session.add(RetiredStory(id=story.id, slug_digest=slug_digest(story.slug)))


def _counted_after(story: Story) -> stats.CountedUnder | None:
    return stats.counted_under(
        story.status, story.hidden, story.origin_country, story.residence_country, story.language
    )


def _record(session: Session, _context) -> None:
    before = session.info.pop(_BEFORE, {})
    after = {story.id: _counted_after(story) for story in session.new if isinstance(story, Story)}
    for story in session.dirty:
        if isinstance(story, Story) and story.id in before and story not in session.deleted:
            after[story.id] = _counted_after(story)
    stories, changes, public = 0, Counter(), False
    for story_id in before.keys() | after.keys():
        old, new = before.get(story_id), after.get(story_id)
        if old is None and new is None:
            continue  # never seen by the public: nothing to count or to show
        public = True
        stories += (new is not None) - (old is not None)
        changes.subtract(old or ())
        changes.update(new or ())
    consent_changed = session.info.pop(_CONSENT, False)
    translations = session.info.pop(_TRANSLATIONS, ())
    if public or consent_changed or _shown_beside(session, translations):
        changed = {key: n for key, n in changes.items() if n}
        stats.record(session.connection(), stories, changed)
        session.info[stats.UNCOMMITTED] = True
        if has_app_context():
            stats.forget()  # this transaction reads its own numbers from now on


def _shown_beside(session: Session, translations=()) -> bool:
    """Photos of published stories and theme names show on public pages too
    (counted by neither), and so do the translations of published stories. A photo
    of a pending story, or one only staged while a form is corrected, changes
    nothing a visitor sees, so it must not empty the page caches."""
    touched = (*session.new, *session.dirty, *session.deleted)
    if any(isinstance(obj, Theme) for obj in touched):
        return True
    story_ids = {obj.story_id for obj in touched if isinstance(obj, Photo) and obj.story_id}
    story_ids |= {obj.story_id for obj in translations if obj.story_id is not None}
    if not story_ids:
        return False
    counted = stats.counted_by_id(session.connection(), story_ids)
    return any(under is not None for under in counted.values())


def _forget_the_remembered_version(session: Session) -> None:
    if session.info.pop(stats.UNCOMMITTED, False) and has_app_context():
        stats.forget()


def _forget(session: Session) -> None:
    session.info.pop(_BEFORE, None)
    session.info.pop(_CONSENT, None)
    session.info.pop(_TRANSLATIONS, None)
    _forget_the_remembered_version(session)


_LISTENERS = (
    ("before_flush", _stamp_public_changes),
    ("before_flush", _read_before),
    ("before_flush", _retire_deleted),
    ("after_flush", _record),
    ("after_commit", _forget_the_remembered_version),
    ("after_rollback", _forget),
)


def init_app(app) -> None:
    """The app's public-state memo; listen on every session (the app's and any other),
    once per process."""
    stats.init_app(app)
    listen_once(Session, _LISTENERS)
