"""A moderator's session names an account that cannot be confused with another.

The session (signed by SECRET_KEY) holds the account's id and its session
generation. Ids can repeat (an older backup restored, a sequence reset), so the
generation of a new account is random, not 0: a cookie kept from an account
that is gone never signs anyone in as the new account that got its id.
"""

import pytest
from sqlalchemy import text

from campaign.models import Moderator
from tests.factories import PASSWORD, make_moderator

# Ids and sequences differ between the engines.
pytestmark = pytest.mark.both_databases


def rewind_moderator_ids(db, backend: str, *, to: int) -> None:
    if backend == "sqlite":
        db.session.execute(
            text("UPDATE sqlite_sequence SET seq = :seq WHERE name = 'moderator'"), {"seq": to - 1}
        )
    else:
        db.session.execute(text("SELECT setval('moderator_id_seq', :id, false)"), {"id": to})
    db.session.commit()


def test_a_session_of_an_account_that_is_gone_does_not_sign_in_the_account_with_its_id(
    app, db, backend
):
    gone = make_moderator("gone@example.org")
    old_browser = app.test_client()
    signed_in = old_browser.post("/login", data={"email": gone.email, "password": PASSWORD})
    assert signed_in.status_code == 303
    assert old_browser.get("/moderate").status_code == 200
    gone_id = gone.id
    # An older backup is restored: the account, and the memory of its id, are gone.
    db.session.execute(text("DELETE FROM moderator WHERE id = :id"), {"id": gone_id})
    db.session.commit()
    rewind_moderator_ids(db, backend, to=gone_id)
    newcomer = make_moderator("newcomer@example.org", admin=True)
    assert newcomer.id == gone_id

    response = old_browser.get("/moderate")

    assert response.status_code in (302, 303)
    assert "/login" in response.headers["Location"]


def test_new_accounts_and_each_ending_of_their_sessions_get_a_random_generation(app, db):
    generations = {make_moderator().session_generation for _ in range(4)}
    assert len(generations) == 4  # not all 0: 4 in 2**31 alike by chance is vanishingly rare
    moderator = make_moderator()
    before = moderator.session_generation
    moderator.end_sessions()
    db.session.commit()
    assert db.session.get(Moderator, moderator.id).session_generation != before
