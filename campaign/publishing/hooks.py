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
- after the commit, the page cache forgets the version it remembered.

``session.info`` carries what one hook tells the next; this module alone
reads and writes those keys.
"""

from collections import Counter

from flask import has_app_context
from sqlalchemy import event
from sqlalchemy.orm import Session

from campaign.models import Photo, Story, Theme
from campaign.publishing import pagecache, stats

_BEFORE = "public_changes.before"  # {story id: counted under, or None}, read before the flush
_CHANGED = "public_changes.changed"  # this transaction changed what the public sees


def _stories_to_compare(session: Session) -> list[Story]:
    dirty = [obj for obj in session.dirty if isinstance(obj, Story) and session.is_modified(obj)]
    return dirty + [obj for obj in session.deleted if isinstance(obj, Story)]


def _read_before(session: Session, _context, _instances) -> None:
    ids = [story.id for story in _stories_to_compare(session) if story.id is not None]
    session.info[_BEFORE] = stats.counted_by_id(session.connection(), ids) if ids else {}


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
    if public or _shown_beside(session):
        changed = {key: n for key, n in changes.items() if n}
        stats.record(session.connection(), stories, changed)
        session.info[_CHANGED] = True
        if has_app_context():
            stats.forget_current()


def _shown_beside(session: Session) -> bool:
    """Photos of published stories and theme names show on public pages too
    (counted by neither). A photo of a pending story, or one only staged while a
    form is corrected, changes nothing a visitor sees, so it must not empty the
    page caches."""
    touched = (*session.new, *session.dirty, *session.deleted)
    if any(isinstance(obj, Theme) for obj in touched):
        return True
    story_ids = {obj.story_id for obj in touched if isinstance(obj, Photo) and obj.story_id}
    if not story_ids:
        return False
    counted = stats.counted_by_id(session.connection(), story_ids)
    return any(under is not None for under in counted.values())


def _tell_the_page_cache(session: Session) -> None:
    if session.info.pop(_CHANGED, False):
        pagecache.forget_version()


def _forget(session: Session) -> None:
    session.info.pop(_CHANGED, None)
    session.info.pop(_BEFORE, None)


_LISTENERS = (
    ("before_flush", _read_before),
    ("after_flush", _record),
    ("after_commit", _tell_the_page_cache),
    ("after_rollback", _forget),
)


def init_app(_app) -> None:
    """Listen on every session (the app's and any other), once per process."""
    for name, listener in _LISTENERS:
        if not event.contains(Session, name, listener):
            event.listen(Session, name, listener)
