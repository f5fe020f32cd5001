"""Photo files written before their transaction: settled by a commit, deleted otherwise."""

import io
import os
import socket
import subprocess
import threading
import time

import pytest
from sqlalchemy import func, select

from campaign.media.files import recover
from campaign.media.inflight import journal_root
from campaign.media.storage import media_root
from campaign.models import Photo, Story
from tests import images
from tests.submissions.helpers import form_data, submit

# Both engines: files settle on each engine's commit and rollback.
pytestmark = pytest.mark.both_databases


def files_under(folder):
    return sorted(p.name for p in folder.rglob("*") if p.is_file()) if folder.exists() else []


def dead_pid() -> int:
    """The pid of a process that has ended (and been reaped)."""
    process = subprocess.Popen(["true"])
    process.wait()
    return process.pid


def test_commit_settles_the_files_of_the_photo_it_saves(app, client, db):
    response = submit(client, photo=images.jpeg())

    assert response.status_code == 303
    story = db.session.scalar(select(Story))
    names = sorted(r["name"] for r in story.photo.renditions)
    assert files_under(media_root()) == names
    assert files_under(journal_root(media_root())) == []  # nothing left to recover


def test_request_that_fails_after_the_photo_was_stored_leaves_no_file(app, db, monkeypatch):
    def database_gone(*_args, **_kwargs):
        raise RuntimeError("the database went away")

    monkeypatch.setattr("campaign.submissions.services.create_story", database_gone)
    app.config["PROPAGATE_EXCEPTIONS"] = False
    data = {**form_data(), "photo": (io.BytesIO(images.jpeg()), "photo.jpg")}
    answers = []
    # A thread of its own, so the request has its own application context and
    # ends it, as under a real server (the test's context would outlive it).
    client = app.test_client()
    thread = threading.Thread(target=lambda: answers.append(client.post("/share", data=data)))
    thread.start()
    thread.join()

    assert answers[0].status_code == 500
    assert db.session.scalar(select(func.count(Story.id))) == 0
    assert db.session.scalar(select(func.count(Photo.id))) == 0
    assert files_under(media_root()) == []
    assert files_under(journal_root(media_root())) == []


def test_recovery_keeps_committed_files_of_a_dead_process_and_deletes_the_rest(app, db):
    root = media_root()
    root.mkdir(parents=True)
    committed, cut_short = "a" * 32 + "-400.webp", "b" * 32 + "-400.webp"
    half_written = "c" * 32 + "-800.jpg"
    for name in (committed, cut_short):
        (root / name).write_bytes(b"image")
    (root / f"{half_written}.part").write_bytes(b"half an ima")
    db.session.add(Photo(width=400, height=300, renditions=[{"name": committed, "width": 400}]))
    db.session.commit()
    host = socket.gethostname()
    dead = journal_root(root) / f"{host}-{dead_pid()}"
    alive = journal_root(root) / f"{host}-{os.getpid()}"
    elsewhere = journal_root(root) / "another-host-4242"
    for folder in (dead, alive, elsewhere):
        folder.mkdir(parents=True)
    for name in (committed, cut_short, half_written):
        (dead / name).touch()
    writing, other_host = "d" * 32 + "-400.webp", "e" * 32 + "-400.webp"
    (alive / writing).touch()
    (elsewhere / other_host).touch()
    two_hours_ago = time.time() - 7200
    os.utime(elsewhere / other_host, (two_hours_ago, two_hours_ago))

    deleted, kept = recover(root)

    assert (sorted(deleted), kept) == (sorted([cut_short, half_written]), 1)
    assert files_under(root) == [committed]
    assert not dead.exists()
    # A process still running here, and another host's, may be writing right now.
    assert files_under(alive) == [writing] and files_under(elsewhere) == [other_host]

    # media check gives an age: another host's journal untouched that long is abandoned.
    assert recover(root, min_age_seconds=3600) == ([other_host], 0)
    assert files_under(alive) == [writing]
    assert not elsewhere.exists()
