"""Steps several browser journeys share."""

import pyotp

from tests.factories import PASSWORD


def sign_in_with_two_factor(
    page, start_url: str, email: str, secret: str, lands_on: str = "**/moderate"
) -> None:
    """From a page that asks to sign in: password, then the authenticator's code."""
    page.goto(start_url)
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.keyboard.press("Enter")
    page.wait_for_url("**/login/two-factor")
    page.get_by_label("Code from your authenticator app").fill(pyotp.TOTP(secret).now())
    page.keyboard.press("Enter")
    page.wait_for_url(lands_on)


STORY = "We arrived by boat at dawn. The harbour was quiet and cold.\n\nNow I work there."


def next_step(page) -> None:
    """Press the shown step's "Next" button (the share form, JavaScript on)."""
    page.locator(".step:not([hidden]) [data-step-next]").click()


def fill_share_form(
    page,
    *,
    body: str = STORY,
    title: str = "The harbour at dawn",
    name: str = "Yusuf",
    origin: str = "ER",
    residence: str = "IT",
    language: str = "en",
) -> None:
    """Walk the share form's three steps as a visitor does (one page when the site's
    scripts do not run); stops before sending. The language is chosen (the story is
    English), not left on the page's: on /ar/share an English text would be proposed
    as English first."""
    steps = page.locator(".step:not([hidden]) [data-step-next]").first.is_visible()
    page.locator("#body").fill(body)
    page.locator("#language").select_option(language)
    page.locator("#title").fill(title)
    if steps:
        next_step(page)
    page.locator("#author_name").fill(name)
    page.locator("#origin_country").select_option(origin)
    page.locator("#residence_country").select_option(residence)
    if steps:
        next_step(page)
    page.locator("#age_confirmed").check()
    page.locator("#consent").check()


def send_unchecked(page) -> None:
    """Send the share form past the browser's checks, as an old browser would (or when
    only the server knows a rule): the server's answer is what is tested."""
    with page.expect_navigation():
        page.evaluate("document.querySelector('main form').submit()")
