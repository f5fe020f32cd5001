"""What a submission asks of the database: few statements, and a short write transaction.

On SQLite every worker that writes queues for one lock, held from BEGIN
IMMEDIATE to the commit; what happens in between decides how long the others
wait. These tests look at the statements themselves, never at timings.
"""

import hashlib
import io

import pytest
from sqlalchemy import event, func, select

from campaign.database import reads_before_writing
from campaign.extensions import db as _db
from campaign.models import Story, Theme
from campaign.submissions import services
from tests import images
from tests.submissions.helpers import form_data

# Both engines: the statements and locks of each engine.
pytestmark = pytest.mark.both_databases


@pytest.fixture
def timeline(app):
    """Statements, commits and rollbacks on the database, in the order they happened."""
    seen: list[str] = []

    def statement(_conn, _cursor, sql, *_args):
        seen.append(" ".join(sql.split())[:60])

    def commit(_conn):
        seen.append("COMMIT")

    def rollback(_conn):
        seen.append("ROLLBACK")

    listeners = [("before_cursor_execute", statement), ("commit", commit), ("rollback", rollback)]
    for name, listener in listeners:
        event.listen(_db.engine, name, listener)
    yield seen
    for name, listener in listeners:
        event.remove(_db.engine, name, listener)


def _themes(db) -> list[int]:
    db.session.add_all(
        [Theme(slug="work", name="Work", position=1), Theme(slug="home", name="Home", position=2)]
    )
    db.session.commit()
    ids = list(db.session.scalars(select(Theme.id)))
    db.session.remove()
    return ids


def _queries(timeline: list[str]) -> list[str]:
    """The statements that ask something of the data (not BEGIN, COMMIT or pings)."""
    return [s for s in timeline if s.split()[0] in ("SELECT", "INSERT", "UPDATE", "DELETE")]


def _write_transaction(timeline: list[str]) -> list[str]:
    """On SQLite: what ran while the write lock was held, from BEGIN IMMEDIATE to COMMIT."""
    start = timeline.index("BEGIN IMMEDIATE")
    return timeline[start + 1 : timeline.index("COMMIT", start)]


def test_a_submission_reads_twice_and_inserts_once_per_table(client, db, timeline):
    theme_ids = _themes(db)
    timeline.clear()
    response = client.post("/share", data=form_data(themes=[str(i) for i in theme_ids]))
    assert response.status_code == 303
    queries = _queries(timeline)
    # The form's theme choices, the double-sending check, the chosen themes;
    # then the story and its two themes, in one flush.
    assert [q.split()[0] for q in queries] == ["SELECT"] * 3 + ["INSERT"] * 2
    assert sum(q.startswith("INSERT INTO story ") for q in queries) == 1
    assert db.session.scalar(select(func.count(Story.id))) == 1


@pytest.mark.parametrize("backend", ["sqlite"])
def test_on_sqlite_the_write_lock_is_held_only_for_the_inserts(client, db, timeline):
    theme_ids = _themes(db)
    timeline.clear()
    response = client.post("/share", data=form_data(themes=[str(i) for i in theme_ids]))
    assert response.status_code == 303
    # Validation and the double-sending check ran in a read transaction, ended before.
    before = timeline[: timeline.index("BEGIN IMMEDIATE")]
    assert before[0] == "BEGIN" and before[-1] == "ROLLBACK"
    assert any(s.startswith("SELECT story.id") for s in before)
    held = _write_transaction(timeline)
    assert [s.split()[0] for s in held] == ["SELECT", "INSERT", "INSERT"]
    assert held[0].startswith("SELECT theme.")  # the chosen themes, by primary key
    assert timeline.count("BEGIN IMMEDIATE") == 1


@pytest.mark.parametrize("backend", ["sqlite"])
def test_on_sqlite_a_photo_is_processed_before_the_write_lock_is_taken(
    client, db, timeline, monkeypatch
):
    real = services.process_upload

    def recorded(stream, *rest, **options):
        timeline.append("PROCESS PHOTO")
        return real(stream, *rest, **options)

    monkeypatch.setattr(services, "process_upload", recorded)
    data = form_data()
    data["photo"] = (io.BytesIO(images.jpeg()), "photo.jpg")
    response = client.post("/share", data=data, content_type="multipart/form-data")
    assert response.status_code == 303
    assert timeline.index("PROCESS PHOTO") < timeline.index("BEGIN IMMEDIATE")
    assert "PROCESS PHOTO" not in _write_transaction(timeline)
    assert db.session.scalar(select(func.count(Story.id))) == 1


def test_writing_inside_the_read_phase_is_refused(app, db):
    with (
        pytest.raises(RuntimeError),
        app.test_request_context("/share", method="POST"),
        reads_before_writing(),
    ):
        db.session.add(Theme(slug="sneaky", name="Sneaky", position=9))
    db.session.remove()
    assert db.session.scalar(select(func.count(Theme.id))) == 0


def test_private_tokens_are_looked_up_by_a_plain_sha256_digest(db):
    # 256 random bits need no slow password hash: a digest keeps the lookup one
    # indexed equality, and it costs microseconds per submission.
    story, token = services.create_story(
        title="T",
        body="B" * 60,
        author_name="A",
        origin_country="SY",
        residence_country="FI",
        contact_email=None,
    )
    assert story.token_hash == hashlib.sha256(token.encode()).hexdigest()
    assert services.story_for_token(token) is story
