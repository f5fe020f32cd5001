"""A flood of unique URLs cannot fill the server's memory (issue 14, finding 7).

Three ways to make every request look new: query parameters no page reads
(``/journeys?x=1``, ``?x=2``...), new values of parameters a page does read
(``/stories?q=1``...), and junk in the headers the cache keys on (cookies,
Accept-Language). The first is never kept, the third is keyed only on the
language it selects, and whatever is kept stays within CACHE_MAX_BYTES and
CACHE_THRESHOLD.
"""

import pytest
from flask import request

from campaign.extensions import cache
from campaign.publishing.memorycache import BoundedMemoryCache
from campaign.publishing.pagecache import public_page
from tests.helpers import empty_redis_database

FLOOD = 5_000
BODY = "x" * 2_000
MAX_BYTES = 200_000


@pytest.fixture
def config_overrides():
    return {"CACHE_MAX_BYTES": MAX_BYTES, "CACHE_THRESHOLD": 500}


@pytest.fixture
def store(app):
    return app.extensions["cache"][cache]


@pytest.fixture
def places(app):
    """The WSGI page cache's memory of which requests are public pages."""
    layer = app.wsgi_app
    while not hasattr(layer, "public_places"):
        layer = layer.wsgi_app
    return layer.public_places


@pytest.fixture
def search_page(app, add_route):
    """A public page that reads one parameter, ``q``, and is about 2 kB."""

    @public_page(args=("q",))
    def search():
        return f"{request.args.get('q', '')} {BODY}"

    return add_route(app, "/test-search", search)


def test_parameters_no_page_reads_are_never_kept(client, store, places, search_page):
    client.get(search_page)
    client.get("/journeys")
    entries, known = len(store), len(places)
    for n in range(FLOOD):
        answer = client.get(f"{search_page}?x={n}")
        assert answer.status_code == 200 and answer.get_data(as_text=True) == f" {BODY}"
    for n in range(50):  # a real page too: the one of the report
        assert client.get(f"/journeys?x={n}").status_code == 200
    assert len(store) == entries
    assert len(places) == known
    assert store.size_in_bytes < MAX_BYTES


def test_new_values_of_a_parameter_a_page_reads_stay_within_the_byte_bound(
    client, store, places, search_page
):
    for n in range(FLOOD):
        assert client.get(f"{search_page}?q={n}").get_data(as_text=True) == f"{n} {BODY}"
        assert store.size_in_bytes <= MAX_BYTES
    assert len(store) <= 500
    assert len(places) <= 20_000
    # The newest pages are the ones kept.
    assert store.size_in_bytes > MAX_BYTES // 2
    assert (
        client.get(f"{search_page}?q={FLOOD - 1}")
        .get_data(as_text=True)
        .startswith(f"{FLOOD - 1} ")
    )


def test_junk_cookies_and_languages_are_kept_once_per_language(client, store, search_page):
    client.get(search_page)
    client.get(search_page, headers={"Accept-Language": "fr"})
    entries = len(store)
    for n in range(1_000):
        headers = {"Cookie": f"tracker={n}", "Accept-Language": f"fr-FR;q=0.9, x-{n};q=0.8"}
        assert client.get(search_page, headers=headers).status_code == 200
    assert len(store) == entries


@pytest.fixture
def redis_cache():
    with empty_redis_database(9) as (_url, connection):
        yield connection


@pytest.mark.parametrize(
    "config_overrides",
    [{"CACHE_TYPE": "RedisCache", "CACHE_REDIS_URL": "redis://127.0.0.1:6379/9"}],
)
def test_a_flood_of_unread_parameters_and_junk_headers_leaves_redis_as_it_was(
    redis_cache, client, search_page
):
    client.get(search_page)
    client.get("/journeys")
    keys = redis_cache.dbsize()
    assert keys >= 2
    for n in range(1_000):
        assert client.get(f"{search_page}?x={n}").status_code == 200
        assert client.get(search_page, headers={"Cookie": f"t={n}"}).status_code == 200
    assert redis_cache.dbsize() == keys


def test_the_memory_store_drops_the_least_recently_used_and_refuses_giants():
    store = BoundedMemoryCache(max_bytes=3_000, threshold=10, default_timeout=0)
    for name in ("a", "b", "c"):
        assert store.set(name, "x" * 700)
    assert store.get("a")  # used: kept over b
    assert store.set("d", "x" * 700)
    assert store.get("b") is None and store.get("a") and store.get("d")
    assert store.size_in_bytes <= 3_000
    assert not store.set("giant", "x" * 5_000)
    assert store.get("giant") is None and store.size_in_bytes <= 3_000
    store.delete("a")
    store.clear()
    assert len(store) == 0 and store.size_in_bytes == 0


def test_kept_pages_expire_with_their_timeout(monkeypatch):
    store = BoundedMemoryCache(max_bytes=10_000, threshold=10, default_timeout=60)
    now = [1000.0]
    monkeypatch.setattr("campaign.publishing.memorycache.time.monotonic", lambda: now[0])
    store.set("page", "body")
    assert store.get("page") == "body"
    now[0] += 61
    assert store.get("page") is None and store.size_in_bytes == 0
