"""Steps several browser journeys share."""

import pyotp

from tests.factories import PASSWORD


def sign_in_with_two_factor(page, start_url: str, email: str, secret: str) -> None:
    """From a page that asks to sign in: password, then the authenticator's code."""
    page.goto(start_url)
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.keyboard.press("Enter")
    page.wait_for_url("**/login/two-factor")
    page.get_by_label("Code from your authenticator app").fill(pyotp.TOTP(secret).now())
    page.keyboard.press("Enter")
    page.wait_for_url("**/moderate")
