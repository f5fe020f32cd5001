"""The review desk: queue, decisions, edits, conflicts, signals."""

import re
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from campaign.models import (
    AuditEntry,
    Photo,
    Report,
    Story,
    StoryRevision,
    StoryStatus,
    StoryViewing,
    Theme,
)
from campaign.models._types import utcnow
from tests.factories import PASSWORD, make_moderator, make_story

# Both engines: queue filters, counts, order, conflicts and deletes are SQL.
pytestmark = pytest.mark.both_databases


def audit(db, action=None):
    """The entries about stories (making the test's moderators leaves entries too)."""
    query = select(AuditEntry).where(AuditEntry.story_id.is_not(None)).order_by(AuditEntry.id)
    if action:
        query = query.where(AuditEntry.action == action)
    return db.session.scalars(query).all()


def fresh(db, story):
    db.session.expire_all()
    return db.session.get(Story, story.id)


# The queue -----------------------------------------------------------------------


def test_tabs_show_counts_for_each_list(signed_in):
    for _ in range(3):
        make_story()
    make_story(StoryStatus.CHANGES_REQUESTED)
    make_story(StoryStatus.PUBLISHED)
    make_story(StoryStatus.REJECTED)
    page = signed_in.get("/moderate").get_data(as_text=True)
    for label, count in [
        ("Waiting for review", 3),
        ("Asked for changes", 1),
        ("Reported", 0),
        ("Published", 1),
        ("Not published", 1),
    ]:
        assert f'{label} <span class="count">{count}</span>' in page


def test_each_tab_lists_its_own_stories(signed_in):
    make_story(title="Waiting one")
    make_story(StoryStatus.PUBLISHED, title="Out in public")
    make_story(StoryStatus.REJECTED, title="Turned down")
    published = signed_in.get("/moderate?tab=published").get_data(as_text=True)
    assert "Out in public" in published and "Waiting one" not in published
    rejected = signed_in.get("/moderate?tab=not_published").get_data(as_text=True)
    assert "Turned down" in rejected and "Out in public" not in rejected


def test_queue_shows_how_long_each_story_waited(signed_in, db):
    story = make_story(title="Old one")
    story.created_at = utcnow() - timedelta(days=3)
    db.session.commit()
    page = signed_in.get("/moderate").get_data(as_text=True)
    assert "3 days" in page


def test_queue_filters_by_search_language_country_theme_and_date(signed_in, db):
    theme = Theme(slug="work", name="Work", names={}, position=1)
    db.session.add(theme)
    bakery = make_story(title="The bakery", origin_country="SY")
    bakery.language = "ar"
    bakery.themes.append(theme)
    old = make_story(title="The old harbour", origin_country="UA")
    old.created_at = utcnow() - timedelta(days=40)
    db.session.commit()

    def titles(query):
        page = signed_in.get(f"/moderate?{query}").get_data(as_text=True)
        return {t for t in ("The bakery", "The old harbour") if f"<bdi>{t}</bdi></a>" in page}

    assert titles("q=bakery") == {"The bakery"}
    assert titles("q=HARBOUR") == {"The old harbour"}
    assert titles("q=100%25") == set()
    assert titles("language=ar") == {"The bakery"}
    assert titles("country=UA") == {"The old harbour"}
    assert titles("theme=work") == {"The bakery"}
    since = (utcnow() - timedelta(days=7)).date().isoformat()
    assert titles(f"since={since}") == {"The bakery"}
    until = (utcnow() - timedelta(days=30)).date().isoformat()
    assert titles(f"until={until}") == {"The old harbour"}


def test_after_a_decision_the_next_pending_story_opens(signed_in):
    first = make_story()
    second = make_story()
    response = signed_in.post(
        f"/moderate/stories/{first.id}", data={"decision": "approve", "version": first.version}
    )
    assert response.headers["Location"] == f"/moderate/stories/{second.id}"
    response = signed_in.post(
        f"/moderate/stories/{second.id}", data={"decision": "approve", "version": second.version}
    )
    assert response.headers["Location"] == "/moderate"


def bulk(stories, **data) -> dict:
    """The bulk form as the queue sends it: the selected ids and the version of each shown."""
    return {
        "story_ids": [str(s.id) for s in stories],
        **{f"version-{s.id}": str(s.version) for s in stories},
        **data,
    }


