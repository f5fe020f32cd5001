"""The MDN HTTP Observatory's published scoring rules, applied to our responses.

Source: mozilla/http-observatory, httpobs/docs/scoring.md ("Tests and
scoring", MDN HTTP Observatory). Every site starts at 100; each test adds a
modifier; bonuses (positive modifiers) count only when the score without
them is 90 or more; 100 and above is A+.
"""

import re
from dataclasses import dataclass, field
from html.parser import HTMLParser
from urllib.parse import urlsplit

GRADES = [
    (100, "A+"),
    (90, "A"),
    (85, "A-"),
    (80, "B+"),
    (70, "B"),
    (65, "B-"),
    (60, "C+"),
    (50, "C"),
    (45, "C-"),
    (40, "D+"),
    (30, "D"),
    (25, "D-"),
    (0, "F"),
]

SIX_MONTHS = 15_768_000
_SESSION_NAME = re.compile(r"sess|login|token|auth|remember|csrf|sid", re.IGNORECASE)


@dataclass
class Result:
    modifiers: dict[str, tuple[str, int]] = field(default_factory=dict)

    def add(self, test: str, outcome: str, modifier: int) -> None:
        self.modifiers[test] = (outcome, modifier)

    @property
    def score(self) -> int:
        penalties = sum(m for _o, m in self.modifiers.values() if m < 0)
        bonuses = sum(m for _o, m in self.modifiers.values() if m > 0)
        base = max(100 + penalties, 0)
        return base + bonuses if base >= 90 else base

    @property
    def grade(self) -> str:
        return next(grade for floor, grade in GRADES if self.score >= floor)

    def explain(self) -> str:
        return "\n".join(f"{m:+4d} {test}: {o}" for test, (o, m) in self.modifiers.items())


def parse_csp(value: str | None) -> dict[str, list[str]] | None:
    if not value:
        return None
    policy: dict[str, list[str]] = {}
    for part in value.split(";"):
        tokens = part.strip().split()
        if not tokens:
            continue
        name = tokens[0].lower()
        if not re.fullmatch(r"[a-z-]+", name) or name in policy:
            raise ValueError(f"invalid or repeated directive {name!r}")
        policy[name] = [t.lower() for t in tokens[1:]]
    return policy


def _csp(result: Result, headers) -> dict | None:
    try:
        policy = parse_csp(headers.get("Content-Security-Policy"))
    except ValueError:
        result.add("content-security-policy", "csp-header-invalid", -25)
        return None
    if policy is None:
        result.add("content-security-policy", "csp-not-implemented", -25)
        return None
    default = policy.get("default-src")
    scripts = policy.get("script-src", default)
    objects = policy.get("object-src", default)
    styles = policy.get("style-src", default)
    if scripts is None:
        result.add("content-security-policy", "csp-not-implemented", -25)
        return policy
    broad = {"'unsafe-inline'", "data:", "*", "http:", "https:"}
    active = set(scripts) | set(objects or [])
    passive = {s for name in ("img-src", "media-src") for s in policy.get(name, default or [])}
    if active & broad:
        outcome = ("csp-implemented-with-unsafe-inline", -20)
    elif "'unsafe-eval'" in active:
        outcome = ("csp-implemented-with-unsafe-eval", -10)
    elif any(s.startswith("http:") for s in active):
        outcome = ("csp-implemented-with-insecure-scheme", -20)
    elif any(s.startswith("http:") for s in passive):
        outcome = ("csp-implemented-with-insecure-scheme-in-passive-content-only", -10)
    elif styles and "'unsafe-inline'" in styles:
        outcome = ("csp-implemented-with-unsafe-inline-in-style-src-only", 0)
    elif default == ["'none'"]:
        outcome = ("csp-implemented-with-no-unsafe-default-src-none", 10)
    else:
        outcome = ("csp-implemented-with-no-unsafe", 5)
    result.add("content-security-policy", *outcome)
    return policy


