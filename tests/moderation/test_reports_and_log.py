"""Visitor reports, the audit log and the exports."""

import csv
import io
import json
from datetime import timedelta

import pytest
from sqlalchemy import select

from campaign.extensions import db
from campaign.models import AuditEntry, Moderator, Report, Story, StoryStatus, Theme
from campaign.models._types import utcnow
from campaign.publishing import stats
from campaign.submissions.retention import purge
from tests.factories import PASSWORD, make_story

# Both engines: report counts, log filters and exports are queries.
pytestmark = pytest.mark.both_databases


def fresh(db, story):
    db.session.expire_all()
    return db.session.get(Story, story.id)


def report(client, story, reason="identifies", message=""):
    return client.post(f"/stories/{story.slug}/report", data={"reason": reason, "message": message})


# Reports ------------------------------------------------------------------------


def test_public_story_page_links_to_the_report_form(client, db):
    story = make_story(StoryStatus.PUBLISHED)
    page = client.get(f"/stories/{story.slug}").get_data(as_text=True)
    assert f"/stories/{story.slug}/report" in page
    assert client.get(f"/stories/{story.slug}/report").status_code == 200


def test_only_published_stories_can_be_reported(client, db):
    story = make_story()
    assert client.get(f"/stories/{story.slug}/report").status_code == 404
    assert report(client, story).status_code == 404


def test_report_needs_a_reason(client, db):
    story = make_story(StoryStatus.PUBLISHED)
    response = client.post(f"/stories/{story.slug}/report", data={"message": "Kept words"})
    page = response.get_data(as_text=True)
    assert "Choose a reason." in page and "Kept words" in page
    assert db.session.scalar(select(Report)) is None


def visitor(app, story, address="127.0.0.1"):
    """A new visitor who opened the report form (which gives them a session)."""
    own = app.test_client()
    own.environ_base["REMOTE_ADDR"] = address
    assert own.get(f"/stories/{story.slug}/report").status_code == 200
    return own


def test_one_visitor_reporting_three_times_does_not_hide_the_story(app, client, db):
    story = make_story(StoryStatus.PUBLISHED, title="Reported story")
    same = visitor(app, story)
    for _ in range(3):
        response = report(same, story, message="Again")
        assert response.status_code == 303  # thanked as usual, every time
        assert "Thank you" in same.get(response.location).get_data(as_text=True)
    assert not fresh(db, story).hidden
    assert client.get(f"/stories/{story.slug}").status_code == 200
    assert client.get(f"/api/v1/stories/{story.id}").status_code == 200
    assert len(db.session.scalars(select(Report)).all()) == 3  # all kept for the moderators


def test_a_reporter_without_a_session_is_known_by_their_address(app, db):
    """No cookie (a script): the address alone decides, so it counts once."""
    story = make_story(StoryStatus.PUBLISHED)
    for _ in range(3):
        assert report(app.test_client(), story).status_code == 303
    assert not fresh(db, story).hidden


@pytest.mark.parametrize("config_overrides", [{"REPORT_HIDE_THRESHOLD": 3}])
def test_three_visitors_behind_one_address_hide_the_story_and_it_lands_in_reported_tab(
    app, client, signed_in, db
):
    """Like a school's pupils: one address, three sessions, three reporters."""
    story = make_story(StoryStatus.PUBLISHED, title="Reported story")
    for _ in range(2):
        assert report(visitor(app, story), story, message="This is my neighbour").status_code == 303
    assert client.get(f"/stories/{story.slug}").status_code == 200
    reported = signed_in.get("/moderate?tab=reported").get_data(as_text=True)
    assert "Reported story" in reported and 'Reported <span class="count">1</span>' in reported
    assert "hidden after reports" not in reported
    report(visitor(app, story), story)
    assert fresh(db, story).hidden
    assert client.get(f"/stories/{story.slug}").status_code == 404
    assert client.get(f"/api/v1/stories/{story.id}").status_code == 404
    assert client.get("/stories").get_data(as_text=True).count("Reported story") == 0
    queue = signed_in.get("/moderate").get_data(as_text=True)
    assert '<span class="badge badge--alert">1 hidden</span>' in queue  # seen from any tab
    review = signed_in.get(f"/moderate/stories/{story.id}").get_data(as_text=True)
    assert "3 open reports" in review and "This is my neighbour" in review
    assert db.session.scalar(select(AuditEntry).where(AuditEntry.action == "hidden_by_reports"))


