"""Who may reach which endpoint: one classification, enforced centrally.

Every endpoint in ``app.url_map`` belongs to exactly one class. A blueprint
may give a default for all its endpoints; single endpoints override it. An
endpoint without a class is refused (fail closed) and
``tests/web/test_access_control.py`` fails, so a new route can't slip through
unclassified: add it here.
"""

import enum
import logging

from flask import abort, current_app, request
from flask_login import current_user

from campaign.extensions import limiter, login_manager
from campaign.responses import private

log = logging.getLogger(__name__)


class Access(enum.StrEnum):
    PUBLIC = "public"  # anyone
    TOKEN = "token"  # noqa: S105 - anyone holding a storyteller's private link (no-store, rate-limited)
    # Any signed-in account: translators (a translator-only account, Moderator.can_moderate
    # False) and moderators: the translation desk and one's own account pages.
    TRANSLATOR = "translator"
    MODERATOR = "moderator"  # signed-in moderators (and admins), never a translator-only account
    ADMIN = "admin"  # signed-in admins only


# Defaults per blueprint, by blueprint name.
BLUEPRINTS: dict[str, Access] = {
    "gallery": Access.PUBLIC,
    "submissions": Access.PUBLIC,
    "accounts": Access.PUBLIC,
    "moderation": Access.MODERATOR,
    "admin": Access.ADMIN,
    "translating": Access.TRANSLATOR,
    "reports": Access.PUBLIC,  # "report this story", on published stories
    "media": Access.PUBLIC,  # photo renditions of stories (file names are unguessable)
    "api": Access.PUBLIC,
    "embeds": Access.PUBLIC,
    "feeds": Access.PUBLIC,
    "journeys": Access.PUBLIC,
    "cards": Access.PUBLIC,  # share cards and link images (consent checked by each view)
}

# Single endpoints; these win over the blueprint default.
ENDPOINTS: dict[str, Access] = {
    "static": Access.PUBLIC,
    "health.healthz": Access.PUBLIC,
    "submissions.my_story": Access.TOKEN,
    "accounts.logout": Access.TRANSLATOR,
    "accounts.account": Access.TRANSLATOR,
    "accounts.regenerate_recovery_codes": Access.TRANSLATOR,
    "accounts.two_factor_setup": Access.TRANSLATOR,
    # The one-time invitation link: a secret in the path, like a storyteller's.
    "accounts.accept": Access.TOKEN,
    "moderation.delete": Access.ADMIN,
    "moderation.log_csv": Access.ADMIN,
}

# Token endpoints that blueprints add later are recognised by their path too.
TOKEN_PATH_PREFIX = "/my-story/"  # noqa: S105 - a path, not a secret


def classify(endpoint: str | None, rule: str | None = None) -> Access | None:
    if endpoint is None:
        return None
    if endpoint in ENDPOINTS:
        return ENDPOINTS[endpoint]
    if rule is not None and rule.startswith(TOKEN_PATH_PREFIX):
        return Access.TOKEN
    blueprint = endpoint.rpartition(".")[0]
    while blueprint:
        if blueprint in BLUEPRINTS:
            return BLUEPRINTS[blueprint]
        blueprint = blueprint.rpartition(".")[0]
    return None


def _enforce():
    if request.url_rule is None:
        return None  # 404 and 405 answer for themselves
    access = classify(request.endpoint, request.url_rule.rule)
    if access is None:
        log.error("access.unclassified", extra={"endpoint": request.endpoint})
        abort(403)
    signed_in_only = (Access.TRANSLATOR, Access.MODERATOR, Access.ADMIN)
    if access in signed_in_only and not current_user.is_authenticated:
        log.warning("access.login_required", extra={"endpoint": request.endpoint})
        return login_manager.unauthorized()
    refused = (access is Access.ADMIN and not getattr(current_user, "is_admin", False)) or (
        access in (Access.MODERATOR, Access.ADMIN) and not current_user.can_moderate
    )
    if refused:
        log.warning(
            "access.denied",
            extra={"endpoint": request.endpoint, "moderator_id": current_user.get_id()},
        )
        abort(403)
    return None


# Files the same for everyone, which browsers and shared caches may keep.
PUBLIC_FILES = {"static"}


def _cache_policy(response):
    """No answer is kept by a cache unless it was made public on purpose.

    Public pages say so themselves (``publishing.pagecache.public_page``: shared
    lifetime or revalidation; photo renditions in ``media.views``). Everything
    else (the desk, admin pages, sign-in, the share form, errors, redirects) is
    ``no-store``, and a signed-in visitor's copy of a public page stays
    ``private, no-store``. Token pages are private and send no referrer.
    """
    rule = request.url_rule
    if rule is not None and classify(request.endpoint, rule.rule) is Access.TOKEN:
        return private(response)
    if request.endpoint in PUBLIC_FILES and response.status_code in (200, 304):
        response.cache_control.public = True  # revalidated by ETag (Flask's no-cache)
        return response
    if not response.cache_control.public:
        personal = response.cache_control.private
        response.headers["Cache-Control"] = "private, no-store" if personal else "no-store"
    return response


def _token_lookup_limit() -> str:
    return current_app.config["TOKEN_LOOKUP_RATE_LIMIT"]


def init_app(app) -> None:
    """Call after every blueprint is registered."""
    app.before_request(_enforce)
    app.after_request(_cache_policy)
    for rule in app.url_map.iter_rules():
        if classify(rule.endpoint, rule.rule) is Access.TOKEN:
            view = app.view_functions[rule.endpoint]
            if not getattr(view, "_campaign_token_limited", False):
                limited = limiter.shared_limit(_token_lookup_limit, scope="token-lookup")(view)
                limited._campaign_token_limited = True
                app.view_functions[rule.endpoint] = limited
