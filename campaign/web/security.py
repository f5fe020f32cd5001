"""Response headers, cookies and start-up checks that hold on every page.

Everything here is general: it covers every route, including routes that
blueprints add later. A view that must be framed by other sites (the embed
widget) says so with ``@embeddable``; every other page refuses framing.
"""

import logging

from flask import current_app, redirect, request

from campaign.config import ConfigurationError, is_production
from campaign.responses import is_embeddable

log = logging.getLogger(__name__)

# This origin only. No 'unsafe-inline', no 'unsafe-eval', no http:, no plugins.
_CSP_DIRECTIVES = [
    ("default-src", "'self'"),
    ("script-src", "'self'"),
    ("style-src", "'self'"),
    ("img-src", "'self' data:"),
    # A recording made on the share form is listened back from a blob: address.
    ("media-src", "'self' blob:"),
    ("form-action", "'self'"),
    ("object-src", "'none'"),
    ("base-uri", "'none'"),
]

_POWERFUL_FEATURES = (
    "accelerometer",
    "autoplay",
    "camera",
    "display-capture",
    "geolocation",
    "gyroscope",
    "magnetometer",
    "microphone",
    "midi",
    "payment",
    "usb",
)


def permissions_policy(*allowed: str) -> str:
    """Every powerful feature off, but the ``allowed`` ones for this origin only."""
    return ", ".join(
        f"{feature}=(self)" if feature in allowed else f"{feature}=()"
        for feature in _POWERFUL_FEATURES
    )


PERMISSIONS_POLICY = permissions_policy()
# The share form records a voice story in the browser (share-voice.js): the microphone
# there, for this origin, and nowhere else.
RECORDING_PAGES = frozenset({"submissions.share"})
RECORDING_PERMISSIONS_POLICY = permissions_policy("microphone")


def content_security_policy(frame_ancestors: str = "'none'") -> str:
    directives = [*_CSP_DIRECTIVES, ("frame-ancestors", frame_ancestors)]
    return "; ".join(f"{name} {value}" for name, value in directives)


CONTENT_SECURITY_POLICY = content_security_policy()


# What a script, stylesheet or font file needs of the headers; the others (CSP,
# framing, permissions, opener) govern documents only, and would add half a
# kilobyte to each of a page's dozen files on a slow line. SVG stays a document.
SUBRESOURCE_TYPES = frozenset(
    {"text/css", "text/javascript", "application/javascript", "font/woff2"}
)


# Static files other sites' pages load: the optional script that fits our embed's
# iframe to its stories. Every other file stays this site's own (same-origin).
FOR_OTHER_SITES = frozenset({"js/embed.js"})


def _is_subresource(response) -> bool:
    return request.endpoint == "static" and response.mimetype in SUBRESOURCE_TYPES


def _resource_policy() -> str:
    filename = (request.view_args or {}).get("filename")
    return "cross-origin" if filename in FOR_OTHER_SITES else "same-origin"


def set_headers(response):
    headers = response.headers
    if _is_subresource(response):
        headers.pop("Content-Disposition", None)  # Flask's, for a download: not one
        headers.setdefault("X-Content-Type-Options", "nosniff")
        headers.setdefault("Cross-Origin-Resource-Policy", _resource_policy())
        headers.setdefault("Referrer-Policy", "strict-origin-when-cross-origin")
        return response
    if is_embeddable(request.endpoint):
        ancestors = current_app.config["EMBED_FRAME_ANCESTORS"]
        headers.setdefault("Content-Security-Policy", content_security_policy(ancestors))
        headers.setdefault("Cross-Origin-Resource-Policy", "cross-origin")
    else:
        headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
        headers.setdefault("X-Frame-Options", "DENY")  # for browsers without frame-ancestors
        headers.setdefault("Cross-Origin-Resource-Policy", "same-origin")
    headers.setdefault("X-Content-Type-Options", "nosniff")
    headers.setdefault("Referrer-Policy", "strict-origin-when-cross-origin")
    headers.setdefault(
        "Permissions-Policy",
        RECORDING_PERMISSIONS_POLICY if request.endpoint in RECORDING_PAGES else PERMISSIONS_POLICY,
    )
    headers.setdefault("Cross-Origin-Opener-Policy", "same-origin")
    seconds = current_app.config["HSTS_SECONDS"]
    if request.is_secure and seconds:
        value = f"max-age={int(seconds)}"
        if current_app.config["HSTS_INCLUDE_SUBDOMAINS"]:
            value += "; includeSubDomains"
        headers.setdefault("Strict-Transport-Security", value)
    return response


