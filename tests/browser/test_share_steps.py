"""The share form that guides, on a 360 × 800 phone: three steps with JavaScript, one
page without; checks per step in the server's words; the counter; the warning
before leaving; controls large enough for a finger."""

import re
from datetime import date

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from campaign.extensions import db
from campaign.models import NameDisplay, Story
from tests.browser.helpers import STORY, fill_share_form, next_step, send_unchecked
from tests.submissions.helpers import form_data

pytestmark = pytest.mark.browser

PHONE = {"width": 360, "height": 800}


@pytest.fixture
def context(browser):
    context = browser.new_context(viewport=PHONE)
    yield context
    context.close()


def shown_step(page) -> str:
    steps = page.locator(".step:not([hidden])")
    assert steps.count() == 1, "one step at a time"
    return steps.get_attribute("id")


def focused_id(page) -> str:
    return page.evaluate("document.activeElement.id")


def client_errors(page) -> dict[str, str]:
    return page.evaluate(
        "() => Object.fromEntries([...document.querySelectorAll('p.error')]"
        ".map(e => [e.id.replace(/-error$/, ''), e.textContent.trim()]))"
    )


def server_errors(live_app, **changes) -> dict[str, str]:
    """What the server says of the same answers (the form re-shown with its errors)."""
    live_app.config["WTF_CSRF_ENABLED"] = False
    try:
        with live_app.app_context(), live_app.test_client() as client:
            page = client.post("/share", data=form_data(**changes)).get_data(as_text=True)
    finally:
        live_app.config["WTF_CSRF_ENABLED"] = True
    return {
        field: re.sub(r"\s+", " ", text).strip()
        for field, text in re.findall(r'<p class="error" id="([\w-]+)-error">([^<]*)</p>', page)
    }


def test_the_story_comes_first_in_step_one_of_three(live_server, page):
    page.goto(f"{live_server}/share")
    assert shown_step(page) == "step-story"
    heading = page.locator("#step-story-heading")
    assert heading.inner_text().split("\n")[0] == "Step 1 of 3"
    assert "Stay safe" in page.locator(".step:not([hidden]) .safety-note").inner_text()
    assert "surnames" in page.locator(".safety-note").inner_text()
    body, title = page.locator("#body").bounding_box(), page.locator("#title").bounding_box()
    assert body["y"] < title["y"], "the title is not asked first"
    assert not page.get_by_role("button", name="Send my story").is_visible()


def test_next_checks_the_step_in_the_servers_words_and_back_keeps_everything(
    live_app, live_server, page
):
    page.goto(f"{live_server}/share")
    next_step(page)
    assert shown_step(page) == "step-story", "an empty step is not left"
    assert focused_id(page) == "body", "focus goes to the first thing to fix"
    assert client_errors(page) == {
        "body": "Write your story here.",
        "title": "Give your story a title.",
    }
    assert page.locator("#body").get_attribute("aria-invalid") == "true"
    assert "body-error" in page.locator("#body").get_attribute("aria-describedby")

    page.locator("#body").fill("Too short.")
    page.locator("#title").fill("Spring")
    next_step(page)
    short = server_errors(live_app, body="Too short.", title="Spring")
    assert client_errors(page) == {"body": short["body"]}
    assert page.locator("#title").get_attribute("aria-invalid") is None, "a fixed field is clear"

    page.locator("#body").fill(STORY)
    next_step(page)
    assert shown_step(page) == "step-about"
    assert focused_id(page) == "step-about-heading"
    assert page.locator("#step-about-heading").inner_text().startswith("Step 2 of 3")

    # The default "first name only" with no name, a year out of range: the server's rules.
    page.locator("#moved_year").fill("1850")
    next_step(page)
    assert shown_step(page) == "step-about"
    expected = server_errors(
        live_app, author_name="", origin_country="", residence_country="", moved_year="1850"
    )
    step_two = ["author_name", "origin_country", "residence_country", "moved_year"]
    assert client_errors(page) == {field: expected[field] for field in step_two}
    assert expected["moved_year"] == f"Enter a year between 1900 and {date.today().year}."
    assert focused_id(page) == "author_name"

    page.locator(".step:not([hidden]) [data-step-back]").click()
    assert shown_step(page) == "step-story"
    assert focused_id(page) == "step-story-heading"
    assert page.locator("#body").input_value() == STORY
    assert page.locator("#title").input_value() == "Spring"


def test_step_three_asks_for_consent_and_an_address_for_the_link(live_app, live_server, page):
    page.goto(f"{live_server}/share")
    fill_share_form(page)
    page.locator("#consent").uncheck()
    page.locator("#send_link").check()
    page.get_by_role("button", name="Send my story").click()
    assert shown_step(page) == "step-permission", "nothing was sent"
    expected = server_errors(live_app, consent=None, contact_email="", send_link="y")
    assert client_errors(page) == {
        "consent": expected["consent"],
        "send_link": expected["send_link"],
    }
    assert focused_id(page) == "consent"


