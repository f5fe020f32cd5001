"""Reliability under real servers: gunicorn with several workers, two instances.

These tests start gunicorn on a free loopback port against a temporary
database (SQLite file or a PostgreSQL database of its own).
"""

import threading
import time
from concurrent.futures import ThreadPoolExecutor

import pytest
from sqlalchemy import create_engine, select, text

from campaign.extensions import db as _db
from campaign.models import Story
from tests import images
from tests.factories import PASSWORD, make_moderator
from tests.helpers import app_for_database, empty_redis_database, fresh_database
from tests.objectstore import CREDENTIALS
from tests.servers import Browser, gunicorn, gunicorn_refusing

pytestmark = pytest.mark.slow  # real gunicorn servers under fifty simultaneous submissions

SUBMISSIONS = 50


def story_form(browser: Browser, number: int) -> dict:
    return {
        **browser.hidden_fields("/share"),  # CSRF token, the form's stamp
        "title": f"Concurrent story {number}",
        "body": f"Story {number} was sent at the same moment as forty-nine others. " * 2,
        "author_name": f"Teller {number}",
        "origin_country": "SY",
        "residence_country": "FI",
        "contact_email": f"teller{number}@example.org",
        "age_confirmed": "y",
        "consent": "y",
    }


@pytest.mark.parametrize("backend", ["sqlite", "postgresql"])
def test_fifty_simultaneous_submissions_are_each_stored_exactly_once(backend, tmp_path):
    url = fresh_database(backend, tmp_path, "gunicorn")
    with gunicorn(url, tmp_path, workers=3) as (base_url, log_path):
        browsers = [Browser(base_url) for _ in range(SUBMISSIONS)]
        forms = [story_form(b, n) for n, b in enumerate(browsers)]
        start = threading.Barrier(SUBMISSIONS)

        def submit(number: int):
            start.wait()
            return browsers[number].post("/share", forms[number])

        with ThreadPoolExecutor(SUBMISSIONS) as pool:
            answers = list(pool.map(submit, range(SUBMISSIONS)))
        # A storyteller opens the private link: its token must not reach any log.
        first_page = next(page for _s, _u, page in answers if "/my-story/" in page)
        token = first_page.split("/my-story/")[1].split('"')[0].split("<")[0]
        opened = browsers[0].get(f"/my-story/{token}?from=teller0@example.org")
        assert opened[0] == 200

    succeeded = {
        forms[n]["title"]
        for n, (status, final_url, page) in enumerate(answers)
        if status == 200 and final_url.endswith("/share/thanks") and "/my-story/" in page
    }
    engine = create_engine(url)
    try:
        with engine.connect() as connection:
            rows = connection.execute(
                select(Story.title, Story.body, Story.token_hash, Story.contact_email)
            ).all()
    finally:
        engine.dispose()
    titles = [row.title for row in rows]
    log = log_path.read_text()

    assert len(succeeded) == SUBMISSIONS, [a[:2] for a in answers]
    assert sorted(titles) == sorted(succeeded)  # each stored once, nothing else stored
    for row in rows:  # nothing half-stored
        assert row.body.startswith("Story ") and len(row.token_hash) == 64
        assert row.contact_email.endswith("@example.org")
    assert "database is locked" not in log
    assert "Traceback" not in log
    # Neither gunicorn's access log nor the app's log holds a private link
    # or an e-mail address.
    access = [line for line in log.splitlines() if '"logger": "gunicorn.access"' in line]
    assert len(access) >= 2 * SUBMISSIONS
    assert any('"path": "/my-story/[redacted]"' in line for line in access)
    assert len(token) > 40 and token not in log
    assert "@example.org" not in log


@pytest.fixture
def redis_url():
    with empty_redis_database(8) as (url, _connection):
        yield url


