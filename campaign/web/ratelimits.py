"""The public API's per-address rate limit, counted before Flask (issue 21).

Every request under ``/api/`` (with or without a language prefix) counts
against ``API_RATE_LIMIT`` (Flask-Limiter's notation, e.g. "120 per minute" or
"120 per minute;2000 per day") for the client's address, as ProxyFix corrected
it. The windows are fixed and start at an address's first request, as
Flask-Limiter's default strategy counts them. The counters live in
Flask-Limiter's own store (``limiter.storage``, from RATELIMIT_STORAGE_URI), so
``limiter.reset()`` empties them too and every instance shares them in
production:

- Redis: one round trip per request, a Lua script that increments every
  window's key, gives a new key its lifetime, and answers the counts and the
  seconds left (Flask-Limiter took three: the increment, the count and the
  lifetime for the headers, after the whole Flask request set-up);
- memory:// (development, one process): the store's own counters.

An address refused stays refused until the window that refused it ends (its
count only grows until then), so each worker remembers that end and refuses
the rest of a flood without asking the store again: the same answers, no
round trip per refused request.

Counting before Flask lets the page cache replay a kept API answer before Flask
too (``PublicPageCache``, inside this layer): each request is still counted.
Every API answer carries X-RateLimit-Limit, -Remaining, -Reset and Retry-After.
A request over the limit goes on to Flask with ``OVER_LIMIT`` set in its
environ, never to the page cache; the API answers it with its JSON 429 naming
the limit in the visitor's language (``api.views``).

If the store cannot be reached, the request is served uncounted and the error
logged: the API is public, read-only and cached, and a 500 helps nobody.
"""

import logging
import time
from dataclasses import dataclass
from functools import lru_cache

from limits import RateLimitItem, parse_many
from limits.storage import RedisClusterStorage, RedisStorage

from campaign.api.errors import API_PREFIX, OVER_LIMIT
from campaign.extensions import limiter

log = logging.getLogger(__name__)

MAX_REMEMBERED_REFUSALS = 10_000  # addresses per worker; forgotten all at once beyond
HEADERS = ("X-RateLimit-Limit", "X-RateLimit-Remaining", "X-RateLimit-Reset", "Retry-After")

# KEYS: one per window; ARGV: their lifetimes in seconds. Answers count, seconds left.
COUNT_SCRIPT = """
local answers = {}
for i, key in ipairs(KEYS) do
    local count = redis.call('incr', key)
    local left = redis.call('ttl', key)
    if count == 1 or left < 0 then
        redis.call('expire', key, ARGV[i])
        left = tonumber(ARGV[i])
    end
    answers[#answers + 1] = count
    answers[#answers + 1] = left
end
return answers
"""


@dataclass(frozen=True)
class Counted:
    limit: RateLimitItem
    count: int
    reset_at: float  # when the window ends (epoch seconds)

    @property
    def over(self) -> bool:
        return self.count > self.limit.amount


@lru_cache(maxsize=8)
def parsed(setting: str) -> tuple[RateLimitItem, ...]:
    return tuple(parse_many(setting))


def window_key(address: str, limit: RateLimitItem) -> str:
    return f"api/{address}/{limit.amount}/{limit.multiples}/{limit.GRANULARITY.name}"


class Counter:
    """Counts one request of an address against every window of a limit."""

    def __init__(self):
        self._scripts: dict[int, object] = {}
        # (address, limits) -> what refused it, until its window ends
        self._refused: dict[tuple, list[Counted]] = {}

    def count(self, address: str, limits: tuple[RateLimitItem, ...]) -> list[Counted]:
        refused = self._refused.get((address, limits))
        if refused is not None:
            if time.time() < max(c.reset_at for c in refused if c.over):
                return refused
            del self._refused[(address, limits)]
        counted = self._count(address, limits)
        if any(c.over for c in counted):
            if len(self._refused) >= MAX_REMEMBERED_REFUSALS:
                self._refused.clear()
            self._refused[(address, limits)] = counted
        return counted

    def _count(self, address: str, limits: tuple[RateLimitItem, ...]) -> list[Counted]:
        storage = limiter.storage
        keys = [window_key(address, limit) for limit in limits]
        now = time.time()
        if isinstance(storage, RedisStorage) and not isinstance(storage, RedisClusterStorage):
            script = self._scripts.get(id(storage))
            if script is None:
                script = self._scripts[id(storage)] = storage.get_connection().register_script(
                    COUNT_SCRIPT
                )
            answers = script(
                keys=[storage.prefixed_key(key) for key in keys],
                args=[limit.get_expiry() for limit in limits],
            )
            return [
                Counted(limit, int(answers[2 * i]), now + int(answers[2 * i + 1]))
                for i, limit in enumerate(limits)
            ]
        # memory:// (and any other store): its own increment and lifetime.
        return [
            Counted(limit, storage.incr(key, limit.get_expiry()), storage.get_expiry(key))
            for key, limit in zip(keys, limits, strict=True)
        ]


def is_api_path(path: str, locales) -> bool:
    if path.startswith(API_PREFIX):
        return True
    first, _, rest = path.lstrip("/").partition("/")
    return first in locales and f"/{rest}".startswith(API_PREFIX)


class ApiRateLimit:
    """WSGI middleware: counts every API request per address, before the page cache."""

    def __init__(self, app, wsgi_app):
        self.app = app
        self.wsgi_app = wsgi_app
        self.counter = Counter()

    def __call__(self, environ, start_response):
        config = self.app.config
        if not config["RATELIMIT_ENABLED"] or not is_api_path(
            environ.get("PATH_INFO", ""), config["SUPPORTED_LOCALES"]
        ):
            return self.wsgi_app(environ, start_response)
        limits = parsed(config["API_RATE_LIMIT"])
        address = environ.get("REMOTE_ADDR") or "127.0.0.1"
        try:
            counted = self.counter.count(address, limits)
        except Exception:  # the store is down: serve, uncounted (see the module's note)
            log.exception("API rate limit not counted: the store did not answer")
            return self.wsgi_app(environ, start_response)
        over = [c for c in counted if c.over]
        # The limit shown: the longest window breached, else the shortest window.
        shown = (
            max(over, key=lambda c: c.limit.get_expiry())
            if over
            else min(counted, key=lambda c: c.limit.get_expiry())
        )
        reset_at = int(shown.reset_at)
        added = [
            ("X-RateLimit-Limit", str(shown.limit.amount)),
            ("X-RateLimit-Remaining", str(max(0, shown.limit.amount - shown.count))),
            ("X-RateLimit-Reset", str(reset_at)),
            ("Retry-After", str(max(0, int(reset_at - time.time())))),
        ]
        if over:
            environ[OVER_LIMIT] = str(shown.limit)

        def with_counts(status, headers, exc_info=None):
            kept = [(name, value) for name, value in headers if name not in HEADERS]
            return start_response(status, [*kept, *added], exc_info)

        return self.wsgi_app(environ, with_counts)
