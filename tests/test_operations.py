"""Operations: privacy purge, backup and restore, media check, logs and /healthz."""

import json
import logging
import os
import time
from datetime import timedelta

import pytest
from sqlalchemy import select, update
from sqlalchemy.exc import OperationalError

from campaign.audit import AuditAction, record
from campaign.media.storage import media_root
from campaign.models import AuditEntry, Photo, Story, StoryStatus
from campaign.models._types import utcnow
from campaign.web.logs import JsonFormatter, redact
from tests.factories import make_moderator, make_story

# Both engines: purge compares dates in SQL; backup and media check per engine.
pytestmark = pytest.mark.both_databases


def age(db, story, days: int) -> None:
    db.session.execute(
        update(Story)
        .where(Story.id == story.id)
        .values(updated_at=utcnow() - timedelta(days=days))
        .execution_options(synchronize_session=False)
    )
    db.session.commit()


OLD_REJECTED_PHOTO = "0123456789abcdef" * 2 + "-800.webp"  # a name the storage makes


def add_photo(db, story, name: str) -> None:
    root = media_root()
    (root / name).parent.mkdir(parents=True, exist_ok=True)
    (root / name).write_bytes(b"RIFF....WEBPVP8 fake image bytes " + name.encode())
    db.session.add(
        Photo(
            story_id=story.id,
            alt_text="A garden",
            width=800,
            height=600,
            renditions=[{"name": name, "width": 800, "height": 600, "format": "webp"}],
        )
    )
    db.session.commit()


# --- purge ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "config_overrides", [{"PURGE_AFTER_DAYS": 90, "CONTACT_EMAIL_RETENTION_DAYS": 30}]
)
def test_purge_deletes_old_unpublished_stories_and_forgets_served_emails(db, runner):
    moderator = make_moderator()
    old_rejected = make_story(StoryStatus.REJECTED, contact_email="old@example.org")
    old_withdrawn = make_story(StoryStatus.WITHDRAWN)
    recent_rejected = make_story(StoryStatus.REJECTED, contact_email="recent@example.org")
    old_published = make_story(StoryStatus.PUBLISHED, contact_email="pub@example.org")
    old_pending = make_story(contact_email="waiting@example.org")
    record(
        moderator,
        AuditAction.REJECT,
        old_rejected,
        from_status=StoryStatus.PENDING,
        note="off topic",
    )
    db.session.commit()
    add_photo(db, old_rejected, OLD_REJECTED_PHOTO)
    for story in (old_rejected, old_withdrawn, old_published, old_pending):
        age(db, story, 100)
    age(db, recent_rejected, 10)
    purged_ids = {old_rejected.id, old_withdrawn.id}

    result = runner.invoke(args=["purge"])

    assert result.exit_code == 0, result.output
    assert "Purged 2 rejected or withdrawn stories" in result.output
    db.session.expire_all()
    remaining = {s.id: s for s in db.session.scalars(select(Story))}
    assert purged_ids.isdisjoint(remaining)
    assert not (media_root() / OLD_REJECTED_PHOTO).exists()
    assert db.session.scalar(select(Photo)) is None
    # Served its purpose: the published story keeps everything but the e-mail.
    assert remaining[old_published.id].contact_email is None
    assert remaining[old_published.id].status is StoryStatus.PUBLISHED
    # Still needed: a story waiting for a decision, and a recent rejection.
    assert remaining[old_pending.id].contact_email == "waiting@example.org"
    assert remaining[recent_rejected.id].contact_email == "recent@example.org"
    # The audit trail stays, and says what happened, without personal data.
    actions = [(a.action, a.story_id) for a in db.session.scalars(select(AuditEntry))]
    assert ("reject", old_rejected.id) in actions
    assert ("purged", old_rejected.id) in actions and ("purged", old_withdrawn.id) in actions
    about_stories = select(AuditEntry).where(AuditEntry.story_id.is_not(None))
    notes = " ".join(a.note or "" for a in db.session.scalars(about_stories))
    assert "@" not in notes and old_rejected.title not in notes


# --- media check -----------------------------------------------------------------


def test_media_check_removes_only_old_orphans(db, runner):
    story = make_story(StoryStatus.PUBLISHED)
    add_photo(db, story, "kept/photo-800.webp")
    root = media_root()
    (root / "orphan").mkdir(parents=True)
    old_orphan = root / "orphan" / "crashed-upload.webp"
    young_orphan = root / "orphan" / "upload-in-progress.webp"
    old_orphan.write_bytes(b"half an image")
    young_orphan.write_bytes(b"being written")
    two_hours_ago = time.time() - 7200
    os.utime(old_orphan, (two_hours_ago, two_hours_ago))
    os.utime(root / "kept/photo-800.webp", (two_hours_ago, two_hours_ago))

    dry = runner.invoke(args=["media", "check", "--dry-run"])
    assert dry.exit_code == 0, dry.output
    assert "orphan: orphan/crashed-upload.webp" in dry.output
    assert old_orphan.exists()

    result = runner.invoke(args=["media", "check"])
    assert result.exit_code == 0, result.output
    assert "Removed 1 orphan media files." in result.output
    assert not old_orphan.exists()
    assert young_orphan.exists()
    assert (root / "kept/photo-800.webp").exists()


# --- backup and restore ----------------------------------------------------------