def test_two_instances_share_rate_limits_and_decisions(tmp_path, redis_url):
    url = fresh_database("postgresql", tmp_path, "instances")
    env = {
        "FLASK_RATELIMIT_STORAGE_URI": redis_url,
        "FLASK_RATELIMIT_ENABLED": "true",
        "FLASK_TOKEN_LOOKUP_RATE_LIMIT": "6 per minute",
    }
    one_dir, two_dir = tmp_path / "one", tmp_path / "two"
    one_dir.mkdir()
    two_dir.mkdir()
    with (
        gunicorn(url, one_dir, workers=1, env=env) as (one, _log1),
        gunicorn(url, two_dir, workers=1, env=env) as (two, _log2),
    ):
        # A rate limit counted in Redis holds across both instances.
        answers = [
            Browser(base).get(f"/my-story/guess{n}")[0] for n in range(4) for base in (one, two)
        ]
        assert answers[:6] == [404] * 6
        assert answers[6:] == [429, 429]

        # A story sent to one instance, decided in the other, seen at once in the first.
        teller = Browser(one)
        status, _url, page = teller.post("/share", story_form(teller, 1))
        assert status == 200 and "/my-story/" in page
        engine = create_engine(url)
        try:
            with engine.begin() as connection:
                story_id = connection.execute(text("SELECT id FROM story")).scalar_one()
            app = app_for_database(url, tmp_path)
            with app.app_context():
                moderator = make_moderator().email
                _db.session.remove()
                _db.engine.dispose()
            desk = Browser(two)
            assert (
                desk.post(
                    "/login",
                    {
                        "csrf_token": desk.csrf_token("/login"),
                        "email": moderator,
                        "password": PASSWORD,
                    },
                )[0]
                == 200
            )
            review = f"/moderate/stories/{story_id}"
            page = desk.get(review)[2]
            version = page.split('name="version"')[1].split('value="')[1].split('"')[0]
            status, final, _page = desk.post(
                review,
                {
                    "csrf_token": desk.csrf_token(review),
                    "decision": "approve",
                    "version": version,
                    "note": "",
                },
            )
            assert status == 200 and final.endswith("/moderate")
            gallery = Browser(one).get("/stories")[2]
            assert "Concurrent story 1" in gallery
        finally:
            engine.dispose()


def prepared_renditions(url: str, wait_seconds: float = 60) -> list[dict]:
    """The one photo's renditions once it is prepared (media/preparing.py)."""
    engine = create_engine(url)
    deadline = time.monotonic() + wait_seconds
    try:
        while True:
            with engine.connect() as connection:
                renditions, waiting = connection.execute(
                    text("SELECT renditions, prepare_at IS NOT NULL FROM photo")
                ).one()
            if not waiting or time.monotonic() > deadline:
                assert not waiting, "the photo was not prepared"
                return renditions
            time.sleep(0.2)
    finally:
        engine.dispose()


def test_two_instances_share_photos_through_one_object_store(
    tmp_path, redis_url, object_store, s3_bucket
):
    """Two machines: one PostgreSQL, one Redis, one object store, and no disk in common
    (each instance has a media folder of its own, where only its journal lives)."""
    url = fresh_database("postgresql", tmp_path, "objects")
    env = {
        **CREDENTIALS,
        "FLASK_MEDIA_STORAGE_URL": object_store.url(s3_bucket),
        "FLASK_RATELIMIT_STORAGE_URI": redis_url,
        "FLASK_CACHE_TYPE": "RedisCache",  # the page cache too, in a database of its own
    }
    one_dir, two_dir = tmp_path / "one", tmp_path / "two"
    one_dir.mkdir()
    two_dir.mkdir()
    with (
        empty_redis_database(9) as (env["FLASK_CACHE_REDIS_URL"], _cache),
        gunicorn(url, one_dir, workers=1, env=env) as (one, log_one),
        gunicorn(url, two_dir, workers=1, env=env) as (two, log_two),
    ):
        teller = Browser(one)
        status, _url, page = teller.post_with_file(
            "/share", story_form(teller, 1), "photo", "harbour.jpg", images.jpeg()
        )
        assert status == 200 and "/my-story/" in page, page[:500]
        token = page.split("/my-story/")[1].split('"')[0].split("<")[0]
        # The first instance's thread prepares the photo after the answer (faces found,
        # every size cut from the one copy the request kept) through the object store.
        renditions = prepared_renditions(url)
        assert len(renditions) == 4  # 640 and 400 px, WebP and JPEG
        names = sorted(rendition["name"] for rendition in renditions)
        assert names and object_store.keys(s3_bucket) == names
        assert not any(
            (folder / "media").is_dir() and any((folder / "media").iterdir())
            for folder in (one_dir, two_dir)
        )

        # Stored through the first, served by the second: the same bytes.
        for name in names:
            from_one, from_two = (
                Browser(one).get_bytes(f"/media/{name}"),
                Browser(two).get_bytes(f"/media/{name}"),
            )
            assert from_two[0] == 200 and from_two == from_one

        # Withdrawn through the second: gone for both at once.
        storyteller = Browser(two)
        withdraw = f"/my-story/{token}/withdraw"
        form = {"csrf_token": storyteller.csrf_token(withdraw), "confirm": "y"}
        status, final, _page = storyteller.post(withdraw, form)
        assert status == 200 and final.endswith("/share/withdrawn")
        assert object_store.keys(s3_bucket) == []
        for base in (one, two):
            assert {Browser(base).get_bytes(f"/media/{name}")[0] for name in names} == {404}
    assert "Traceback" not in log_one.read_text() + log_two.read_text()


