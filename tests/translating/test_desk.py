"""The translation desk (issue 20): the queue, the side-by-side editor, review by
another person, out-of-date translations, removal, and the audit entry of each step."""

import re

import pytest
from sqlalchemy import select

from campaign.models import (
    AuditEntry,
    Story,
    StoryStatus,
    Translation,
    TranslationSource,
    TranslationStatus,
    revise,
)
from tests.factories import PASSWORD, make_moderator, make_story, make_translation

ARABIC_TITLE = "رحلتي إلى فنلندا"
ARABIC_BODY = "وصلت في الشتاء ولم أكن أعرف أحداً. " * 4


def sign_in(app, account):
    client = app.test_client()
    response = client.post("/login", data={"email": account.email, "password": PASSWORD})
    assert response.status_code == 303, response.get_data(as_text=True)
    return client


@pytest.fixture
def arabic_story(db):
    return make_story(
        StoryStatus.PUBLISHED,
        title=ARABIC_TITLE,
        quote="لم أكن أعرف أحداً",
        body=ARABIC_BODY,
        language="ar",
    )


@pytest.fixture
def translator(db):
    return make_moderator("translator@example.org", can_moderate=False, reads="fr")


@pytest.fixture
def second_translator(db):
    return make_moderator("second@example.org", can_moderate=False, reads="fr ar")


def entries(db, story, action=None) -> list[AuditEntry]:
    query = select(AuditEntry).where(AuditEntry.story_id == story.id).order_by(AuditEntry.id)
    if action:
        query = query.where(AuditEntry.action == action)
    return list(db.session.scalars(query))


def the_translation(db, story, language="fr") -> Translation | None:
    db.session.expire_all()
    return db.session.scalar(
        select(Translation).where(
            Translation.story_id == story.id, Translation.language == language
        )
    )


def a_draft(story, translator) -> Translation:
    return make_translation(story, "fr", TranslationStatus.DRAFT, translator=translator)


def start(client, story, language="fr"):
    return client.post(f"/translate/stories/{story.id}/start", data={"language": language})


def fields(translation, **typed):
    values = {
        "version": translation.version,
        "title": "Mon voyage vers la Finlande",
        "quote": "Je ne connaissais personne",
        "body": "Je suis arrivée en hiver et je ne connaissais personne.",
    }
    values.update(typed)
    return values


# The queue ------------------------------------------------------------------------------


def test_the_queue_lists_stories_waiting_for_a_translation_into_the_translators_language(
    app, db, arabic_story, translator
):
    french = make_story(StoryStatus.PUBLISHED, title="Déjà en français", language="fr")
    no_consent = make_story(StoryStatus.PUBLISHED, title="Not to translate", channels=set())
    pending = make_story(title="Not published yet", language="en")
    translated = make_story(StoryStatus.PUBLISHED, title="Already translated", language="en")
    make_translation(translated, "fr")
    page = sign_in(app, translator).get("/translate").get_data(as_text=True)
    assert ARABIC_TITLE in page
    assert f'lang="ar" dir="rtl">{ARABIC_TITLE}' in page
    for story in (french, no_consent, pending, translated):
        assert story.title not in page
    assert re.search(r"Waiting for a translation <span class=\"count\">1</span>", page)


def test_the_queue_has_a_tab_per_step_with_its_count(app, db, arabic_story, translator):
    other = make_moderator(can_moderate=False, reads="fr")
    english = make_story(StoryStatus.PUBLISHED, title="Winter in Oulu", language="en")
    mine = a_draft(arabic_story, translator)
    waiting = make_translation(english, "fr", TranslationStatus.IN_REVIEW, translator=other)
    client = sign_in(app, translator)
    first = client.get("/translate").get_data(as_text=True)
    assert re.search(r"Your drafts <span class=\"count\">1</span>", first)
    assert re.search(r"To review <span class=\"count\">1</span>", first)
    drafts = client.get("/translate?tab=drafts").get_data(as_text=True)
    assert f"/translate/{mine.id}" in drafts and f"/translate/{waiting.id}" not in drafts
    review = client.get("/translate?tab=review").get_data(as_text=True)
    assert f"/translate/{waiting.id}" in review and f"/translate/{mine.id}" not in review
    # Another translator never sees someone else's drafts, nor their own to review.
    theirs = sign_in(app, other).get("/translate?tab=review").get_data(as_text=True)
    assert f"/translate/{waiting.id}" not in theirs


