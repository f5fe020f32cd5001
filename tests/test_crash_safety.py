"""Uploads under a real gunicorn: workers killed mid-upload, and a 50 MB upload.

A worker is killed (SIGKILL, the master survives and starts a new one) while
a story with a photo is still arriving, while its photo is being stored, and
once every rendition is on disk. Whatever the moment, the database holds no
half-written story and the media folder no file that no photo names.
"""

import contextlib
import os
import re
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from urllib.request import HTTPCookieProcessor

import pytest
from sqlalchemy import create_engine, func, select

from campaign.media.inflight import journal_root
from campaign.models import Photo, Story
from tests import images
from tests.helpers import fresh_database
from tests.servers import Browser, gunicorn

pytestmark = pytest.mark.slow  # real gunicorn servers, workers killed mid-upload

FLASK = Path(sys.executable).with_name("flask")
BOUNDARY = "----story-and-photo-7a1c"
RENDITIONS = 6  # 400, 800 and 1600 wide, in WebP and JPEG


# --- a browser that sends its form by hand, so it can stop halfway -------------


def share_request(browser: Browser, photo: bytes, title: str) -> bytes:
    """The bytes of a real share-form POST (fields, then the photo), cookies included."""
    fields = {
        **browser.hidden_fields("/share"),  # CSRF token, the form's stamp
        "title": title,
        "body": "We crossed the border at night. Now I teach children to swim. " * 3,
        "author_name": "Amal",
        "origin_country": "SY",
        "residence_country": "DE",
        "age_confirmed": "y",
        "consent": "y",
    }
    body = b"".join(
        f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n'.encode()
        for name, value in fields.items()
    )
    body += (
        f"--{BOUNDARY}\r\nContent-Disposition: form-data; "
        f'name="photo"; filename="IMG_2041.jpg"\r\nContent-Type: image/jpeg\r\n\r\n'
    ).encode()
    body += photo + f"\r\n--{BOUNDARY}--\r\n".encode()
    jar = next(h for h in browser.opener.handlers if isinstance(h, HTTPCookieProcessor)).cookiejar
    cookies = "; ".join(f"{c.name}={c.value}" for c in jar)
    head = (
        "POST /share HTTP/1.1\r\nHost: 127.0.0.1\r\n"
        f"Content-Type: multipart/form-data; boundary={BOUNDARY}\r\n"
        f"Content-Length: {len(body)}\r\nCookie: {cookies}\r\n\r\n"
    ).encode()
    return head + body


class Server:
    """The gunicorn master (from its pid file) and its one worker."""

    def __init__(self, base_url: str, pid_file: Path):
        self.base_url = base_url
        self.port = int(base_url.rsplit(":", 1)[1])
        self.master = int(pid_file.read_text())

    def worker(self) -> int:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            children = [pid for pid, parent in _processes() if parent == self.master]
            if len(children) == 1:
                return children[0]
            time.sleep(0.05)
        raise AssertionError("gunicorn has no single worker")

    def connect(self) -> socket.socket:
        return socket.create_connection(("127.0.0.1", self.port), timeout=60)

    def kill_worker(self) -> int:
        """SIGKILL the worker (nothing runs after that), then wait for its successor."""
        killed = self.worker()
        os.kill(killed, signal.SIGKILL)
        deadline = time.monotonic() + 30
        while self.worker() == killed:
            assert time.monotonic() < deadline, "no new worker"
            time.sleep(0.05)
        # The successor cleans up in post_worker_init, before it answers anything.
        with urllib.request.urlopen(f"{self.base_url}/healthz", timeout=30) as answer:  # noqa: S310
            assert answer.status == 200
        return killed


def _processes():
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            after_name = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue  # ended while we looked
        yield int(stat.parent.name), int(after_name[1])


def wait_for(condition, what: str, seconds: float = 30) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, f"never saw {what}"
        time.sleep(0.002)


# --- what is on disk and in the database -----------------------------------------


def files_under(folder: Path) -> set[str]:
    if not folder.exists():
        return set()
    return {p.relative_to(folder).as_posix() for p in folder.rglob("*") if p.is_file()}


def stored(url: str) -> tuple[dict, list]:
    """{story title: its photo's file names} and the photos no story has."""
    engine = create_engine(url)
    try:
        with engine.connect() as connection:
            stories = dict(connection.execute(select(Story.id, Story.title)).all())
            photos = connection.execute(select(Photo.story_id, Photo.renditions)).all()
    finally:
        engine.dispose()
    by_title = {title: set() for title in stories.values()}
    loose = []
    for story_id, renditions in photos:
        names = {r["name"] for r in renditions}
        if story_id is None:
            loose.append(names)
        else:
            by_title[stories[story_id]] = names
    return by_title, loose