def every_row(db) -> dict:
    db.session.expire_all()
    return {
        table.name: sorted(map(repr, db.session.execute(select(table)).all()))
        for table in db.metadata.sorted_tables
    }


PUBLISHED_PHOTO = "fedcba9876543210" * 2 + "-800.webp"  # renditions have names like this


@pytest.mark.parametrize("backend", ["sqlite"])
def test_backup_and_restore_bring_back_every_story_photo_and_audit_entry(db, runner, tmp_path):
    moderator = make_moderator()
    published = make_story(StoryStatus.PUBLISHED, contact_email="keep@example.org")
    pending = make_story()
    record(
        moderator, AuditAction.APPROVE, published, from_status=StoryStatus.PENDING, note="lovely"
    )
    db.session.commit()
    add_photo(db, published, PUBLISHED_PHOTO)
    before = every_row(db)
    photo_bytes = (media_root() / PUBLISHED_PHOTO).read_bytes()
    archive = tmp_path / "backup.tar.gz"

    result = runner.invoke(args=["backup", str(archive)])
    assert result.exit_code == 0, result.output
    assert archive.stat().st_size > 0

    # Disaster: a story and its photo file are lost, something else appears.
    db.session.delete(db.session.get(Story, pending.id))
    db.session.delete(db.session.scalar(select(Photo)))
    db.session.commit()
    assert not (media_root() / PUBLISHED_PHOTO).exists()  # its file went with the row
    make_story(title="Written after the backup")
    db.session.remove()

    result = runner.invoke(args=["restore", str(archive)])
    assert result.exit_code == 0, result.output
    after = every_row(db)
    assert after == before
    assert all(after[name] for name in ("story", "photo", "audit_entry", "moderator"))
    assert (media_root() / PUBLISHED_PHOTO).read_bytes() == photo_bytes


@pytest.mark.parametrize("backend", ["postgresql"])
def test_backup_on_postgresql_explains_pg_dump(runner, db):
    result = runner.invoke(args=["backup", "/tmp/never-written.tar.gz"])  # noqa: S108
    assert result.exit_code != 0
    assert "pg_dump" in result.output and "pg_restore" in result.output


@pytest.mark.parametrize("backend", ["postgresql"])
def test_media_only_backup_and_restore_go_beside_pg_dump(db, runner, tmp_path):
    story = make_story(StoryStatus.PUBLISHED)
    add_photo(db, story, PUBLISHED_PHOTO)
    photo_bytes = (media_root() / PUBLISHED_PHOTO).read_bytes()
    archive = tmp_path / "media.tar.gz"

    result = runner.invoke(args=["backup", "--media-only", str(archive)])
    assert result.exit_code == 0, result.output
    assert "Backed up the media" in result.output
    (media_root() / PUBLISHED_PHOTO).unlink()  # lost from the disk, the row still there
    later = media_root() / ("0123456789abcdef" * 2 + "-400.webp")
    later.write_bytes(b"written after the backup")
    result = runner.invoke(args=["restore", "--media-only", str(archive)])

    assert result.exit_code == 0, result.output
    assert (media_root() / PUBLISHED_PHOTO).read_bytes() == photo_bytes
    assert not later.exists()
    db.session.expire_all()
    assert db.session.get(Story, story.id) is not None  # the database is pg_restore's


# --- logs and health ------------------------------------------------------------------


def test_requests_carry_a_request_id_in_and_out(client):
    given = client.get("/", headers={"X-Request-ID": "lb-1234567890abcdef"})
    assert given.headers["X-Request-ID"] == "lb-1234567890abcdef"
    made = client.get("/", headers={"X-Request-ID": "<script>bad id</script>"})
    assert len(made.headers["X-Request-ID"]) == 32
    assert made.headers["X-Request-ID"] != client.get("/").headers["X-Request-ID"]


def test_request_logs_are_json_and_never_hold_tokens_or_emails(client, db, caplog):
    story = make_story(contact_email="secret.person@example.org")
    with caplog.at_level(logging.INFO, logger="campaign.request"):
        client.get(f"/my-story/{story.token}?email=secret.person@example.org")
    records = [r for r in caplog.records if r.name == "campaign.request"]
    assert records
    lines = [JsonFormatter().format(r) for r in records]
    entry = json.loads(lines[-1])
    assert entry["path"] == "/my-story/[redacted]"
    assert entry["status"] == 200 and entry["method"] == "GET"
    for line in lines:
        assert story.token not in line and "secret.person" not in line


def test_log_messages_are_redacted():
    formatted = JsonFormatter().format(
        logging.makeLogRecord(
            {
                "name": "campaign",
                "levelno": logging.ERROR,
                "levelname": "ERROR",
                "msg": "Exception on /my-story/abcDEF123_- [GET] for someone@example.org",
            }
        )
    )
    entry = json.loads(formatted)
    assert entry["message"] == "Exception on /my-story/[redacted] [GET] for [email]"
    assert redact("nothing private here") == "nothing private here"


def test_healthz_checks_the_database(client, db, monkeypatch):
    response = client.get("/healthz")
    assert response.status_code == 200 and response.json == {"status": "ok"}
    assert response.headers["Cache-Control"] == "no-store"

    def broken(*_args, **_kwargs):
        raise OperationalError("SELECT 1", {}, Exception("connection refused"))

    monkeypatch.setattr(db.session, "execute", broken)
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json == {"status": "database unavailable"}
