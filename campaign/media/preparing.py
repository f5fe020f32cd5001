"""Photos prepared after the request that brought them.

Finding the faces in a photo and cutting its six renditions is about half a
second of CPU (the faces 0.2 s, importing OpenCV 0.1 s, the renditions 0.14 s),
so twenty storytellers sending a photo at once on two cores waited seven to
nine seconds for their answer. A photo nobody asked to blur is therefore
prepared in two steps:

1. In the request, the bounded child decodes it, turns it upright and keeps
   one clean copy at the largest size (``pipeline.process(later=True)``, about a
   tenth of the work). What the storyteller must hear at once is decided there
   as before, with the same messages: whether it is a photo we accept. Its
   metadata is gone before anything is written. The row gets ``prepare_at``.
2. After the commit, a thread of the worker (one per process, ``wake``) takes
   the photo up: the faces are found and every rendition is cut from that copy
   (``pipeline.reblurred``) in a bounded child at the lowest CPU priority, so
   the requests of the machine go first. Then the row names the new files
   (``files.replace_renditions``); the copy stays as the largest JPEG, so the
   address a page already showed keeps working.

Nothing is lost when a worker dies: the database says what waits. Taking a
photo up pushes its ``prepare_at`` a lease ahead, in one UPDATE that only one
worker can win. A worker that dies half-way leaves the photo to whoever looks
next once the lease has run out: each thread looks every
PHOTO_PREPARE_POLL_SECONDS, and when its worker starts. The files it wrote are
settled by the journal like any other (``media.inflight``).

The result is written only if the photo still has the files it was cut from,
checked under a row lock. A blur, a removal, a withdrawal or a rename (the
story left the public) that came in between wins, and the files just cut go.

Until then the photo is shown as that one copy (to the storyteller, to the
moderators, and to the public if a moderator is that quick), with no focal
point yet. A blur asked for meanwhile finds the faces itself
(``blurring.blur_photo``), which prepares the photo. A photo to blur at once
(the share form's box) is still done whole in the request: no unblurred file
is ever written for it.
"""

import logging
import os
import threading
from datetime import timedelta

from flask import current_app, has_app_context
from sqlalchemy import select, update

from campaign.database import listen_once, only_reading
from campaign.extensions import db
from campaign.media.blurring import note_faces
from campaign.media.files import replace_renditions
from campaign.media.pipeline import NO_BLUR, PhotoRejected, reblurred
from campaign.models import Photo
from campaign.models._types import utcnow
from campaign.models.photo import rendition_names

log = logging.getLogger(__name__)

_WAKE = "media.photos_to_prepare"  # session.info: this transaction stored one
_EXTENSION = "photo_preparer"


def prepare_after_commit(photo: Photo) -> None:
    """The photo waits to be prepared; the worker's thread is woken once this commits."""
    photo.prepare_at = utcnow()
    db.session().info[_WAKE] = True


def _claim_next() -> int | None:
    """Take up the photo that has waited longest and whose time has come (its lease
    pushed ahead, committed); None when none waits."""
    while True:
        now = utcnow()
        due = select(Photo.id).where(Photo.prepare_at <= now).order_by(Photo.prepare_at).limit(1)
        with only_reading():  # every poll of every worker: never SQLite's write lock
            photo_id = db.session.scalar(due)
            db.session.rollback()
        if photo_id is None:
            return None
        lease = now + timedelta(seconds=current_app.config["PHOTO_PREPARE_LEASE_SECONDS"])
        taken = db.session.execute(
            update(Photo)
            .where(Photo.id == photo_id, Photo.prepare_at <= now)
            .values(prepare_at=lease)
            .execution_options(synchronize_session=False)
        ).rowcount
        db.session.commit()
        if taken:
            return photo_id  # else another worker took it just then: look again


