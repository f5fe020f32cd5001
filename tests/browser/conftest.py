"""A live server on a free loopback port and the system Chromium, driven by Playwright."""

import shutil
import threading
from pathlib import Path

import pytest
from playwright.sync_api import sync_playwright
from werkzeug.serving import make_server

from campaign import create_app
from campaign.extensions import db
from tests.helpers import app_config, missing

# Debian's old headless shell (package chromium-headless-shell), where installed: the
# same engine without the browser's window machinery, at about half the CPU of
# `chromium --headless` per page (the browser tests' largest cost; .ci/run installs it).
# Playwright launches it itself, not through /usr/bin's shell-script wrapper.
# Lighthouse (bench/lighthouse.py) runs the whole browser, as a visitor's is.
FULL_CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
HEADLESS_SHELL = "/usr/lib/chromium/chromium-headless-shell"
CHROMIUM = HEADLESS_SHELL if Path(HEADLESS_SHELL).exists() else FULL_CHROMIUM
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


# One app, database and server per test module: what one module's journeys
# store (stories, rate-limit counts) never changes what another module sees.
@pytest.fixture(scope="module")
def live_app(tmp_path_factory):
    folder = tmp_path_factory.mktemp("live")
    app = create_app(
        app_config(
            f"sqlite:///{folder / 'live.sqlite3'}",
            WTF_CSRF_ENABLED=True,
            SERVER_NAME=None,
            SHARE_MIN_FILL_SECONDS=0,  # a robot-speed check; the browser tests type fast
        ),
        instance_path=str(folder),
    )
    with app.app_context():
        db.create_all()
    yield app
    with app.app_context():
        db.engine.dispose()


def answered_whole(app):
    """Each answer read and closed before it is sent: a browser that leaves a page while
    a file (a font, a photo) is still coming drops the connection, and the development
    server would then leave that file open (a ResourceWarning, an error under
    filterwarnings). The site's answers are small; none is streamed."""

    def wsgi(environ, start_response):
        iterable = app(environ, start_response)
        try:
            body = b"".join(iterable)
        finally:
            close = getattr(iterable, "close", None)
            if close is not None:
                close()
        return [body]

    return wsgi


@pytest.fixture(scope="module")
def live_server(live_app):
    server = make_server("127.0.0.1", 0, answered_whole(live_app), threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join()


@pytest.fixture(scope="session")
def browser():
    if not Path(CHROMIUM).exists():
        missing("Chromium is not installed (apt-get install chromium)")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def context(browser):
    context = browser.new_context()
    yield context
    context.close()


@pytest.fixture
def page(context):
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    yield page
    assert errors == [], f"JavaScript errors: {errors}"


PHONE = {"width": 360, "height": 800}  # a cheap phone's screen


@pytest.fixture
def phone(browser):
    """A page on a 360×800 phone that fails the test on any JavaScript error."""
    context = browser.new_context(viewport=PHONE)
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    yield page
    context.close()
    assert errors == [], f"JavaScript errors: {errors}"


@pytest.fixture
def clipboard_phone(browser, live_server):
    """A 360×800 touch phone whose pages may use the clipboard; fails the test on any
    JavaScript error."""
    context = browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True)
    context.grant_permissions(["clipboard-read", "clipboard-write"], origin=live_server)
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    yield page
    context.close()
    assert errors == []