def test_staying_anonymous_needs_no_name_and_hides_the_name_field(live_app, live_server, page):
    page.goto(f"{live_server}/share")
    page.locator("#body").fill(STORY)
    page.locator("#title").fill("Nobody's name")
    next_step(page)
    assert page.locator("#author_name").is_visible()
    page.get_by_label("Stay anonymous").check()
    assert not page.locator("#author_name").is_visible()
    page.locator("#origin_country").select_option("ER")
    page.locator("#residence_country").select_option("IT")
    next_step(page)
    assert shown_step(page) == "step-permission", "no name is asked of who stays anonymous"
    page.locator("#age_confirmed").check()
    page.locator("#consent").check()
    with page.expect_navigation():
        page.get_by_role("button", name="Send my story").click()
    assert page.url.endswith("/share/thanks")
    with live_app.app_context():
        story = db.session.scalar(select(Story).where(Story.title == "Nobody's name"))
        assert story.name_display is NameDisplay.ANONYMOUS
        db.session.remove()


def test_enter_in_a_field_goes_to_the_next_step_only_once_the_step_is_right(live_server, page):
    posts = []  # the form sent (a page), not the language guess the script may ask for

    def sent_form(request):
        if request.method == "POST" and request.resource_type == "document":
            posts.append(request)

    page.on("request", sent_form)
    page.goto(f"{live_server}/share")
    page.locator("#body").fill(STORY)
    page.locator("#title").press("Enter")
    assert shown_step(page) == "step-story"
    assert client_errors(page) == {"title": "Give your story a title."}
    page.locator("#title").fill("Harbour")
    page.locator("#title").press("Enter")
    assert shown_step(page) == "step-about"
    page.locator("#author_name").press("Enter")
    assert shown_step(page) == "step-about"
    assert "author_name" in client_errors(page)
    page.locator("#author_name").fill("Yusuf")
    page.locator("#origin_country").select_option("ER")
    page.locator("#residence_country").select_option("IT")
    page.locator("#author_name").press("Enter")
    assert shown_step(page) == "step-permission"
    page.locator("#contact_email").fill("yusuf@example.org")
    page.locator("#contact_email").press("Enter")
    assert shown_step(page) == "step-permission"
    assert set(client_errors(page)) == {"age_confirmed", "consent"}
    assert posts == [], "nothing was sent unchecked"


def test_a_server_error_opens_the_step_that_holds_it(live_server, page):
    page.goto(f"{live_server}/share")
    fill_share_form(page)
    page.locator("#consent").uncheck()
    send_unchecked(page)
    assert shown_step(page) == "step-permission"
    assert page.locator("#consent-error").is_visible()
    assert page.locator("#error-summary").is_visible(), "the summary stays above the steps"
    assert page.locator("#author_name").input_value() == "Yusuf", "nothing typed is lost"

    page.locator("#consent").check()
    page.locator("#body").evaluate("body => { body.value = 'Too short.'; }")
    send_unchecked(page)
    assert shown_step(page) == "step-story"
    assert "at least 50 characters" in page.locator("#body-error").inner_text()
    # Fixed, the story goes through the steps again and is sent.
    page.locator("#body").fill(STORY)
    next_step(page)
    next_step(page)
    with page.expect_navigation():
        page.get_by_role("button", name="Send my story").click()
    assert page.url.endswith("/share/thanks")


def counter(page) -> tuple[str, str]:
    count = page.locator("#body-count")
    return count.inner_text(), count.get_attribute("data-state")


def test_the_counter_is_friendly_and_neutral_until_the_first_keystroke(live_server, page):
    page.goto(f"{live_server}/share")
    assert not page.locator("#body-count").is_visible(), "nothing is counted before typing"
    page.locator("#body").press_sequentially("Twelve chars")
    assert counter(page) == ("38 more characters needed", "short")
    colour = page.locator("#body-count").evaluate("e => getComputedStyle(e).color")
    error_colour = page.locator("#body-count").evaluate(
        "e => { const p = document.createElement('p'); p.className = 'error';"
        " e.after(p); const c = getComputedStyle(p).color; p.remove(); return c; }"
    )
    assert colour != error_colour, "a story being written is not an error"
    page.locator("#body").fill("x" * 49)
    assert counter(page) == ("1 more character needed", "short")
    page.locator("#body").fill("x" * 1240)
    assert counter(page) == ("1,240 characters", "enough")
    page.locator("#body").fill("x" * 9999)
    assert counter(page) == ("1 character left", "near")


def test_the_counter_is_announced_when_typing_pauses_not_at_every_key(live_server, page):
    page.goto(f"{live_server}/share")
    live = page.locator("#body-count-live")
    assert live.get_attribute("aria-live") == "polite"
    assert page.locator("#body-count").get_attribute("aria-live") is None
    page.locator("#body").press_sequentially("Hello there")
    assert live.inner_text() == "", "not while typing"
    expect(live).to_have_text("39 more characters needed")


