"""What a storyteller's phone sends with a photo, before and after the browser shrinks it.

A 12-megapixel JPEG of about 4 MB (coloured quarters under camera-like grain, stored
sideways with an EXIF orientation, as phones do) is sent through the share form in
Chromium at 360x800: once with JavaScript off (the plain post: the photo as it is), once
with it (share-photo.js: 2000 px, JPEG). Prints the bytes of each request body and the
time to send it at 32 KB/s: measured with Chromium's network emulation for the shrunk
photo, worked out from the bytes for the original (it takes minutes; `--measure-both`
measures it too).

    .venv/bin/python -m bench.upload [--measure-both]
"""

import argparse
import io
import tempfile
import threading
import time
from pathlib import Path

from PIL import Image
from playwright.sync_api import sync_playwright
from werkzeug.serving import make_server

from campaign import create_app
from campaign.extensions import db
from tests.browser.conftest import FULL_CHROMIUM

RATE = 32 * 1024  # bytes per second
ORIENTATION = 0x0112


def phone_photo(size=(4000, 3000)) -> bytes:
    width, height = size
    quarters = Image.new("RGB", size)
    colours = ((230, 30, 30), (30, 200, 30), (30, 30, 230), (240, 240, 40))
    corners = ((0, 0), (width // 2, 0), (0, height // 2), (width // 2, height // 2))
    for (left, top), colour in zip(corners, colours, strict=True):
        quarters.paste(colour, (left, top, left + width // 2, top + height // 2))
    photo = Image.blend(quarters, Image.effect_noise(size, 40).convert("RGB"), 0.25)
    exif = Image.Exif()
    exif[ORIENTATION] = 6
    buffer = io.BytesIO()
    photo.save(buffer, "JPEG", quality=90, exif=exif.tobytes())
    return buffer.getvalue()


def serve(folder: Path):
    app = create_app(
        {
            "CAMPAIGN_ENV": "development",
            "SECRET_KEY": "bench-upload",
            "SQLALCHEMY_DATABASE_URI": f"sqlite:///{folder / 'bench.sqlite3'}",
            "MEDIA_ROOT": str(folder / "media"),
            "SHARE_MIN_FILL_SECONDS": 0,
            "RATELIMIT_ENABLED": False,
        },
        instance_path=str(folder),
    )
    with app.app_context():
        db.create_all()
    bodies: list[int] = []
    inner = app.wsgi_app

    def counting(environ, start_response):
        if environ["REQUEST_METHOD"] == "POST":
            bodies.append(int(environ.get("CONTENT_LENGTH") or 0))
        return inner(environ, start_response)

    app.wsgi_app = counting
    server = make_server("127.0.0.1", 0, app, threaded=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, f"http://127.0.0.1:{server.server_port}", bodies


def send(browser, base: str, photo: Path, *, javascript: bool, throttle: bool) -> float:
    context = browser.new_context(
        viewport={"width": 360, "height": 800}, java_script_enabled=javascript
    )
    page = context.new_page()
    page.set_default_timeout(600_000)  # the original photo takes minutes at 32 KB/s
    page.goto(f"{base}/share")
    page.fill("#title", "Measured")
    page.fill("#body", "We arrived by boat at dawn. The harbour was quiet and cold. " * 3)
    page.fill("#author_name", "Yusuf")
    page.select_option("#origin_country", "ER")
    page.select_option("#residence_country", "IT")
    page.check("#age_confirmed")
    page.check("#consent")
    page.set_input_files("#photo", photo)
    if javascript:
        page.locator("#photo-status").wait_for(state="hidden")  # shrunk, ready
    if throttle:
        cdp = context.new_cdp_session(page)
        cdp.send("Network.enable")
        conditions = {
            "offline": False,
            "latency": 150,
            "downloadThroughput": RATE,
            "uploadThroughput": RATE,
        }
        cdp.send("Network.emulateNetworkConditions", conditions)
    started = time.monotonic()
    page.click("button[type=submit]", no_wait_after=True)
    page.wait_for_url("**/share/thanks")
    elapsed = time.monotonic() - started
    context.close()
    return elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--measure-both", action="store_true")
    measure_both = parser.parse_args().measure_both
    with tempfile.TemporaryDirectory() as scratch:
        folder = Path(scratch)
        photo = folder / "IMG_2041.jpg"
        photo.write_bytes(phone_photo())
        chosen = photo.stat().st_size
        server, base, bodies = serve(folder)
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(
                executable_path=FULL_CHROMIUM, args=["--headless", "--no-sandbox"]
            )
            plain_time = send(browser, base, photo, javascript=False, throttle=measure_both)
            shrunk_time = send(browser, base, photo, javascript=True, throttle=True)
            browser.close()
        server.shutdown()
    plain, shrunk = bodies
    print(f"photo chosen: {chosen / 1e6:.2f} MB, 4000 x 3000 (12 MP)")
    plain_seconds = f"{plain_time:.0f} s measured" if measure_both else f"{plain / RATE:.0f} s"
    print(f"request without JavaScript: {plain / 1e6:.2f} MB, at 32 KB/s {plain_seconds}")
    shrunk_seconds = f"{shrunk_time:.1f} s measured ({shrunk / RATE:.1f} s for the bytes alone)"
    print(f"request with JavaScript:    {shrunk / 1e6:.2f} MB, at 32 KB/s {shrunk_seconds}")
    print(f"sent: {shrunk / plain:.0%} of the bytes")


if __name__ == "__main__":
    main()
