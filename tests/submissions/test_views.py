import re

import pytest
from sqlalchemy import select

from campaign.models import Story, StoryStatus
from tests.factories import make_story

VALID = {
    "title": "My first winter",
    "body": "I arrived in December.\n\nThe snow was new to me, and so was the language.",
    "author_name": "Layla",
    "origin_country": "IQ",
    "residence_country": "FI",
    "contact_email": "layla@example.org",
    "consent": "y",
}


def submit(client, **changes):
    data = {**VALID, **changes}
    return client.post("/share", data={k: v for k, v in data.items() if v is not None})


def private_link_from(client):
    page = client.get("/share/thanks").get_data(as_text=True)
    match = re.search(r'href="(http://localhost/my-story/[^"]+)"', page)
    assert match, page
    return match.group(1).removeprefix("http://localhost")


def test_share_form_lists_countries_by_name(client):
    page = client.get("/share").get_data(as_text=True)
    assert '<option value="IQ">Iraq</option>' in page
    assert '<option value="UA">Ukraine</option>' in page


def test_submitted_story_is_stored_as_pending(client, db):
    response = submit(client)
    assert response.status_code == 303
    assert response.headers["Location"].endswith("/share/thanks")
    story = db.session.scalar(select(Story))
    assert story.status is StoryStatus.PENDING
    assert story.title == "My first winter"
    assert story.contact_email == "layla@example.org"


def test_thank_you_page_shows_private_link_that_shows_status(client):
    submit(client)
    link = private_link_from(client)
    page = client.get(link)
    assert page.status_code == 200
    assert "waiting for a moderator" in page.get_data(as_text=True)


def test_private_token_has_256_bits_and_is_stored_only_as_hash(client, db):
    submit(client)
    token = private_link_from(client).removeprefix("/my-story/")
    assert len(token) >= 43  # 32 bytes in URL-safe base64
    story = db.session.scalar(select(Story))
    assert token not in {story.token_hash, story.slug}
    assert len(story.token_hash) == 64


def test_private_page_is_not_cached_and_sends_no_referrer(client):
    story = make_story()
    response = client.get(f"/my-story/{story.token}")
    assert response.headers["Cache-Control"] == "no-store"
    assert response.headers["Referrer-Policy"] == "no-referrer"


def test_unknown_private_token_is_404(client):
    assert client.get("/my-story/not-a-real-token").status_code == 404


def test_story_html_is_removed_and_text_kept(client, db):
    submit(client, body="<script>alert(1)</script><b>Bold</b> words & I <3 my new home town a lot.")
    story = db.session.scalar(select(Story))
    assert "<script>" not in story.body and "<b>" not in story.body
    assert story.body == "alert(1)Bold words & I <3 my new home town a lot."


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("title", "", "Give your story a title."),
        ("body", "Too short.", "at least 50 characters"),
        ("author_name", "", "Tell us what name to show."),
        ("origin_country", "XX", "Choose a country from the list."),
        ("residence_country", "", "Choose a country from the list."),
        ("contact_email", "not-an-email", "Enter an email address"),
        ("consent", None, "only publish your story with your consent"),
    ],
)
def test_invalid_field_gets_message_and_everything_typed_is_kept(client, db, field, value, message):
    response = submit(client, **{field: value})
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert message in page
    assert f'id="{field}-error"' in page
    assert 'class="error-summary"' in page
    for other, typed in VALID.items():
        if other not in {field, "consent", "body"} and typed:
            assert typed in page
    if field != "body":
        assert "The snow was new to me" in page
    assert db.session.scalar(select(Story)) is None


@pytest.mark.parametrize("config_overrides", [{"WTF_CSRF_ENABLED": True}])
def test_post_without_csrf_token_is_refused(client, db):
    response = client.post("/share", data=VALID)
    assert response.status_code == 400
    assert "send the form again" in response.get_data(as_text=True)
    assert db.session.scalar(select(Story)) is None