@pytest.mark.parametrize(
    ("language", "typed", "expected"),
    [
        ("ar", "abc", "أحرف إضافية مطلوبة: 47"),
        ("uk", "abcdefg", "Потрібні ще 43 символи"),  # the "few" form of Ukrainian
        ("uk", "abcde", "Потрібно ще 45 символів"),  # and its "many" form
        ("fr", "x" * 1240, "1 240 caractères"),
    ],
)
def test_the_counter_speaks_the_pages_language_and_its_plurals(
    live_server, page, language, typed, expected
):
    page.goto(f"{live_server}/{language}/share")
    page.locator("#body").fill(typed)
    # French groups thousands with a narrow no-break space.
    assert page.locator("#body-count").inner_text().replace("\u202f", " ") == expected


def test_leaving_with_unsent_words_asks_first(live_server, page):
    page.goto(f"{live_server}/share")
    page.locator("#body").press_sequentially("We arrived")
    dialogs = []

    def dismiss(dialog):
        dialogs.append(dialog.type)
        dialog.dismiss()

    page.on("dialog", dismiss)
    page.close(run_before_unload=True)
    page.wait_for_timeout(500)
    assert dialogs == ["beforeunload"]
    assert not page.is_closed(), "dismissing the warning keeps the page and the words"


def test_leaving_an_untouched_form_or_sending_it_does_not_ask(live_server, context):
    dialogs = []
    page = context.new_page()
    page.on("dialog", lambda dialog: (dialogs.append(dialog.type), dialog.dismiss()))
    page.goto(f"{live_server}/share")
    page.locator("#body").click()
    page.goto(f"{live_server}/stories")
    page.goto(f"{live_server}/share")
    fill_share_form(page, title="Sent without a warning")
    with page.expect_navigation():
        page.get_by_role("button", name="Send my story").click()
    assert page.url.endswith("/share/thanks")
    assert dialogs == []


def test_a_quick_exit_is_never_held_up_by_the_warning(live_server, page):
    """The quick exit hides the page and replaces it with another site: no question."""
    dialogs = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.type), dialog.dismiss()))
    page.goto(f"{live_server}/share")
    page.locator("#body").press_sequentially("Someone is coming")
    with page.expect_navigation():
        page.evaluate("() => { document.body.hidden = true; location.replace('/stories'); }")
    assert page.url.endswith("/stories")
    assert dialogs == []


@pytest.fixture
def no_script_page(browser):
    context = browser.new_context(viewport=PHONE, java_script_enabled=False)
    yield context.new_page()
    context.close()


def test_without_javascript_the_form_is_one_page_that_still_submits(
    live_app, live_server, no_script_page
):
    page = no_script_page
    page.goto(f"{live_server}/share")
    assert page.locator(".step").count() == 3
    assert all(page.locator(".step").nth(n).is_visible() for n in range(3))
    assert page.locator(".step__number").first.is_hidden(), "no step numbers on one page"
    assert page.locator("[data-step-next]").first.is_hidden()
    page.locator("#body").fill(STORY)
    page.locator("#title").fill("One page is enough")
    page.locator("#author_name").fill("Yusuf")
    page.locator("#origin_country").select_option("ER")
    page.locator("#residence_country").select_option("IT")
    page.locator("#age_confirmed").check()
    page.locator("#consent").check()
    with page.expect_navigation():
        page.get_by_role("button", name="Send my story").click()
    assert page.url.endswith("/share/thanks")
    with live_app.app_context():
        assert db.session.scalar(select(Story).where(Story.title == "One page is enough"))
        db.session.remove()


TARGETS = """() => [...document.querySelectorAll(
    'main form button, main form select, main form textarea, main form input')]
  .filter(el => el.type !== 'hidden' && el.type !== 'file' && el.getClientRects().length
    && !el.closest('.trap'))
  .map(el => {
    // A checkbox or radio button is pressed through its label too: measure both.
    const label = (el.type === 'checkbox' || el.type === 'radio') && el.labels[0];
    const box = (label || el).getBoundingClientRect();
    return {id: el.id || el.textContent.trim(), width: box.width, height: box.height};
  })"""


@pytest.mark.parametrize("language", ["en", "ar"])
def test_every_control_of_every_step_is_at_least_44_px(live_server, page, language):
    """The file button is the photo's own (the upload work makes it large)."""
    page.goto(f"{live_server}/{language}/share")
    seen = []
    for step in range(3):
        small = [t for t in page.evaluate(TARGETS) if t["width"] < 44 or t["height"] < 44]
        assert small == [], f"step {step + 1}: {small}"
        seen += page.evaluate(TARGETS)
        if step == 0:
            page.locator("#body").fill(STORY)
            page.locator("#title").fill("Harbour")
        if step == 1:
            page.locator("#author_name").fill("Yusuf")
            page.locator("#origin_country").select_option("ER")
            page.locator("#residence_country").select_option("IT")
        if step < 2:
            next_step(page)
    assert {"body", "consent", "name_display-2", "origin_country"} <= {t["id"] for t in seen}
