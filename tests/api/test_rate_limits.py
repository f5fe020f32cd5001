"""The API's per-address limit, counted before Flask in Redis, by leases (web/ratelimits.py).

These need the local Redis: they fail in CI when it is not there (tests.helpers)."""

import time

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from campaign import create_app
from campaign.web import ratelimits
from campaign.web.ratelimits import MAX_LEASE, Counter, parsed, window_key
from tests.helpers import app_config, empty_redis_database

LIMITS_DB = 10
REDIS_LIMITS = {
    "RATELIMIT_STORAGE_URI": f"redis://127.0.0.1:6379/{LIMITS_DB}",
    "API_RATE_LIMIT": "3 per minute",
}


@pytest.fixture
def limits_redis():
    with empty_redis_database(LIMITS_DB) as (_url, connection):
        yield connection


@pytest.mark.parametrize("config_overrides", [REDIS_LIMITS])
def test_a_second_instance_refuses_the_address_the_first_one_counted(
    limits_redis, app, client, tmp_path
):
    remaining = []
    for _ in range(3):
        answer = client.get("/api/v1/stats")
        assert answer.status_code == 200
        assert answer.headers["X-RateLimit-Limit"] == "3"
        remaining.append(answer.headers["X-RateLimit-Remaining"])
    assert remaining == ["2", "1", "0"]
    # One counter per address and window, which Redis forgets when the window ends.
    (key,) = limits_redis.keys("LIMITS:api/*")
    assert 0 < limits_redis.ttl(key) <= 60

    other_instance = create_app(
        app_config(app.config["SQLALCHEMY_DATABASE_URI"], **REDIS_LIMITS),
        instance_path=str(tmp_path),
    )
    refused = other_instance.test_client().get("/api/v1/stories")
    assert refused.status_code == 429
    assert refused.mimetype == "application/json"
    assert "3 per 1 minute" in refused.get_json()["error"]["message"]
    assert 0 < int(refused.headers["Retry-After"]) <= 60
    assert refused.headers["X-RateLimit-Remaining"] == "0"
    assert refused.headers["Access-Control-Allow-Origin"] == "*"
    # Another address is counted apart.
    other = client.get("/api/v1/stats", environ_base={"REMOTE_ADDR": "192.0.2.7"})
    assert other.status_code == 200
    assert other.headers["X-RateLimit-Remaining"] == "2"


@pytest.mark.parametrize(
    "config_overrides", [{**REDIS_LIMITS, "API_RATE_LIMIT": "5 per minute;2 per hour"}]
)
def test_the_longer_window_refuses_too_and_is_the_one_named(limits_redis, client):
    assert client.get("/api/v1/themes").status_code == 200
    assert client.get("/api/v1/themes").status_code == 200
    refused = client.get("/api/v1/themes")
    assert refused.status_code == 429
    assert "2 per 1 hour" in refused.get_json()["error"]["message"]
    assert 60 < int(refused.headers["Retry-After"]) <= 3600


@pytest.mark.parametrize("config_overrides", [REDIS_LIMITS])
def test_the_api_under_a_language_prefix_counts_for_the_same_address(limits_redis, client):
    assert client.get("/fr/api/v1/stats").status_code == 200
    assert client.get("/api/v1/stats").status_code == 200
    assert client.get("/fr/api/v1/stats").status_code == 200
    refused = client.get("/fr/api/v1/stats")
    assert refused.status_code == 429
    assert "3 per 1 minute" in refused.get_json()["error"]["message"]


@pytest.mark.parametrize("config_overrides", [REDIS_LIMITS])
def test_pages_outside_the_api_are_not_counted(limits_redis, client):
    for _ in range(5):
        assert client.get("/stories").status_code == 200
    assert "X-RateLimit-Limit" not in client.get("/stories").headers
    assert limits_redis.keys("LIMITS:api/*") == []


