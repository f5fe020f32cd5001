"""A story withdrawn while a moderator acts on it (issue 14, finding 11): every action
answers "this story is no longer here" with a 404, never a 500, and saves nothing."""

import pytest
from sqlalchemy import delete, event, func, select

from campaign.extensions import db as _db
from campaign.models import AuditEntry, Report, Story, StoryStatus
from campaign.moderation import views
from tests.factories import PASSWORD, make_moderator, make_photo, make_story

pytestmark = pytest.mark.both_databases

GONE = "This story is no longer here"


def _delete_story_row(story_id: int) -> None:
    # A Core statement: the session keeps its copy, as another worker's delete would.
    story = Story.__table__
    _db.session.execute(delete(story).where(story.c.id == story_id))


@pytest.fixture
def withdrawn_after_loading(monkeypatch):
    """The story is deleted (and that committed, as its teller's withdrawal would be in
    another worker) just after the view loaded it: the view holds a copy of a row that
    is gone, as happens on PostgreSQL when the withdrawal commits between the two."""

    def load(story_id: int):
        story = views._load_original(story_id)
        session = _db.session()
        session.expire_on_commit = False  # the view keeps the copy it read
        try:
            _delete_story_row(story_id)
            session.commit()
        finally:
            session.expire_on_commit = True
        return story

    monkeypatch.setattr(views, "_load_original", views._load, raising=False)
    monkeypatch.setattr(views, "_load", load)


def _story(status=StoryStatus.PENDING, *, photo=False, reported=False, featured=False):
    story = make_story(status)
    if photo:
        make_photo(story)
    if reported:
        _db.session.add(Report(story_id=story.id, reason="spam", reporter_key="k"))
    if featured:
        story.featured_at = func.now()
    _db.session.commit()
    return story.id, story.version


ACTIONS = {
    "approve": ({}, "", {"decision": "approve"}),
    "reject": ({}, "", {"decision": "reject", "reason": "spam"}),
    "ask for changes": ({}, "", {"decision": "request_changes", "message": "Please"}),
    "unpublish": ({"status": StoryStatus.PUBLISHED}, "", {"decision": "unpublish"}),
    "edit": ({}, "/edit", {"title": "New", "quote": "", "body": "Changed text. " * 10}),
    "remove photo": ({"photo": True}, "/photo/remove", {}),
    "feature": ({"status": StoryStatus.PUBLISHED}, "/feature", {}),
    "unfeature": ({"status": StoryStatus.PUBLISHED, "featured": True}, "/unfeature", {}),
    "dismiss reports": ({"reported": True}, "/reports/dismiss", {}),
    "delete": ({}, "/delete", {"confirm": "y", "reason": "storyteller_asked"}),
}


def _admin_client(app):
    admin = make_moderator(admin=True)
    client = app.test_client()
    client.post("/login", data={"email": admin.email, "password": PASSWORD})
    return client


@pytest.mark.parametrize("action", ACTIONS)
def test_an_action_on_a_story_withdrawn_meanwhile_says_so_and_saves_nothing(
    app, db, action, withdrawn_after_loading
):
    setup, path, data = ACTIONS[action]
    story_id, version = _story(**setup)
    client = _admin_client(app)
    entries_before = db.session.scalar(select(func.count(AuditEntry.id)))

    response = client.post(f"/moderate/stories/{story_id}{path}", data={**data, "version": version})

    assert response.status_code == 404, response.get_data(as_text=True)[:2000]
    assert GONE in response.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(Story, story_id) is None
    # Nothing of the action was saved: no audit entry claims it happened.
    assert db.session.scalar(select(func.count(AuditEntry.id))) == entries_before


def test_a_review_page_opened_as_the_story_is_withdrawn_says_so(
    app, db, signed_in, withdrawn_after_loading
):
    story_id, _version = _story()
    response = signed_in.get(f"/moderate/stories/{story_id}")
    assert response.status_code == 404
    assert GONE in response.get_data(as_text=True)


def test_an_approval_committed_just_before_the_withdrawal_is_not_a_500(
    app, db, signed_in, monkeypatch
):
    """The decision commits, then the withdrawal does, before the view reads the story
    again to mail the teller and find the next one."""
    story_id, _version = _story()
    story = db.session.get(Story, story_id)
    story.contact_email = "teller@example.org"
    db.session.commit()
    version = story.version
    original_decide = views.decide

    def decide_then_withdraw_after_commit(story, *args, **kwargs):
        original_decide(story, *args, **kwargs)

        @event.listens_for(_db.session(), "after_commit", once=True)
        def withdraw_elsewhere(_session):
            with _db.engine.begin() as connection:
                connection.execute(delete(Story).where(Story.id == story_id))

    monkeypatch.setattr(views, "decide", decide_then_withdraw_after_commit)
    response = signed_in.post(
        f"/moderate/stories/{story_id}",
        data={"decision": "reject", "reason": "spam", "message": "Sorry", "version": version},
    )
    assert response.status_code in (303, 404), response.get_data(as_text=True)[:2000]
    db.session.expire_all()
    assert db.session.get(Story, story_id) is None
    decided = db.session.scalars(
        select(AuditEntry.action).where(AuditEntry.story_id == story_id)
    ).all()
    assert decided == ["reject"]


def test_bulk_approve_skips_a_story_withdrawn_meanwhile_and_decides_the_others(
    app, db, signed_in, monkeypatch
):
    kept_id, kept_version = _story()
    gone_id, gone_version = _story()
    original_decide = views.bulk_decide.__globals__["decide"]

    calls = []

    def withdrawn_first(story, *args, **kwargs):
        # Both stories are loaded, nothing is written yet: the withdrawal commits now.
        if not calls:
            calls.append(story.id)
            session = _db.session()
            session.expire_on_commit = False
            try:
                _delete_story_row(gone_id)
                session.commit()
            finally:
                session.expire_on_commit = True
        return original_decide(story, *args, **kwargs)

    monkeypatch.setitem(views.bulk_decide.__globals__, "decide", withdrawn_first)
    response = signed_in.post(
        "/moderate/bulk",
        data={
            "action": "approve",
            "story_ids": [str(kept_id), str(gone_id)],
            f"version-{kept_id}": str(kept_version),
            f"version-{gone_id}": str(gone_version),
        },
    )
    assert response.status_code == 303
    assert "1 stories done, 1 skipped." in signed_in.get("/moderate").get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(Story, kept_id).status is StoryStatus.PUBLISHED
    assert db.session.get(Story, gone_id) is None
    approved = db.session.scalars(
        select(AuditEntry.story_id).where(AuditEntry.action == "approve")
    ).all()
    assert approved == [kept_id]
