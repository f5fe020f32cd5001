"""Home, gallery and story pages fit small phones and wide screens without sideways scrolling."""

from pathlib import Path

import pytest
from playwright.sync_api import expect

from campaign.extensions import db
from tests.gallery.helpers import ensure_themes, publish

pytestmark = pytest.mark.browser

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
WIDTHS = [360, 1280, 1440]


@pytest.fixture(scope="module")
def stories(live_app):
    with live_app.app_context():
        ensure_themes()
        made = [
            publish(
                "A remarkably long title about a journey across mountains and seas to Helsinki",
                quote="Supercalifragilisticexpialidociouslylongwordwithoutanyspaces" * 2,
                body="We walked for days.\n\n" + "A long paragraph about the road. " * 40,
                origin_country="AF",
                residence_country="FI",
                themes=["journey", "family"],
                featured=True,
            ),
            publish(
                "بيت جديد",
                quote="الوطن ليس مكانا",
                body="كتبت هذه القصة في بيتي الجديد. " * 20,
                origin_country="SY",
                residence_country="SE",
                language="ar",
                themes=["family"],
            ),
            publish(
                "Night shifts",
                quote="Every patient is someone's child",
                origin_country="PH",
                residence_country="DE",
                themes=["work"],
            ),
        ]
        slugs = [story.slug for story in made]
        db.session.remove()
    return slugs


@pytest.mark.parametrize("width", WIDTHS)
def test_public_pages_have_no_horizontal_overflow(live_server, browser, stories, width):
    ARTIFACTS.mkdir(exist_ok=True)
    context = browser.new_context(viewport={"width": width, "height": 900})
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    pages = {
        "home": "/",
        "gallery": "/stories",
        "search": "/stories?q=journey&origin=AF",
        "story": f"/stories/{stories[0]}",
        "story-rtl": f"/stories/{stories[1]}",
    }
    try:
        for name, path in pages.items():
            response = page.goto(f"{live_server}{path}")
            assert response.status == 200, path
            overflow = page.evaluate(
                "document.documentElement.scrollWidth - document.documentElement.clientWidth"
            )
            page.screenshot(path=str(ARTIFACTS / f"{name}-{width}.png"), full_page=True)
            assert overflow <= 0, f"{path} scrolls sideways by {overflow}px at {width}px"
    finally:
        context.close()
    assert errors == []


def test_copy_link_button_appears_with_javascript(live_server, browser, stories):
    context = browser.new_context(permissions=["clipboard-read", "clipboard-write"])
    page = context.new_page()
    try:
        page.goto(f"{live_server}/stories/{stories[2]}")
        button = page.get_by_role("button", name="Copy link")
        button.click()
        # The clipboard answers asynchronously: wait for the status, don't read it at once.
        expect(page.locator("[data-copy-status]")).to_have_text("Link copied")
    finally:
        context.close()


def test_filters_work_without_javascript(live_server, browser, stories):
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    try:
        page.goto(f"{live_server}/stories")
        page.locator(".filters summary").click()
        page.get_by_label("From").select_option("SY")
        page.get_by_role("button", name="Show stories").click()
        page.wait_for_url("**/stories?*origin=SY*")
        titles = page.locator(".card__title").all_inner_texts()
        assert titles == ["بيت جديد"]
    finally:
        context.close()


# ---- The person first (issue 15): what a visitor sees in the first screen ----------

PHONE = {"width": 360, "height": 800}
PORTRAIT = {
    "width": 1200,
    "height": 1600,
    "alt_text": "A woman smiling at a market stall",
    "renditions": [
        {"name": "layout-480.jpg", "width": 480, "height": 640, "format": "jpeg"},
        {"name": "layout-1200.jpg", "width": 1200, "height": 1600, "format": "jpeg"},
    ],
}


@pytest.fixture(scope="module")
def with_a_portrait(live_app, stories):
    with live_app.app_context():
        publish("Market days", quote="I sell the spices of my childhood.", photo=PORTRAIT)
        db.session.remove()


def box(page, selector):
    return page.locator(selector).first.bounding_box()


@pytest.mark.parametrize("language", ["en", "ar"])
def test_a_person_is_in_the_first_phone_screen_of_home_under_a_compact_header(
    live_server, browser, stories, language
):
    context = browser.new_context(viewport=PHONE)
    page = context.new_page()
    page.goto(f"{live_server}/{language}/")
    assert box(page, ".site-header")["height"] <= 120, "the header leaves the screen to people"
    person = box(page, ".hero__person")
    assert person["y"] < 400, "the person leads, high in the first screen"
    assert box(page, ".hero__quote")["y"] + 40 < PHONE["height"], "their words are seen"
    context.close()


TEXT_EDGES = """e => {
  const range = document.createRange();
  range.selectNodeContents(e);
  const drawn = range.getBoundingClientRect();
  return [drawn.left, drawn.right];
}"""


