"""The story's language: it starts as the page's, and a text in another one is proposed."""

import pytest
from sqlalchemy import func, select

from campaign.models import Photo, Story
from tests import images
from tests.i18n.test_detect import SHORT_TEXTS
from tests.submissions.helpers import form_data, hidden_value, submit

UKRAINIAN = " ".join(SHORT_TEXTS["uk"][:3])


def stories(db) -> list[Story]:
    return list(db.session.scalars(select(Story)))


@pytest.mark.parametrize(
    ("prefix", "language"),
    [("", "en")] + [(f"/{code}", code) for code in ("ar", "fa", "es", "fi", "fr", "uk")],
)
def test_the_story_language_starts_as_the_language_of_the_page(client, prefix, language):
    page = client.get(f"{prefix}/share").get_data(as_text=True)
    assert f'<option selected value="{language}">' in page
    assert page.count("<option selected") == 1


def test_a_story_left_on_the_default_of_the_arabic_form_is_stored_as_arabic(client, db):
    arabic = " ".join(SHORT_TEXTS["ar"])
    response = client.post(
        "/ar/share",
        data={**_form_without_language(), "body": arabic},
        content_type="multipart/form-data",
    )
    assert response.status_code == 303, response.get_data(as_text=True)
    [story] = stories(db)
    assert story.language == "ar" and story.proposed_language is None


def _form_without_language() -> dict:
    data = form_data()
    del data["language"]
    return data


def test_ukrainian_typed_on_the_english_form_is_proposed_as_ukrainian_and_nothing_is_lost(
    client, db
):
    response = submit(client, photo=images.jpeg(), body=UKRAINIAN, language="en")
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Your story seems to be in Ukrainian." in page
    assert 'name="use_language" value="uk"' in page
    assert "Keep English and send" in page
    assert "Please check its language below, then send it." in page
    assert stories(db) == []  # nothing stored yet
    assert "Я покинула своє місто" in page  # what they typed is still there
    assert hidden_value(page, "language_kept") == "en"
    staged = hidden_value(page, "staged_photo")
    assert staged and db.session.scalar(select(func.count(Photo.id))) == 1


def test_taking_the_proposal_stores_the_story_in_the_proposed_language_with_its_photo(client, db):
    page = submit(client, photo=images.jpeg(), body=UKRAINIAN).get_data(as_text=True)
    staged = hidden_value(page, "staged_photo")
    response = submit(
        client, body=UKRAINIAN, staged_photo=staged, language_kept="en", use_language="uk"
    )
    assert response.status_code == 303
    [story] = stories(db)
    assert story.language == "uk" and story.proposed_language is None
    assert story.photo is not None


def test_keeping_their_choice_stores_it_once_asked_and_moderators_see_the_proposal(client, db):
    page = submit(client, body=UKRAINIAN).get_data(as_text=True)
    response = submit(client, body=UKRAINIAN, language_kept=hidden_value(page, "language_kept"))
    assert response.status_code == 303
    [story] = stories(db)
    assert story.language == "en" and story.proposed_language == "uk"


def test_changing_to_a_third_language_after_a_proposal_is_checked_again(client, db):
    submit(client, body=UKRAINIAN)
    response = submit(client, body=UKRAINIAN, language="fi", language_kept="en")
    assert "Your story seems to be in Ukrainian." in response.get_data(as_text=True)
    assert stories(db) == []


def test_a_story_in_the_language_chosen_is_stored_at_once(client, db):
    assert submit(client, body=" ".join(SHORT_TEXTS["fi"]), language="fi").status_code == 303
    [story] = stories(db)
    assert story.language == "fi" and story.proposed_language is None


def test_a_proposal_never_comes_before_the_errors_to_fix(client, db):
    page = submit(client, body=UKRAINIAN, title="").get_data(as_text=True)
    assert "Give your story a title." in page
    assert "seems to be in" not in page


def test_the_script_asks_as_they_write_and_is_told_in_the_page_language(client):
    answer = client.post("/fr/share/language", data={"language": "en", "body": UKRAINIAN}).json
    assert answer == {
        "language": "uk",
        "message": "Votre récit semble être en ukrainien.",
        "change": "Changer pour : ukrainien",
    }
    agreed = client.post("/share/language", data={"language": "uk", "body": UKRAINIAN}).json
    assert agreed == {"language": None}
    assert client.post("/share/language", data={}).json == {"language": None}