def harden_cookies(response):
    """Every cookie, whoever sets or deletes it: HttpOnly, SameSite=Lax, and Secure
    when SESSION_COOKIE_SECURE is on (Flask-Login deletes its cookie without them,
    and a browser ignores a __Host- deletion that lacks Secure)."""
    cookies = response.headers.getlist("Set-Cookie")
    if not cookies:
        return response
    secure = current_app.config["SESSION_COOKIE_SECURE"]
    hardened = []
    for cookie in cookies:
        attributes = {part.strip().split("=", 1)[0].lower() for part in cookie.split(";")[1:]}
        if "httponly" not in attributes:
            cookie += "; HttpOnly"
        if "samesite" not in attributes:
            cookie += "; SameSite=Lax"
        if secure and "secure" not in attributes:
            cookie += "; Secure"
        hardened.append(cookie)
    del response.headers["Set-Cookie"]
    for cookie in hardened:
        response.headers.add("Set-Cookie", cookie)
    return response


def _harden_config(app) -> None:
    """Production settings that depend on others: cookies, debug, shared limits, proxies."""
    config = app.config
    production = is_production(app)
    if production and (app.debug or config.get("DEBUG")):
        raise ConfigurationError(
            "Debug mode is on in production. The debugger runs any code a visitor "
            "sends; unset FLASK_DEBUG (and don't pass --debug) on a production server."
        )
    if production:
        _require_shared_limits(config)
    secure = config["SECURE_COOKIES"]
    if secure is None:
        secure = production
    if secure:
        # __Host- cookies are sent only over HTTPS, only to this exact host, path /.
        config["SESSION_COOKIE_SECURE"] = True
        config["REMEMBER_COOKIE_SECURE"] = True
        config["SESSION_COOKIE_DOMAIN"] = None
        config["REMEMBER_COOKIE_DOMAIN"] = None
        config["SESSION_COOKIE_PATH"] = "/"
        config["REMEMBER_COOKIE_PATH"] = "/"
        config["SESSION_COOKIE_NAME"] = "__Host-session"
        config["REMEMBER_COOKIE_NAME"] = "__Host-remember_token"
    if production and not config.get("TRUSTED_HOSTS") and not config.get("TESTING"):
        log.warning(
            "TRUSTED_HOSTS is not set: requests for any host name are answered. "
            "Set FLASK_TRUSTED_HOSTS='[\"stories.example.org\"]'."
        )


def _require_shared_limits(config) -> None:
    """Several processes must count failed sign-ins and rate limits in one store.

    With memory:// each worker keeps its own counters, so N workers let N times
    the limit through (3 workers: 15 password guesses instead of 5). Refused
    rather than warned about: the limits guard sign-in, and a warning in a log
    nobody reads leaves them open.
    """
    workers = int(config["SERVER_WORKERS"])
    if (
        workers > 1
        and config["RATELIMIT_ENABLED"]
        and str(config["RATELIMIT_STORAGE_URI"]).startswith("memory:")
    ):
        raise ConfigurationError(
            f"Rate limits are counted in each process (RATELIMIT_STORAGE_URI="
            f"{config['RATELIMIT_STORAGE_URI']}), but {workers} worker processes serve the "
            "app, so each would allow its own failed sign-ins. Set RATELIMIT_STORAGE_URI to a "
            "store they share, e.g. FLASK_RATELIMIT_STORAGE_URI=redis://127.0.0.1:6379/0 "
            "(README, Deployment), or serve with one worker."
        )


def _redirect_to_https():
    """Plain http is answered with a redirect to the same URL over https.

    Behind a proxy that terminates TLS, this needs PROXY_FIX_X_PROTO=1 so that
    the app knows the original scheme. /healthz stays reachable over http.
    """
    if (
        current_app.config["REDIRECT_TO_HTTPS"]
        and not request.is_secure
        and request.endpoint != "health.healthz"
    ):
        return redirect(request.url.replace("http://", "https://", 1), code=308)
    return None


def init_app(app) -> None:
    _harden_config(app)
    app.before_request(_redirect_to_https)
    app.after_request(set_headers)
    # After-request functions run in reverse order: first in the list runs last,
    # after Flask-Login has set or deleted its cookie.
    app.after_request_funcs.setdefault(None, []).insert(0, harden_cookies)
