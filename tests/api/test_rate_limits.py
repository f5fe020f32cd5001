"""The API's per-address limit, counted before Flask in Redis (web/ratelimits.py).

These need the local Redis: they fail in CI when it is not there (tests.helpers)."""

import pytest

from campaign import create_app
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
