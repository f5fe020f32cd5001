"""Sign-in throttling: failed attempts counted per account and per address.

The counters live in the rate limiter's storage (``RATELIMIT_STORAGE_URI``),
so they hold across workers in production. Unknown emails are counted
exactly like known ones: the pause says nothing about which accounts exist.
The sign-in services (``authenticate``, ``verify_second_factor``) apply these
limits themselves; ``account`` is the normalised e-mail address.

With ``RATELIMIT_ENABLED`` off, sign-ins are simply not throttled: nothing is
counted and nothing pauses (the operator turned every limit off, e.g. for a
load test). The limiter is then never set up, so it must not be asked.
"""

from flask import current_app, request
from limits import parse

from campaign.extensions import limiter


def _limits():
    config = current_app.config
    return (
        (parse(config["LOGIN_LIMIT_PER_ACCOUNT"]), "login-account"),
        (parse(config["LOGIN_LIMIT_PER_ADDRESS"]), "login-address"),
    )


def _keys(account: str) -> dict[str, str]:
    return {
        "login-account": account,
        "login-address": request.remote_addr or "unknown",
    }


def _enabled() -> bool:
    # Read from this app's settings, not from the shared Limiter object: that
    # one remembers whichever app was set up last in this process.
    return bool(current_app.config["RATELIMIT_ENABLED"])


def is_throttled(account: str) -> bool:
    """True when the account or the address has used up its failed attempts."""
    if not _enabled():
        return False  # limits are off: never throttle
    keys = _keys(account)
    return any(not limiter.limiter.test(item, scope, keys[scope]) for item, scope in _limits())


def count_failure(account: str) -> None:
    if not _enabled():
        return  # limits are off: nothing to count
    keys = _keys(account)
    for item, scope in _limits():
        limiter.limiter.hit(item, scope, keys[scope])


def wait_minutes() -> int:
    item, _scope = _limits()[0]
    return max(1, item.get_expiry() // 60)
