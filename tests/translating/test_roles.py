"""Translators' accounts (issue 20): invited as "Translator only" or as moderators with
the languages they read, changed on the admin's moderators page, made on the CLI."""

import re

from sqlalchemy import select

from campaign.models import AuditEntry, Invitation, Moderator
from tests.factories import make_moderator


def invite(admin_client, **data):
    return admin_client.post("/moderate/admin/moderators", data={"email": "t@example.org", **data})


def test_an_admin_invites_a_translator_who_reads_french_and_arabic(app, admin_client, db):
    form = admin_client.get("/moderate/admin/moderators").get_data(as_text=True)
    assert "Translator only" in form and 'name="languages" type="checkbox" value="ar"' in form
    page = invite(admin_client, role="translator", languages=["fr", "ar"]).get_data(as_text=True)
    invitation = db.session.scalar(select(Invitation))
    assert not invitation.can_moderate and invitation.reads_languages == "fr ar"
    link = re.search(r"http://localhost(/invitations/[\w-]+)", page).group(1)
    client = app.test_client()
    response = client.post(
        link, data={"password": "my own long passphrase", "confirm": "my own long passphrase"}
    )
    assert response.headers["Location"].endswith("/translate")
    account = db.session.scalar(select(Moderator).where(Moderator.email == "t@example.org"))
    assert not account.can_moderate and account.languages_read == ["fr", "ar"]
    assert client.get("/translate").status_code == 200
    assert client.get("/moderate").status_code == 403


def test_a_translator_invitation_needs_a_language_and_is_never_an_admin(admin_client, db):
    none = invite(admin_client, role="translator").get_data(as_text=True)
    assert "A translator reads at least one language" in none
    admin = invite(admin_client, role="translator", languages=["fr"], admin="y")
    assert "An admin moderates too" in admin.get_data(as_text=True)
    assert db.session.scalar(select(Invitation)) is None


def test_the_admin_changes_an_accounts_role_and_languages(admin_client, db):
    account = make_moderator("m@example.org")
    page = admin_client.get("/moderate/admin/moderators").get_data(as_text=True)
    assert f'name="account-{account.id}-languages"' in page
    response = admin_client.post(
        f"/moderate/admin/moderators/{account.id}/role",
        data={f"account-{account.id}-role": "translator", f"account-{account.id}-languages": "uk"},
    )
    assert response.status_code == 303
    db.session.expire_all()
    account = db.session.get(Moderator, account.id)
    assert not account.can_moderate and account.reads_languages == "uk"
    entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "languages_changed"))
    assert entry.note == "m@example.org, translator only, reads: uk"
    listed = admin_client.get("/moderate/admin/moderators").get_data(as_text=True)
    assert "translator only" in listed and "Ukrainian" in listed


def test_the_cli_makes_a_translator_only_account(runner, db):
    result = runner.invoke(
        args=["moderators", "create", "v@example.org", "--translator", "--reads", "fr,ar"],
        input="long enough password\n",
    )
    assert result.exit_code == 0, result.output
    assert "Created translator (reads fr, ar) v@example.org." in result.output
    account = db.session.scalar(select(Moderator).where(Moderator.email == "v@example.org"))
    assert not account.can_moderate and account.reads_languages == "fr ar"
    listed = runner.invoke(args=["moderators", "list"]).output
    assert "v@example.org\ttranslator (reads fr, ar)\tactive" in listed
    wrong = runner.invoke(
        args=["moderators", "create", "w@example.org", "--translator", "--reads", "xx"],
        input="long enough password\n",
    )
    assert wrong.exit_code != 0 and "Not a language of this site: xx" in wrong.output
    bare = runner.invoke(args=["moderators", "create", "z@example.org", "--translator"])
    assert bare.exit_code != 0 and "--reads" in bare.output