def test_bulk_approve_publishes_only_the_versions_the_moderator_saw(signed_in, db):
    """An edit made after the queue was loaded is not published unseen (finding 6)."""
    seen, edited = make_story(title="Seen as it is"), make_story(title="Seen before an edit")
    queue = signed_in.get("/moderate").get_data(as_text=True)
    assert f'name="version-{edited.id}" value="{edited.version}"' in queue
    form = bulk([seen, edited], action="approve")
    edited.body = "A new text nobody on the desk has read. " * 3  # the teller's edit
    db.session.commit()

    response = signed_in.post("/moderate/bulk", data=form, follow_redirects=True)

    page = response.get_data(as_text=True)
    assert fresh(db, seen).status is StoryStatus.PUBLISHED
    assert fresh(db, edited).status is StoryStatus.PENDING
    assert "changed since you loaded the queue" in page
    assert "Seen before an edit" in page
    assert [e.story_id for e in audit(db, "approve")] == [seen.id]


def test_bulk_approve_without_the_versions_shown_publishes_nothing(signed_in, db):
    story = make_story()
    response = signed_in.post(
        "/moderate/bulk", data={"story_ids": [story.id], "action": "approve"}, follow_redirects=True
    )
    assert fresh(db, story).status is StoryStatus.PENDING
    assert "changed since you loaded the queue" in response.get_data(as_text=True)


def test_bulk_approve_publishes_selected_and_records_each(signed_in, db):
    stories = [make_story() for _ in range(3)]
    response = signed_in.post(
        "/moderate/bulk",
        data=bulk(stories[:2], action="approve"),
    )
    assert response.status_code == 303
    assert [fresh(db, s).status for s in stories] == [
        StoryStatus.PUBLISHED,
        StoryStatus.PUBLISHED,
        StoryStatus.PENDING,
    ]
    entries = audit(db, "approve")
    assert sorted(e.story_id for e in entries) == [stories[0].id, stories[1].id]


def test_bulk_reject_needs_a_reason(signed_in, db):
    story = make_story()
    signed_in.post("/moderate/bulk", data=bulk([story], action="reject"))
    assert fresh(db, story).status is StoryStatus.PENDING
    signed_in.post("/moderate/bulk", data=bulk([story], action="reject", reason="spam"))
    story = fresh(db, story)
    assert story.status is StoryStatus.REJECTED and story.rejection_reason == "spam"
    assert len(audit(db, "reject")) == 1


def test_bulk_skips_stories_that_are_already_decided(signed_in, db):
    published = make_story(StoryStatus.PUBLISHED)
    response = signed_in.post(
        "/moderate/bulk",
        data=bulk([published], action="reject", reason="spam"),
        follow_redirects=True,
    )
    assert "0 stories done, 1 skipped." in response.get_data(as_text=True)
    assert fresh(db, published).status is StoryStatus.PUBLISHED


@pytest.mark.parametrize("config_overrides", [{"WTF_CSRF_ENABLED": True}])
def test_bulk_action_needs_the_csrf_token(client, moderator, db):
    token = lambda page: re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page).group(1)  # noqa: E731
    login_page = client.get("/login").get_data(as_text=True)
    client.post(
        "/login",
        data={"email": moderator.email, "password": PASSWORD, "csrf_token": token(login_page)},
    )
    story = make_story()
    refused = client.post("/moderate/bulk", data=bulk([story], action="approve"))
    assert refused.status_code == 400
    assert fresh(db, story).status is StoryStatus.PENDING
    queue = client.get("/moderate").get_data(as_text=True)
    done = client.post(
        "/moderate/bulk",
        data=bulk([story], action="approve", csrf_token=token(queue)),
        follow_redirects=True,
    )
    assert fresh(db, story).status is StoryStatus.PUBLISHED, done.get_data(as_text=True)


# Reviewing -------------------------------------------------------------------------


def test_review_shows_the_public_view_and_private_fields_apart(signed_in, db):
    story = make_story(contact_email="me@example.org", author_name="Amina Haddad")
    story.on_behalf = True
    story.helper_relationship = "daughter"
    story.quote = "Bread and words"
    db.session.commit()
    page = signed_in.get(f"/moderate/stories/{story.id}").get_data(as_text=True)
    public, private = page.split('id="private-heading"')
    assert "Bread and words" in public and "Amina</p>" not in private
    assert "me@example.org" in private and "daughter" in private
    assert "me@example.org" not in public