def _cookies(result: Result, set_cookies: list[str], hsts: bool) -> None:
    if not set_cookies:
        result.add("cookies", "cookies-not-found", 0)
        return
    worst = ("cookies-secure-with-httponly-sessions-and-samesite", 5)
    for raw in set_cookies:
        name = raw.split("=", 1)[0].strip()
        attributes = {a.strip().split("=", 1)[0].lower(): a.strip() for a in raw.split(";")[1:]}
        session = bool(_SESSION_NAME.search(name))
        samesite = attributes.get("samesite", "").split("=", 1)[-1].lower()
        checks = []
        if session and "secure" not in attributes:
            checks.append(
                ("cookies-session-without-secure-flag-but-protected-by-hsts", -10)
                if hsts
                else ("cookies-session-without-secure-flag", -40)
            )
        if session and "httponly" not in attributes:
            checks.append(("cookies-session-without-httponly-flag", -30))
        if not session and "secure" not in attributes:
            checks.append(
                ("cookies-without-secure-flag-but-protected-by-hsts", -5)
                if hsts
                else ("cookies-without-secure-flag", -20)
            )
        if "samesite" in attributes and samesite not in {"lax", "strict", "none"}:
            checks.append(("cookies-samesite-flag-invalid", -20))
        elif samesite not in {"lax", "strict"}:
            checks.append(("cookies-secure-with-httponly-sessions", 0))
        for check in checks:
            if check[1] < worst[1]:
                worst = check
    result.add("cookies", *worst)


def _cors(result: Result, headers) -> None:
    origin = headers.get("Access-Control-Allow-Origin")
    credentials = headers.get("Access-Control-Allow-Credentials", "").lower() == "true"
    if origin is None:
        result.add("cors", "cross-origin-resource-sharing-not-implemented", 0)
    elif origin == "https://observatory.invalid" and credentials:
        result.add("cors", "cross-origin-resource-sharing-implemented-with-universal-access", -50)
    elif origin == "*":
        result.add("cors", "cross-origin-resource-sharing-implemented-with-public-access", 0)
    else:
        result.add("cors", "cross-origin-resource-sharing-implemented-with-restricted-access", 0)


def _redirection(result: Result, http_response, host: str) -> None:
    if http_response is None:
        result.add("redirection", "redirection-not-needed-no-http", 0)
        return
    location = http_response.headers.get("Location")
    if http_response.status_code not in (301, 302, 303, 307, 308) or not location:
        result.add("redirection", "redirection-missing", -20)
        return
    target = urlsplit(location)
    if target.scheme != "https":
        result.add("redirection", "redirection-not-to-https-on-initial-redirection", -10)
    elif target.hostname != host:
        result.add("redirection", "redirection-off-host-from-http", -5)
    else:
        result.add("redirection", "redirection-to-https", 0)


def _referrer(result: Result, headers) -> None:
    value = headers.get("Referrer-Policy")
    if value is None:
        result.add("referrer-policy", "referrer-policy-not-implemented", 0)
        return
    # The last recognised policy wins in browsers.
    policies = [p.strip().lower() for p in value.split(",") if p.strip()]
    private = {"no-referrer", "same-origin", "strict-origin", "strict-origin-when-cross-origin"}
    unsafe = {"origin", "origin-when-cross-origin", "unsafe-url"}
    known = private | unsafe | {"no-referrer-when-downgrade"}
    if not policies or any(p not in known for p in policies):
        result.add("referrer-policy", "referrer-policy-headers-invalid", -5)
    elif policies[-1] in private:
        result.add("referrer-policy", "referrer-policy-private", 5)
    elif policies[-1] in unsafe:
        result.add("referrer-policy", "referrer-policy-unsafe", -5)
    else:
        result.add("referrer-policy", "referrer-policy-no-referrer-when-downgrade", 0)


def _hsts(result: Result, headers, https: bool) -> bool:
    if not https:
        result.add("strict-transport-security", "hsts-not-implemented-no-https", -20)
        return False
    value = headers.get("Strict-Transport-Security")
    if value is None:
        result.add("strict-transport-security", "hsts-not-implemented", -20)
        return False
    match = re.search(r"(?:^|;)\s*max-age\s*=\s*\"?(\d+)\"?", value, re.IGNORECASE)
    if match is None:
        result.add("strict-transport-security", "hsts-header-invalid", -20)
        return False
    if int(match.group(1)) >= SIX_MONTHS:
        result.add("strict-transport-security", "hsts-implemented-max-age-at-least-six-months", 0)
    else:
        result.add(
            "strict-transport-security", "hsts-implemented-max-age-less-than-six-months", -10
        )
    return True