# Rate limits across workers and instances (issue 14, finding 8) ------------------------

PRODUCTION = {
    "CAMPAIGN_ENV": "production",
    "FLASK_SECURE_COOKIES": "false",  # plain http between the test and gunicorn
    "FLASK_RATELIMIT_ENABLED": "true",
}


def test_production_gunicorn_with_several_workers_refuses_limits_kept_per_worker(tmp_path):
    url = fresh_database("sqlite", tmp_path, "refused")
    status, log = gunicorn_refusing(
        url, tmp_path, workers=2, env={**PRODUCTION, "FLASK_RATELIMIT_STORAGE_URI": "memory://"}
    )
    assert status is not None, "gunicorn served with per-worker limits:\n" + log[-3000:]
    assert status != 0
    assert "RATELIMIT_STORAGE_URI" in log and "2 worker processes" in log


def test_password_guesses_are_counted_together_by_two_instances_sharing_redis(tmp_path, redis_url):
    """Production, two gunicorn instances of two workers each: LOGIN_LIMIT_PER_ACCOUNT
    (5) holds across all four processes, wherever each guess lands."""
    url = fresh_database("sqlite", tmp_path, "guesses")
    app = app_for_database(url, tmp_path)
    with app.app_context():
        email, other = make_moderator().email, make_moderator().email
        _db.session.remove()
        _db.engine.dispose()
    env = {**PRODUCTION, "FLASK_RATELIMIT_STORAGE_URI": redis_url}
    one_dir, two_dir = tmp_path / "one", tmp_path / "two"
    one_dir.mkdir()
    two_dir.mkdir()
    with (
        gunicorn(url, one_dir, workers=2, env=env) as (one, _log1),
        gunicorn(url, two_dir, workers=2, env=env) as (two, _log2),
    ):
        answers = []
        for attempt in range(8):
            guesser = Browser((one, two)[attempt % 2])
            token = guesser.csrf_token("/login")
            status, _url, page = guesser.post(
                "/login", {"csrf_token": token, "email": email, "password": f"guess {attempt}"}
            )
            answers.append((status, "Too many failed attempts" in page))
        # Even the right password waits now, on either instance.
        right = Browser(two)
        token = right.csrf_token("/login")
        status, _url, _page = right.post(
            "/login", {"csrf_token": token, "email": email, "password": PASSWORD}
        )
        # Another account is not paused: production with Redis signs people in.
        colleague = Browser(one)
        token = colleague.csrf_token("/login")
        signed_in = colleague.post(
            "/login", {"csrf_token": token, "email": other, "password": PASSWORD}
        )
    assert signed_in[0] == 200 and signed_in[1].endswith("/moderate")
    assert answers[:5] == [(200, False)] * 5
    assert answers[5:] == [(429, True)] * 3
    assert status == 429