def test_review_shows_the_photo_description_without_the_media_blueprint(signed_in, db):
    story = make_story()
    db.session.add(
        Photo(story_id=story.id, alt_text="A bakery window", width=800, height=600, renditions=[])
    )
    db.session.commit()
    page = signed_in.get(f"/moderate/stories/{story.id}").get_data(as_text=True)
    assert "A bakery window" in page and "800 \u00d7 600" in page


def test_signals_highlight_watch_words_links_length_and_duplicates(signed_in, admin_client, db):
    admin_client.post("/moderate/admin/settings", data={"watch_words": "passport\nMüller"})
    text = (
        "I lost my passport in the forest near the border crossing at night. "
        "Herr Müller helped me. See www.example.com for more about the long walk we made."
    )
    original = make_story(StoryStatus.PUBLISHED, title="The forest", body=text)
    copy = make_story(title="The forest again", body=text + " Thank you.")
    short = make_story(body="Too short <b>x</b>")
    page = signed_in.get(f"/moderate/stories/{copy.id}").get_data(as_text=True)
    assert '<mark class="watch">passport</mark>' in page
    assert '<mark class="watch">Müller</mark>' in page
    assert '<li class="signal signal--detail" data-detail="link">' in page
    assert 'title="Link">www.example.com</mark>' in page
    assert "Likely duplicate" in page and f'/moderate/stories/{original.id}"' in page
    short_page = signed_in.get(f"/moderate/stories/{short.id}").get_data(as_text=True)
    assert "Very short text" in short_page
    assert "<b>x</b>" not in short_page


def test_watch_word_highlighting_keeps_text_escaped(signed_in, admin_client):
    admin_client.post("/moderate/admin/settings", data={"watch_words": "script"})
    story = make_story(body="A line about <script>alert(1)</script> script kiddies. " * 3)
    page = signed_in.get(f"/moderate/stories/{story.id}").get_data(as_text=True)
    assert "<script>alert" not in page
    assert '<mark class="watch">script</mark>' in page


def test_reject_needs_a_reason_and_keeps_what_was_typed(signed_in, db):
    story = make_story()
    response = signed_in.post(
        f"/moderate/stories/{story.id}",
        data={"decision": "reject", "version": story.version, "message": "Kept text"},
    )
    page = response.get_data(as_text=True)
    assert "Choose a reason." in page and "Kept text" in page
    assert fresh(db, story).status is StoryStatus.PENDING


def test_reject_with_reason_and_message_emails_the_storyteller(signed_in, db, mail_sent):
    story = make_story(contact_email="teller@example.org")
    signed_in.post(
        f"/moderate/stories/{story.id}",
        data={
            "decision": "reject",
            "reason": "identifying",
            "message": "It names your street.",
            "version": story.version,
        },
    )
    story = fresh(db, story)
    assert story.status is StoryStatus.REJECTED and story.rejection_reason == "identifying"
    [message] = mail_sent
    assert message["To"] == "teller@example.org"
    assert message["Subject"] == "Your story was not published"
    text = message.get_content()
    assert "It names your street." in text and f"“{story.title}”" in text
    assert audit(db, "reject")[0].note == "reason: identifying"


def test_request_changes_shows_the_message_on_the_private_page_and_emails(signed_in, db, mail_sent):
    story = make_story(contact_email="teller@example.org")
    token = story.token
    missing = signed_in.post(
        f"/moderate/stories/{story.id}",
        data={"decision": "request_changes", "version": story.version},
    )
    assert "Tell the storyteller what to change." in missing.get_data(as_text=True)
    signed_in.post(
        f"/moderate/stories/{story.id}",
        data={
            "decision": "request_changes",
            "message": "Please remove the name of your town.",
            "version": story.version,
        },
    )
    assert fresh(db, story).status is StoryStatus.CHANGES_REQUESTED
    assert [message["To"] for message in mail_sent] == ["teller@example.org"]
    assert "Please remove the name of your town." in mail_sent[0].get_content()
    private_page = signed_in.get(f"/my-story/{token}").get_data(as_text=True)
    assert "Please remove the name of your town." in private_page


def test_request_changes_without_email_sends_nothing(signed_in, db, mail_sent):
    story = make_story(contact_email=None)
    signed_in.post(
        f"/moderate/stories/{story.id}",
        data={"decision": "request_changes", "message": "Shorter?", "version": story.version},
    )
    assert mail_sent == []