def test_the_queue_pages_are_bounded(app, db, translator, config_overrides):
    app.config["TRANSLATION_QUEUE_PAGE_SIZE"] = 2
    for number in range(3):
        make_story(StoryStatus.PUBLISHED, title=f"Paged story {number}", language="en")
    client = sign_in(app, translator)
    first = client.get("/translate").get_data(as_text=True)
    second = client.get("/translate?page=2").get_data(as_text=True)
    assert first.count('class="translate-item"') == 2 and 'rel="next"' in first
    assert second.count('class="translate-item"') == 1 and 'rel="prev"' in second


def test_the_queue_says_so_when_the_account_reads_no_language(app, db):
    moderator = make_moderator()
    page = sign_in(app, moderator).get("/translate").get_data(as_text=True)
    assert "Ask an admin to add the languages you read" in page


def test_a_language_the_translator_does_not_read_is_refused(app, db, arabic_story, translator):
    client = sign_in(app, translator)
    assert client.get("/translate?language=es").status_code == 400
    assert start(client, arabic_story, "es").status_code == 403
    assert the_translation(db, arabic_story, "es") is None


# Starting, writing, sending -------------------------------------------------------------


def test_starting_a_translation_makes_a_draft_and_an_audit_entry(app, db, arabic_story, translator):
    client = sign_in(app, translator)
    response = start(client, arabic_story)
    translation = the_translation(db, arabic_story)
    assert response.status_code == 303
    assert response.headers["Location"].endswith(f"/translate/{translation.id}")
    assert translation.status is TranslationStatus.DRAFT
    assert translation.translator_id == translator.id
    assert translation.original_version == arabic_story.text_version
    [entry] = entries(db, arabic_story, "translation_started")
    assert entry.actor_id == translator.id and entry.note == "fr"
    # A second start goes to the same translation, and makes no second one.
    again = start(sign_in(app, make_moderator(reads="fr")), arabic_story)
    assert again.headers["Location"].endswith(f"/translate/{translation.id}")
    assert len(entries(db, arabic_story, "translation_started")) == 1


def test_the_editor_shows_the_rtl_original_beside_ltr_fields(app, db, arabic_story, translator):
    client = sign_in(app, translator)
    start(client, arabic_story)
    translation = the_translation(db, arabic_story)
    page = client.get(f"/translate/{translation.id}").get_data(as_text=True)
    assert f'<p class="pair__text" lang="ar" dir="rtl">{ARABIC_TITLE}</p>' in page
    assert re.search(r'<input[^>]*dir="ltr"[^>]*id="title"[^>]*lang="fr"', page)
    assert re.search(r'<textarea[^>]*dir="ltr"[^>]*id="body"[^>]*lang="fr"', page)
    assert "Draft with machine help" not in page  # off unless LIBRETRANSLATE_URL is set
    assert 'id="alt_text"' not in page  # no photo, no description to translate


def test_a_saved_draft_keeps_the_words_and_sending_it_asks_for_review(
    app, db, arabic_story, translator
):
    client = sign_in(app, translator)
    start(client, arabic_story)
    translation = the_translation(db, arabic_story)
    response = client.post(
        f"/translate/{translation.id}", data=fields(translation, action="save", body="")
    )
    assert response.status_code == 303
    draft = the_translation(db, arabic_story)
    assert draft.title == "Mon voyage vers la Finlande" and draft.status is TranslationStatus.DRAFT
    # Sending without the story's text: refused beside the field, nothing typed lost.
    refused = client.post(f"/translate/{draft.id}", data=fields(draft, action="send", body=""))
    assert refused.status_code == 400
    page = refused.get_data(as_text=True)
    assert "Translate this too before sending it for review." in page
    assert "Je ne connaissais personne" in page
    assert the_translation(db, arabic_story).status is TranslationStatus.DRAFT
    sent = client.post(f"/translate/{draft.id}", data=fields(draft, action="send"))
    assert sent.status_code == 303
    translation = the_translation(db, arabic_story)
    assert translation.status is TranslationStatus.IN_REVIEW
    assert translation.body.startswith("Je suis arrivée")
    [entry] = entries(db, arabic_story, "translation_sent_for_review")
    assert entry.actor_id == translator.id and entry.note == "fr"


def test_a_stale_form_answers_409_and_keeps_what_was_typed(app, db, arabic_story, translator):
    translation = make_translation(
        arabic_story, "fr", TranslationStatus.DRAFT, translator=translator
    )
    old_version = translation.version
    client = sign_in(app, translator)
    client.post(f"/translate/{translation.id}", data=fields(translation, action="save"))
    response = client.post(
        f"/translate/{translation.id}",
        data=fields(translation, version=old_version, action="save", title="Mes mots à moi"),
    )
    assert response.status_code == 409
    page = response.get_data(as_text=True)
    assert "Someone changed this translation meanwhile" in page
    assert 'value="Mes mots à moi"' in page
    assert the_translation(db, arabic_story).title == "Mon voyage vers la Finlande"


