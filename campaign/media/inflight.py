"""The journal of photo files whose fate waits for a transaction (see ``media.files``).

One empty file per name in a folder of this process's own,
``<media>.incoming/<host>-<pid>/``, outside the media folder so it is never
served or backed up. A note says: "this file's existence depends on a
transaction that has not committed yet", for a file just written (its Photo
row is not committed) as for a file about to be deleted (the deletion of its
row is not committed). Whoever finds a note of a process that died settles it
by the one rule that is right in both cases: the file stays if a committed
Photo row names it, and goes otherwise.

This module only keeps the notes; ``media.files`` acts on them.
"""

import os
import socket
import time
from pathlib import Path

from flask import g, has_app_context

_UNSETTLED = "_media_in_flight"  # g: {journal folder: names written, not yet committed}


def journal_root(media_root: Path) -> Path:
    return media_root.with_name(media_root.name + ".incoming")


def _own_folder(media_root: Path) -> Path:
    return journal_root(media_root) / f"{socket.gethostname()}-{os.getpid()}"


def note(media_root: Path, name: str) -> Path:
    """Write ``name`` down in this process's journal; returns the folder."""
    folder = _own_folder(media_root)
    for attempt in range(3):
        folder.mkdir(parents=True, exist_ok=True)
        try:
            (folder / name).touch()
            return folder
        except FileNotFoundError:  # media check removed the empty folder just then
            if attempt == 2:
                raise
    return folder


def note_written(media_root: Path, name: str) -> None:
    """Before a file is written: noted, and deleted at the end of the request or
    command unless a commit settles it first."""
    folder = note(media_root, name)
    if has_app_context():
        g.setdefault(_UNSETTLED, {}).setdefault(folder, set()).add(name)


def forget(media_root: Path, name: str) -> None:
    """Nothing to remember about this file any more (deleted, or kept for good)."""
    (_own_folder(media_root) / name).unlink(missing_ok=True)


def settle_written() -> None:
    """After a commit: what was written so far is named by committed rows (or by none,
    deliberately)."""
    for folder, names in g.pop(_UNSETTLED, {}).items():
        for name in names:
            (folder / name).unlink(missing_ok=True)


def written_since_commit() -> set[str]:
    """The names of the files written since the last commit (no one was shown them yet)."""
    return {name for names in g.get(_UNSETTLED, {}).values() for name in names}


def take_unsettled() -> dict[Path, set[str]]:
    """The files written by this request or command that no commit settled."""
    return g.pop(_UNSETTLED, {})


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


def abandoned_folders(media_root: Path, min_age_seconds: float | None = None) -> list[Path]:
    """Journals of processes that died on this host, and with ``min_age_seconds`` also
    those untouched that long (another host's, or a reused pid's)."""
    base = journal_root(media_root)
    if not base.is_dir():
        return []
    return [f for f in base.iterdir() if f.is_dir() and _abandoned(f, min_age_seconds)]
