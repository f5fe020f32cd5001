"""Rules the storyteller's forms share, checked once for every form that has them."""

import re

import pytest
from flask_babel import refresh
from werkzeug.datastructures import MultiDict

from campaign.submissions.forms import (
    NAME_NEEDED,
    EditStoryForm,
    NameDisplayForm,
    ShareForm,
    name_needed,
)

# Form rules do not depend on the database.
pytestmark = pytest.mark.parametrize("backend", ["sqlite"])

NAME_FORMS = [ShareForm, EditStoryForm, NameDisplayForm]


def _name_errors(app, form_class, name_display: str, author_name: str) -> list[str]:
    data = MultiDict({"name_display": name_display, "author_name": author_name})
    with app.test_request_context("/", method="POST"):
        form = form_class(formdata=data)
        form.validate()
        return [str(error) for error in form.author_name.errors]


# Every answer to "how should your name be shown?" (with a missing and a made-up one)
# against every kind of name: the one rule, the same in every form that asks.
DISPLAYS = ["first", "full", "anonymous", "", "nobody"]
NAMES = ["", "   ", "Layla"]


@pytest.mark.parametrize("form_class", NAME_FORMS)
@pytest.mark.parametrize("author_name", NAMES)
@pytest.mark.parametrize("name_display", DISPLAYS)
def test_a_name_is_needed_exactly_when_the_storyteller_does_not_stay_anonymous(
    app, db, form_class, name_display, author_name
):
    needed = name_display != "anonymous" and not author_name.strip()
    assert name_needed(name_display, author_name) is needed
    assert _name_errors(app, form_class, name_display, author_name) == (
        [NAME_NEEDED] if needed else []
    )


@pytest.mark.parametrize("form_class", NAME_FORMS)
@pytest.mark.parametrize("name_display", ["", "nobody"])
def test_a_missing_or_made_up_name_choice_is_refused(app, db, form_class, name_display):
    data = MultiDict({"name_display": name_display, "author_name": "Layla"})
    with app.test_request_context("/", method="POST"):
        form = form_class(formdata=data)
        form.validate()
        assert form.name_display.errors


QUOTED = re.compile(r"[“«”]\s*([^“”«»]+?)\s*[”»]")


@pytest.mark.parametrize("language", ["en", "ar", "es", "fa", "fi", "fr", "uk"])
def test_the_name_hint_and_error_name_the_anonymous_choice_as_it_is_labelled(app, db, language):
    """The hint no longer says "leave it empty" (an error with the default choice):
    it and the error point to the choice that allows an empty name, by its words."""
    with app.test_request_context("/share", headers={"Accept-Language": language}):
        refresh()
        form = ShareForm(formdata=None)
        anonymous = next(
            str(label)
            for value, label, *_ in form.name_display.iter_choices()
            if value == "anonymous"
        )
        for text in (str(form.author_name.description), str(NAME_NEEDED)):
            quoted = QUOTED.search(text)
            assert quoted, (language, text)
            assert anonymous.startswith(quoted.group(1)), (language, text, anonymous)
        assert "empty" not in str(form.author_name.description)


@pytest.mark.parametrize(
    "config_overrides", [{"PHOTO_MAX_BYTES": 3 * 2**20, "SHARE_MAX_REQUEST_BYTES": 4096}]
)
def test_the_photo_limit_people_are_told_is_the_one_we_apply(app, db, client):
    share = client.get("/share").get_data(as_text=True)
    assert "JPEG, PNG or WebP, up to 3 MB." in share
    body = "x" * (app.config["SHARE_MAX_REQUEST_BYTES"] + 1)
    too_large = client.post("/share", data={"body": body})
    assert too_large.status_code == 413
    assert "Photos can be up to 3 MB." in too_large.get_data(as_text=True)