def test_too_long_words_are_refused_beside_the_field(app, db, arabic_story, translator):
    translation = make_translation(
        arabic_story, "fr", TranslationStatus.DRAFT, translator=translator
    )
    client = sign_in(app, translator)
    response = client.post(
        f"/translate/{translation.id}", data=fields(translation, action="save", title="x" * 201)
    )
    assert response.status_code == 400
    assert 'aria-invalid="true"' in response.get_data(as_text=True)


def test_only_its_translator_writes_a_draft(app, db, arabic_story, translator, second_translator):
    translation = make_translation(
        arabic_story, "fr", TranslationStatus.DRAFT, translator=translator
    )
    client = sign_in(app, second_translator)
    page = client.get(f"/translate/{translation.id}").get_data(as_text=True)
    assert "Its translator is still writing it." in page and 'name="title"' not in page
    response = client.post(f"/translate/{translation.id}", data=fields(translation, action="save"))
    assert response.status_code == 403


# Review ---------------------------------------------------------------------------------


def sent_for_review(db, story, translator, **more) -> Translation:
    return make_translation(story, "fr", TranslationStatus.IN_REVIEW, translator=translator, **more)


def test_a_translator_never_publishes_their_own_translation(app, db, arabic_story, translator):
    translation = sent_for_review(db, arabic_story, translator)
    client = sign_in(app, translator)
    page = client.get(f"/translate/{translation.id}").get_data(as_text=True)
    assert "Waiting for someone else who reads this language to review it." in page
    assert "Publish the translation" not in page
    response = client.post(
        f"/translate/{translation.id}/publish", data={"version": translation.version}
    )
    assert response.status_code == 403
    assert the_translation(db, arabic_story).status is TranslationStatus.IN_REVIEW


def test_a_second_translator_who_reads_the_language_publishes_it(
    app, db, arabic_story, translator, second_translator
):
    translation = sent_for_review(db, arabic_story, translator)
    client = sign_in(app, second_translator)
    page = client.get(f"/translate/{translation.id}").get_data(as_text=True)
    assert f'lang="ar" dir="rtl">{ARABIC_TITLE}' in page
    assert 'lang="fr" dir="ltr">' in page
    response = client.post(
        f"/translate/{translation.id}/publish", data={"version": translation.version}
    )
    assert response.status_code == 303
    published = the_translation(db, arabic_story)
    assert published.status is TranslationStatus.PUBLISHED
    assert published.reviewer_id == second_translator.id
    assert published.published_at is not None
    assert published.original_version == arabic_story.text_version
    [entry] = entries(db, arabic_story, "translation_published")
    assert entry.actor_id == second_translator.id and entry.note == "fr"


def test_a_translator_of_another_language_may_not_review(app, db, arabic_story, translator):
    spanish = make_moderator(can_moderate=False, reads="es")
    translation = sent_for_review(db, arabic_story, translator)
    response = sign_in(app, spanish).post(
        f"/translate/{translation.id}/publish", data={"version": translation.version}
    )
    assert response.status_code == 403


def test_a_moderator_may_review_any_translation(app, db, arabic_story, translator):
    moderator = make_moderator()
    translation = sent_for_review(db, arabic_story, translator)
    response = sign_in(app, moderator).post(
        f"/translate/{translation.id}/publish", data={"version": translation.version}
    )
    assert response.status_code == 303
    assert the_translation(db, arabic_story).reviewer_id == moderator.id


def test_sending_back_returns_the_draft_with_the_reviewers_note(
    app, db, arabic_story, translator, second_translator
):
    translation = sent_for_review(db, arabic_story, translator)
    reviewer = sign_in(app, second_translator)
    empty = reviewer.post(
        f"/translate/{translation.id}/send-back", data={"version": translation.version, "note": ""}
    )
    assert empty.status_code == 400 and "Say what should change." in empty.get_data(as_text=True)
    response = reviewer.post(
        f"/translate/{translation.id}/send-back",
        data={"version": translation.version, "note": "Le deuxième paragraphe manque."},
    )
    assert response.status_code == 303
    back = the_translation(db, arabic_story)
    assert back.status is TranslationStatus.DRAFT and back.reviewer_id is None
    [entry] = entries(db, arabic_story, "translation_sent_back")
    assert entry.actor_id == second_translator.id and entry.note == "fr"
    editor = sign_in(app, translator).get(f"/translate/{back.id}").get_data(as_text=True)
    assert "Le deuxième paragraphe manque." in editor and 'name="title"' in editor


