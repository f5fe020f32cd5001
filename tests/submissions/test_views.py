import gzip
import io
import re
import time

import pytest
from flask import g
from itsdangerous import TimestampSigner
from sqlalchemy import func, select
from werkzeug.datastructures import FileStorage
from werkzeug.test import encode_multipart

from campaign.i18n.labels import display_name
from campaign.models import NameDisplay, Photo, Story, StoryStatus, Theme
from campaign.submissions.services import new_stamp
from tests import images
from tests.factories import make_story
from tests.submissions.helpers import VALID, form_data, hidden_value, private_link_from, submit


def story_count(db) -> int:
    return db.session.scalar(select(func.count(Story.id)))


def media_files(app):
    folder = app.extensions["media_storage"].root if "media_storage" in app.extensions else None
    return sorted(p.name for p in folder.iterdir()) if folder and folder.exists() else []


def test_share_form_lists_countries_by_name(client):
    page = client.get("/share").get_data(as_text=True)
    assert '<option value="IQ">Iraq</option>' in page
    assert '<option value="UA">Ukraine</option>' in page


def test_share_form_offers_story_languages_by_name(client):
    page = client.get("/share").get_data(as_text=True)
    for code, name in [
        ("ar", "Arabic · العربية"),
        ("fa-AF", "Persian (Afghanistan)"),
        ("uk", "Ukrainian · українська"),
        ("ti", "Tigrinya"),
        ("so", "Somali · Soomaali"),
        ("ps", "Pashto"),
        ("sq", "Albanian · shqip"),
    ]:
        assert re.search(rf'<option value="{code}">{re.escape(name)}', page), code
    assert '<option selected value="en">English</option>' in page


def test_share_form_page_with_its_css_and_js_sends_under_40_kb_compressed(client, db):
    """What a phone downloads before the fonts (README: compress text at the proxy);
    tests/browser/test_usability.py weighs the whole first visit, fonts included."""
    db.session.add_all(Theme(slug=f"t{i}", name=f"Theme {i}", position=i) for i in range(6))
    db.session.commit()
    page = client.get("/share").get_data(as_text=True)
    assets = re.findall(r'(?:src|href)="(/static/(?:css|js)/[^"]+)"', page)
    assert len(assets) >= 4, assets  # the stylesheet and the form's scripts
    sizes = {"/share": len(gzip.compress(page.encode()))}
    for url in assets:
        with client.get(url) as response:
            assert response.status_code == 200
            sizes[url] = len(gzip.compress(response.get_data()))
    assert sum(sizes.values()) < 40 * 1024, sizes


def test_share_form_works_without_javascript(client):
    page = client.get("/share").get_data(as_text=True)
    assert 'enctype="multipart/form-data"' in page
    assert 'method="post"' in page
    assert '<button type="submit"' in page
    assert "<script src=" in page and "<script>" not in page


@pytest.mark.both_databases
def test_submitted_story_is_stored_as_pending_with_every_detail(app, client, db):
    work = Theme(slug="work", name="Work", position=1)
    home = Theme(slug="home", name="Home", position=2)
    db.session.add_all([work, home])
    db.session.commit()
    response = submit(
        client,
        themes=[str(work.id), str(home.id)],
        on_behalf="y",
        helper_relationship="caseworker",
        name_display="anonymous",
    )
    assert response.status_code == 303
    assert response.headers["Location"].endswith("/share/thanks")
    story = db.session.scalar(select(Story))
    assert story.status is StoryStatus.PENDING
    assert story.title == "My first winter"
    assert story.quote == "The snow was new to me."
    assert story.name_display is NameDisplay.ANONYMOUS
    assert story.moved_year == 2015
    assert story.language == "en"
    assert {t.slug for t in story.themes} == {"work", "home"}
    assert story.contact_email == "layla@example.org"
    assert story.on_behalf is True
    assert story.helper_relationship == "caseworker"
    assert story.age_confirmed is True
    assert story.consent_version == app.config["CONSENT_VERSION"]