def test_edit_keeps_a_readable_escaped_revision_history(signed_in, db, moderator):
    story = make_story(body="I lived in Smalltown with Ahmed Karimi and my cat. I <3 it.")
    signed_in.post(
        f"/moderate/stories/{story.id}/edit",
        data={
            "title": story.title,
            "quote": "",
            "body": "I lived in a small town with Ahmed and my cat. I <3 it.",
            "version": story.version,
        },
    )
    story = fresh(db, story)
    assert story.body == "I lived in a small town with Ahmed and my cat. I <3 it."
    revision = db.session.scalar(select(StoryRevision))
    assert revision.moderator_id == moderator.id and revision.field == "body"
    assert revision.old_text.startswith("I lived in Smalltown")
    page = signed_in.get(f"/moderate/stories/{story.id}").get_data(as_text=True)
    assert "<del>Smalltown</del>" in page and "<ins>a small town</ins>" in page
    assert "<del> Karimi</del>" in page
    assert "I &lt;3 it." in page and "I <3 it" not in page
    assert moderator.email in page.split("Revision history")[1]
    assert len(audit(db, "edit")) == 1


def test_edit_on_a_stale_copy_is_refused(signed_in, db):
    story = make_story()
    seen = story.version
    signed_in.post(
        f"/moderate/stories/{story.id}",
        data={"decision": "approve", "version": seen},
    )
    response = signed_in.post(
        f"/moderate/stories/{story.id}/edit",
        data={"title": "Changed", "quote": "", "body": story.body, "version": seen},
        follow_redirects=True,
    )
    assert "Someone else changed this story" in response.get_data(as_text=True)
    assert fresh(db, story).title != "Changed"


def test_remove_photo(signed_in, db):
    story = make_story()
    db.session.add(Photo(story_id=story.id, alt_text="x", width=10, height=10, renditions=[]))
    db.session.commit()
    response = signed_in.post(
        f"/moderate/stories/{story.id}/photo/remove", data={"version": fresh(db, story).version}
    )
    assert response.status_code == 303
    assert db.session.scalar(select(func.count()).select_from(Photo)) == 0
    assert len(audit(db, "remove_photo")) == 1


def test_feature_and_unfeature_a_published_story(signed_in, db):
    story = make_story(StoryStatus.PUBLISHED)
    signed_in.post(f"/moderate/stories/{story.id}/feature", data={"version": story.version})
    story = fresh(db, story)
    assert story.featured_at is not None
    signed_in.post(f"/moderate/stories/{story.id}/unfeature", data={"version": story.version})
    assert fresh(db, story).featured_at is None
    assert [e.action for e in audit(db)] == ["feature", "unfeature"]


def test_pending_story_cannot_be_featured(signed_in, db):
    story = make_story()
    signed_in.post(f"/moderate/stories/{story.id}/feature", data={"version": story.version})
    assert fresh(db, story).featured_at is None
    assert audit(db) == []


def test_unpublish_takes_a_story_out_of_the_gallery(signed_in, db):
    story = make_story(StoryStatus.PUBLISHED)
    assert signed_in.get(f"/stories/{story.slug}").status_code == 200
    signed_in.post(
        f"/moderate/stories/{story.id}",
        data={"decision": "unpublish", "reason": "identifying", "version": story.version},
    )
    assert fresh(db, story).status is StoryStatus.REJECTED
    assert signed_in.get(f"/stories/{story.slug}").status_code == 404
    assert audit(db, "unpublish")[0].from_status == "published"


def test_only_admins_delete_for_good_and_only_with_confirmation(signed_in, admin_client, db):
    story = make_story(StoryStatus.PUBLISHED)
    signed_in.post(f"/stories/{story.slug}/report", data={"reason": "spam"})
    signed_in.post(
        f"/moderate/stories/{story.id}/edit",
        data={"title": "Edited", "quote": "", "body": story.body, "version": story.version},
    )
    signed_in.get(f"/moderate/stories/{story.id}")
    story = fresh(db, story)
    refused = signed_in.post(
        f"/moderate/stories/{story.id}/delete", data={"version": story.version, "confirm": "y"}
    )
    assert refused.status_code == 403
    unconfirmed = admin_client.post(
        f"/moderate/stories/{story.id}/delete", data={"version": story.version}
    )
    assert "Tick the box to confirm." in unconfirmed.get_data(as_text=True)
    assert fresh(db, story) is not None
    response = admin_client.post(
        f"/moderate/stories/{story.id}/delete",
        data={"version": story.version, "confirm": "y", "reason": "spam"},
    )
    assert response.status_code == 303
    story_id = story.id
    db.session.expire_all()
    assert db.session.get(Story, story_id) is None
    entry = audit(db, "delete")[0]
    assert entry.story_id == story_id and entry.from_status == "published"
    # What hung on the story went with it; the audit trail stays.
    for model in (Report, StoryRevision, StoryViewing):
        assert db.session.scalar(select(func.count()).select_from(model)) == 0
    assert [e.action for e in audit(db)] == ["edit", "delete"]