def assert_consistent(url: str, media: Path) -> dict:
    """Every story whole with its photo's files, and not one file more."""
    stories, loose = stored(url)
    named = set().union(*stories.values()) if stories else set()
    assert loose == [], "a photo stored without its story"
    for title, names in stories.items():
        assert len(names) in (0, RENDITIONS), f"{title}: {len(names)} renditions"
    assert files_under(media) == named, "orphan or missing files"
    assert files_under(journal_root(media)) == set(), "uploads left to recover"
    return stories


# --- the tests ---------------------------------------------------------------------


@pytest.mark.parametrize("backend", ["sqlite", "postgresql"])
def test_worker_killed_mid_upload_leaves_no_half_story_and_no_orphan_file(backend, tmp_path):
    url = fresh_database(backend, tmp_path, "crash")
    media = tmp_path / "media"
    photo = images.noisy_jpeg()  # about 4 MB, a second or so to re-encode
    pid_file = tmp_path / "gunicorn.pid"
    # The request cuts every rendition itself, as when a blur is asked for (a photo
    # prepared later: the next test).
    env = {"GUNICORN_CMD_ARGS": f"--pid {pid_file}", "FLASK_PHOTO_PREPARE_LATER": "false"}
    with gunicorn(url, tmp_path, workers=1, env=env) as (base_url, log_path):
        server = Server(base_url, pid_file)

        # 1. Killed while the body is still arriving, slowly: half the photo sent.
        request = share_request(Browser(base_url), photo, "Killed while arriving")
        with server.connect() as connection:
            half = request.index(photo) + len(photo) // 2
            for start in range(0, half, 256 * 1024):
                connection.sendall(request[start : min(start + 256 * 1024, half)])
                time.sleep(0.02)
            server.kill_worker()
        assert assert_consistent(url, media) == {}

        # 2. Killed as soon as the first rendition is being written. The renditions are
        # encoded in the decoder's child and then written and committed within a few
        # milliseconds, so under load the kill may land just after the commit: either
        # way the story is whole with its photo or absent, and no file is left over.
        request = share_request(Browser(base_url), photo, "Killed while storing")
        with server.connect() as connection:
            connection.sendall(request)
            wait_for(lambda: files_under(journal_root(media)), "a rendition being written")
            server.kill_worker()
        stories = assert_consistent(url, media)
        assert len(stories.get("Killed while storing", ())) in (0, RENDITIONS)

        # 3. Killed once all six renditions are on disk: just before the commit, or just after.
        request = share_request(Browser(base_url), photo, "Killed after storing")
        with server.connect() as connection:
            connection.sendall(request)
            before = files_under(media)
            wait_for(
                lambda: (
                    len({n for n in files_under(media) - before if n.endswith(("webp", "jpg"))})
                    == RENDITIONS
                ),
                "every rendition written",
            )
            server.kill_worker()
        stories = assert_consistent(url, media)
        assert len(stories.get("Killed after storing", ())) in (0, RENDITIONS)

        # 4. The new worker serves as usual: the whole story with its photo.
        request = share_request(Browser(base_url), photo, "Sent in one piece")
        with server.connect() as connection:
            connection.sendall(request)
            answer = connection.recv(4096)
        assert answer.startswith(b"HTTP/1.1 303"), answer[:200]
        stories = assert_consistent(url, media)
        assert len(stories["Sent in one piece"]) == RENDITIONS

    log = log_path.read_text()
    # The successors really found files to delete (not merely nothing written).
    assert re.search(r'"message": "media.recovered".*"deleted_files": [1-9]', log), log[-3000:]
    assert "Traceback" not in log


def photos_waiting(url: str) -> int:
    """Photos not prepared yet (media/preparing.py)."""
    engine = create_engine(url)
    try:
        with engine.connect() as connection:
            waiting = select(func.count()).select_from(Photo).where(Photo.prepare_at.is_not(None))
            return connection.execute(waiting).scalar_one()
    finally:
        engine.dispose()


@pytest.mark.parametrize("backend", ["sqlite", "postgresql"])
def test_worker_killed_while_preparing_a_photo_leaves_it_to_the_next(backend, tmp_path):
    url = fresh_database(backend, tmp_path, "preparing")
    media = tmp_path / "media"
    pid_file = tmp_path / "gunicorn.pid"
    env = {
        "GUNICORN_CMD_ARGS": f"--pid {pid_file}",
        "FLASK_PHOTO_PREPARE_LATER": "true",
        # The dead worker's lease runs out soon, and the next worker looks often.
        "FLASK_PHOTO_PREPARE_LEASE_SECONDS": "2",
        "FLASK_PHOTO_PREPARE_POLL_SECONDS": "1",
    }
    with gunicorn(url, tmp_path, workers=1, env=env) as (base_url, log_path):
        server = Server(base_url, pid_file)
        request = share_request(Browser(base_url), images.noisy_jpeg(), "Killed while preparing")
        with server.connect() as connection:
            connection.sendall(request)
            answer = connection.recv(4096)
            assert answer.startswith(b"HTTP/1.1 303"), answer[:200]
            # Answered with one clean copy kept; the worker's thread cuts the rest now.
            wait_for(lambda: files_under(journal_root(media)), "a rendition being cut")
            server.kill_worker()
        wait_for(lambda: photos_waiting(url) == 0, "the photo prepared by the next worker", 90)
        stories = assert_consistent(url, media)
        assert len(stories["Killed while preparing"]) == RENDITIONS
    assert "Traceback" not in log_path.read_text()


