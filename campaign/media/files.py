"""Photo files follow their ``Photo`` rows: kept when the row commits, gone when it goes.

A recording's files follow their ``Recording`` row in every way said here of a
photo's (deleted, its story deleted or withdrawn, renamed when the story leaves
the public): the two share these hooks, the journal and ``media check``.

Nobody deletes photo files by hand. Session hooks of the app's session do it,
whoever removed the row: a moderator removing the photo, an admin deleting the
story, a storyteller withdrawing it or removing the photo, the purge, the
clean-up of staged photos. A row goes in a flush when it is deleted, when its
story is deleted (the database's ON DELETE CASCADE: the hook reads the photos
of the deleted stories itself, loaded or not), or when it is detached from its
story (delete-orphan). Its files are deleted after the commit, never on a
rollback.

A photo whose story stops being public (unpublished or rejected, hidden by
reports, any change of status or of ``hidden``) keeps its row but not its
names: in the flush, each rendition gets a new random name (a hard link to the
same file, noted as written), the row names the new ones, and the old names are
noted like the files of a deleted row. So the addresses og:image, embeds and
the API spread answer 404 right after the commit, and a CDN is told to forget
them (``purge``), while the storyteller and the moderators see the photo under
its new names, as does the public if the story is published again.

Crash safety rests on one journal (``inflight``) and one rule. Before a file's
existence comes to depend on a transaction, its name is noted in the journal of
this process:

- a file is noted before it is written (``storage.save``); a commit settles
  the note; a rollback, or the end of a request or command whose transaction
  never committed, deletes the file (``discard_unsettled``);
- a file whose row a flush deletes is noted in that flush; after the commit it
  is deleted and its note with it; after a rollback only the note goes.

A process killed in between leaves its notes. The next gunicorn worker to start
(``recover_at_worker_start``) settles the notes of dead processes of this host,
and ``flask --app campaign media check`` those older than its minimum age, from
any host, by the rule: a file a committed Photo row names stays, any other
noted file goes. Right in every case: a write whose row never committed, and a
deletion that did commit, both leave a noted file no row names. ``media check``
also finds files no row names that no journal knows about.
"""

import contextlib
import logging
from pathlib import Path

from flask import current_app, has_app_context
from sqlalchemy import inspect, select

from campaign.config import ConfigurationError
from campaign.database import listen_once
from campaign.extensions import db
from campaign.media import inflight, purge
from campaign.media.storage import (
    get_storage,
    is_valid_name,
    media_root,
    new_base_name,
    storage_for,
    with_new_base,
)
from campaign.models import Photo, Recording, ShareCard, Story, StoryStatus
from campaign.models.photo import referenced_media_names, rendition_names

log = logging.getLogger(__name__)

_DOOMED = "media.doomed"  # session.info: files whose rows this transaction deleted


def _doom(session, names) -> None:
    if not has_app_context():
        return  # no media folder to act on: left to media check
    root = media_root()
    doomed = session.info.setdefault(_DOOMED, set())
    for name in names:
        if is_valid_name(name) and name not in doomed:
            inflight.note(root, name)
            doomed.add(name)


def _photos_of_deleted_stories(session, _context, _instances) -> None:
    ids = [obj.id for obj in session.deleted if isinstance(obj, Story) and obj.id is not None]
    if ids:
        for model in (Photo, Recording):
            rows = session.connection().execute(
                select(model.renditions).where(model.story_id.in_(ids))
            )
            _doom(session, [name for (renditions,) in rows for name in rendition_names(renditions)])
        cards = select(ShareCard.name).where(ShareCard.story_id.in_(ids))
        _doom(session, list(session.connection().scalars(cards)))


def _photo_deleted(session, instance) -> None:
    if isinstance(instance, (Photo, Recording)):
        _doom(session, rendition_names(instance.renditions))
    elif isinstance(instance, ShareCard):  # a share card's file goes with its row
        _doom(session, [instance.name])


def replace_card_file(card: ShareCard, name: str) -> None:
    """The card's file is now ``name`` (written already); the old one goes after the commit."""
    old, card.name = card.name, name
    _doom(db.session(), [old])


def _leaves_the_public(story: Story) -> bool:
    """Its status or ``hidden`` changes in this flush, and it is not public after it
    (whether it was before, only the database knows: see ``_rename_photos_leaving_the_public``)."""
    state = inspect(story)
    changed = state.attrs.status.history.has_changes() or state.attrs.hidden.history.has_changes()
    return changed and (story.status is not StoryStatus.PUBLISHED or story.hidden)


def _rename_photos_leaving_the_public(session, _context, _instances) -> None:
    """Before a flush: new names for the photo of every story that stops being public.

    Whoever changes the status or hides the story (a moderator's decision, reports,
    any later path) need not know. The database says which stories were public:
    attribute history does not know old values that were never loaded.
    """
    if not has_app_context():
        return  # no media folder to act on (the story stays private all the same)
    leaving = {
        story.id: story
        for story in session.dirty
        if isinstance(story, Story)
        and story.id is not None
        and story not in session.deleted
        and _leaves_the_public(story)
    }
    if not leaving:
        return
    query = Story.published().with_only_columns(Story.id).where(Story.id.in_(leaving))
    for story_id in session.connection().scalars(query):
        story = leaving[story_id]
        story.share_cards = []  # made for the public: they go, with their files
        for media in (story.photo, story.recording):
            if media is not None and media not in session.deleted and media not in session.new:
                _rename(session, media)


