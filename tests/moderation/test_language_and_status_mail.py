"""A story marked in one language but written in another is a signal with one action;
every status change is told to a storyteller who left an e-mail, in their language."""

from sqlalchemy import select

from campaign.models import AuditEntry, Story, StoryStatus
from tests.factories import make_story
from tests.i18n.test_detect import SHORT_TEXTS

ARABIC = " ".join(SHORT_TEXTS["ar"])


def fresh(db, story):
    db.session.expire_all()
    return db.session.get(Story, story.id)


def entries(db, action):
    return db.session.scalars(select(AuditEntry).where(AuditEntry.action == action)).all()


def decide(client, story, decision, **data):
    return client.post(
        f"/moderate/stories/{story.id}",
        data={"decision": decision, "version": fresh_version(story), **data},
    )


def fresh_version(story):
    from campaign.extensions import db

    db.session.expire_all()
    return db.session.get(Story, story.id).version


# The language signal ---------------------------------------------------------------


def test_an_arabic_story_marked_english_is_a_signal_with_one_audited_action(signed_in, db):
    story = make_story(body=ARABIC, language="en", title="The long road")
    assert story.proposed_language == "ar"
    queue = signed_in.get("/moderate").get_data(as_text=True)
    assert "seems ar" in queue
    review = signed_in.get(f"/moderate/stories/{story.id}").get_data(as_text=True)
    assert "Marked as written in English, but the text seems to be in Arabic." in review
    assert "Nothing stands out." not in review
    assert "Mark it as Arabic" in review

    response = signed_in.post(
        f"/moderate/stories/{story.id}/language",
        data={"version": story.version},
        follow_redirects=True,
    )

    assert "The story&#39;s language is changed to the one proposed." in response.get_data(
        as_text=True
    )
    story = fresh(db, story)
    assert story.language == "ar" and story.proposed_language is None
    [entry] = entries(db, "language_accepted")
    assert entry.note == "en → ar" and entry.story_id == story.id
    assert "seems ar" not in signed_in.get("/moderate").get_data(as_text=True)


def test_accepting_on_a_stale_page_or_without_a_proposal_changes_nothing(signed_in, db):
    story = make_story(body=ARABIC, language="en")
    stale = story.version
    story.title = "Changed meanwhile"
    db.session.commit()
    signed_in.post(f"/moderate/stories/{story.id}/language", data={"version": stale})
    assert fresh(db, story).language == "en"
    agreed = make_story(body=ARABIC, language="ar")
    page = signed_in.post(
        f"/moderate/stories/{agreed.id}/language",
        data={"version": agreed.version},
        follow_redirects=True,
    ).get_data(as_text=True)
    assert "That is not possible for a story in this state." in page
    assert entries(db, "language_accepted") == []


def test_a_moderator_edit_that_fixes_the_text_takes_the_proposal_away(signed_in, db):
    story = make_story(body=ARABIC, language="en")
    signed_in.post(
        f"/moderate/stories/{story.id}/edit",
        data={
            "version": story.version,
            "title": story.title,
            "quote": "",
            "body": " ".join(SHORT_TEXTS["en"]),
        },
    )
    assert fresh(db, story).proposed_language is None


# One message per status change -------------------------------------------------------


def test_each_status_change_is_one_message_in_the_language_the_story_is_written_in(
    signed_in, client, db, mail_sent
):
    story = make_story(contact_email="teller@example.org", body=ARABIC, language="ar")
    decide(signed_in, story, "request_changes", message="احذف اسم شارعك من فضلك.")
    [asked] = mail_sent
    assert asked["To"] == "teller@example.org"
    assert asked["Subject"] == "يطلب أحد المشرفين تعديلات على قصتك"
    assert "احذف اسم شارعك من فضلك." in asked.get_content()
    assert "Hello" not in asked.get_content()

    decide(signed_in, story, "approve")
    assert len(mail_sent) == 2
    assert mail_sent[1]["Subject"] == "نُشرت قصتك"

    decide(signed_in, story, "unpublish", reason="identifying", message="")
    assert len(mail_sent) == 3
    assert mail_sent[2]["Subject"] == "لم تعد قصتك منشورة"
    assert "قد تكشف هويتك" in mail_sent[2].get_content()


def test_the_message_follows_the_story_language_not_the_moderators_page(signed_in, db, mail_sent):
    persian = " ".join(SHORT_TEXTS["fa"])
    dari = make_story(contact_email="a@example.org", body=persian, language="fa-AF")
    german = make_story(contact_email="b@example.org", language="de")
    signed_in.post(
        f"/fr/moderate/stories/{dari.id}", data={"decision": "approve", "version": dari.version}
    )
    signed_in.post(
        f"/fr/moderate/stories/{german.id}",
        data={"decision": "reject", "reason": "spam", "version": german.version},
    )
    subjects = [m["Subject"] for m in mail_sent]
    assert subjects == ["داستان شما نشر شد", "Your story was not published"]
    assert "Why: It looks like advertising." in mail_sent[1].get_content()


def test_bulk_decisions_write_to_each_storyteller_once(signed_in, db, mail_sent):
    stories = [make_story(contact_email=f"t{n}@example.org", language="uk") for n in range(2)]
    silent = make_story(contact_email=None)
    data = {"story_ids": [s.id for s in [*stories, silent]], "action": "approve"}
    for s in [*stories, silent]:
        data[f"version-{s.id}"] = s.version
    signed_in.post("/moderate/bulk", data=data)
    assert sorted(m["To"] for m in mail_sent) == ["t0@example.org", "t1@example.org"]
    assert {m["Subject"] for m in mail_sent} == {"Вашу історію опубліковано"}


def test_nothing_is_sent_without_an_email_address(signed_in, db, mail_sent):
    story = make_story(contact_email=None)
    decide(signed_in, story, "request_changes", message="Shorter, please.")
    decide(signed_in, story, "reject", reason="other", message="")
    assert fresh(db, story).status is StoryStatus.REJECTED
    assert mail_sent == []


def test_a_decision_refused_on_a_stale_page_sends_nothing(signed_in, db, mail_sent):
    story = make_story(contact_email="teller@example.org")
    seen = story.version
    story.title = "Edited meanwhile"
    db.session.commit()
    signed_in.post(f"/moderate/stories/{story.id}", data={"decision": "approve", "version": seen})
    assert fresh(db, story).status is StoryStatus.PENDING
    assert mail_sent == []
