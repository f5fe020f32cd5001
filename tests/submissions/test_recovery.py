"""A link they cannot lose: the recovery code shown once, and "I lost my link"."""

import hashlib
import re
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select, update

from campaign.audit import AuditAction
from campaign.models import AuditEntry, Story, StoryStatus
from campaign.submissions.recovery import BITS, WORDLIST, WORDS, new_code, read_code
from tests.submissions.helpers import submit

LINK = re.compile(r'href="(http://localhost/my-story/[^"]+)"')
WORD = re.compile(r'<ol class="recovery-code__words"[^>]*>(.*?)</ol>', re.S)


def link_and_code(page: str) -> tuple[str, str]:
    """The private link (as a path) and the recovery code a page shows."""
    link = LINK.search(page)
    words = WORD.search(page)
    assert link and words, page
    code = " ".join(re.findall(r"<li>([a-z]+)</li>", words.group(1)))
    return link.group(1).removeprefix("http://localhost"), code


def shared(client, **changes) -> tuple[str, str]:
    assert submit(client, **changes).status_code == 303
    return link_and_code(client.get("/share/thanks").get_data(as_text=True))


def lost_link(client, code, email=""):
    return client.post("/lost-link", data={"code": code, "email": email})


def restored(client, code, email="") -> tuple[str, str]:
    response = lost_link(client, code, email)
    assert response.status_code == 303, response.get_data(as_text=True)
    assert response.headers["Location"].endswith("/lost-link/new")
    page = client.get("/lost-link/new")
    assert page.headers["Cache-Control"] == "no-store"
    assert page.headers["Referrer-Policy"] == "no-referrer"
    return link_and_code(page.get_data(as_text=True))


# --- the code itself -------------------------------------------------------------


def test_a_recovery_code_is_six_words_of_2048_so_66_random_bits():
    assert (WORDS, len(WORDLIST), BITS) == (6, 2048, 66)
    codes = {new_code() for _ in range(200)}
    assert len(codes) == 200
    assert all(len(code.split()) == 6 and set(code.split()) <= set(WORDLIST) for code in codes)


def test_a_code_is_read_whatever_the_case_the_separators_and_the_word_endings():
    code = "abandon ability able about above absent"
    assert read_code(code) == code
    assert read_code("ABANDON-Ability, able\nabou  abov. absen ") == code
    assert read_code("aban abil able abou abov abse") == code


def test_what_is_not_six_words_of_the_list_is_no_code():
    for typed in (
        "",
        "abandon ability able about above",  # five
        "abandon ability able about above absent absorb",  # seven
        "abandon ability able about above absentee",  # more than the word
        "aba abi abl abo abo abs",  # fewer than four letters name no word
        "abandon ability able about above zzzz",
        "أب ability able about above absent",
        "a" * 5000,
    ):
        assert read_code(typed) is None, typed


# --- shown once --------------------------------------------------------------------


def test_the_thanks_page_shows_the_link_in_a_read_only_field_and_the_code_once(client, db):
    assert submit(client).status_code == 303
    with client.session_transaction() as session:
        code = session["new_story_recovery_code"]
    response = client.get("/share/thanks")
    page = response.get_data(as_text=True)
    link, shown = link_and_code(page)
    assert shown == code
    # Without JavaScript: the link in a read-only field; the copy and share buttons wait
    # hidden for copy-link.js.
    field = re.search(r'<input class="new-link__field" id="private-link"[^>]*>', page).group(0)
    assert f'value="http://localhost{link}"' in field and " readonly" in field
    assert re.search(r"<button[^>]*data-copy-link[^>]*hidden>Copy my link</button>", page)
    assert "js/copy-link.js" in page
    # Ways to send it to oneself, plain links to the apps, no third-party script.
    quoted = "http%3A//localhost/my-story/" + link.removeprefix("/my-story/")
    message = "The%20private%20link%20to%20my%20story%3A%20"
    assert f'href="https://wa.me/?text={message}{quoted}"' in page
    assert f'href="https://t.me/share/url?url={quoted}&amp;' in page
    assert 'href="sms:?&amp;body=' in page
    assert 'src="data:image/svg+xml' in page
    assert '<script src="https://' not in page

    with client.session_transaction() as session:
        assert "new_story_recovery_code" not in session
        assert not any(code in str(value) for value in session.values())
    again = client.get("/share/thanks").get_data(as_text=True)
    assert code not in again and "/my-story/" not in again


