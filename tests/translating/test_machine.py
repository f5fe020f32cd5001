"""Machine help, never alone (issue 20, part 4): the LibreTranslate adapter against a
small in-process server implementing its API; a draft fills only the empty fields,
every failure is a message on the editor, and nothing machine-made is published
without a person sending it and another reviewing it."""

import pytest
from sqlalchemy import select

from campaign.models import StoryStatus, Translation, TranslationSource, TranslationStatus
from campaign.translating import machine
from tests.factories import PASSWORD, make_moderator, make_photo, make_story, make_translation
from tests.servers import libretranslate


def sign_in(app, account):
    client = app.test_client()
    assert client.post("/login", data={"email": account.email, "password": PASSWORD}).status_code
    return client


@pytest.fixture
def story(db):
    return make_story(
        StoryStatus.PUBLISHED,
        title="رحلتي إلى فنلندا",
        quote="لم أكن أعرف أحداً",
        body="وصلت في الشتاء ولم أكن أعرف أحداً. " * 4,
        language="fa-AF",
    )


@pytest.fixture
def translator(db):
    return make_moderator("volunteer@example.org", can_moderate=False, reads="fr")


def current(db, translation) -> Translation:
    db.session.expire_all()
    return db.session.scalar(select(Translation).where(Translation.id == translation.id))


def test_the_adapter_posts_the_libretranslate_request_and_reads_its_answer(app):
    with libretranslate() as (url, received), app.test_request_context():
        app.config.update(LIBRETRANSLATE_URL=url, LIBRETRANSLATE_API_KEY="k-123")
        assert machine.translate("سلام", "fa-AF", "fr") == "[fr] سلام"
        assert machine.translate("  ", "ar", "fr") == ""  # nothing sent for nothing
    assert received == [
        {
            "path": "/translate",
            "q": "سلام",
            "source": "fa",
            "target": "fr",
            "format": "text",
            "api_key": "k-123",
        }
    ]


@pytest.mark.parametrize("mode", ["error", "garbage", "slow"])
def test_every_failure_of_the_server_is_one_clear_exception(app, monkeypatch, mode):
    monkeypatch.setattr(machine, "TIMEOUT_SECONDS", 0.5)
    with libretranslate(mode) as (url, _received), app.test_request_context():
        app.config["LIBRETRANSLATE_URL"] = url
        with pytest.raises(machine.MachineUnavailable):
            machine.translate("سلام", "ar", "fr")


def test_the_button_shows_only_when_machine_help_is_on(app, db, story, translator):
    translation = make_translation(story, "fr", TranslationStatus.DRAFT, translator=translator)
    client = sign_in(app, translator)
    assert "Draft with machine help" not in client.get(f"/translate/{translation.id}").text
    app.config["LIBRETRANSLATE_URL"] = "http://127.0.0.1:9"
    assert "Draft with machine help" in client.get(f"/translate/{translation.id}").text


def test_a_machine_draft_fills_only_the_empty_fields(app, db, story, translator):
    make_photo(story)
    translation = make_translation(
        story, "fr", TranslationStatus.DRAFT, translator=translator, title="", quote="", body=""
    )
    client = sign_in(app, translator)
    with libretranslate() as (url, received):
        app.config["LIBRETRANSLATE_URL"] = url
        response = client.post(
            f"/translate/{translation.id}",
            data={
                "version": translation.version,
                "action": "machine",
                "title": "Mon titre à moi",
                "quote": "",
                "body": "",
                "alt_text": "",
            },
        )
    assert response.status_code == 303
    draft = current(db, translation)
    assert draft.title == "Mon titre à moi"  # typed by the person: kept
    assert draft.quote == "[fr] لم أكن أعرف أحداً"
    assert draft.body.startswith("[fr] وصلت في الشتاء")
    assert draft.source is TranslationSource.MACHINE_DRAFT
    assert draft.status is TranslationStatus.DRAFT
    assert {request["q"] for request in received} >= {"لم أكن أعرف أحداً"}
    assert "رحلتي إلى فنلندا" not in {request["q"] for request in received}


def test_a_server_that_fails_is_a_message_and_nothing_typed_is_lost(
    app, db, story, translator, monkeypatch
):
    monkeypatch.setattr(machine, "TIMEOUT_SECONDS", 0.5)
    translation = make_translation(
        story, "fr", TranslationStatus.DRAFT, translator=translator, title="", body=""
    )
    client = sign_in(app, translator)
    with libretranslate("error") as (url, _received):
        app.config["LIBRETRANSLATE_URL"] = url
        response = client.post(
            f"/translate/{translation.id}",
            data={
                "version": translation.version,
                "action": "machine",
                "title": "Ce que j'ai tapé",
                "body": "",
            },
        )
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "The translation server did not answer" in page
    assert "Ce que j&#39;ai tapé" in page or "Ce que j'ai tapé" in page
    assert current(db, translation).source is TranslationSource.VOLUNTEER


def test_a_server_that_is_not_there_is_a_message_too(app, db, story, translator):
    translation = make_translation(story, "fr", TranslationStatus.DRAFT, translator=translator)
    app.config["LIBRETRANSLATE_URL"] = "http://127.0.0.1:9"  # the discard port: nothing listens
    response = sign_in(app, translator).post(
        f"/translate/{translation.id}",
        data={"version": translation.version, "action": "machine", "title": "", "body": ""},
    )
    assert response.status_code == 200
    assert "The translation server did not answer" in response.get_data(as_text=True)


def test_no_path_publishes_a_machine_draft_without_a_second_person(app, db, story, translator):
    translation = make_translation(
        story, "fr", TranslationStatus.DRAFT, translator=translator, title="", body=""
    )
    client = sign_in(app, translator)
    with libretranslate() as (url, _received):
        app.config["LIBRETRANSLATE_URL"] = url
        client.post(
            f"/translate/{translation.id}",
            data={"version": translation.version, "action": "machine", "title": "", "body": ""},
        )
    draft = current(db, translation)
    assert draft.source is TranslationSource.MACHINE_DRAFT
    # Not from the draft, by its translator...
    assert (
        client.post(f"/translate/{draft.id}/publish", data={"version": draft.version}).status_code
        == 403
    )
    # ...nor once they sent it.
    client.post(
        f"/translate/{draft.id}",
        data={
            "version": draft.version,
            "action": "send",
            "title": draft.title,
            "quote": draft.quote,
            "body": draft.body,
        },
    )
    sent = current(db, translation)
    assert sent.status is TranslationStatus.IN_REVIEW
    assert (
        client.post(f"/translate/{sent.id}/publish", data={"version": sent.version}).status_code
        == 403
    )
    assert current(db, translation).status is TranslationStatus.IN_REVIEW
    # A second person who reads French publishes it; the label says what it was.
    reviewer = sign_in(app, make_moderator(can_moderate=False, reads="fr"))
    page = reviewer.get(f"/translate/{sent.id}").get_data(as_text=True)
    assert "Started from a machine draft: check every word" in page
    assert reviewer.post(f"/translate/{sent.id}/publish", data={"version": sent.version})
    published = current(db, translation)
    assert published.status is TranslationStatus.PUBLISHED
    assert published.source is TranslationSource.MACHINE_DRAFT
    assert published.reviewer_id != published.translator_id


def test_the_privacy_page_says_where_text_goes(app, client):
    off = client.get("/privacy").get_data(as_text=True)
    assert "no text leaves this site to be translated" in off
    app.config["LIBRETRANSLATE_URL"] = "https://translate.campaign.example:5000"
    on = client.get("/privacy?on").get_data(as_text=True)
    assert "sent to the translation server at translate.campaign.example" in on
