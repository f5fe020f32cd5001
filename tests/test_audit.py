"""The audit trail's closed set of actions, their labels, and who may write entries."""

import re
from pathlib import Path

import pytest
from flask_babel import force_locale
from sqlalchemy import select

from campaign import create_app
from campaign.audit import AuditAction, record
from campaign.config import Defaults
from campaign.models import AuditEntry, StoryStatus
from tests.factories import make_story

CAMPAIGN = Path(__file__).resolve().parent.parent / "campaign"


@pytest.fixture(scope="module")
def plain_app(tmp_path_factory):
    """An app for the catalogues only: no database is touched."""
    folder = tmp_path_factory.mktemp("audit")
    return create_app(
        {"TESTING": True, "SECRET_KEY": "x" * 40, "SQLALCHEMY_DATABASE_URI": "sqlite://"},
        instance_path=str(folder),
    )


def test_the_actions_keep_the_codes_already_stored_in_the_log():
    stored_before = {
        "approve", "reject", "request_changes", "unpublish", "edit", "remove_photo", "feature",
        "unfeature", "delete", "reports_reviewed", "hidden_by_reports", "withdrawn", "purged",
        "invite", "invitation_accepted", "deactivate_moderator", "reactivate_moderator",
        "reset_two_factor", "password_changed", "two_factor_enabled", "recovery_code_used",
        "recovery_codes_renewed", "theme_added", "theme_renamed", "settings_changed",
        "export_private", "export_public",
    }  # fmt: skip
    assert stored_before <= {action.value for action in AuditAction}


def test_every_action_has_an_english_label_that_is_not_its_code(plain_app):
    with plain_app.test_request_context(), force_locale("en"):
        labels = {action: action.label for action in AuditAction}
    assert all(label and label != action.value for action, label in labels.items())
    assert len(set(labels.values())) == len(labels), "two actions read the same in the log"


@pytest.mark.parametrize("language", [code for code in Defaults.SUPPORTED_LOCALES if code != "en"])
def test_every_action_label_is_translated(plain_app, language):
    with plain_app.test_request_context():
        with force_locale("en"):
            english = {action: action.label for action in AuditAction}
        with force_locale(language):
            translated = {action: action.label for action in AuditAction}
    untranslated = [action.value for action in AuditAction if translated[action] == english[action]]
    assert untranslated == [], f"{language}: {untranslated}"


def test_record_refuses_an_action_outside_the_set(db):
    with pytest.raises(TypeError):
        record(None, "approve")
    with pytest.raises(TypeError):
        record(None, "something_new")
    assert db.session.scalars(select(AuditEntry)).all() == []


def test_record_stores_the_action_code_and_the_story(db):
    story = make_story()
    record(
        None,
        AuditAction.HIDDEN_BY_REPORTS,
        story,
        from_status=StoryStatus.PENDING,
        to_status=StoryStatus.PENDING,
        note="3",
    )
    db.session.commit()
    entry = db.session.scalar(select(AuditEntry))
    assert (entry.action, entry.story_id, entry.from_status, entry.note) == (
        "hidden_by_reports",
        story.id,
        "pending",
        "3",
    )


def test_no_view_or_command_writes_audit_entries_itself():
    """Services write their own entry; a view or command that called record() would
    make a second way to forget one."""
    callers = [
        str(path.relative_to(CAMPAIGN))
        for path in CAMPAIGN.rglob("*.py")
        if path.name in ("views.py", "commands.py")
        and re.search(r"\brecord\(|campaign\.audit", path.read_text(encoding="utf-8"))
    ]
    assert callers == []