def flask_cli(url: str, media: Path, *args: str) -> str:
    environment = {
        **os.environ,
        "CAMPAIGN_ENV": "development",
        "SECRET_KEY": "cli-test-secret-key",
        "DATABASE_URL": url,
        "FLASK_MEDIA_ROOT": f'"{media}"',
    }
    environment.pop("FLASK_DEBUG", None)
    done = subprocess.run(
        [str(FLASK), "--app", "campaign", *args],
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    return done.stdout


@pytest.mark.parametrize("backend", ["sqlite", "postgresql"])
def test_media_check_finds_and_removes_orphans_and_reports_missing_files(backend, tmp_path):
    url = fresh_database(backend, tmp_path, "check")
    media = tmp_path / "media"
    media.mkdir()
    kept, lost = "a" * 32 + "-400.webp", "b" * 32 + "-400.webp"
    orphan, cut_short = "c" * 32 + "-400.webp", "d" * 32 + "-800.jpg"
    (media / kept).write_bytes(b"image")
    (media / orphan).write_bytes(b"image")  # no photo names it
    (media / cut_short).write_bytes(b"image")  # another host's upload, never committed
    (media / f"{orphan}.part").write_bytes(b"half an im")  # a write that never finished
    other_host = journal_root(media) / "web-2.example.org-311"
    other_host.mkdir(parents=True)
    (other_host / cut_short).touch()
    two_hours_ago = time.time() - 7200
    for path in [*media.iterdir(), other_host / cut_short]:
        os.utime(path, (two_hours_ago, two_hours_ago))
    engine = create_engine(url)
    try:
        with engine.begin() as connection:
            connection.execute(
                Photo.__table__.insert().values(
                    width=400, height=300, alt_text="", renditions=[{"name": kept}, {"name": lost}]
                )
            )
    finally:
        engine.dispose()

    dry = flask_cli(url, media, "media", "check", "--dry-run")
    assert files_under(media) == {kept, orphan, f"{orphan}.part", cut_short}
    report = flask_cli(url, media, "media", "check")

    for output in (dry, report):
        assert f"orphan: {cut_short} (upload cut short)" in output
        assert f"orphan: {orphan}\n" in output and f"orphan: {orphan}.part" in output
        assert f"missing: {lost} (photo 1)" in output
    assert "Found 3 orphan media files." in dry
    assert "Removed 3 orphan media files." in report
    assert files_under(media) == {kept}
    assert files_under(journal_root(media)) == set()


def chunked(request: bytes) -> bytes:
    """The same request without a Content-Length: its size is known only once it is read."""
    head, body = request.split(b"\r\n\r\n", 1)
    head = re.sub(rb"Content-Length: \d+", b"Transfer-Encoding: chunked", head)
    pieces = (body[i : i + 2**20] for i in range(0, len(body), 2**20))
    return (
        head
        + b"\r\n\r\n"
        + b"".join(b"%x\r\n%s\r\n" % (len(piece), piece) for piece in pieces)
        + b"0\r\n\r\n"
    )


@pytest.mark.parametrize("framing", ["content-length", "chunked"])
def test_fifty_megabyte_upload_gets_the_friendly_too_large_page_and_stores_nothing(
    framing, tmp_path
):
    url = fresh_database("sqlite", tmp_path, "large")
    fifty_mb = images.jpeg() + bytes(50 * 2**20)
    with gunicorn(url, tmp_path, workers=1) as (base_url, log_path):
        request = share_request(Browser(base_url), fifty_mb, "A very large photo")
        if framing == "chunked":
            request = chunked(request)
        with socket.create_connection(("127.0.0.1", int(base_url.rsplit(":", 1)[1]))) as sock:
            # The server answers before reading it all and closes: a browser sees this too.
            with contextlib.suppress(BrokenPipeError, ConnectionResetError):
                sock.sendall(request)
            answer = b""
            while chunk := sock.recv(65536):
                answer += chunk
    page = answer.decode(errors="replace")
    assert page.startswith("HTTP/1.1 413"), page[:200]
    assert "<h1>That was too large</h1>" in page
    assert "Photos can be up to 10 MB" in page
    assert "Open the form again" in page
    assert stored(url) == ({}, [])
    assert files_under(tmp_path / "media") == set()
    assert files_under(journal_root(tmp_path / "media")) == set()
    assert "Traceback" not in log_path.read_text()
