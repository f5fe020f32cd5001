"""The share form's language guess is a POST like any other: it needs the form's CSRF
token, and it is rate-limited (it reads text someone sends, so it must not be a free
service for scripts)."""

import re

import pytest

from tests.i18n.test_detect import SHORT_TEXTS

UKRAINIAN = " ".join(SHORT_TEXTS["uk"])


@pytest.fixture
def config_overrides():
    return {"WTF_CSRF_ENABLED": True, "LANGUAGE_GUESS_RATE_LIMIT": "3 per minute"}


def csrf_token(client) -> str:
    page = client.get("/share").get_data(as_text=True)
    return re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)


def test_the_language_guess_needs_the_forms_csrf_token(client):
    refused = client.post("/share/language", data={"language": "en", "body": UKRAINIAN})
    assert refused.status_code == 400
    token = csrf_token(client)
    answer = client.post(
        "/share/language", data={"csrf_token": token, "language": "en", "body": UKRAINIAN}
    )
    assert answer.status_code == 200 and answer.json["language"] == "uk"


def test_the_language_guess_is_rate_limited(client):
    token = csrf_token(client)
    data = {"csrf_token": token, "language": "en", "body": UKRAINIAN}
    codes = [client.post("/share/language", data=data).status_code for _ in range(4)]
    assert codes == [200, 200, 200, 429]
    assert "no-store" in client.post("/share/language", data=data).headers["Cache-Control"]
