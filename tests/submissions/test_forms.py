"""Rules the storyteller's forms share, checked once for every form that has them."""

import pytest
from werkzeug.datastructures import MultiDict

from campaign.submissions.forms import EditStoryForm, NameDisplayForm, ShareForm

# Form rules do not depend on the database.
pytestmark = pytest.mark.parametrize("backend", ["sqlite"])

NAME_FORMS = [ShareForm, EditStoryForm, NameDisplayForm]
NAME_NEEDED = "Tell us what name to show, or choose to stay anonymous."


def _name_errors(app, form_class, name_display: str, author_name: str) -> list[str]:
    data = MultiDict({"name_display": name_display, "author_name": author_name})
    with app.test_request_context("/", method="POST"):
        form = form_class(formdata=data)
        form.validate()
        return [str(error) for error in form.author_name.errors]


@pytest.mark.parametrize("form_class", NAME_FORMS)
@pytest.mark.parametrize("name_display", ["full", "first"])
def test_a_name_shown_in_public_cannot_be_left_empty(app, db, form_class, name_display):
    assert _name_errors(app, form_class, name_display, "   ") == [NAME_NEEDED]
    assert _name_errors(app, form_class, name_display, "Layla") == []


@pytest.mark.parametrize("form_class", NAME_FORMS)
def test_a_storyteller_who_stays_anonymous_may_leave_the_name_empty(app, db, form_class):
    assert _name_errors(app, form_class, "anonymous", "") == []


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
