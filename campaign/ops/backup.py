"""Backup and restore of the database and the media: ``flask --app campaign backup PATH``.

The media are read from and written to whichever storage MEDIA_STORAGE_URL
chose (``media.storage``): the media folder or the object store, file by file
(streamed, never held whole). With PostgreSQL the database is PostgreSQL's own
tools' business, and ``--media-only`` does the media part.
"""

import sqlite3
import tarfile
import tempfile
from pathlib import Path

import click
from flask import current_app
from sqlalchemy.engine import make_url

from campaign.extensions import db
from campaign.media import inflight
from campaign.media.storage import get_storage, is_valid_name

_DB_MEMBER = "database.sqlite3"
_MEDIA_MEMBER = "media"

POSTGRES_HELP = """\
This database is PostgreSQL: back it up with PostgreSQL's own tools, and the
media (the folder or the object store) alongside it:

  pg_dump --format=custom --file=campaign.dump "$DATABASE_URL_WITHOUT_DRIVER"
  flask --app campaign backup --media-only campaign-media.tar.gz

and restore with:

  pg_restore --clean --if-exists --no-owner --dbname="$DATABASE_URL_WITHOUT_DRIVER" campaign.dump
  flask --app campaign restore --media-only campaign-media.tar.gz

(DATABASE_URL_WITHOUT_DRIVER is DATABASE_URL with postgresql:// instead of
postgresql+psycopg://.) See README.md, "Backup and restore".
"""


def _sqlite_path() -> Path:
    url = make_url(current_app.config["SQLALCHEMY_DATABASE_URI"])
    if url.get_backend_name() != "sqlite":
        raise click.ClickException(POSTGRES_HELP)
    if not url.database or url.database == ":memory:":
        raise click.ClickException("An in-memory SQLite database cannot be backed up.")
    return Path(url.database)


def _add_media(archive: tarfile.TarFile) -> int:
    """Every stored rendition into ``media/`` of the archive; returns how many. Other
    files (a write cut short, a stray file) are no photo's: ``media check`` lists them."""
    storage = get_storage()
    count = 0
    for key, _modified in list(storage.listing()):
        if not is_valid_name(key):
            continue
        stored = storage.open(key)
        if stored is None:  # deleted since the listing (a removal just committed)
            continue
        member = tarfile.TarInfo(f"{_MEDIA_MEMBER}/{key}")
        member.size, member.mtime, member.mode = stored.size, int(stored.modified), 0o644
        with stored.body:
            archive.addfile(member, stored.body)
        count += 1
    return count


def _put_media_back(extracted: Path) -> None:
    """The storage holds exactly the backup's files afterwards."""
    storage = get_storage()
    folder = extracted / _MEDIA_MEMBER
    kept = {
        path.name: path
        for path in (sorted(folder.iterdir()) if folder.is_dir() else [])
        if path.is_file() and is_valid_name(path.name)
    }
    for key, _modified in list(storage.listing()):
        if key not in kept:
            storage.delete(key)  # written after the backup: no restored row names it
    for key, path in kept.items():
        storage.save(key, path.read_bytes())
    inflight.settle_written()  # the restored rows name them: not files of a lost request


def backup(target: Path, *, media_only: bool = False) -> None:
    """Write the SQLite database (online backup API) and the media into a .tar.gz."""
    source_path = None if media_only else _sqlite_path()  # refused before any file is written
    with tempfile.TemporaryDirectory() as work, tarfile.open(target, "w:gz") as archive:
        if source_path is not None:
            copy = Path(work) / _DB_MEMBER
            source = sqlite3.connect(source_path)
            destination = sqlite3.connect(copy)
            try:
                source.backup(destination)  # consistent even while workers write
            finally:
                destination.close()
                source.close()
            archive.add(copy, arcname=_DB_MEMBER)
        # After the database: a file newer than the copy is an orphan that `media check`
        # removes, while the other order could lose a photo the database names.
        _add_media(archive)


def restore(source_archive: Path, *, media_only: bool = False) -> None:
    """Replace the SQLite database and the media with a backup's."""
    target_path = None if media_only else _sqlite_path()
    with tempfile.TemporaryDirectory() as work:
        with tarfile.open(source_archive, "r:gz") as archive:
            archive.extractall(work, filter="data")  # refuses absolute paths and links out
        extracted = Path(work) / _DB_MEMBER
        if target_path is not None:
            if not extracted.is_file():
                raise click.ClickException(f"{source_archive} holds no database backup.")
            db.session.remove()
            db.engine.dispose()
            source = sqlite3.connect(extracted)
            destination = sqlite3.connect(target_path)
            try:
                source.backup(destination)
            finally:
                destination.close()
                source.close()
        _put_media_back(Path(work))


_MEDIA_ONLY = click.option(
    "--media-only",
    is_flag=True,
    help="Only the media (the folder or the object store): for PostgreSQL, beside pg_dump.",
)


@click.command("backup")
@click.argument("path", type=click.Path(dir_okay=False, path_type=Path))
@_MEDIA_ONLY
def backup_command(path: Path, media_only: bool) -> None:
    """Back up the SQLite database and the media into PATH (.tar.gz)."""
    backup(path, media_only=media_only)
    what = "the media" if media_only else "the database and the media"
    click.echo(f"Backed up {what} to {path}.")


@click.command("restore")
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@_MEDIA_ONLY
def restore_command(path: Path, media_only: bool) -> None:
    """Restore the SQLite database and the media from a backup made by `backup`."""
    restore(path, media_only=media_only)
    what = "the media" if media_only else "the database and the media"
    click.echo(f"Restored {what} from {path}.")
