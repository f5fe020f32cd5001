"""``flask --app campaign media check`` and ``media cleanup``: the media storage kept honest.

Both work on whichever storage MEDIA_STORAGE_URL chose (``storage.get_storage``):
the media folder, or the object store every instance shares.
"""

import time

import click
from sqlalchemy import select

from campaign.extensions import db
from campaign.media.files import recover
from campaign.media.preparing import prepare_due
from campaign.media.staging import delete_stale_staged_photos
from campaign.media.storage import get_storage, media_root
from campaign.media.transcribe import backend, transcribe_waiting
from campaign.models import Photo, Recording
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


def missing_media() -> list[tuple[str, int, str]]:
    """("photo" or "recording", row id, file name) for every rendition a Photo or
    Recording row names but the storage lacks."""
    stored = {key for key, _modified in get_storage().listing()}
    return [
        (kind, row_id, name)
        for kind, model in (("photo", Photo), ("recording", Recording))
        for row_id, renditions in db.session.execute(select(model.id, model.renditions))
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
    """Find media files no photo or recording names, and remove them; list rows missing files."""
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
    for kind, row_id, name in missing:
        click.echo(f"missing: {name} ({kind} {row_id})")
    if missing:
        click.echo(
            f"{len(missing)} files of stored photos or recordings are missing: "
            "restore from a backup."
        )


@media.command("transcribe")
@click.option("--limit", default=20, show_default=True, help="Recordings to do in this run.")
def transcribe_command(limit: int) -> None:
    """Draft transcripts by speech to text for voice stories waiting for review."""
    if backend() is None:
        click.echo("Speech to text is off (SPEECH_TO_TEXT_BACKEND is empty).")
        return
    drafted, failed = transcribe_waiting(limit)
    click.echo(f"Drafted {drafted} transcript(s); {failed} failed (see the log).")


@media.command("prepare")
def prepare_command() -> None:
    """Prepare every photo waiting to be (faces found, renditions cut); the web workers do
    this themselves, this drains what waits, e.g. after every worker was down."""
    prepared = prepare_due()
    click.echo(f"Prepared {prepared} photo(s).")


@media.command("cleanup")
def cleanup_command():
    """Delete photos and recordings that were uploaded with a form that was never sent."""
    count = delete_stale_staged_photos()
    db.session.commit()
    click.echo(f"Deleted {count} unused photo(s) and recording(s).")