@pytest.mark.parametrize("language", ["en", "ar"])
def test_cards_name_the_person_and_countries_in_words_never_iso_codes(
    live_server, browser, stories, language
):
    context = browser.new_context(viewport=PHONE)
    page = context.new_page()
    page.goto(f"{live_server}/{language}/stories")
    cards = page.locator(".card")
    assert cards.count() >= 3
    for index in range(cards.count()):
        text = cards.nth(index).inner_text()
        for code in ("AF", "FI", "SY", "SE", "PH", "DE"):
            assert f"{code} →" not in text and f"→ {code}" not in text, text
        assert cards.nth(index).locator(".card__person .card__name").inner_text().strip()
    # Without a photo a card leads with the person's own words, on a colour of its own.
    quote_cards = page.locator(".card--quote .card__words")
    assert quote_cards.count() >= 3
    colours = {
        quote_cards.nth(i).evaluate("e => getComputedStyle(e).backgroundColor") for i in range(3)
    }
    assert len(colours) >= 2, "not rows of identical blocks"

    # A name in Latin letters stays on the page's start side, with its distance (where
    # the words are drawn: their range, not the box, which may be the card's width).
    def start(element) -> float:
        left, right = element.evaluate(TEXT_EDGES)
        return right if language == "ar" else left

    for card in cards.all():
        if card.locator(".card__distance").count():
            name, distance = card.locator(".card__name"), card.locator(".card__distance")
            assert abs(start(name) - start(distance)) < 2, name.inner_text()
    context.close()


def test_card_portraits_are_four_by_five(live_server, browser, with_a_portrait):
    context = browser.new_context(viewport={"width": 1366, "height": 900})
    page = context.new_page()
    page.goto(f"{live_server}/en/stories")
    portrait = box(page, ".card__photo img")
    assert abs(portrait["width"] / portrait["height"] - 0.8) < 0.02
    context.close()


# Where the face of a photo lands in its crop, as fractions of the shown box: the
# image's cover scaling and the object-position the stylesheet gave it.
FACE_IN_BOX = """(img, [fx, fy]) => {
  const box = img.getBoundingClientRect();
  const [px, py] = getComputedStyle(img).objectPosition.split(" ").map(parseFloat);
  const w = +img.getAttribute("width"), h = +img.getAttribute("height");
  const scale = Math.max(box.width / w, box.height / h);
  const left = (box.width - w * scale) * px / 100, top = (box.height - h * scale) * py / 100;
  return [(left + fx * w * scale) / box.width, (top + fy * h * scale) / box.height];
}"""


@pytest.fixture(scope="module")
def with_a_wide_photo(live_app, stories):
    # A 16:9 photo whose face is at 85 % of its width: cut in the middle, as before
    # the focal point was used, the 4:5 crop would show 27 % to 73 % and lose it.
    with live_app.app_context():
        publish(
            "The harbour at dawn",
            quote="The sea brought me here.",
            origin_country="PT",
            residence_country="NO",
            photo={
                "width": 1600,
                "height": 900,
                "alt_text": "A fisherman at the edge of a harbour",
                "focal_x": 0.85,
                "focal_y": 0.3,
                "renditions": [
                    {"name": "wide-800.jpg", "width": 800, "height": 450, "format": "jpeg"},
                ],
            },
        )
        db.session.remove()


@pytest.mark.parametrize("language", ["en", "ar"])
def test_a_wide_photos_face_near_its_edge_is_inside_the_four_by_five_card(
    live_server, phone, with_a_wide_photo, language
):
    phone.goto(f"{live_server}/{language}/stories")
    portrait = phone.get_by_alt_text("A fisherman at the edge of a harbour")
    shown = portrait.bounding_box()
    assert abs(shown["width"] / shown["height"] - 0.8) < 0.02
    x, y = portrait.evaluate(FACE_IN_BOX, [0.85, 0.3])
    assert 0.2 < x < 0.9 and 0.1 < y < 0.9, f"the face is at {x:.2f}, {y:.2f} of the card"


@pytest.mark.parametrize("language", ["en", "ar"])
def test_a_story_pages_quote_and_first_lines_are_in_the_first_phone_screen(
    live_server, browser, stories, language
):
    context = browser.new_context(viewport=PHONE)
    page = context.new_page()
    page.goto(f"{live_server}/{language}/stories/{stories[2]}")
    assert box(page, ".story__quote")["y"] < PHONE["height"]
    assert box(page, ".story__body p")["y"] + 30 < PHONE["height"]
    context.close()


def test_the_language_menu_opens_and_switches_without_javascript(live_server, browser, stories):
    context = browser.new_context(viewport=PHONE, java_script_enabled=False)
    page = context.new_page()
    page.goto(f"{live_server}/en/stories")
    menu = page.locator(".language-menu")
    assert not menu.locator(".language-list").is_visible()
    menu.locator("summary").click()
    menu.get_by_role("link", name="العربية").click()
    page.wait_for_url("**/ar/stories")
    assert page.locator("html").get_attribute("dir") == "rtl"
    context.close()


@pytest.mark.parametrize("language", ["en", "ar"])
def test_a_printed_story_carries_the_campaigns_mark_and_where_to_read_more(
    live_server, browser, stories, language
):
    context = browser.new_context(viewport={"width": 794, "height": 1123})  # A4 at 96 dpi
    page = context.new_page()
    page.goto(f"{live_server}/{language}/stories/{stories[2]}")
    assert not page.locator(".print-only").is_visible(), "on screen it is not said"
    page.emulate_media(media="print")
    assert page.locator(".site-name__mark").is_visible()
    for gone in (".site-header nav", ".share", ".site-footer", ".more"):
        assert not page.locator(gone).first.is_visible(), gone
    source = page.locator(".print-only")
    assert source.is_visible()
    assert f"/{language}/stories/{stories[2]}" in source.inner_text()
    context.close()