def test_anonymous_storyteller_may_leave_the_name_empty(client, db):
    assert submit(client, name_display="anonymous", author_name="").status_code == 303
    assert db.session.scalar(select(Story)).author_name == ""


@pytest.mark.parametrize("author_name", ["", "   ", "Layla Hassan"])
@pytest.mark.parametrize("name_display", ["first", "full", "anonymous", "", "nobody"])
def test_a_story_is_accepted_exactly_when_the_name_choice_and_the_name_agree(
    app, client, db, name_display, author_name
):
    """Every combination through the form: a name is needed unless the storyteller
    stays anonymous, and whoever stays anonymous is never named in public."""
    response = submit(client, name_display=name_display, author_name=author_name)
    page = response.get_data(as_text=True)
    known = name_display in {"first", "full", "anonymous"}
    name_missing = name_display != "anonymous" and not author_name.strip()
    assert ("Write the name to show, or choose “Stay anonymous”." in page) is name_missing
    assert ('id="name_display-error"' in page) is not known
    if not known or name_missing:
        assert response.status_code == 200
        assert story_count(db) == 0
        return
    assert response.status_code == 303
    story = db.session.scalar(select(Story))
    assert story.name_display is NameDisplay(name_display)
    with app.test_request_context():
        shown = display_name(story)
    expected = {"first": "Layla", "full": "Layla Hassan", "anonymous": "A migrant from Iraq"}
    assert shown == expected[name_display]


def test_relationship_is_not_kept_when_not_sharing_for_someone_else(client, db):
    submit(client, helper_relationship="neighbour")
    assert db.session.scalar(select(Story)).helper_relationship is None


def test_thank_you_page_shows_private_link_that_shows_status(client):
    submit(client)
    link = private_link_from(client)
    page = client.get(link)
    assert page.status_code == 200
    assert "What happens to your story" in page.get_data(as_text=True)


@pytest.mark.both_databases
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
    # Long enough without its markup: the minimum length counts what is stored.
    submit(
        client, body="<script>alert(1)</script><b>Bold</b> words & I <3 my new home town, a lot."
    )
    story = db.session.scalar(select(Story))
    assert "<script>" not in story.body and "<b>" not in story.body
    assert story.body == "alert(1)Bold words & I <3 my new home town, a lot."


@pytest.mark.parametrize(
    ("field", "changes", "message"),
    [
        ("title", {"title": ""}, "Give your story a title."),
        ("quote", {"quote": "q" * 201}, "Field cannot be longer than 200 characters."),
        ("body", {"body": "Too short."}, "at least 50 characters"),
        ("body", {"body": "x" * 10_001}, "at most 10000 characters"),
        ("author_name", {"author_name": ""}, "Write the name to show"),
        ("name_display", {"name_display": "famous"}, "Not a valid choice"),
        ("origin_country", {"origin_country": "XX"}, "Choose a country from the list."),
        ("residence_country", {"residence_country": ""}, "Choose a country from the list."),
        ("moved_year", {"moved_year": "1850"}, "Enter a year between 1900 and"),
        ("moved_year", {"moved_year": "last year"}, "Not a valid integer value."),
        ("language", {"language": "xx"}, "Choose a language from the list."),
        ("contact_email", {"contact_email": "not-an-email"}, "Enter an email address"),
        ("send_link", {"contact_email": "", "send_link": "y"}, "Give your email address"),
        ("helper_relationship", {"on_behalf": "y"}, "Tell us who you are to the person"),
        ("age_confirmed", {"age_confirmed": None}, "aged 16 or over"),
        ("consent", {"consent": None}, "only publish your story with your consent"),
    ],
)
def test_invalid_field_gets_message_and_everything_typed_is_kept(
    client, db, field, changes, message
):
    response = submit(client, **changes)
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert message in page
    assert f'id="{field}-error"' in page
    assert 'class="error-summary"' in page
    assert f'href="#{field}"' in page  # the summary leads to the field
    for other, typed in VALID.items():
        if other not in changes and other not in {"body", "age_confirmed", "consent"}:
            assert typed in page, other
    if "body" not in changes:
        assert "The snow was new to me, and so was the language." in page
    assert story_count(db) == 0


