"""The public numbers stay exact when kept by increments, whoever changes what."""

import threading

import pytest
from sqlalchemy import event, func, select

from campaign.extensions import db
from campaign.models import Photo, Story, StoryStatus
from campaign.publishing import stats
from tests.factories import make_story

# Both engines: counters kept by increments in SQL.
pytestmark = pytest.mark.both_databases


def fresh_count() -> dict:
    """Everything counted again from the stories themselves."""
    published = Story.published().subquery()
    per_value = {}
    for kind, column in stats.COLUMNS.items():
        rows = db.session.execute(
            select(published.c[column], func.count()).group_by(published.c[column])
        )
        per_value.update({(kind, value): number for value, number in rows})
    return {
        "stories": db.session.scalar(select(func.count()).select_from(published)),
        "per_value": per_value,
        "lists": {
            field: sorted({value for (k, value) in per_value if k == kind})
            for kind, field in stats.KINDS.items()
        },
    }


def kept_count() -> dict:
    db.session.expire_all()
    row = db.session.get(stats.GalleryStats, stats.ROW_ID)
    counts = db.session.execute(
        select(stats.PublicCount.kind, stats.PublicCount.value, stats.PublicCount.stories).where(
            stats.PublicCount.stories != 0
        )
    )
    return {
        "stories": row.stories,
        "per_value": {(kind, value): number for kind, value, number in counts},
        "lists": {field: getattr(row, field) for field in stats.KINDS.values()},
    }


def assert_exact():
    assert kept_count() == fresh_count()


@pytest.fixture
def stories(db):
    """Published stories from two countries in two languages, and one waiting."""
    made = {
        "sy_fi": make_story(StoryStatus.PUBLISHED, origin_country="SY", residence_country="FI"),
        "sy_de": make_story(StoryStatus.PUBLISHED, origin_country="SY", residence_country="DE"),
        "af_de": make_story(StoryStatus.PUBLISHED, origin_country="AF", residence_country="DE"),
        "pending": make_story(origin_country="IQ", residence_country="SE"),
    }
    made["af_de"].language = "fa"
    db.session.commit()
    assert_exact()
    return made


CHANGES = {
    "publish": lambda s: s["pending"].move_to(StoryStatus.PUBLISHED),
    "withdraw": lambda s: s["af_de"].move_to(StoryStatus.WITHDRAWN),
    "unpublish": lambda s: s["sy_fi"].move_to(StoryStatus.REJECTED),
    "hide": lambda s: setattr(s["sy_fi"], "hidden", True),
    "delete": lambda s: db.session.delete(s["af_de"]),
    "edit_origin": lambda s: setattr(s["af_de"], "origin_country", "IR"),
    "edit_residence": lambda s: setattr(s["sy_fi"], "residence_country", "SE"),
    "edit_language": lambda s: setattr(s["sy_de"], "language", "ar"),
    "edit_pending": lambda s: setattr(s["pending"], "origin_country", "ER"),
}


@pytest.mark.parametrize("change", CHANGES)
def test_numbers_stay_exact_after_each_change(stories, change):
    before = kept_count()
    CHANGES[change](stories)
    db.session.commit()
    assert_exact()
    if change == "edit_pending":
        assert kept_count() == before  # nothing public changed
    else:
        assert kept_count() != before


@pytest.mark.parametrize("change", ["withdraw", "edit_origin", "hide"])
def test_old_values_never_loaded_are_read_from_the_database(stories, change):
    """After a commit every attribute is expired: a change made then has no old value in
    the object's history, and must still be subtracted from the right counts."""
    db.session.expire_all()
    story = stories["af_de"]
    {
        "withdraw": lambda: setattr(story, "status", StoryStatus.WITHDRAWN),
        "edit_origin": lambda: setattr(story, "origin_country", "IR"),
        "hide": lambda: setattr(story, "hidden", True),
    }[change]()
    db.session.commit()
    assert_exact()


def test_changes_over_several_flushes_and_a_rollback(stories):
    stories["pending"].move_to(StoryStatus.PUBLISHED)
    db.session.flush()
    stories["pending"].origin_country = "ER"
    db.session.flush()
    db.session.rollback()
    assert_exact()
    stories["sy_de"].move_to(StoryStatus.WITHDRAWN)
    db.session.flush()
    stories["sy_fi"].residence_country = "SE"
    db.session.commit()
    assert_exact()


def test_a_publication_counts_no_stories(app, stories):
    statements = []

    def keep(_conn, _cursor, statement, *_args):
        statements.append(statement.lower())

    event.listen(db.engine, "before_cursor_execute", keep)
    try:
        stories["pending"].move_to(StoryStatus.PUBLISHED)
        db.session.commit()
    finally:
        event.remove(db.engine, "before_cursor_execute", keep)
    assert not [s for s in statements if "count(" in s or "distinct" in s]
    assert any("public_count" in s for s in statements)
    assert_exact()


def test_concurrent_moderators_are_both_counted(app, stories):
    """The second publisher waits for the first one's row lock, then adds its own story."""
    first_id, second = stories["pending"].id, make_story(origin_country="IQ")
    second_id = second.id
    flushed, done = threading.Event(), threading.Event()
    errors = []

    def other_moderator():
        try:
            with app.app_context():
                flushed.wait(10)
                db.session.get(Story, second_id).move_to(StoryStatus.PUBLISHED)
                db.session.commit()  # waits for the first moderator's commit
                db.session.remove()
        except Exception as error:  # reported by the test below
            errors.append(error)
        finally:
            done.set()

    thread = threading.Thread(target=other_moderator)
    thread.start()
    db.session.get(Story, first_id).move_to(StoryStatus.PUBLISHED)
    db.session.flush()  # holds the gallery_stats row from here to the commit
    flushed.set()
    done.wait(0.5)  # give the other moderator time to reach the lock
    db.session.commit()
    thread.join(20)
    assert not errors
    assert kept_count()["per_value"][("origin", "IQ")] == 2
    assert_exact()


def test_recount_rebuilds_the_same_numbers(stories):
    stories["pending"].move_to(StoryStatus.PUBLISHED)
    db.session.commit()
    kept = kept_count()
    stats.recount(db.session.connection())
    db.session.commit()
    assert kept_count() == kept == fresh_count()


RENDITIONS = [{"name": "p-400.webp", "width": 400, "height": 300, "format": "webp"}]


def public_version() -> int:
    db.session.expire_all()
    return db.session.get(stats.GalleryStats, stats.ROW_ID).version


def test_photos_of_unpublished_stories_leave_the_public_version_alone(stories):
    before = public_version()
    stories["pending"].photo = Photo(alt_text="", width=4, height=3, renditions=RENDITIONS)
    db.session.add(Photo(alt_text="staged", width=4, height=3, renditions=RENDITIONS))
    db.session.commit()
    assert public_version() == before  # no page cache is emptied by a submission


def test_a_photo_added_to_or_removed_from_a_published_story_is_a_public_change(stories):
    before = public_version()
    story = stories["sy_fi"]
    story.photo = Photo(alt_text="A street", width=4, height=3, renditions=RENDITIONS)
    db.session.commit()
    added = public_version()
    assert added > before
    db.session.delete(story.photo)
    db.session.commit()
    assert public_version() > added
    assert_exact()
