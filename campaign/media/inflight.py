"""Photo files written before the transaction that names them: never left as orphans.

The pipeline stores renditions first and the ``Photo`` row that names them is
committed afterwards. A worker killed in between (out of memory, a timeout,
``kill -9``) would leave files no row refers to. So every file is first noted
in a journal folder of its own process, ``<media>.incoming/<host>-<pid>/``
(one empty file per name, outside the media folder so it is never served or
backed up). A commit settles the notes; when the request or command ends, files
still unsettled (its transaction failed) are deleted.

A process that dies leaves its notes behind. The next gunicorn worker to start
(``post_worker_init`` in gunicorn.conf.py) settles the notes of processes that
are no longer alive on this host, and ``flask --app campaign media check``
those older than its minimum age (from any host): files a ``Photo`` row names
are kept, the others deleted.
"""

import contextlib
import logging
import os
import socket
import time
from pathlib import Path

from flask import g, has_app_context
from sqlalchemy import event

from campaign.extensions import db
from campaign.models.photo import referenced_media_names

log = logging.getLogger(__name__)

_PENDING = "_media_in_flight"  # g: {journal folder: names written, not yet committed}


def journal_root(media_root: Path) -> Path:
    return media_root.with_name(media_root.name + ".incoming")


def _own_folder(media_root: Path) -> Path:
    return journal_root(media_root) / f"{socket.gethostname()}-{os.getpid()}"


def note(media_root: Path, name: str) -> None:
    """Write down ``name`` before its file is written (called by the storage)."""
    folder = _own_folder(media_root)
    for attempt in range(3):
        folder.mkdir(parents=True, exist_ok=True)
        try:
            (folder / name).touch()
            break
        except FileNotFoundError:  # media check removed the empty folder just then
            if attempt == 2:
                raise
    if has_app_context():
        g.setdefault(_PENDING, {}).setdefault(folder, set()).add(name)


def forget(media_root: Path, name: str) -> None:
    """The file is deleted: nothing to remember (called by the storage)."""
    (_own_folder(media_root) / name).unlink(missing_ok=True)


@event.listens_for(db.session, "after_commit")
def _settle(_session) -> None:
    """What was written so far is now named by committed rows (or deliberately by none)."""
    if not has_app_context():
        return
    for folder, names in g.pop(_PENDING, {}).items():
        for name in names:
            (folder / name).unlink(missing_ok=True)


def discard_unsettled(_error=None) -> None:
    """At the end of a request or command: delete files whose transaction never committed."""
    from campaign.media.storage import get_storage

    pending = g.pop(_PENDING, {})
    if not pending:
        return
    storage = get_storage()
    for folder, names in pending.items():
        for name in names:
            storage.delete(name)
            (folder / name).unlink(missing_ok=True)


def _running_here(folder_name: str) -> bool | None:
    """Whether the process owning this journal folder runs; None if it is another host's."""
    host, _, pid = folder_name.rpartition("-")
    if host != socket.gethostname() or not pid.isdigit():
        return None
    try:
        os.kill(int(pid), 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # alive, owned by someone else
    return True


def _abandoned(folder: Path, min_age_seconds: float | None) -> bool:
    """Its process died here, or (for ``media check``) every note is older than any request."""
    if _running_here(folder.name) is False:
        return True
    if min_age_seconds is None:
        return False
    cutoff = time.time() - min_age_seconds
    try:
        notes = [entry.stat().st_mtime for entry in folder.iterdir()]
    except FileNotFoundError:
        return False  # settled while we looked: in use
    return bool(notes) and max(notes) < cutoff


def recover(
    media_root: Path, min_age_seconds: float | None = None, *, dry_run: bool = False
) -> tuple[list[str], int]:
    """Settle the journals of processes that died with files in flight.

    Only dead processes of this host count, unless ``min_age_seconds`` is given;
    then also journals older than that (another host's, or a reused pid's).
    Returns (names of files deleted, or to delete on a dry run; files kept).
    """
    from campaign.media.storage import get_storage

    base = journal_root(media_root)
    if not base.is_dir():
        return [], 0
    abandoned = [f for f in base.iterdir() if f.is_dir() and _abandoned(f, min_age_seconds)]
    if not abandoned:
        return [], 0
    referenced = referenced_media_names()
    storage = get_storage()
    deleted, kept = [], 0
    for folder in abandoned:
        for marker in sorted(folder.iterdir()):
            committed = marker.name in referenced  # the commit came just before the death
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
    from campaign.media.storage import media_root  # storage notes every file here

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


def init_app(app) -> None:
    app.teardown_appcontext(discard_unsettled)