@pytest.mark.both_databases
def test_the_code_is_stored_only_as_its_digest(client, db):
    _link, code = shared(client)
    story = db.session.scalar(select(Story))
    assert story.recovery_hash == hashlib.sha256(code.encode()).hexdigest()
    row = db.session.execute(select(Story.__table__)).one()
    assert not any(code in str(value) or code.split()[0] + " " in str(value) for value in row)


# --- restoring ----------------------------------------------------------------------


@pytest.mark.both_databases
def test_the_right_code_and_email_give_a_new_link_and_code_and_the_old_ones_die(client, db):
    old_link, old_code = shared(client, contact_email="layla@example.org")
    new_link, new_code = restored(client, old_code.upper().replace(" ", "-"), " Layla@Example.org ")

    assert new_link != old_link and new_code != old_code
    assert client.get(new_link).status_code == 200
    assert client.get(old_link).status_code == 404
    assert lost_link(client, old_code, "layla@example.org").status_code == 200  # told nothing
    assert restored(client, new_code, "layla@example.org")[0] != new_link
    entries = db.session.scalars(
        select(AuditEntry).where(AuditEntry.action == AuditAction.PRIVATE_LINK_RESTORED)
    ).all()
    assert len(entries) == 2 and all(entry.actor_id is None for entry in entries)


def test_a_code_alone_restores_a_story_sent_without_an_email(client, db):
    old_link, code = shared(client, contact_email="")
    new_link, _code = restored(client, code)
    assert client.get(new_link).status_code == 200
    assert client.get(old_link).status_code == 404


def test_the_new_link_and_code_leave_the_session_once_shown(client, db):
    _link, code = shared(client, contact_email="")
    new_link, new_code = restored(client, code)
    with client.session_transaction() as session:
        assert not any(new_code in str(v) or new_link[10:] in str(v) for v in session.values())
    again = client.get("/lost-link/new").get_data(as_text=True)
    assert new_code not in again and "/my-story/" not in again
    assert "shown only once" in again


def _answer(response) -> tuple[int, str]:
    """Status and page, without what differs for reasons other than the story: the
    CSRF token and the values typed back into the fields."""
    page = response.get_data(as_text=True)
    page = re.sub(r'name="csrf_token" value="[^"]*"', "", page)
    page = re.sub(r' value="[^"]*"', "", page)
    return response.status_code, page


@pytest.mark.both_databases
def test_wrong_codes_and_emails_all_get_the_same_answer_and_the_same_queries(
    client, db, count_queries
):
    link, code = shared(client, contact_email="layla@example.org")
    no_email_link, no_email_code = shared(client, contact_email="")
    other = new_code()
    while other in (code, no_email_code):
        other = new_code()
    tries = {
        "right code, wrong email": (code, "sam@example.org"),
        "right code, no email": (code, ""),
        "wrong code, right email": (other, "layla@example.org"),
        "wrong code, no email": (other, ""),
        "a code with an email of a story that has none, but wrong": (other, "x@example.org"),
        "not a code at all": ("open sesame", "layla@example.org"),
    }
    answers, queries = {}, {}
    for name, (typed, email) in tries.items():
        count_queries.clear()
        response = lost_link(client, typed, email)
        answers[name] = _answer(response)
        queries[name] = len(count_queries)
        assert "We found no story with this recovery code and email address" in answers[name][1]
        assert 'class="error" id="code-error"' in answers[name][1]  # next to the field
    assert len(set(answers.values())) == 1, answers.keys()
    assert len(set(queries.values())) == 1, queries
    # Nothing changed: both links still work, both codes too.
    assert client.get(link).status_code == 200
    assert client.get(no_email_link).status_code == 200
    restored(client, code, "layla@example.org")
    restored(client, no_email_code, "anything@example.org")  # a story without one: code alone