def test_a_stale_review_answers_409_and_keeps_the_note(
    app, db, arabic_story, translator, second_translator
):
    translation = sent_for_review(db, arabic_story, translator)
    response = sign_in(app, second_translator).post(
        f"/translate/{translation.id}/send-back",
        data={"version": translation.version - 1, "note": "Mon avis gardé"},
    )
    assert response.status_code == 409
    assert "Mon avis gardé" in response.get_data(as_text=True)


# Out of date ----------------------------------------------------------------------------


def test_an_edit_of_the_original_asks_for_the_translation_to_be_brought_up_to_date(
    app, db, arabic_story, translator, second_translator
):
    translation = make_translation(arabic_story, "fr", translator=translator)
    revise(arabic_story, None, body=ARABIC_BODY + " وجدت عملاً.")
    db.session.commit()
    outdated = the_translation(db, arabic_story)
    assert outdated.status is TranslationStatus.OUTDATED
    client = sign_in(app, second_translator)
    queue = client.get("/translate?tab=outdated").get_data(as_text=True)
    assert f"/translate/{translation.id}" in queue
    page = client.get(f"/translate/{translation.id}").get_data(as_text=True)
    assert "What changed in the original" in page and "<ins>" in page
    response = client.post(
        f"/translate/{translation.id}/reopen", data={"version": outdated.version}
    )
    assert response.status_code == 303
    reopened = the_translation(db, arabic_story)
    assert reopened.status is TranslationStatus.DRAFT
    assert reopened.translator_id == second_translator.id
    [entry] = entries(db, arabic_story, "translation_reopened")
    assert entry.note == "fr"
    editor = client.get(f"/translate/{translation.id}").get_data(as_text=True)
    assert "What changed in the original" in editor and 'name="body"' in editor
    # Up to date again only through review by somebody else.
    client.post(f"/translate/{translation.id}", data=fields(reopened, action="send"))
    assert the_translation(db, arabic_story).status is TranslationStatus.IN_REVIEW
    assert (
        client.post(
            f"/translate/{translation.id}/publish",
            data={"version": the_translation(db, arabic_story).version},
        ).status_code
        == 403
    )


# Removal --------------------------------------------------------------------------------


def test_a_moderator_removes_a_translation_and_it_is_recorded(app, db, arabic_story, translator):
    translation = make_translation(arabic_story, "fr", translator=translator)
    refused = sign_in(app, translator).post(
        f"/translate/{translation.id}/remove", data={"version": translation.version}
    )
    assert refused.status_code == 403
    moderator = make_moderator()
    response = sign_in(app, moderator).post(
        f"/translate/{translation.id}/remove", data={"version": translation.version}
    )
    assert response.status_code == 303
    assert the_translation(db, arabic_story) is None
    [entry] = entries(db, arabic_story, "translation_removed")
    assert entry.actor_id == moderator.id and entry.note == "fr"


def test_a_translation_of_a_deleted_story_is_not_found(app, db, arabic_story, translator):
    translation = make_translation(
        arabic_story, "fr", TranslationStatus.DRAFT, translator=translator
    )
    translation_id = translation.id
    db.session.delete(db.session.get(Story, arabic_story.id))
    db.session.commit()
    assert sign_in(app, translator).get(f"/translate/{translation_id}").status_code == 404


def test_a_machine_draft_is_labelled_for_its_reviewer(app, db, arabic_story, translator):
    translation = sent_for_review(
        db, arabic_story, translator, source=TranslationSource.MACHINE_DRAFT
    )
    page = sign_in(app, make_moderator()).get(f"/translate/{translation.id}")
    assert "Started from a machine draft: check every word" in page.get_data(as_text=True)


def test_the_moderators_review_page_lists_the_storys_translations_before_an_edit(
    app, db, arabic_story
):
    moderator = make_moderator("reviewing@example.org")
    make_translation(arabic_story, "fr")
    make_translation(arabic_story, "en", TranslationStatus.DRAFT)
    page = (
        sign_in(app, moderator).get(f"/moderate/stories/{arabic_story.id}").get_data(as_text=True)
    )
    section = page.split('id="translations-heading"', 1)[1].split("</section>", 1)[0]
    assert "puts every translation out of date" in section
    assert re.search(r">French</a> · Published<", section)
    assert re.search(r">English</a> · Draft<", section)
    fr = the_translation(db, arabic_story, "fr")
    assert f'href="/translate/{fr.id}"' in section
