"""Where photo and recording renditions are kept, behind a small interface.

Files get server-generated names only (``rendition_name``: a random base shared
by a photo's renditions, its width (a recording's: its bit rate), its
format). ``FileSystemStorage`` keeps
them under ``instance/media`` (or ``MEDIA_ROOT``); a later deployment may swap
in object storage by providing the same five methods.

Every file is noted in a journal before it is written (``inflight``), so a
worker killed before its transaction commits leaves no orphan behind; files
are deleted by ``media.files`` when their Photo row goes.
"""

import os
import re
import secrets
import shutil
from pathlib import Path
from typing import Protocol

from flask import current_app

from campaign.media import inflight

NAME_PATTERN = re.compile(r"^[0-9a-f]{32}-[0-9]{1,5}\.(webp|jpg|ogg|m4a)$")
CONTENT_TYPES = {
    "webp": "image/webp",
    "jpg": "image/jpeg",
    "ogg": "audio/ogg",  # a recording's renditions (media/voice.py)
    "m4a": "audio/mp4",
}


def new_base_name() -> str:
    return secrets.token_hex(16)


def rendition_name(base: str, width: int, extension: str) -> str:
    """The one naming scheme of stored renditions (``NAME_PATTERN``)."""
    return f"{base}-{width}.{extension}"


def with_new_base(name: str, base: str) -> str:
    """The name a rendition gets under another base: same width, same format."""
    width, extension = name.partition("-")[2].split(".")
    return rendition_name(base, int(width), extension)


def extension_of(name: str) -> str:
    return name.rsplit(".", 1)[1]


def is_valid_name(name: str) -> bool:
    return bool(NAME_PATTERN.match(name or ""))


def content_type(name: str) -> str:
    return CONTENT_TYPES[extension_of(name)]


class Storage(Protocol):
    def save(self, name: str, data: bytes) -> None: ...
    def copy(self, name: str, new_name: str) -> None: ...
    def path(self, name: str) -> Path | None: ...
    def exists(self, name: str) -> bool: ...
    def delete(self, name: str) -> None: ...


class FileSystemStorage:
    def __init__(self, root: str | os.PathLike):
        self.root = Path(root)

    def _file(self, name: str) -> Path:
        if not is_valid_name(name):
            raise ValueError("not a media file name")
        return self.root / name

    def save(self, name: str, data: bytes) -> None:
        target = self._file(name)
        inflight.note_written(self.root, name)
        self.root.mkdir(parents=True, exist_ok=True)
        temporary = target.with_suffix(target.suffix + ".part")
        temporary.write_bytes(data)
        temporary.replace(target)  # never a half-written file under the real name

    def copy(self, name: str, new_name: str) -> None:
        """The same file under a second name: a hard link (no bytes copied), or a copy
        where the file system has none. Noted like a file written (``save``)."""
        source, target = self._file(name), self._file(new_name)
        inflight.note_written(self.root, new_name)
        try:
            os.link(source, target)
        except FileNotFoundError:
            raise
        except OSError:  # no hard links here (or too many): copy, never half-written
            temporary = target.with_suffix(target.suffix + ".part")
            shutil.copyfile(source, temporary)
            temporary.replace(target)

    def path(self, name: str) -> Path | None:
        target = self._file(name)
        return target if target.is_file() else None

    def exists(self, name: str) -> bool:
        return self.path(name) is not None

    def delete(self, name: str) -> None:
        target = self._file(name)
        target.unlink(missing_ok=True)
        target.with_suffix(target.suffix + ".part").unlink(missing_ok=True)  # a write cut short
        inflight.forget(self.root, name)


def media_root(app=None) -> Path:
    """MEDIA_ROOT, or ``instance/media`` when it is not set."""
    app = app or current_app
    return Path(app.config.get("MEDIA_ROOT") or Path(app.instance_path) / "media")


def get_storage() -> Storage:
    app = current_app._get_current_object()
    storage = app.extensions.get("media_storage")
    if storage is None:
        storage = app.extensions["media_storage"] = FileSystemStorage(media_root(app))
    return storage