class _Scripts(HTMLParser):
    def __init__(self):
        super().__init__()
        self.scripts: list[dict] = []

    def handle_starttag(self, tag, attrs):
        if tag == "script":
            self.scripts.append(dict(attrs))


def _sri(result: Result, response, host: str) -> None:
    if "html" not in response.headers.get("Content-Type", ""):
        result.add("subresource-integrity", "sri-not-implemented-response-not-html", 0)
        return
    parser = _Scripts()
    parser.feed(response.get_data(as_text=True))
    external = [
        s
        for s in parser.scripts
        if s.get("src") and urlsplit(s["src"]).hostname not in (None, host)
    ]
    if not parser.scripts:
        result.add("subresource-integrity", "sri-not-implemented-but-no-scripts-loaded", 0)
    elif not external:
        result.add(
            "subresource-integrity",
            "sri-not-implemented-but-all-scripts-loaded-from-secure-origin",
            0,
        )
    elif any(urlsplit(s["src"]).scheme == "http" for s in external):
        result.add(
            "subresource-integrity",
            "sri-not-implemented-and-external-scripts-not-loaded-securely",
            -50,
        )
    elif all(s.get("integrity") for s in external):
        result.add(
            "subresource-integrity", "sri-implemented-and-external-scripts-loaded-securely", 5
        )
    else:
        result.add(
            "subresource-integrity", "sri-not-implemented-but-external-scripts-loaded-securely", -5
        )


def _nosniff(result: Result, headers) -> None:
    value = headers.get("X-Content-Type-Options")
    if value is None:
        result.add("x-content-type-options", "x-content-type-options-not-implemented", -5)
    elif value.strip().lower() == "nosniff":
        result.add("x-content-type-options", "x-content-type-options-nosniff", 0)
    else:
        result.add("x-content-type-options", "x-content-type-options-header-invalid", -5)


def _framing(result: Result, headers, policy: dict | None) -> None:
    if policy is not None and "frame-ancestors" in policy:
        result.add("x-frame-options", "x-frame-options-implemented-via-csp", 5)
        return
    value = headers.get("X-Frame-Options")
    if value is None:
        result.add("x-frame-options", "x-frame-options-not-implemented", -20)
    elif value.strip().upper() in {"DENY", "SAMEORIGIN"}:
        result.add("x-frame-options", "x-frame-options-sameorigin-or-deny", 0)
    else:
        result.add("x-frame-options", "x-frame-options-header-invalid", -20)


def _corp(result: Result, headers) -> None:
    value = headers.get("Cross-Origin-Resource-Policy")
    if value is None:
        result.add("cross-origin-resource-policy", "corp-not-implemented", 0)
    elif value.strip().lower() in {"same-origin", "same-site", "cross-origin"}:
        result.add("cross-origin-resource-policy", f"corp-implemented-with-{value.strip()}", 0)
    else:
        result.add("cross-origin-resource-policy", "corp-header-invalid", -5)


def score(response, *, https: bool, host: str, http_response=None) -> Result:
    """Score one response the way the Observatory scores a site's front page.

    ``http_response`` is the answer to the same page over plain http (for the
    redirection test); ``response`` the final answer over https.
    """
    result = Result()
    headers = response.headers
    policy = _csp(result, headers)
    hsts = _hsts(result, headers, https)
    _cookies(result, headers.getlist("Set-Cookie"), hsts)
    _cors(result, headers)
    _redirection(result, http_response, host)
    _referrer(result, headers)
    _sri(result, response, host)
    _nosniff(result, headers)
    _framing(result, headers, policy)
    _corp(result, headers)
    if response.status_code != 200:
        result.add("status", "request-did-not-return-status-code-200", -5)
    return result
