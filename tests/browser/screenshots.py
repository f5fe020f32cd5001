"""`make screenshots`: every public page, phone (360×800) and laptop (1366×900), in
English and Arabic, and a story as it prints, written to test-artifacts/screenshots/
(git-ignored) for review.

A throw-away SQLite database with the demo's sample stories, served on a free
loopback port; the system Chromium takes the pictures (the same as the browser
tests). Open the files with an image viewer and judge them as a visitor would.
"""

import logging
import sys
import tempfile
import threading
from pathlib import Path

from playwright.sync_api import sync_playwright
from werkzeug.serving import make_server

from campaign import create_app
from campaign.extensions import db
from tests.browser.conftest import CHROMIUM, CHROMIUM_ARGS
from tests.helpers import app_config

OUT = Path(__file__).resolve().parents[2] / "test-artifacts" / "screenshots"
DEVICES = {"phone": {"width": 360, "height": 800}, "laptop": {"width": 1366, "height": 900}}
LANGUAGES = ("en", "ar")
PAGES = {
    "home": "/",
    "gallery": "/stories",
    "story": "/stories/{slug}",
    "share": "/share",
    "privacy": "/privacy",
    "about": "/about",
    "journeys": "/journeys",
    "embed-builder": "/embed/builder",
    "lost-link": "/lost-link",
    "not-found": "/no-such-page",
}


def serve(folder: Path):
    app = create_app(
        app_config(f"sqlite:///{folder / 'shots.sqlite3'}", SERVER_NAME=None),
        instance_path=str(folder),
    )
    with app.app_context():
        db.create_all()
        result = app.test_cli_runner().invoke(args=["demo", "samples"])
        assert result.exit_code == 0, result.output
        slug = db.session.execute(db.text("SELECT slug FROM story LIMIT 1")).scalar_one()
        db.session.remove()
    server = make_server("127.0.0.1", 0, app, threaded=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, f"http://127.0.0.1:{server.server_port}", slug


def main() -> int:
    logging.getLogger("werkzeug").setLevel(logging.ERROR)  # one line a picture, not a request
    OUT.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as folder:
        server, base, slug = serve(Path(folder))
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            for device, viewport in DEVICES.items():
                context = browser.new_context(viewport=viewport)
                page = context.new_page()
                for name, path in PAGES.items():
                    for language in LANGUAGES:
                        page.goto(f"{base}/{language}{path.format(slug=slug)}")
                        page.wait_for_load_state("networkidle")
                        file = OUT / f"{name}-{device}-{language}.png"
                        page.screenshot(path=str(file), full_page=True)
                        print(file.relative_to(OUT.parents[1]))
                context.close()
            # A story on paper (static/css/print.css), A4 at 96 dpi, as an exhibition prints it.
            context = browser.new_context(viewport={"width": 794, "height": 1123})
            page = context.new_page()
            page.emulate_media(media="print")
            for language in LANGUAGES:
                page.goto(f"{base}/{language}{PAGES['story'].format(slug=slug)}")
                page.wait_for_load_state("networkidle")
                file = OUT / f"story-print-{language}.png"
                page.screenshot(path=str(file), full_page=True)
                print(file.relative_to(OUT.parents[1]))
            context.close()
            browser.close()
        server.shutdown()
    return 0


if __name__ == "__main__":
    sys.exit(main())
