"""Operations: privacy purge, backup and restore, media check.

``flask --app campaign purge``, ``backup PATH``, ``restore PATH``, ``media check``.
"""

import shutil
import sqlite3
import tarfile
import tempfile
import time
from datetime import timedelta
from pathlib import Path

import click
from flask import current_app
from sqlalchemy import select
from sqlalchemy.engine import make_url

from .extensions import db
from .media.inflight import recover
from .models import Photo, Story, StoryStatus
from .models._types import utcnow
from .models.photo import referenced_media_names, rendition_names
from .moderation.services import record

PURGEABLE = (StoryStatus.REJECTED, StoryStatus.WITHDRAWN)
DECIDED = (StoryStatus.PUBLISHED, StoryStatus.REJECTED, StoryStatus.WITHDRAWN)
_DB_MEMBER = "database.sqlite3"
_MEDIA_MEMBER = "media"


def media_root(app=None) -> Path:
    app = app or current_app
    return Path(app.config.get("MEDIA_ROOT") or Path(app.instance_path) / "media")


# --- privacy ---------------------------------------------------------------


def purge(now=None) -> tuple[int, int, set[str]]:
    """Delete stories not published for PURGE_AFTER_DAYS; forget served contact e-mails.

    Returns (stories deleted, e-mails forgotten, media file names). Flushes, the caller commits;
    media files of deleted photos are removed by the caller after the commit.
    """
    now = now or utcnow()
    config = current_app.config
    purge_before = now - timedelta(days=config["PURGE_AFTER_DAYS"])
    forget_before = now - timedelta(days=config["CONTACT_EMAIL_RETENTION_DAYS"])

    doomed = db.session.scalars(
        select(Story).where(Story.status.in_(PURGEABLE), Story.updated_at < purge_before)
    ).all()
    files: set[str] = set()
    for story in doomed:
        if story.photo is not None:
            files.update(rendition_names(story.photo.renditions))
        record(
            None,
            "purged",
            story,
            from_status=story.status,
            note=f"personal data deleted after {config['PURGE_AFTER_DAYS']} days",
        )
        db.session.delete(story)

    served = db.session.scalars(
        select(Story).where(
            Story.status.in_(DECIDED),
            Story.contact_email.is_not(None),
            Story.updated_at < forget_before,
        )
    ).all()
    for story in served:
        story.contact_email = None
    db.session.flush()
    return len(doomed), len(served), files


@click.command("purge")
def purge_command() -> None:
    """Delete personal data that is no longer needed (run daily)."""
    deleted, forgotten, files = purge()
    db.session.commit()
    removed = _remove_media(files)
    click.echo(
        f"Purged {deleted} rejected or withdrawn stories ({removed} media files) "
        f"and {forgotten} contact e-mails."
    )


def _remove_media(names) -> int:
    root = media_root()
    removed = 0
    for name in names:
        path = (root / name).resolve()
        if path.is_relative_to(root.resolve()) and path.is_file():
            path.unlink()
            removed += 1
    return removed


# --- media check -------------------------------------------------------------


def orphan_media(min_age_seconds: float = 3600) -> list[Path]:
    """Files under the media root that no Photo.renditions names.

    Files younger than ``min_age_seconds`` are left alone: an upload in
    progress writes its files before its transaction commits.
    """
    root = media_root()
    if not root.is_dir():
        return []
    referenced = referenced_media_names()
    cutoff = time.time() - min_age_seconds
    orphans = []
    for path in sorted(root.rglob("*")):
        if not path.is_file():
            continue
        name = path.relative_to(root).as_posix()
        if name not in referenced and path.stat().st_mtime < cutoff:
            orphans.append(path)
    return orphans


def missing_media() -> list[tuple[int, str]]:
    """(photo id, file name) for every rendition a Photo row names but the storage lacks."""
    root = media_root()
    return [
        (photo_id, name)
        for photo_id, renditions in db.session.execute(select(Photo.id, Photo.renditions))
        for name in sorted(rendition_names(renditions))
        if not (root / name).is_file()
    ]


media = click.Group("media", help="Check the media files.")


@media.command("check")
@click.option("--dry-run", is_flag=True, help="Only list the orphan files.")
@click.option(
    "--min-age-minutes",
    default=60,
    show_default=True,
    help="Leave files younger than this alone (uploads in progress).",
)
def media_check_command(dry_run: bool, min_age_minutes: int) -> None:
    """Find media files no photo refers to, and remove them; list photos missing files."""
    # Uploads cut short by a dead worker first (their journal says which files), then
    # any other file no photo names.
    abandoned, _kept = recover(media_root(), min_age_minutes * 60, dry_run=dry_run)
    for name in abandoned:
        click.echo(f"orphan: {name} (upload cut short)")
    orphans = [p for p in orphan_media(min_age_minutes * 60) if p.name not in abandoned]
    for path in orphans:
        click.echo(f"orphan: {path.relative_to(media_root()).as_posix()}")
        if not dry_run:
            path.unlink()
    verb = "Found" if dry_run else "Removed"
    click.echo(f"{verb} {len(abandoned) + len(orphans)} orphan media files.")
    missing = missing_media()
    for photo_id, name in missing:
        click.echo(f"missing: {name} (photo {photo_id})")
    if missing:
        click.echo(f"{len(missing)} files of stored photos are missing: restore from a backup.")


# --- backup and restore ----------------------------------------------------

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


def init_app(app) -> None:
    from .media.views import cleanup_command

    media.add_command(cleanup_command)
    for command in (purge_command, backup_command, restore_command, media):
        app.cli.add_command(command)