def test_what_was_typed_stays_in_the_form_after_a_wrong_code(client, db):
    page = lost_link(client, "abandon ability able", "layla@example.org").get_data(as_text=True)
    assert 'value="abandon ability able"' in page
    assert 'value="layla@example.org"' in page


def test_an_empty_code_is_asked_for_next_to_its_field(client, db):
    page = lost_link(client, "").get_data(as_text=True)
    assert "Type the six words of your recovery code." in page
    assert 'id="code-error"' in page


@pytest.mark.parametrize("config_overrides", [{"RECOVERY_RATE_LIMIT": "3 per hour"}])
def test_recovery_tries_are_throttled_and_then_even_the_right_code_waits(client, db):
    link, code = shared(client, contact_email="")
    for _ in range(3):
        assert lost_link(client, new_code()).status_code == 200
    response = lost_link(client, code)
    assert response.status_code == 429
    assert "try again" in response.get_data(as_text=True)
    assert client.get(link).status_code == 200  # the link was not replaced
    assert client.get("/lost-link").status_code == 200  # the page itself still opens


@pytest.mark.both_databases
def test_the_code_dies_with_a_withdrawal(client, db):
    link, code = shared(client, contact_email="")
    client.post(f"{link}/withdraw", data={"confirm": "y"})
    assert client.get(link).status_code == 404
    page = lost_link(client, code).get_data(as_text=True)
    assert "We found no story with this recovery code" in page


@pytest.mark.both_databases
def test_the_code_dies_with_the_purge(client, db, app, runner):
    _link, code = shared(client, contact_email="")
    story = db.session.scalar(select(Story))
    story.move_to(StoryStatus.REJECTED)
    db.session.commit()
    long_ago = datetime.now(UTC) - timedelta(days=app.config["PURGE_AFTER_DAYS"] + 1)
    db.session.execute(update(Story).values(updated_at=long_ago))
    db.session.commit()
    assert "Purged 1 rejected" in runner.invoke(args=["purge"]).output
    page = lost_link(client, code).get_data(as_text=True)
    assert "We found no story with this recovery code" in page


# --- the link by e-mail at that moment ------------------------------------------------


def test_a_story_without_an_email_can_send_its_link_to_one_typed_once(client, db, mail_sent):
    link, _code = shared(client, contact_email="")
    response = client.post(f"{link}/send-link", data={"email": "me@example.org"})
    assert response.status_code == 303
    [message] = mail_sent
    assert message["To"] == "me@example.org"
    assert f"http://localhost{link}" in message.get_content()
    assert db.session.scalar(select(Story)).contact_email is None  # not kept


def test_a_story_with_an_email_sends_its_link_only_there(client, db, mail_sent):
    link, _code = shared(client, contact_email="layla@example.org")
    client.post(f"{link}/send-link", data={"email": "someone.else@example.org"})
    assert [message["To"] for message in mail_sent] == ["layla@example.org"]


def test_a_wrong_or_missing_address_is_said_next_to_the_field(client, db, mail_sent):
    link, _code = shared(client, contact_email="")
    for typed, error in (
        ("not an address", "Enter an email address like name@example.org."),
        ("", "Give your email address, so we can send you the link."),
    ):
        response = client.post(f"{link}/send-link", data={"email": typed})
        page = response.get_data(as_text=True)
        assert response.status_code == 200
        assert re.search(rf'<p class="error" id="email-error">{re.escape(error)}</p>', page)
        assert f'value="{typed}"' in page or not typed
    assert mail_sent == []


@pytest.mark.parametrize("config_overrides", [{"SEND_LINK_RATE_LIMIT": "2 per hour"}])
def test_emails_of_the_link_are_throttled(client, db, mail_sent):
    link, _code = shared(client, contact_email="")
    for _ in range(2):
        assert client.post(f"{link}/send-link", data={"email": "me@example.org"}).status_code == 303
    assert client.post(f"{link}/send-link", data={"email": "me@example.org"}).status_code == 429
    assert len(mail_sent) == 2