def test_ticked_boxes_stay_ticked_after_an_error(client):
    page = submit(client, title="", on_behalf="y", helper_relationship="teacher").get_data(
        as_text=True
    )
    for name in ("on_behalf", "age_confirmed", "consent"):
        assert re.search(rf'<input checked id="{name}"', page), name
    assert 'value="teacher"' in page


def test_accepted_photo_is_kept_while_another_field_is_fixed(app, client, db):
    first = submit(client, photo=images.jpeg_with_gps_and_camera(), title="")
    page = first.get_data(as_text=True)
    assert "Give your story a title." in page
    assert "We kept the photo you chose" in page
    token = hidden_value(page, "staged_photo")
    assert token
    staged = db.session.scalar(select(Photo))
    assert staged.story_id is None
    assert f"/media/{staged.renditions[1]['name']}" in page or "/media/" in page

    second = submit(client, staged_photo=token, photo_alt="Me at the harbour")
    assert second.status_code == 303
    story = db.session.scalar(select(Story))
    assert story.photo.id == staged.id
    assert story.photo.alt_text == "Me at the harbour"
    assert len(media_files(app)) == 4


def test_kept_photo_can_be_removed_before_sending(app, client, db):
    page = submit(client, photo=images.jpeg(), title="").get_data(as_text=True)
    token = hidden_value(page, "staged_photo")
    submit(client, staged_photo=token, remove_staged_photo="y")
    story = db.session.scalar(select(Story))
    assert story.photo is None
    assert media_files(app) == []
    assert db.session.scalar(select(func.count(Photo.id))) == 0


def test_forged_kept_photo_token_attaches_nothing_and_is_said(client, db):
    make_story()
    response = submit(client, staged_photo="1.forged-signature")
    assert response.status_code == 200
    assert "We could not keep the photo you chose before." in response.get_data(as_text=True)
    assert submit(client).status_code == 303  # sent again, knowingly without a photo
    assert db.session.scalar(select(Story).order_by(Story.id.desc())).photo is None


def test_photo_of_someone_elses_story_cannot_be_taken_over(client, db):
    page = submit(client, photo=images.jpeg(), title="").get_data(as_text=True)
    token = hidden_value(page, "staged_photo")
    submit(client, staged_photo=token)  # the photo now belongs to this story
    client.get("/share")
    response = submit(client, staged_photo=token, title="Another story")
    assert response.status_code == 200
    assert "We could not keep the photo you chose before." in response.get_data(as_text=True)
    assert story_count(db) == 1
    assert db.session.scalar(select(Story)).photo is not None


def test_hostile_photo_gets_error_next_to_the_field_and_the_text_is_kept(app, client, db):
    response = submit(client, photo=images.SVG_WITH_SCRIPT, filename="cat.jpg")
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert 'id="photo-error"' in page
    assert "not a photo we can use" in page
    assert "The snow was new to me, and so was the language." in page
    assert story_count(db) == 0
    assert media_files(app) == []