def test_visitors_from_different_addresses_count_apart(app, db):
    app.config["REPORT_HIDE_THRESHOLD"] = 2
    story = make_story(StoryStatus.PUBLISHED)
    for address in ("198.51.100.1", "198.51.100.2"):
        report(visitor(app, story, address), story)
    assert fresh(db, story).hidden


def test_reports_keep_no_address_and_forget_the_reporter_when_reviewed(app, signed_in, db):
    story = make_story(StoryStatus.PUBLISHED)
    report(visitor(app, story, "203.0.113.77"), story)
    stored = db.session.scalar(select(Report))
    assert len(stored.reporter_key) == 64 and "203.0.113.77" not in stored.reporter_key
    story = fresh(db, story)
    signed_in.post(f"/moderate/stories/{story.id}/reports/dismiss", data={"version": story.version})
    db.session.expire_all()
    assert db.session.scalar(select(Report)).reporter_key is None


def test_moderators_can_be_told_by_email_when_a_story_is_hidden(app, db, admin, mail_sent):
    app.config.update(REPORT_HIDE_THRESHOLD=1, REPORT_HIDE_NOTIFY=True)
    story = make_story(StoryStatus.PUBLISHED, title="A story someone reported")
    report(visitor(app, story), story)
    assert [message["To"] for message in mail_sent] == [admin.email]
    text = mail_sent[0].get_content()
    assert "A story someone reported" in text and f"/moderate/stories/{story.id}" in text


def test_no_email_when_a_story_is_hidden_unless_asked_for(app, db, admin, mail_sent):
    app.config["REPORT_HIDE_THRESHOLD"] = 1
    story = make_story(StoryStatus.PUBLISHED)
    report(visitor(app, story), story)
    assert fresh(db, story).hidden and mail_sent == []
    app.config["REPORT_HIDE_NOTIFY"] = ["desk@example.org"]
    other = make_story(StoryStatus.PUBLISHED)
    report(visitor(app, other), other)
    assert [message["To"] for message in mail_sent] == ["desk@example.org"]


def public_version() -> int:
    db.session.expire_all()
    return db.session.get(stats.GalleryStats, stats.ROW_ID).version


@pytest.mark.parametrize("config_overrides", [{"REPORT_HIDE_THRESHOLD": 3}])
def test_reports_empty_the_page_caches_only_when_they_hide_the_story(app, db):
    story = make_story(StoryStatus.PUBLISHED)
    before, version, updated = public_version(), story.version, story.updated_at
    for _ in range(2):
        report(visitor(app, story), story)
    assert public_version() == before
    # Nor is the story itself touched: a moderator's open form is not made stale,
    # and the retention clock of its contact address does not start again.
    story = fresh(db, story)
    assert (story.version, story.updated_at) == (version, updated)
    report(visitor(app, story), story)
    assert fresh(db, story).hidden and public_version() > before


def test_the_purge_forgets_reporters_of_old_reports(app, db):
    story = make_story(StoryStatus.PUBLISHED)
    report(visitor(app, story), story)
    report(visitor(app, story), story)
    old, recent = db.session.scalars(select(Report).order_by(Report.id)).all()
    old.created_at = utcnow() - timedelta(days=app.config["REPORTER_KEY_DAYS"] + 1)
    db.session.commit()
    purge()
    db.session.commit()
    db.session.expire_all()
    assert old.reporter_key is None and recent.reporter_key is not None
    assert old.reviewed_at is None  # still on the moderators' desk, only anonymous now


def test_moderator_review_of_reports_shows_the_story_again(client, signed_in, db, app):
    app.config["REPORT_HIDE_THRESHOLD"] = 1
    story = make_story(StoryStatus.PUBLISHED)
    report(client, story)
    story = fresh(db, story)
    assert story.hidden
    response = signed_in.post(
        f"/moderate/stories/{story.id}/reports/dismiss", data={"version": story.version}
    )
    assert response.status_code == 303
    story = fresh(db, story)
    assert not story.hidden
    assert client.get(f"/stories/{story.slug}").status_code == 200
    assert 'Reported <span class="count">0</span>' in signed_in.get("/moderate").get_data(
        as_text=True
    )


def test_unpublishing_a_reported_story_closes_its_reports(client, signed_in, db, app):
    app.config["REPORT_HIDE_THRESHOLD"] = 1
    story = make_story(StoryStatus.PUBLISHED)
    report(client, story)
    story = fresh(db, story)
    signed_in.post(
        f"/moderate/stories/{story.id}",
        data={"decision": "unpublish", "reason": "identifying", "version": story.version},
    )
    assert all(r.reviewed_at for r in db.session.scalars(select(Report)))
    assert client.get(f"/stories/{story.slug}").status_code == 404