def prepare(photo_id: int) -> bool:
    """Find the faces and cut every rendition of a photo taken up; whether its row
    now names them (False: it changed or went meanwhile, or its copy could not be
    read, and it is taken up again when the lease runs out)."""
    with only_reading():
        photo = db.session.get(Photo, photo_id)
        source = list(photo.renditions or []) if photo is not None and photo.preparing else None
        # No transaction stays open while the child works.
        db.session.rollback()
    if source is None:
        return False
    try:
        # The clean copy stays, as the largest JPEG: the page the storyteller was just
        # shown names it, and may load it late (a lazy image on a slow phone).
        processed = reblurred(source, NO_BLUR, yielding=True, keep_largest=True)
    except PhotoRejected as error:
        log.warning("media.prepare_failed", extra={"photo": photo_id, "error": str(error)})
        return False
    locked = (
        select(Photo)
        .where(Photo.id == photo_id)
        .with_for_update()
        .execution_options(populate_existing=True)
    )
    photo = db.session.scalar(locked)
    if (
        photo is None
        or not photo.preparing
        or rendition_names(photo.renditions) != rendition_names(source)
    ):
        db.session.rollback()  # and the files just cut go with it (files.discard_unsettled)
        return False
    replace_renditions(photo, processed.renditions)
    note_faces(photo, processed)
    photo.prepare_at = None
    db.session.commit()
    return True


def prepare_due(limit: int | None = None) -> int:
    """Prepare the photos whose time has come, one after another, until none is left
    (or ``limit`` were taken up); how many were prepared."""
    taken = prepared = 0
    while limit is None or taken < limit:
        photo_id = _claim_next()
        if photo_id is None:
            break
        taken += 1
        prepared += prepare(photo_id)
    return prepared


class Preparer:
    """The thread of this process that prepares photos: woken after a commit that
    stored one, and every PHOTO_PREPARE_POLL_SECONDS for photos left behind."""

    def __init__(self, app):
        self._app = app
        self._lock = threading.Lock()
        self._thread: threading.Thread | None = None
        self._pid: int | None = None
        self._wanted = threading.Event()
        self._stopping = threading.Event()

    def wake(self) -> None:
        with self._lock:
            # A forked worker inherits the object but not the thread: it starts its own.
            if self._thread is None or self._pid != os.getpid() or not self._thread.is_alive():
                self._pid, self._wanted = os.getpid(), threading.Event()
                self._thread = threading.Thread(
                    target=self._run, args=(self._wanted,), name="photo-preparer", daemon=True
                )
                self._thread.start()
        self._wanted.set()

    def stop(self, timeout: float = 30) -> None:
        """End the thread once the photo in hand is done (tests; the app going away)."""
        self._stopping.set()
        self._wanted.set()
        if self._thread is not None and self._pid == os.getpid():
            self._thread.join(timeout)

    def _run(self, wanted: threading.Event) -> None:
        poll = self._app.config["PHOTO_PREPARE_POLL_SECONDS"]
        while not self._stopping.is_set():
            wanted.wait(poll)
            wanted.clear()
            if self._stopping.is_set():
                break
            try:
                with self._app.app_context():
                    prepare_due()
            except Exception:  # the next wake or poll tries again
                log.exception("media.prepare_failed")


def preparer(app) -> Preparer:
    return app.extensions[_EXTENSION]


def _after_commit(session) -> None:
    if session.info.pop(_WAKE, False) and has_app_context():
        preparer(current_app).wake()


def _after_rollback(session) -> None:
    session.info.pop(_WAKE, None)


def wake_at_worker_start(app) -> None:
    """gunicorn's post_worker_init: take up the photos a worker that died left. (Not
    every app served with gunicorn.conf.py is this one: the benchmark's baseline.)"""
    if _EXTENSION in app.extensions and app.config["PHOTO_PREPARE_LATER"]:
        preparer(app).wake()


def init_app(app) -> None:
    app.extensions[_EXTENSION] = Preparer(app)
    listen_once(db.session, (("after_commit", _after_commit), ("after_rollback", _after_rollback)))
