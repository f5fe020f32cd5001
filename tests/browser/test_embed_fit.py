"""The embed on a partner's page, served from another origin: the frame takes the
height of its stories (postMessage and the partner script), keeps its fixed height
without the script, fits a phone's width, and shows Arabic stories right to left."""

import threading

import pytest
from werkzeug.serving import make_server
from werkzeug.wrappers import Response

from campaign.extensions import db
from campaign.models import StoryStatus
from tests.browser.conftest import PHONE
from tests.factories import make_story

pytestmark = pytest.mark.browser

LAPTOP = {"width": 1366, "height": 900}
ARABIC_QUOTE = "تعلّمت أن البيت ليس مكانًا، بل أناس نحبهم."


def partner_page(live_server: str, embed: str, script: bool) -> str:
    """A partner's page as the builder tells them to write it (their own text around it)."""
    tag = f'<script src="{live_server}/static/js/embed.js" async></script>' if script else ""
    return f"""<!doctype html><html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1"><title>Partner</title></head>
<body><h1>Our partner's page</h1>
<iframe src="{live_server}{embed}" width="600" height="640" title="Stories"
 style="inline-size:100%;max-inline-size:600px;border:0"></iframe>{tag}
<p id="after">The partner's own text after the stories.</p></body></html>"""


@pytest.fixture(scope="module")
def partner(live_app, live_server):
    """A second server on another port (another origin) that serves partner pages:
    /with-script/<embed address> and /without-script/<embed address>."""

    def wsgi(environ, start_response):
        kind, _slash, embed = environ["PATH_INFO"].lstrip("/").partition("/")
        query = environ.get("QUERY_STRING")
        embed = "/" + embed + (f"?{query}" if query else "")
        body = partner_page(live_server, embed, script=kind == "with-script")
        return Response(body, mimetype="text/html")(environ, start_response)

    server = make_server("127.0.0.1", 0, wsgi, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    origin = f"http://127.0.0.1:{server.server_port}"
    # The site lets https: pages frame its embeds; this test partner is on http.
    live_app.config["EMBED_FRAME_ANCESTORS"] = f"'self' https: {origin}"
    with live_app.app_context():
        for number in range(3):
            make_story(StoryStatus.PUBLISHED, title=f"On the road, part {number + 1}")
        make_story(
            StoryStatus.PUBLISHED,
            title="رحلتي إلى برلين",
            quote=ARABIC_QUOTE,
            language="ar",
            origin_country="SY",
            residence_country="DE",
        )
        db.session.remove()
    yield origin
    server.shutdown()
    thread.join()


FRAME_FITS = """() => {
  const frame = document.querySelector('iframe');
  const height = frame.getBoundingClientRect().height;
  return height !== 640 && Math.abs(height - window.told) <= 1;
}"""
# What the frame last said, heard the way the partner script hears it.
LISTEN = """
window.told = 0;
addEventListener('message', (event) => {
  if (event.data && event.data.type === 'campaign-embed:height') window.told = event.data.height;
});
"""


def frame_box(page) -> dict:
    return page.locator("iframe").bounding_box()


def test_the_frame_takes_the_height_of_its_stories_on_a_partner_page(phone, partner):
    page = phone
    page.add_init_script(LISTEN)
    page.goto(f"{partner}/with-script/embed?limit=4")
    page.wait_for_function(FRAME_FITS)
    phone = frame_box(page)
    # Full width on a phone: inside the partner's column, no sideways scrolling.
    assert phone["width"] <= PHONE["width"] - 16
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    # Four cards one above the other: taller than the fixed 640 px; nothing scrolls inside.
    assert phone["height"] > 640
    frame = page.frame_locator("iframe")
    inner = frame.locator("html").evaluate("html => html.getBoundingClientRect().height")
    assert abs(inner - phone["height"]) <= 1
    # The partner's own text follows the stories at once.
    assert page.locator("#after").bounding_box()["y"] >= phone["y"] + phone["height"]

    # A wide screen: two cards a row, and the frame shrinks with them.
    page.set_viewport_size(LAPTOP)
    page.wait_for_function(
        f"() => document.querySelector('iframe').getBoundingClientRect().height < {phone['height']}"
    )
    page.wait_for_function(FRAME_FITS)
    laptop = frame_box(page)
    assert laptop["width"] == 600
    assert laptop["height"] < phone["height"]


def test_without_the_script_the_frame_keeps_its_fixed_height(phone, partner):
    page = phone
    page.goto(f"{partner}/without-script/embed?limit=4")
    frame = page.frame_locator("iframe")
    frame.get_by_text("On the road, part 1").wait_for()
    box = frame_box(page)
    assert box["height"] == 640  # the stories scroll inside it
    assert box["width"] <= PHONE["width"] - 16  # still full width, by the snippet's style


def test_an_arabic_embed_reads_right_to_left_with_its_punctuation_at_the_end(phone, partner):
    page = phone
    page.add_init_script(LISTEN)
    page.goto(f"{partner}/with-script/ar/embed?layout=compact&limit=1")
    page.wait_for_function(FRAME_FITS)
    frame = page.frame_locator("iframe")
    assert frame.locator("html").get_attribute("dir") == "rtl"
    quote = frame.locator(".card__quote p")
    assert quote.get_attribute("dir") is None  # inherited from the blockquote
    assert frame.locator(".card__quote").get_attribute("dir") == "rtl"
    # Where the quote's first letter and its closing full stop are drawn: the stop is
    # at the end of a right-to-left line, on the left of the words, not after them on
    # the right as in a left-to-right paragraph.
    places = quote.evaluate(
        """p => {
          const text = [...p.childNodes].find(node => node.nodeType === Node.TEXT_NODE);
          const at = (index) => {
            const range = document.createRange();
            range.setStart(text, index); range.setEnd(text, index + 1);
            return range.getBoundingClientRect();
          };
          const stop = text.data.lastIndexOf('.');
          return {first: at(0).right, stop: at(stop).left, paragraph: p.getBoundingClientRect()};
        }"""
    )
    assert places["stop"] < places["first"]
    assert places["first"] > places["paragraph"]["x"] + places["paragraph"]["width"] / 2
    meta = frame.locator(".card__meta").inner_text()
    assert "سوريا" in meta and "ألمانيا" in meta
