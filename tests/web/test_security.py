"""Headers, cookies and start-up checks: what a browser and an attacker see."""

import pytest
from flask import request
from werkzeug.datastructures import Headers

from campaign import create_app
from campaign.config import ConfigurationError
from campaign.extensions import db as _db
from campaign.responses import embeddable
from tests import observatory
from tests.factories import make_story


def production_config(tmp_path, **overrides) -> dict:
    config = {
        "TESTING": True,  # keeps the test logging set-up; everything else is production
        "CAMPAIGN_ENV": "production",
        "SECRET_KEY": "a-production-like-secret-key-for-tests-only",
        "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'prod.sqlite3'}",
        "TRUSTED_HOSTS": ["stories.example.org"],
        "REDIRECT_TO_HTTPS": True,
        "PROPAGATE_EXCEPTIONS": False,
    }
    config.update(overrides)
    return config


@pytest.fixture
def production(tmp_path):
    app = create_app(production_config(tmp_path), instance_path=str(tmp_path))
    with app.app_context():
        _db.create_all()
        yield app
        _db.session.remove()
        _db.engine.dispose()


HTTPS = "https://stories.example.org"
HTTP = "http://stories.example.org"


@pytest.mark.parametrize("path", ["/", "/share", "/stories", "/login"])
def test_production_pages_score_a_plus_on_the_http_observatory(production, path):
    client = production.test_client()
    over_http = client.get(path, base_url=HTTP)
    response = client.get(path, base_url=HTTPS, headers={"Origin": "https://observatory.invalid"})
    result = observatory.score(
        response, https=True, host="stories.example.org", http_response=over_http
    )
    assert result.grade == "A+", f"{result.score}\n{result.explain()}"
    assert result.score >= 100


def test_the_scorer_punishes_a_weak_site():
    """The scorer is not a rubber stamp: a site without the headers fails."""

    class Bare:
        status_code = 200
        headers = Headers({"Content-Type": "text/html", "Set-Cookie": "session=1; Path=/"})

        def get_data(self, as_text=False):
            return '<script src="http://cdn.example/x.js"></script>'

    result = observatory.score(Bare(), https=False, host="stories.example.org")
    assert result.grade == "F", result.explain()


def test_production_session_cookie_is_host_prefixed_secure_httponly_lax(production):
    client = production.test_client()
    response = client.get("/share", base_url=HTTPS)
    cookies = response.headers.getlist("Set-Cookie")
    session = next(c for c in cookies if c.startswith("__Host-session="))
    attributes = {a.strip().lower() for a in session.split(";")[1:]}
    assert {"secure", "httponly", "samesite=lax", "path=/"} <= attributes
    assert not any(a.startswith("domain=") for a in attributes)


def test_hsts_only_over_https(production):
    client = production.test_client()
    assert "Strict-Transport-Security" not in client.get("/healthz", base_url=HTTP).headers
    hsts = client.get("/", base_url=HTTPS).headers["Strict-Transport-Security"]
    assert hsts.startswith("max-age=") and int(hsts.split("=")[1].split(";")[0]) >= 31_536_000
    assert "includeSubDomains" in hsts  # ASVS 5.0 V3.4.1, Level 2


def test_plain_http_is_redirected_to_https_except_the_health_check(production):
    client = production.test_client()
    response = client.get("/stories?after=x", base_url=HTTP)
    assert response.status_code == 308
    assert response.headers["Location"] == f"{HTTPS}/stories?after=x"
    assert client.get("/healthz", base_url=HTTP).status_code == 200


def test_unknown_host_names_are_refused(production):
    client = production.test_client()
    assert client.get("/", base_url="https://evil.example").status_code == 400
    assert client.get("/", base_url=HTTPS).status_code == 200


def test_behind_a_proxy_the_forwarded_scheme_and_client_are_trusted(tmp_path, add_route):
    app = create_app(
        production_config(tmp_path, PROXY_FIX_X_FOR=1, PROXY_FIX_X_PROTO=1),
        instance_path=str(tmp_path),
    )
    seen = {}

    def whoami():
        seen["addr"], seen["secure"] = request.remote_addr, request.is_secure
        return "ok"

    add_route(app, "/whoami", whoami)
    response = app.test_client().get(
        "/whoami",
        base_url=HTTP,
        headers={"X-Forwarded-For": "203.0.113.9", "X-Forwarded-Proto": "https"},
    )
    assert response.status_code == 200
    assert seen == {"addr": "203.0.113.9", "secure": True}
    assert "Strict-Transport-Security" in response.headers


def test_production_refuses_to_start_in_debug_mode(tmp_path):
    with pytest.raises(ConfigurationError, match="Debug mode"):
        create_app(production_config(tmp_path, DEBUG=True), instance_path=str(tmp_path))