@pytest.mark.parametrize("config_overrides", [{"REPORT_LIMIT": "2 per hour"}])
def test_reports_are_rate_limited_with_a_clear_message(client, db):
    story = make_story(StoryStatus.PUBLISHED)
    assert report(client, story).status_code == 303
    assert report(client, story).status_code == 303
    limited = report(client, story)
    assert limited.status_code == 429
    assert "Please wait an hour" in limited.get_data(as_text=True)
    assert len(db.session.scalars(select(Report)).all()) == 2


# The audit log ------------------------------------------------------------------------


def _decide(client, story, decision="approve", **extra):
    return client.post(
        f"/moderate/stories/{story.id}",
        data={"decision": decision, "version": story.version, **extra},
    )


def test_audit_log_lists_who_did_what_and_filters(signed_in, admin_client, moderator, admin):
    first = make_story(title="A tale of the sea")
    second = make_story(title="A tale of the hills")
    _decide(signed_in, first)
    _decide(admin_client, second, "reject", reason="spam")
    page = signed_in.get("/moderate/log").get_data(as_text=True)
    assert moderator.email in page and admin.email in page
    only_rejects = signed_in.get("/moderate/log?action=reject").get_data(as_text=True)
    assert "A tale of the hills" in only_rejects and "A tale of the sea" not in only_rejects
    by_actor = signed_in.get(f"/moderate/log?actor={moderator.id}").get_data(as_text=True)
    assert "A tale of the sea" in by_actor and "A tale of the hills" not in by_actor
    by_story = signed_in.get(f"/moderate/log?story={second.id}").get_data(as_text=True)
    assert "A tale of the hills" in by_story and "A tale of the sea" not in by_story


def test_audit_log_shows_labels_titles_and_names_not_codes(signed_in, moderator):
    story = make_story(title="Bread from my grandmother")
    _decide(signed_in, story)
    page = signed_in.get("/moderate/log").get_data(as_text=True)
    row = page[page.index("<tbody>") : page.index("</tbody>")]
    # Words a moderator reads: the decision, then the statuses before and after.
    assert ">Published<" in row and "Waiting for review → Published" in row
    assert ">Bread from my grandmother<" in row
    assert moderator.email in row
    for code in (">approve<", "pending →", "→ published", f"#{story.id}"):
        assert code not in row
    # The action filter offers the labels too, keeping the stored value.
    assert '<option value="approve">Published</option>' in page


def test_audit_log_names_stories_deleted_since_and_who_acted_without_an_account(
    signed_in, client, db, moderator
):
    rejected = make_story(title="Still on the desk")
    _decide(signed_in, rejected, "reject", reason="spam")
    withdrawn = make_story(title="Taken back by its teller")
    client.post(f"/my-story/{withdrawn.token}/withdraw", data={"confirm": "y"})
    page = signed_in.get("/moderate/log").get_data(as_text=True)
    assert "Withdrawn by the storyteller" in page and "storyteller</em>" in page
    assert "Taken back by its teller" not in page and "deleted story" in page
    assert ">Still on the desk<" in page  # a story that still exists is linked by its title


def test_audit_log_shows_account_and_admin_actions_with_who_did_them(
    signed_in, admin_client, moderator, admin
):
    new_password = "another long passphrase"
    signed_in.post(
        "/account",
        data={"current": PASSWORD, "password": new_password, "confirm": new_password},
    )
    admin_client.post("/moderate/admin/themes", data={"name": "Songs"})
    admin_client.post("/moderate/admin/settings", data={"watch_words": "passport"})
    admin_client.get("/moderate/admin/export/stories.csv")
    admin_client.post(f"/moderate/admin/moderators/{moderator.id}/deactivate")
    page = admin_client.get("/moderate/log").get_data(as_text=True)
    rows = page[page.index("<tbody>") : page.index("</tbody>")].split("<tr>")[1:]

    def row_of(label):
        [row] = [row for row in rows if f">{label}</td>" in row]
        return row

    assert moderator.email in row_of("Password changed")
    for label in ("Theme added", "Settings changed", "Export of published stories"):
        assert admin.email in row_of(label)
    deactivated = row_of("Moderator deactivated")
    assert admin.email in deactivated and moderator.email in deactivated  # who, and whom


def test_an_admin_cannot_deactivate_their_own_account(admin_client, admin, db):
    response = admin_client.post(f"/moderate/admin/moderators/{admin.id}/deactivate")
    assert "You cannot do that to your own account." in admin_client.get(
        response.headers["Location"]
    ).get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(Moderator, admin.id).active
    assert not db.session.scalar(
        select(AuditEntry).where(AuditEntry.action == "deactivate_moderator")
    )


