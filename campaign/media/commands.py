"""``flask --app campaign media check`` and ``media cleanup``: the media storage kept honest.

Both work on whichever storage MEDIA_STORAGE_URL chose (``storage.get_storage``):
the media folder, or the object store every instance shares.
"""

import time

import click
from sqlalchemy import select

from campaign.extensions import db
from campaign.media.files import recover
from campaign.media.staging import delete_stale_staged_photos
from campaign.media.storage import get_storage, media_root
from campaign.models import Photo
from campaign.models.photo import referenced_media_names, rendition_names


def orphan_media(min_age_seconds: float = 3600) -> list[str]:
    """Keys of the stored files that no Photo.renditions names.

    Files younger than ``min_age_seconds`` are left alone: an upload in
    progress writes its files before its transaction commits.
    """
    referenced = referenced_media_names()
    cutoff = time.time() - min_age_seconds
    return [
        key
        for key, modified in get_storage().listing()
        if key not in referenced and modified < cutoff
    ]


def missing_media() -> list[tuple[int, str]]:
    """(photo id, file name) for every rendition a Photo row names but the storage lacks."""
    stored = {key for key, _modified in get_storage().listing()}
    return [
        (photo_id, name)
        for photo_id, renditions in db.session.execute(select(Photo.id, Photo.renditions))
        for name in sorted(rendition_names(renditions))
        if name not in stored
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
    try:
        _check(dry_run, min_age_minutes)
    except OSError as error:  # the object store is away or refuses: say which, no traceback
        raise click.ClickException(f"The media storage did not answer: {error}") from error


def _check(dry_run: bool, min_age_minutes: int) -> None:
    # Uploads cut short by a dead worker first (their journal says which files), then
    # any other file no photo names.
    abandoned, _kept = recover(media_root(), min_age_minutes * 60, dry_run=dry_run)
    for name in abandoned:
        click.echo(f"orphan: {name} (upload cut short)")
    storage = get_storage()
    orphans = [key for key in orphan_media(min_age_minutes * 60) if key not in abandoned]
    for key in orphans:
        click.echo(f"orphan: {key}")
        if not dry_run:
            storage.delete(key)
    verb = "Found" if dry_run else "Removed"
    click.echo(f"{verb} {len(abandoned) + len(orphans)} orphan media files.")
    missing = missing_media()
    for photo_id, name in missing:
        click.echo(f"missing: {name} (photo {photo_id})")
    if missing:
        click.echo(f"{len(missing)} files of stored photos are missing: restore from a backup.")


@media.command("cleanup")
def cleanup_command():
    """Delete photos that were uploaded with a form that was never sent."""
    count = delete_stale_staged_photos()
    db.session.commit()
    click.echo(f"Deleted {count} unused photo(s).")