def test_a_crash_shows_the_friendly_page_and_no_traceback(production, add_route):
    def boom():
        raise RuntimeError("secret internals: /srv/app/campaign/views.py line 42")

    add_route(production, "/boom", boom)
    response = production.test_client().get("/boom", base_url=HTTPS)
    body = response.get_data(as_text=True)
    assert response.status_code == 500
    assert "Something went wrong" in body
    assert "Traceback" not in body and "secret internals" not in body and ".py" not in body
    assert "Werkzeug" not in response.headers.get("Server", "")


def test_error_pages_carry_the_security_headers(production):
    response = production.test_client().get("/no-such-page", base_url=HTTPS)
    assert response.status_code == 404
    assert "frame-ancestors 'none'" in response.headers["Content-Security-Policy"]
    assert response.headers["X-Content-Type-Options"] == "nosniff"


def test_pages_refuse_framing_but_embeddable_views_allow_it(app, client, add_route):
    @embeddable
    def widget():
        return "<p>widget</p>"

    framed = client.get(add_route(app, "/embed-test", widget))
    normal = client.get("/")
    assert "frame-ancestors 'none'" in normal.headers["Content-Security-Policy"]
    assert normal.headers["X-Frame-Options"] == "DENY"
    assert normal.headers["Cross-Origin-Resource-Policy"] == "same-origin"
    assert "frame-ancestors 'self' https:" in framed.headers["Content-Security-Policy"]
    assert "X-Frame-Options" not in framed.headers
    assert framed.headers["Cross-Origin-Resource-Policy"] == "cross-origin"
    # The rest of the policy stays as strict on embeddable views.
    for csp in (
        normal.headers["Content-Security-Policy"],
        framed.headers["Content-Security-Policy"],
    ):
        policy = observatory.parse_csp(csp)
        assert "'unsafe-inline'" not in policy["script-src"] + policy["style-src"]
        assert policy["object-src"] == ["'none'"] and policy["base-uri"] == ["'none'"]


def test_every_page_sends_the_full_set_of_headers(client):
    response = client.get("/")
    assert response.headers["Referrer-Policy"] == "strict-origin-when-cross-origin"
    assert "camera=()" in response.headers["Permissions-Policy"]
    assert response.headers["Cross-Origin-Opener-Policy"] == "same-origin"


def test_private_link_pages_are_no_store_and_send_no_referrer(client, db):
    story = make_story()
    response = client.get(f"/my-story/{story.token}")
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "no-store"
    assert response.headers["Referrer-Policy"] == "no-referrer"


@pytest.mark.parametrize("config_overrides", [{"TOKEN_LOOKUP_RATE_LIMIT": "5 per minute"}])
def test_private_link_guessing_is_rate_limited(client, db):
    answers = [client.get(f"/my-story/guess{n}") for n in range(7)]
    assert [a.status_code for a in answers] == [404] * 5 + [429, 429]
    assert "Please try again later" in answers[-1].get_data(as_text=True)
    assert answers[-1].headers["Cache-Control"] == "no-store"


def test_trace_is_not_supported(client):
    assert client.open("/", method="TRACE").status_code == 405


# A NUL byte or another control character in a filter or search word: PostgreSQL
# refuses NUL outright, so unfiltered it became a 500 (schemathesis found it).
# In a path it names nothing: a 404 (web/test_params.py).
CONTROL_CHARACTER_URLS = [
    "/stories?language=%00&origin=to",
    "/stories?q=bread%00&theme=wo%01rk",
    "/api/v1/stories?language=%00&theme=%00&q=%00",
    "/moderate?q=%00&language=%00&theme=%00&country=%00",
    "/moderate/log?action=%00",
]


@pytest.mark.both_databases
@pytest.mark.parametrize("url", CONTROL_CHARACTER_URLS)
def test_control_characters_in_filters_are_dropped_not_a_server_error(signed_in, url):
    response = signed_in.get(url)
    assert response.status_code == 200, response.get_data(as_text=True)[:300]


def test_scripts_styles_and_fonts_carry_only_the_headers_they_need(client):
    """Each file of a page crosses a slow line: no document-only headers on them,
    and never a type a browser could sniff into something else."""
    for url in (
        "/static/css/site.css",
        "/static/js/site.js",
        "/static/fonts/noto-sans-latin-400.woff2",
    ):
        with client.get(url) as response:
            assert response.status_code == 200
            assert response.headers["X-Content-Type-Options"] == "nosniff", url
            assert response.headers["Cross-Origin-Resource-Policy"] == "same-origin", url
            for document_only in (
                "Content-Security-Policy",
                "Permissions-Policy",
                "X-Frame-Options",
            ):
                assert document_only not in response.headers, (url, document_only)
    with client.get("/static/img/mark.svg") as svg:  # an SVG opened alone is a document
        assert "script-src 'self'" in svg.headers["Content-Security-Policy"]