def test_deleting_for_good_keeps_only_the_id_and_the_reason_in_the_audit_log(admin_client, db):
    """A story is deleted for good so that its words are gone: the log keeps none of them."""
    story = make_story(StoryStatus.PUBLISHED, title="Amira from Qamishli, Nour's sister")
    story_id = story.id
    no_reason = admin_client.post(
        f"/moderate/stories/{story_id}/delete", data={"version": story.version, "confirm": "y"}
    )
    assert "Choose a reason." in no_reason.get_data(as_text=True)
    assert fresh(db, story) is not None
    deleted = admin_client.post(
        f"/moderate/stories/{story_id}/delete",
        data={"version": story.version, "confirm": "y", "reason": "identifying"},
    )
    assert deleted.status_code == 303
    [entry] = audit(db, "delete")
    assert entry.story_id == story_id
    assert entry.note == "reason: identifying"
    log = admin_client.get("/moderate/log").get_data(as_text=True)
    for part in ("Amira", "Qamishli", "Nour"):
        assert part not in log
        for row in db.session.scalars(select(AuditEntry)):
            assert part not in (row.note or "")


# Two moderators on one story ---------------------------------------------------------


def test_second_moderator_sees_who_else_has_the_story_open(app, signed_in, moderator):
    story = make_story()
    signed_in.get(f"/moderate/stories/{story.id}")
    colleague = make_moderator()
    other = app.test_client()
    other.post("/login", data={"email": colleague.email, "password": PASSWORD})
    page = other.get(f"/moderate/stories/{story.id}").get_data(as_text=True)
    assert f"Also looking at this story now: {moderator.email}" in page
    own = signed_in.get(f"/moderate/stories/{story.id}").get_data(as_text=True)
    assert colleague.email in own


def test_conflicting_decisions_by_two_moderators_are_never_both_applied(app, signed_in, db):
    story = make_story()
    colleague = make_moderator()
    other = app.test_client()
    other.post("/login", data={"email": colleague.email, "password": PASSWORD})
    seen = story.version
    signed_in.get(f"/moderate/stories/{story.id}")
    other.get(f"/moderate/stories/{story.id}")
    first = signed_in.post(
        f"/moderate/stories/{story.id}", data={"decision": "approve", "version": seen}
    )
    second = other.post(
        f"/moderate/stories/{story.id}",
        data={"decision": "reject", "reason": "spam", "version": seen},
        follow_redirects=True,
    )
    assert first.status_code == 303
    assert "Someone else changed this story" in second.get_data(as_text=True)
    assert fresh(db, story).status is StoryStatus.PUBLISHED
    assert [e.action for e in audit(db)] == ["approve"]


def test_one_audit_entry_per_action(signed_in, db):
    story = make_story()
    signed_in.post(
        f"/moderate/stories/{story.id}/edit",
        data={"title": "New title", "quote": "", "body": story.body, "version": story.version},
    )
    story = fresh(db, story)
    signed_in.post(
        f"/moderate/stories/{story.id}", data={"decision": "approve", "version": story.version}
    )
    story = fresh(db, story)
    signed_in.post(f"/moderate/stories/{story.id}/feature", data={"version": story.version})
    assert [(e.action, e.story_id) for e in audit(db)] == [
        ("edit", story.id),
        ("approve", story.id),
        ("feature", story.id),
    ]


def test_review_page_links_to_the_previous_and_next_pending_stories(signed_in):
    first, second, third = make_story(), make_story(), make_story()
    page = signed_in.get(f"/moderate/stories/{second.id}").get_data(as_text=True)
    assert f'href="/moderate/stories/{first.id}" rel="prev"' in page
    assert f'href="/moderate/stories/{third.id}" rel="next"' in page