@pytest.mark.parametrize("config_overrides", [REDIS_LIMITS])
def test_a_flood_from_a_refused_address_stays_refused_without_asking_redis_each_time(
    limits_redis, client
):
    for _ in range(3):
        assert client.get("/api/v1/stats").status_code == 200
    assert client.get("/api/v1/stats").status_code == 429
    (key,) = limits_redis.keys("LIMITS:api/*")
    counted = int(limits_redis.get(key))
    for _ in range(20):
        refused = client.get("/api/v1/stats")
        assert refused.status_code == 429
        assert 0 < int(refused.headers["Retry-After"]) <= 60
    assert int(limits_redis.get(key)) == counted
    # Others are still counted, and served.
    assert client.get("/api/v1/stats", environ_base={"REMOTE_ADDR": "192.0.2.8"}).status_code == 200


# Leases: a worker takes a batch of counts in one round trip (web/ratelimits.py).
LEASE_LIMITS = {**REDIS_LIMITS, "API_RATE_LIMIT": "50 per minute"}


@pytest.mark.parametrize("config_overrides", [LEASE_LIMITS])
@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(workers=st.lists(st.integers(0, 1), min_size=1, max_size=120))
def test_two_workers_sharing_redis_never_serve_beyond_the_limit(limits_redis, app, workers):
    """Any interleaving of one address's requests over two workers (two Counters,
    one store): no more than the limit is served in the window (slack 0)."""
    limits_redis.flushdb()
    counters = [Counter(), Counter()]
    limits = parsed(app.config["API_RATE_LIMIT"])
    answers = [counters[w].count("192.0.2.20", limits) for w in workers]
    served = sum(1 for counted in answers if not any(c.over for c in counted))
    assert served <= 50
    for counted in answers:  # Remaining never shows more than the store granted
        (c,) = counted
        assert c.taken >= c.count and c.taken <= int(limits_redis.get(KEY_20))
    if all(w == 0 for w in workers):  # one worker uses all it leases: exact
        assert served == min(len(workers), 50)


KEY_20 = "LIMITS:" + window_key("192.0.2.20", parsed("50 per minute")[0])


@pytest.mark.parametrize("config_overrides", [{**REDIS_LIMITS, "API_RATE_LIMIT": "20 per minute"}])
def test_a_slow_visitor_sees_exact_remaining_counts(limits_redis, client, monkeypatch):
    clock = [1_000_000.0]
    monkeypatch.setattr(ratelimits.time, "time", lambda: clock[0])
    remaining = []
    for _ in range(8):
        remaining.append(client.get("/api/v1/stats").headers["X-RateLimit-Remaining"])
        clock[0] += 2 * ratelimits.LEASE_QUICK  # slower than a lease is doubled for
    assert remaining == [str(n) for n in range(19, 11, -1)]
    (key,) = limits_redis.keys("LIMITS:api/*")
    assert int(limits_redis.get(key)) == 8  # counted one by one: nothing leased ahead


@pytest.mark.parametrize(
    "config_overrides", [{**REDIS_LIMITS, "API_RATE_LIMIT": "5 per 2 seconds"}]
)
def test_counting_starts_afresh_when_the_window_ends(limits_redis, client):
    statuses = [client.get("/api/v1/stats").status_code for _ in range(8)]
    assert statuses == [200] * 5 + [429] * 3
    time.sleep(2.2)
    again = client.get("/api/v1/stats")
    assert again.status_code == 200
    assert again.headers["X-RateLimit-Remaining"] == "4"


@pytest.mark.parametrize(
    "config_overrides", [{**REDIS_LIMITS, "API_RATE_LIMIT": "100000 per minute"}]
)
def test_a_flood_from_one_address_makes_few_round_trips(limits_redis, app, monkeypatch):
    round_trips = []
    take = Counter._take

    def counted_take(self, *args):
        round_trips.append(args)
        return take(self, *args)

    monkeypatch.setattr(Counter, "_take", counted_take)
    counter = Counter()
    limits = parsed(app.config["API_RATE_LIMIT"])
    places = [counter.count("192.0.2.30", limits)[0].count for _ in range(1000)]
    assert places == list(range(1, 1001))  # each request its own place, none lost
    # 1, 2, 4 … 64, then 64 at a time: 7 + ceil((1000 - 127) / 64) = 21
    assert len(round_trips) == 21
    assert int(limits_redis.get(limits_redis.keys("LIMITS:api/*")[0])) <= 1000 + MAX_LEASE