def test_audit_log_page_makes_the_same_few_queries_for_two_or_twenty_entries(
    signed_in, db, count_queries
):
    def queries_with(total: int) -> int:
        while len(db.session.scalars(select(AuditEntry)).all()) < total:
            _decide(signed_in, make_story())
        # The first page after a decision also reads its undo offer (one query, once).
        signed_in.get("/moderate/log")
        db.session.remove()
        count_queries.clear()
        assert signed_in.get("/moderate/log").status_code == 200
        return len(count_queries)

    few, many = queries_with(3), queries_with(20)
    assert few == many
    assert many <= 6


def test_audit_log_cannot_be_changed_from_the_application(app, signed_in):
    for rule in app.url_map.iter_rules():
        if rule.rule.startswith("/moderate/log"):
            assert rule.methods <= {"GET", "HEAD", "OPTIONS"}, rule.rule
    assert signed_in.post("/moderate/log").status_code == 405


def test_only_admins_export_the_audit_log_as_csv(signed_in, admin_client, moderator):
    story = make_story(title="Exported")
    _decide(signed_in, story, note="=HYPERLINK(1)")
    assert signed_in.get("/moderate/log.csv").status_code == 403
    response = admin_client.get("/moderate/log.csv")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    rows = list(csv.DictReader(io.StringIO(response.get_data(as_text=True))))
    assert rows[0]["who"] == moderator.email and rows[0]["action"] == "Published"
    assert rows[0]["story"] == "Exported"
    assert rows[0]["status"] == "Waiting for review → Published"
    assert rows[0]["note"].startswith("'=")  # no formula injection


# Exports ----------------------------------------------------------------------------


def test_public_export_leaves_private_fields_out(admin_client, db):
    story = make_story(StoryStatus.PUBLISHED, contact_email="secret@example.org")
    story.helper_relationship = "brother"
    db.session.commit()
    make_story(title="Still pending")
    as_csv = admin_client.get("/moderate/admin/export/stories.csv").get_data(as_text=True)
    as_json = json.loads(admin_client.get("/moderate/admin/export/stories.json").get_data())
    assert [row["slug"] for row in as_json] == [story.slug]
    assert story.slug in as_csv and "Still pending" not in as_csv
    for text in (as_csv, json.dumps(as_json)):
        assert "secret@example.org" not in text and "brother" not in text


def test_exported_stories_open_in_a_spreadsheet_as_text_not_formulas(admin_client):
    make_story(StoryStatus.PUBLISHED, title='=HYPERLINK("http://x")', author_name="@Sam")
    response = admin_client.post("/moderate/admin/export", data={"password": PASSWORD})
    [row] = list(csv.DictReader(io.StringIO(response.get_data(as_text=True))))
    assert row["title"] == '\'=HYPERLINK("http://x")'
    assert row["author_name"] == "'@Sam"
    assert response.headers["Cache-Control"] == "no-store"


def test_private_export_needs_the_password_again_and_is_logged(admin_client, db, admin):
    make_story(StoryStatus.PUBLISHED, contact_email="secret@example.org")
    wrong = admin_client.post("/moderate/admin/export", data={"password": "not it at all"})
    assert "That is not your password." in wrong.get_data(as_text=True)
    response = admin_client.post("/moderate/admin/export", data={"password": PASSWORD})
    assert response.mimetype == "text/csv"
    assert "secret@example.org" in response.get_data(as_text=True)
    entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "export_private"))
    assert entry.actor_id == admin.id


def test_moderators_cannot_export(signed_in):
    assert signed_in.get("/moderate/admin/export/stories.csv").status_code == 403


# Themes and settings -----------------------------------------------------------------


def test_admin_adds_and_renames_themes(admin_client, db):
    admin_client.post("/moderate/admin/themes", data={"name": "Food & memory"})
    theme = db.session.scalar(select(Theme))
    assert (theme.slug, theme.name) == ("food-memory", "Food & memory")
    duplicate = admin_client.post("/moderate/admin/themes", data={"name": "Food & Memory"})
    assert "exists already" in duplicate.get_data(as_text=True)
    admin_client.post(f"/moderate/admin/themes/{theme.id}", data={"name": "Food and memory"})
    db.session.expire_all()
    assert db.session.get(Theme, theme.id).name == "Food and memory"
    actions = db.session.scalars(
        select(AuditEntry.action).where(AuditEntry.action.like("theme%")).order_by(AuditEntry.id)
    ).all()
    assert actions == ["theme_added", "theme_renamed"]