@pytest.mark.both_databases
@pytest.mark.parametrize(
    "config_overrides",
    [
        {
            "PHOTO_MAX_BYTES": 2**20,
            "MAX_CONTENT_LENGTH": 3 * 2**20,
            "SHARE_MAX_REQUEST_BYTES": 8 * 2**20,
        }
    ],
)
def test_a_photo_over_the_limit_reshows_the_filled_form_with_the_message_beside_the_photo(
    app, client, db
):
    # Over MAX_CONTENT_LENGTH too (the 1 MB photo and 2 MB for the rest): this was the
    # dead-end "too large" page, and everything typed was gone.
    too_large = images.jpeg() + bytes(4 * 2**20)
    assert len(too_large) > app.config["MAX_CONTENT_LENGTH"]
    # Encoded here, in memory: the test client would spool it to a file it never closes.
    # In the browser's order: the photo before the e-mail and the consent.
    fields = dict(form_data())
    after = {name: fields.pop(name) for name in ("contact_email", "age_confirmed", "consent")}
    fields |= {"photo": FileStorage(io.BytesIO(too_large), "big.jpg"), **after}
    boundary, body = encode_multipart(fields)
    response = client.post(
        "/share", data=body, content_type=f"multipart/form-data; boundary={boundary}"
    )
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    error = re.search(r'<p class="error" id="photo-error">([^<]*)</p>', page)
    assert error and error.group(1) == "This photo is larger than 1 MB. Choose a smaller one."
    assert "The snow was new to me, and so was the language." in page
    assert 'value="Layla Hassan"' in page
    assert 'value="layla@example.org"' in page  # a field the form sends after the photo
    assert story_count(db) == 0
    assert media_files(app) == []

    # The same form with a photo that fits is stored.
    assert submit(client, photo=images.jpeg()).status_code == 303
    assert story_count(db) == 1


@pytest.mark.parametrize("config_overrides", [{"SHARE_MAX_REQUEST_BYTES": 4096}])
def test_a_body_beyond_what_a_person_might_send_still_gets_the_friendly_page(client, db):
    response = submit(client, photo=images.twelve_megapixel_jpeg())
    assert response.status_code == 413
    assert "Photos can be up to 10 MB" in response.get_data(as_text=True)
    assert story_count(db) == 0


@pytest.mark.parametrize("config_overrides", [{"MAX_CONTENT_LENGTH": 4096}])
def test_other_forms_keep_the_ordinary_body_limit(client, db):
    story = make_story(StoryStatus.PENDING)
    response = client.post(f"/my-story/{story.token}/edit", data={"body": "x" * 5000})
    assert response.status_code == 413


@pytest.mark.parametrize("config_overrides", [{"WTF_CSRF_ENABLED": True}])
def test_post_without_csrf_token_reshows_the_filled_form(client, db):
    response = submit(client)
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "For your safety, the form was not sent" in page
    assert "The snow was new to me, and so was the language." in page
    assert 'value="Layla Hassan"' in page
    assert story_count(db) == 0


@pytest.mark.parametrize("config_overrides", [{"WTF_CSRF_ENABLED": True, "WTF_CSRF_TIME_LIMIT": 1}])
def test_expired_csrf_token_reshows_the_filled_form_and_it_can_be_sent_again(
    client, db, monkeypatch
):
    page = client.get("/share").get_data(as_text=True)
    token = hidden_value(page, "csrf_token")
    # Two seconds later for the token's signer (instead of waiting them out): the
    # token, signed now, is past its one-second limit.
    later = int(time.time()) + 2
    monkeypatch.setattr(TimestampSigner, "get_timestamp", lambda _signer: later)
    # The test keeps one app context across requests; a server starts a new one each time.
    g.pop("csrf_token", None)
    expired = submit(client, csrf_token=token)
    page = expired.get_data(as_text=True)
    assert expired.status_code == 400
    assert "it was open for a long time" in page
    assert 'value="My first winter"' in page
    assert story_count(db) == 0
    fresh = hidden_value(page, "csrf_token")
    assert submit(client, csrf_token=fresh).status_code == 303
    assert story_count(db) == 1


def test_hidden_honeypot_field_filled_in_stores_nothing(client, db):
    response = submit(client, website="http://spam.example")
    assert response.status_code == 200
    assert "could not be sent" in response.get_data(as_text=True)
    assert story_count(db) == 0


def test_form_sent_too_quickly_is_shown_again_with_everything_kept(client, db):
    response = submit(client, stamp=new_stamp())
    page = response.get_data(as_text=True)
    assert "That was very quick" in page
    assert 'value="My first winter"' in page
    assert story_count(db) == 0