def _rename(session, photo: Photo | Recording) -> None:
    """Give each rendition a new name (one new base, like an upload); the old names go
    after the commit, the new ones if it never comes."""
    storage = get_storage()
    base = new_base_name()
    renditions, old = [], []
    for rendition in photo.renditions or []:
        name = rendition.get("name") if isinstance(rendition, dict) else None
        if not is_valid_name(name):
            renditions.append(rendition)  # not a file of ours: nothing to rename
            continue
        old.append(name)
        new_name = with_new_base(name, base)
        try:
            storage.copy(name, new_name)
        except FileNotFoundError:  # lost already: the row stops naming it
            log.warning("media.rename_missing_file", extra={"file": name})
            continue
        renditions.append({**rendition, "name": new_name})
    photo.renditions = renditions  # a new list: JSON columns see only assignments
    _doom(session, old)


def replace_renditions(photo: Photo, renditions: list[dict]) -> None:
    """The photo's files are now ``renditions`` (written already, noted in the journal,
    or kept from before); the old ones no longer named go after the commit, and their
    addresses to the CDN purge, like the files of a deleted row (and the new ones go if
    the commit never comes)."""
    kept = set(rendition_names(renditions))
    old = [name for name in rendition_names(photo.renditions) if name not in kept]
    photo.renditions = renditions  # a new list: JSON columns see only assignments
    _doom(db.session(), old)


def _after_commit(session) -> None:
    doomed = session.info.pop(_DOOMED, ())
    if not has_app_context():
        return
    storage = get_storage()
    # Written and deleted in one transaction (renamed, then the story deleted): never shown.
    shown = set(doomed) - inflight.written_since_commit()
    for name in doomed:
        try:
            storage.delete(name)  # and its note
        except OSError:  # the deletion is committed: the note lets recovery finish it
            log.exception("media.delete_failed", extra={"file": name})
    inflight.settle_written()
    purge.files_deleted(current_app, shown)  # their addresses leave shared caches too


def _after_rollback(session) -> None:
    doomed = session.info.pop(_DOOMED, ())
    if not has_app_context():
        return
    root = media_root()
    for name in doomed:
        inflight.forget(root, name)  # the row is still there: so is the file
    discard_unsettled()  # the rows that were to name them are gone


def discard_unsettled(_error=None) -> None:
    """After a rollback, and at the end of a request or command: delete the files
    written since the last commit (no committed row names them)."""
    unsettled = inflight.take_unsettled()
    if not unsettled:
        return
    storage = get_storage()
    for folder, names in unsettled.items():
        for name in names:
            try:
                storage.delete(name)
            except OSError:  # the store is away: the note stays, recovery finishes it
                log.warning("media.discard_failed", extra={"file": name})
                continue
            (folder / name).unlink(missing_ok=True)


def recover(
    root: Path, min_age_seconds: float | None = None, *, dry_run: bool = False
) -> tuple[list[str], int]:
    """Settle the journals of processes that died with files in flight.

    Only dead processes of this host count, unless ``min_age_seconds`` is given;
    then also journals older than that (another host's, or a reused pid's).
    Returns (names of files deleted, or to delete on a dry run; files kept).
    """
    abandoned = inflight.abandoned_folders(root, min_age_seconds)
    if not abandoned:
        return [], 0
    referenced = referenced_media_names()
    storage = get_storage()
    deleted, kept = [], 0
    for folder in abandoned:
        for marker in sorted(folder.iterdir()):
            committed = marker.name in referenced  # a committed row names it
            if committed:
                kept += 1
            else:
                deleted.append(marker.name)
            if not dry_run:
                if not committed:
                    storage.delete(marker.name)
                marker.unlink(missing_ok=True)
        if not dry_run:
            # Another worker may be recovering the same folder at the same moment.
            with contextlib.suppress(OSError):
                folder.rmdir()
    return deleted, kept


def recover_at_worker_start(app) -> None:
    """gunicorn's post_worker_init: clean up after workers that were killed."""
    try:
        with app.app_context():
            deleted, kept = recover(media_root(app))
    except Exception:  # never stop a worker from serving because of the clean-up
        log.exception("media.recover_failed")
        return
    if deleted or kept:
        log.warning(
            "media.recovered",
            extra={"deleted_files": len(deleted), "kept_files": kept},
        )


_LISTENERS = (
    ("before_flush", _photos_of_deleted_stories),
    ("before_flush", _rename_photos_leaving_the_public),
    ("persistent_to_deleted", _photo_deleted),
    ("after_commit", _after_commit),
    ("after_rollback", _after_rollback),
)


def init_app(app) -> None:
    """Listen on the app's session (once per process); clean up after each request.

    The storage is chosen now, so that a MEDIA_STORAGE_URL that cannot be used stops
    start-up with its message instead of failing the first upload.
    """
    try:
        app.extensions["media_storage"] = storage_for(app)
    except ValueError as error:
        raise ConfigurationError(str(error)) from error
    listen_once(db.session, _LISTENERS)
    app.teardown_appcontext(discard_unsettled)
