"""A recording's files follow their row like a photo's: kept by `media check` while a
row names them, reported when lost, brought back by backup and restore, and gone with
a purged or deleted story."""

import os
import time

from sqlalchemy import select

from campaign.media.storage import media_root
from campaign.models import Recording, Story, StoryStatus
from tests.factories import make_recording, make_story


def aged(path) -> None:
    two_hours_ago = time.time() - 7200
    os.utime(path, (two_hours_ago, two_hours_ago))


def test_media_check_keeps_named_recordings_and_reports_lost_ones(db, runner):
    story = make_story(StoryStatus.PUBLISHED, body="")
    opus, aac = sorted(make_recording(story), key=lambda name: name.endswith(".m4a"))
    for name in (opus, aac):
        aged(media_root() / name)
    stray = media_root() / "0123456789abcdef0123456789abcdef-48.ogg"
    stray.write_bytes(b"OggS left behind")
    aged(stray)
    (media_root() / aac).unlink()  # lost

    result = runner.invoke(args=["media", "check"])
    assert result.exit_code == 0, result.output
    assert f"orphan: {stray.name}" in result.output
    assert not stray.exists()
    assert (media_root() / opus).exists()
    recording_id = db.session.scalar(select(Recording.id))
    assert f"missing: {aac} (recording {recording_id})" in result.output


def test_backup_and_restore_bring_back_a_recording(db, runner, tmp_path):
    story = make_story(StoryStatus.PUBLISHED, body="")
    names = make_recording(story, transcript="Words to keep.")
    kept = {name: (media_root() / name).read_bytes() for name in names}
    archive = tmp_path / "backup.tar.gz"
    assert runner.invoke(args=["backup", str(archive)]).exit_code == 0

    db.session.delete(db.session.get(Story, story.id))
    db.session.commit()
    assert not any((media_root() / name).exists() for name in names)  # gone with its story
    db.session.remove()

    result = runner.invoke(args=["restore", str(archive)])
    assert result.exit_code == 0, result.output
    recording = db.session.scalar(select(Recording))
    assert recording.transcript == "Words to keep."
    for name, data in kept.items():
        assert (media_root() / name).read_bytes() == data
