"""The public API's per-address rate limit, counted before Flask (issue 21).

Every request under ``/api/`` (with or without a language prefix) counts
against ``API_RATE_LIMIT`` (Flask-Limiter's notation, e.g. "120 per minute" or
"120 per minute;2000 per day") for the client's address, as ProxyFix corrected
it. The windows are fixed and start at an address's first request, as
Flask-Limiter's default strategy counts them. The counters live in
Flask-Limiter's own store (``limiter.storage``, from RATELIMIT_STORAGE_URI), so
``limiter.reset()`` empties them too and every instance shares them in
production:

- Redis: a worker takes a *lease*, a batch of counts for an address, in one
  round trip (a Lua script that reads every window's count, grants
  n = max(1, min(wanted, left // LEASE_SHARE)) for the window with least left,
  INCRBY n on every window's key, gives a new key its lifetime, and answers the
  counts and the seconds left); it then counts locally through the batch until
  it is used up or the first of its windows ends, and only then asks again. A
  lease starts at 1 and doubles (up to MAX_LEASE) only while an address uses
  each one up within LEASE_QUICK seconds of taking it, so a visitor at a human
  pace is counted one by one, exactly. Each request gets its own place in each
  window's count (INCRBY is atomic, places are never given twice) and is served
  only if that place is within the limit, so across all workers and instances
  no more than the limit is ever served in a window: the slack is 0. The price:
  places leased but not used by a worker are lost when the window ends, so an
  address may be refused a little early (at most the unused leases, each at
  most 1/LEASE_SHARE of what was left when it was taken), never served beyond
  the limit. X-RateLimit-Remaining is the limit minus the count the store had
  granted at the last round trip, so it never shows more than really remains;
  within a lease it stays put;
- memory:// (development, one process): the store's own counters, one by one.

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
import threading
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

MAX_LEASE = 64  # counts one worker takes at most in one round trip
LEASE_SHARE = 8  # a lease takes at most this fraction (1/8) of what an address has left
LEASE_QUICK = 1.0  # seconds: a lease used up this soon after it was taken is doubled
MAX_LEASES = 10_000  # addresses per worker; forgotten all at once beyond

# KEYS: one per window; ARGV: the lease wanted, LEASE_SHARE, then each window's
# limit and lifetime in seconds. Answers the lease granted, then each window's
# count after it and seconds left.
LEASE_SCRIPT = """
local n = tonumber(ARGV[1])
local share = tonumber(ARGV[2])
for i, key in ipairs(KEYS) do
    local left = tonumber(ARGV[1 + 2 * i]) - tonumber(redis.call('get', key) or '0')
    n = math.min(n, math.floor(left / share))
end
if n < 1 then n = 1 end
local answers = {n}
for i, key in ipairs(KEYS) do
    local count = redis.call('incrby', key, n)
    local left = redis.call('ttl', key)
    if count == n or left < 0 then
        redis.call('expire', key, ARGV[2 + 2 * i])
        left = tonumber(ARGV[2 + 2 * i])
    end
    answers[#answers + 1] = count
    answers[#answers + 1] = left
end
return answers
"""


@dataclass(frozen=True)
class Counted:
    limit: RateLimitItem
    count: int  # this request's place in the window
    reset_at: float  # when the window ends (epoch seconds)
    taken: int  # the window's count in the store at the last round trip (>= count)

    @property
    def over(self) -> bool:
        return self.count > self.limit.amount


@dataclass
class Lease:
    """Counts a worker took from the store for one address: the places
    tops[i] - size + 1 .. tops[i] of each window i."""

    size: int
    tops: list[int]
    reset_ats: list[float]
    taken_at: float
    used: int = 0

    @property
    def ends_at(self) -> float:
        return min(self.reset_ats)

    def next_size(self, now: float) -> int:
        """The lease to ask for once this one is used up: double for an address that
        used it up quickly within its windows, else 1 again (counted one by one)."""
        if now < self.ends_at and now - self.taken_at <= LEASE_QUICK:
            return min(MAX_LEASE, 2 * self.size)
        return 1


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
        # (address, limits) -> this worker's lease of counts (Redis only)
        self._leases: dict[tuple, Lease] = {}
        # gthread workers: one lease's places are handed out one at a time
        self._lock = threading.Lock()

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
        if isinstance(storage, RedisStorage) and not isinstance(storage, RedisClusterStorage):
            return self._count_from_lease(storage, (address, limits), keys, limits)
        # memory:// (and any other store): its own increment and lifetime.
        counted = []
        for key, limit in zip(keys, limits, strict=True):
            count = storage.incr(key, limit.get_expiry())
            counted.append(Counted(limit, count, storage.get_expiry(key), count))
        return counted

    def _count_from_lease(self, storage, lease_key, keys, limits) -> list[Counted]:
        now = time.time()
        with self._lock:
            lease = self._leases.get(lease_key)
            if lease is not None and (lease.used >= lease.size or now >= lease.ends_at):
                wanted = lease.next_size(now)
                lease = None
            else:
                wanted = 1
            if lease is not None:
                lease.used += 1
                return self._places(lease, limits)
        lease = self._take(storage, keys, limits, wanted, now)
        with self._lock:
            if len(self._leases) >= MAX_LEASES:
                self._leases.clear()
            # A thread's new lease replaces one another thread took meanwhile: its
            # unused places are lost, which refuses early, never serves beyond the limit.
            self._leases[lease_key] = lease
            lease.used += 1
            return self._places(lease, limits)

    @staticmethod
    def _places(lease: Lease, limits) -> list[Counted]:
        return [
            Counted(limit, top - lease.size + lease.used, reset_at, top)
            for limit, top, reset_at in zip(limits, lease.tops, lease.reset_ats, strict=True)
        ]

    def _take(self, storage, keys, limits, wanted: int, now: float) -> Lease:
        """One round trip: a lease of up to `wanted` counts in every window."""
        script = self._scripts.get(id(storage))
        if script is None:
            script = self._scripts[id(storage)] = storage.get_connection().register_script(
                LEASE_SCRIPT
            )
        args = [wanted, LEASE_SHARE]
        for limit in limits:
            args += [limit.amount, limit.get_expiry()]
        answers = script(keys=[storage.prefixed_key(key) for key in keys], args=args)
        # TTL rounds down and `now` is from before the call, so a lease ends no later
        # than its key does: places of a window that Redis forgot are never used.
        return Lease(
            size=int(answers[0]),
            tops=[int(answers[1 + 2 * i]) for i in range(len(limits))],
            reset_ats=[now + int(answers[2 + 2 * i]) for i in range(len(limits))],
            taken_at=now,
        )


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
            ("X-RateLimit-Remaining", str(max(0, shown.limit.amount - shown.taken))),
            ("X-RateLimit-Reset", str(reset_at)),
            ("Retry-After", str(max(0, int(reset_at - time.time())))),
        ]
        if over:
            environ[OVER_LIMIT] = str(shown.limit)

        def with_counts(status, headers, exc_info=None):
            kept = [(name, value) for name, value in headers if name not in HEADERS]
            return start_response(status, [*kept, *added], exc_info)

        return self.wsgi_app(environ, with_counts)
