"""Sending the share form the way a browser does, for the test client."""

import io
import re
import time

from campaign.submissions.services import new_stamp

VALID = {
    "title": "My first winter",
    "quote": "The snow was new to me.",
    "body": "I arrived in December.\n\nThe snow was new to me, and so was the language.",
    "name_display": "first",
    "author_name": "Layla Hassan",
    "origin_country": "IQ",
    "residence_country": "FI",
    "moved_year": "2015",
    "language": "en",
    "contact_email": "layla@example.org",
    "age_confirmed": "y",
    "consent": "y",
}


def form_data(**changes) -> dict:
    """The valid form, as shown a minute ago, with these changes (None leaves a field out)."""
    data = {**VALID, "stamp": new_stamp(shown_at=time.time() - 60), **changes}
    return {key: value for key, value in data.items() if value is not None}


def submit(client, photo: bytes | None = None, filename="photo.jpg", **changes):
    data = form_data(**changes)
    if photo is not None:
        data["photo"] = (io.BytesIO(photo), filename)
    return client.post("/share", data=data, content_type="multipart/form-data")


def private_link_from(client) -> str:
    page = client.get("/share/thanks").get_data(as_text=True)
    match = re.search(r'href="(http://localhost/my-story/[^"]+)"', page)
    assert match, page
    return match.group(1).removeprefix("http://localhost")


def hidden_value(page: str, name: str) -> str:
    match = re.search(rf'name="{name}" type="hidden" value="([^"]*)"', page) or re.search(
        rf'type="hidden" name="{name}" value="([^"]*)"', page
    )
    assert match, f"no hidden {name} in the page"
    return match.group(1)
