"""Backup and restore of the SQLite database and the media: ``flask --app campaign backup PATH``."""

import shutil
import sqlite3
import tarfile
import tempfile
from pathlib import Path

import click
from flask import current_app
from sqlalchemy.engine import make_url

from campaign.extensions import db
from campaign.media.storage import media_root

_DB_MEMBER = "database.sqlite3"
_MEDIA_MEMBER = "media"

POSTGRES_HELP = """\
This database is PostgreSQL: back it up with PostgreSQL's own tools, and the
media folder alongside it:

  pg_dump --format=custom --file=campaign.dump "$DATABASE_URL_WITHOUT_DRIVER"
  tar -C {instance} -czf campaign-media.tar.gz media

and restore with:

  pg_restore --clean --if-exists --no-owner --dbname="$DATABASE_URL_WITHOUT_DRIVER" campaign.dump
  tar -C {instance} -xzf campaign-media.tar.gz

(DATABASE_URL_WITHOUT_DRIVER is DATABASE_URL with postgresql:// instead of
postgresql+psycopg://.) See README.md, "Backup and restore".
"""


def _sqlite_path() -> Path:
    url = make_url(current_app.config["SQLALCHEMY_DATABASE_URI"])
    if url.get_backend_name() != "sqlite":
        raise click.ClickException(POSTGRES_HELP.format(instance=current_app.instance_path))
    if not url.database or url.database == ":memory:":
        raise click.ClickException("An in-memory SQLite database cannot be backed up.")
    return Path(url.database)


def backup(target: Path) -> None:
    """Write the SQLite database (online backup API) and the media into a .tar.gz."""
    source_path = _sqlite_path()
    with tempfile.TemporaryDirectory() as work:
        copy = Path(work) / _DB_MEMBER
        source = sqlite3.connect(source_path)
        destination = sqlite3.connect(copy)
        try:
            source.backup(destination)  # consistent even while workers write
        finally:
            destination.close()
            source.close()
        with tarfile.open(target, "w:gz") as archive:
            archive.add(copy, arcname=_DB_MEMBER)
            root = media_root()
            if root.is_dir():
                archive.add(root, arcname=_MEDIA_MEMBER)


def restore(source_archive: Path) -> None:
    """Replace the SQLite database and the media folder with a backup's."""
    target_path = _sqlite_path()
    with tempfile.TemporaryDirectory() as work:
        with tarfile.open(source_archive, "r:gz") as archive:
            archive.extractall(work, filter="data")  # refuses absolute paths and links out
        extracted = Path(work) / _DB_MEMBER
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
        root = media_root()
        if root.exists():
            shutil.rmtree(root)
        media_copy = Path(work) / _MEDIA_MEMBER
        if media_copy.is_dir():
            shutil.copytree(media_copy, root)
        else:
            root.mkdir(parents=True)


@click.command("backup")
@click.argument("path", type=click.Path(dir_okay=False, path_type=Path))
def backup_command(path: Path) -> None:
    """Back up the SQLite database and the media into PATH (.tar.gz)."""
    backup(path)
    click.echo(f"Backed up the database and the media to {path}.")


@click.command("restore")
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
def restore_command(path: Path) -> None:
    """Restore the SQLite database and the media from a backup made by `backup`."""
    restore(path)
    click.echo(f"Restored the database and the media from {path}.")
