import subprocess
import sys

import pytest
from sqlalchemy import func, select

from campaign.accounts.services import find_moderator
from campaign.models import AuditEntry, Story, Theme, story_theme
from campaign.models._types import utcnow
from tests.factories import make_story


def test_create_moderator_reads_password_from_stdin(runner, db):
    result = runner.invoke(
        args=["moderators", "create", "Ops@Example.org", "--admin"],
        input="a very long deploy password\n",
    )
    assert result.exit_code == 0, result.output
    assert "Created admin ops@example.org" in result.output
    moderator = find_moderator("ops@example.org")
    assert moderator.is_admin and moderator.check_password("a very long deploy password")


def test_create_moderator_refuses_short_password_and_duplicates(runner, db):
    short = runner.invoke(args=["moderators", "create", "a@example.org"], input="short\n")
    assert short.exit_code != 0 and "at least 12 characters" in short.output
    runner.invoke(args=["moderators", "create", "b@example.org"], input="long enough password\n")
    again = runner.invoke(
        args=["moderators", "create", "b@example.org"], input="long enough password\n"
    )
    assert again.exit_code != 0 and "already exists" in again.output


def test_list_and_deactivate_moderators(runner, db):
    runner.invoke(args=["moderators", "create", "c@example.org"], input="long enough password\n")
    assert "c@example.org\tmoderator\tactive" in runner.invoke(args=["moderators", "list"]).output
    result = runner.invoke(args=["moderators", "deactivate", "c@example.org"])
    assert result.exit_code == 0
    assert (
        "c@example.org\tmoderator\tdeactivated" in runner.invoke(args=["moderators", "list"]).output
    )
    missing = runner.invoke(args=["moderators", "deactivate", "nobody@example.org"])
    assert missing.exit_code != 0 and "No moderator" in missing.output


@pytest.mark.both_databases
def test_samples_are_added_once_to_an_empty_development_database(runner, db):
    assert runner.invoke(args=["demo", "samples"]).exit_code == 0
    count = db.session.scalar(select(func.count()).select_from(Story))
    assert count == 3
    assert all(
        s.is_sample and s.title.startswith("Sample") for s in db.session.scalars(select(Story))
    )
    runner.invoke(args=["demo", "samples"])
    assert db.session.scalar(select(func.count()).select_from(Story)) == 3


def test_samples_are_never_added_in_production(app, runner, db):
    app.config["CAMPAIGN_ENV"] = "production"
    result = runner.invoke(args=["demo", "samples"])
    assert result.exit_code != 0 and "never added in production" in result.output


def test_samples_are_not_added_to_a_database_with_stories(runner, db):
    make_story()
    assert "no samples added" in runner.invoke(args=["demo", "samples"]).output


@pytest.mark.both_databases
def test_seed_adds_published_stories_with_themes_and_new_stories_still_work(runner, db):
    db.session.add_all([Theme(slug="work", name="Work"), Theme(slug="home", name="Home")])
    db.session.commit()
    result = runner.invoke(args=["demo", "seed", "--stories", "250", "--seed", "7"])
    assert result.exit_code == 0, result.output
    assert "Added 250 synthetic stories" in result.output
    published = db.session.scalar(select(func.count()).select_from(Story.published().subquery()))
    assert published == 250
    languages = set(db.session.scalars(select(Story.language).distinct()))
    assert len(languages) >= 4
    assert db.session.scalar(select(func.count()).select_from(story_theme)) >= 250
    make_story()  # ids and sequences moved past the seeded rows
    assert db.session.scalar(select(func.count()).select_from(Story)) == 251


def test_seed_is_refused_in_production(app, runner, db):
    app.config["CAMPAIGN_ENV"] = "production"
    result = runner.invoke(args=["demo", "seed", "--stories", "5"])
    assert result.exit_code != 0 and "never added in production" in result.output


def test_deactivate_from_the_command_line_ends_open_sessions(runner, signed_in, moderator):
    assert signed_in.get("/moderate").status_code == 200
    result = runner.invoke(args=["moderators", "deactivate", moderator.email])
    assert result.exit_code == 0
    assert signed_in.get("/moderate").status_code == 302


def test_reset_two_factor_from_the_command_line(runner, db, moderator):
    moderator.totp_secret = "JBSWY3DPEHPK3PXP"
    moderator.totp_confirmed_at = utcnow()
    db.session.commit()
    result = runner.invoke(args=["moderators", "reset-two-factor", moderator.email])
    assert result.exit_code == 0, result.output
    db.session.refresh(moderator)
    assert not moderator.has_two_factor


def _audit_entries(db, action: str) -> list:
    return db.session.scalars(select(AuditEntry).where(AuditEntry.action == action)).all()


def test_deactivating_from_the_command_line_leaves_an_audit_entry(runner, db, moderator):
    result = runner.invoke(args=["moderators", "deactivate", moderator.email])
    assert result.exit_code == 0, result.output
    [entry] = _audit_entries(db, "deactivate_moderator")
    assert entry.actor_id is None
    assert moderator.email in entry.note and "command line" in entry.note


def test_resetting_two_factor_from_the_command_line_leaves_an_audit_entry(runner, db, moderator):
    result = runner.invoke(args=["moderators", "reset-two-factor", moderator.email])
    assert result.exit_code == 0, result.output
    [entry] = _audit_entries(db, "reset_two_factor")
    assert entry.actor_id is None
    assert moderator.email in entry.note and "command line" in entry.note


def test_creating_a_moderator_from_the_command_line_leaves_an_audit_entry(runner, db):
    result = runner.invoke(
        args=["moderators", "create", "new@example.org", "--admin"], input="long enough password\n"
    )
    assert result.exit_code == 0, result.output
    [entry] = _audit_entries(db, "moderator_created")
    assert entry.actor_id is None
    assert "new@example.org" in entry.note and "command line" in entry.note


def test_the_audit_log_shows_command_line_actions_to_admins(runner, admin_client, moderator):
    runner.invoke(args=["moderators", "deactivate", moderator.email])
    page = admin_client.get("/moderate/log").get_data(as_text=True)
    assert "Moderator deactivated" in page
    assert "command line" in page


def test_a_web_worker_never_loads_the_migrations(tmp_path):
    """Alembic and Flask-Migrate (≈10 MB) stay out of every process that serves pages."""
    script = (
        "import sys; from campaign import create_app; create_app(); "
        "print(sorted(m for m in ('alembic', 'flask_migrate', 'mako') if m in sys.modules))"
    )
    env = {"CAMPAIGN_ENV": "development", "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}"}
    shown = subprocess.run(
        [sys.executable, "-c", script], env=env, capture_output=True, text=True, check=True
    )
    assert shown.stdout.strip() == "[]"


def test_flask_db_runs_the_migrations_when_asked(tmp_path):
    """`flask db upgrade`, as `make run` and a deployment call it, builds the schema."""
    env = {"CAMPAIGN_ENV": "development", "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}"}
    flask = [sys.executable, "-m", "flask", "--app", "campaign", "db"]
    subprocess.run([*flask, "upgrade"], env=env, capture_output=True, check=True)
    current = subprocess.run([*flask, "current"], env=env, capture_output=True, text=True)
    heads = subprocess.run([*flask, "heads"], env=env, capture_output=True, text=True)
    assert current.returncode == 0 and "(head)" in current.stdout
    assert current.stdout.split()[0] == heads.stdout.split()[0]