def test_field_errors_are_not_mixed_with_the_too_quick_notice(client, db):
    page = submit(client, stamp=new_stamp(), title="").get_data(as_text=True)
    assert "Give your story a title." in page
    assert "That was very quick" not in page


def test_form_without_a_genuine_stamp_is_shown_again(client, db):
    response = submit(client, stamp="forged")
    assert "check your story and send it again" in response.get_data(as_text=True)
    assert story_count(db) == 0


@pytest.mark.both_databases
def test_double_submit_creates_one_story(client, db):
    data = form_data()
    first = client.post("/share", data=data)
    second = client.post("/share", data=data)
    assert first.status_code == second.status_code == 303
    assert second.headers["Location"].endswith("/share/thanks")
    assert story_count(db) == 1


@pytest.mark.both_databases
def test_two_copies_arriving_at_the_same_moment_still_make_one_story(app, client, db, monkeypatch):
    data = form_data()
    data["photo"] = (io.BytesIO(images.jpeg()), "photo.jpg")
    assert client.post("/share", data=form_data(stamp=data["stamp"])).status_code == 303
    # The second copy passes the early check, as if both were read before either was saved.
    monkeypatch.setattr("campaign.submissions.services.story_for_nonce", lambda nonce: None)
    second = client.post("/share", data=data, content_type="multipart/form-data")
    assert second.status_code == 303
    assert story_count(db) == 1
    assert media_files(app) == []  # the second copy's photo was not left behind


@pytest.mark.parametrize("config_overrides", [{"SHARE_RATE_LIMIT": "2 per hour"}])
def test_too_many_stories_from_one_address_get_a_try_again_later_page(client, db):
    assert submit(client, title="").status_code == 200  # a failed try does not count
    assert submit(client).status_code == 303
    assert submit(client).status_code == 303
    response = submit(client)
    assert response.status_code == 429
    assert "try again" in response.get_data(as_text=True)
    assert story_count(db) == 2


def test_privacy_page_says_what_is_stored_who_sees_it_and_how_to_withdraw(client):
    page = client.get("/privacy").get_data(as_text=True)
    for words in ("What we store", "Who sees it", "For how long", "How to withdraw", "16"):
        assert words in page
    assert 'href="/privacy"' in client.get("/share").get_data(as_text=True)


def test_the_private_link_leaves_the_session_once_the_thank_you_page_showed_it(client):
    submit(client, send_link="y")
    link = private_link_from(client)
    with client.session_transaction() as session:
        assert not any(link.removeprefix("/my-story/") in str(v) for v in session.values())
        assert "new_story_token" not in session
    again = client.get("/share/thanks")
    page = again.get_data(as_text=True)
    assert again.status_code == 200
    assert "/my-story/" not in page
    assert "shown only once" in page
    assert again.headers["Cache-Control"] == "no-store"


def test_an_upload_is_never_written_to_a_temporary_file_on_disk(app, client, db, monkeypatch):
    """Werkzeug spools a file part over 500 KB to a temporary file: a photo's GPS
    position would land on a disk that may give it back after it is deleted. The
    request keeps it in a memory file instead (``params.Request``)."""
    import werkzeug.formparser

    def no_disk(*args, **kwargs):
        raise AssertionError("an upload was spooled to a temporary file")

    monkeypatch.setattr(werkzeug.formparser, "SpooledTemporaryFile", no_disk)
    photo = images.jpeg_with_gps_and_camera(size=(2400, 1800))
    photo += b"\0" * max(0, 600_000 - len(photo))  # past Werkzeug's 500 KB in memory
    assert len(photo) > 500 * 1024
    # Encoded here: the test client would spool a body this large to a file of its own.
    boundary, body = encode_multipart(
        {**form_data(), "photo": FileStorage(io.BytesIO(photo), "p.jpg")}
    )

    response = client.post(
        "/share", data=body, content_type=f"multipart/form-data; boundary={boundary}"
    )

    assert response.status_code == 303
    story = db.session.scalar(select(Story).where(Story.title == VALID["title"]))
    assert story.photo is not None and story.photo.renditions
