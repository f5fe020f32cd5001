"""Where photo and recording renditions are kept, behind a small interface.

Files get server-generated names only (``rendition_name``: a random base shared
by a photo's renditions, its width (a recording's: its bit rate), its format).
Where they go is chosen in one place, ``get_storage``, from MEDIA_STORAGE_URL:

- unset (the default): ``FileSystemStorage``, files under ``instance/media`` (or
  ``MEDIA_ROOT``), for one machine;
- ``s3://bucket/optional/prefix?endpoint=https://...&region=...``: ``S3Storage``
  (``media.s3``), objects in an S3-compatible store that every app instance
  shares, for several machines.

Both answer the same ``Storage`` protocol. Keys are the names above, or for the
maintenance commands (``media check``, backup and restore) any key found in the
store; a key never leaves the store's root (``is_safe_key``).

Every file is noted in a journal before it is written (``inflight``), so a
worker killed before its transaction commits leaves no orphan behind; files
are deleted by ``media.files`` when their Photo row goes. The journal is kept on
the machine's own disk beside ``media_root`` whatever the backend: it says what
this host's processes were doing.
"""

import os
import re
import secrets
import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO, Protocol
from urllib.parse import parse_qs, urlsplit

from flask import current_app

from campaign.media import inflight

NAME_PATTERN = re.compile(r"^[0-9a-f]{32}-[0-9]{1,5}\.(webp|jpg|ogg|m4a)$")
CONTENT_TYPES = {
    "webp": "image/webp",
    "jpg": "image/jpeg",
    "ogg": "audio/ogg",  # a recording's renditions (media/voice.py)
    "m4a": "audio/mp4",
}
# A key the maintenance commands may meet: path segments of plain characters, none
# of them "." or "..", so no key can reach outside the media folder or prefix.
_KEY_SEGMENT = re.compile(r"^[A-Za-z0-9_.-]+$")


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


def is_safe_key(key: str) -> bool:
    segments = (key or "").split("/")
    return all(_KEY_SEGMENT.match(s) and s not in {".", ".."} for s in segments)


def content_type(name: str) -> str:
    return CONTENT_TYPES.get(extension_of(name), "application/octet-stream")


@dataclass
class StoredFile:
    """A stored file opened for reading: close ``body`` when done (the response does)."""

    body: BinaryIO
    size: int
    etag: str  # unquoted
    modified: float  # seconds since the epoch


class Storage(Protocol):
    def save(self, name: str, data: bytes) -> None: ...
    def copy(self, name: str, new_name: str) -> None: ...
    def open(self, name: str) -> StoredFile | None: ...
    def exists(self, name: str) -> bool: ...
    def delete(self, name: str) -> None: ...
    def listing(self) -> Iterator[tuple[str, float]]: ...


class StorageUnavailable(OSError):
    """The store did not answer, or refused: nothing was changed by this call."""


def check_key(key: str) -> str:
    if not is_safe_key(key):
        raise ValueError("not a media file name")
    return key


class FileSystemStorage:
    def __init__(self, root: str | os.PathLike):
        self.root = Path(root)

    def _file(self, name: str) -> Path:
        return self.root / check_key(name)

    def save(self, name: str, data: bytes) -> None:
        target = self._file(name)
        inflight.note_written(self.root, name)
        target.parent.mkdir(parents=True, exist_ok=True)
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
        """The file on this machine's disk (this backend only: tests look at pixels)."""
        target = self._file(name)
        return target if target.is_file() else None

    def open(self, name: str) -> StoredFile | None:
        try:
            body = self._file(name).open("rb")
        except (FileNotFoundError, IsADirectoryError, NotADirectoryError):
            return None
        stat = os.fstat(body.fileno())
        # Changes with the file: a name is never given new bytes, but a restore may.
        etag = f"{stat.st_mtime_ns:x}-{stat.st_size:x}"
        return StoredFile(body=body, size=stat.st_size, etag=etag, modified=stat.st_mtime)

    def exists(self, name: str) -> bool:
        return self.path(name) is not None

    def delete(self, name: str) -> None:
        target = self._file(name)
        target.unlink(missing_ok=True)
        target.with_suffix(target.suffix + ".part").unlink(missing_ok=True)  # a write cut short
        inflight.forget(self.root, name)

    def listing(self) -> Iterator[tuple[str, float]]:
        """Every file under the root (any name, in any folder), with its modification time."""
        if not self.root.is_dir():
            return
        for path in sorted(self.root.rglob("*")):
            key = path.relative_to(self.root).as_posix()
            if path.is_file() and is_safe_key(key):
                yield key, path.stat().st_mtime


def media_root(app=None) -> Path:
    """MEDIA_ROOT, or ``instance/media`` when it is not set: the files of the default
    backend, and beside it the journal of files in flight (for every backend)."""
    app = app or current_app
    return Path(app.config.get("MEDIA_ROOT") or Path(app.instance_path) / "media")


def storage_for(app) -> Storage:
    """The backend MEDIA_STORAGE_URL names (local files when unset); ValueError when
    the setting cannot be used, so start-up stops with its message."""
    url = app.config.get("MEDIA_STORAGE_URL")
    if not url:
        return FileSystemStorage(media_root(app))
    parts = urlsplit(url)
    if "@" in parts.netloc:  # it would be in every log line and error that names the URL
        raise ValueError(
            "MEDIA_STORAGE_URL must not hold credentials: set AWS_ACCESS_KEY_ID and "
            "AWS_SECRET_ACCESS_KEY (or a profile or role) instead"
        )
    if parts.scheme != "s3" or not parts.netloc:
        raise ValueError(
            "MEDIA_STORAGE_URL must look like s3://bucket or "
            "s3://bucket/prefix?endpoint=https://store.example.org&region=eu-north-1 "
            "(leave it unset to keep photos in MEDIA_ROOT)"
        )
    from campaign.media.s3 import S3Storage  # boto3 is loaded only by sites that use it

    options = {key: values[-1] for key, values in parse_qs(parts.query).items()}
    return S3Storage.from_url(parts.netloc, parts.path, options, media_root(app))


def get_storage() -> Storage:
    app = current_app._get_current_object()
    storage = app.extensions.get("media_storage")
    if storage is None:
        storage = app.extensions["media_storage"] = storage_for(app)
    return storage
