"""Search pages are what a brute-force reference says, on random data (issue 21).

The search reads each rank as a bucket of its own, in date order, from indexes
that stop after a page (SQLite: an FTS5 index keyed by the second of
publication and the id; PostgreSQL: GIN indexes and the date index). This
checks the whole walk, page by page through the cursors, against a reference
that reads every story in Python: which stories hold every word (as a prefix),
where (title 4, quote 2, story 1, a public translation's columns counting as
the story's), and the order (rank, then newest first; or by date). The data
lean towards what the keys make hard: several stories in one second, in the
same microsecond, published in another order than their ids, before 1970 and
after 2106 (where the key's second is clamped), and stories found only through
a translation.
"""

import re
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from sqlalchemy import delete

from campaign.extensions import db
from campaign.gallery.queries import Filters, gallery_page
from campaign.models import Story, Translation
from tests.factories import make_translation
from tests.gallery.helpers import publish

pytestmark = [pytest.mark.both_databases, pytest.mark.slow]

WORDS = ["bread", "bake", "baker", "bakery", "city", "cold", "snow", "sea", "ship", "sun"]
QUERY_WORDS = ["bak", "bake", "bread", "b", "s", "sea", "sn", "c", "city", "sun", "ship"]
FILLER = "lorem ipsum dolor amet"  # no query word starts one of these
BASE = datetime(2025, 6, 1, 12, 0, 0, tzinfo=UTC)
# Few distinct seconds, so that stories share one; some share the microsecond too.
STAMPS = [
    BASE,
    BASE + timedelta(microseconds=1),
    BASE + timedelta(microseconds=500_000),
    BASE + timedelta(seconds=1),
    BASE + timedelta(seconds=1, microseconds=999_999),
    BASE - timedelta(days=3),
    datetime(1969, 12, 31, 23, 59, 59, 500_000, tzinfo=UTC),
    datetime(1969, 12, 31, 23, 59, 59, 600_000, tzinfo=UTC),
    datetime(2200, 1, 1, tzinfo=UTC),  # past the key's last second: clamped
    datetime(2300, 1, 1, tzinfo=UTC),
]

phrase = st.lists(st.sampled_from(WORDS), min_size=0, max_size=3).map(" ".join)
texts = st.fixed_dictionaries({"title": phrase, "quote": phrase, "body": phrase})
stories = st.lists(
    st.fixed_dictionaries(
        {
            # Half in one second (the key's unit), in any order of their ids.
            "at": st.sampled_from(STAMPS[:3]) | st.sampled_from(STAMPS),
            "text": texts,
            "translated": st.none() | texts,
        }
    ),
    min_size=1,
    max_size=14,
)
queries = st.lists(st.sampled_from(QUERY_WORDS), min_size=1, max_size=2, unique=True)


def _story(title="", quote="", body="", at=BASE, translated=None) -> dict:
    return {
        "text": {"title": title, "quote": quote, "body": body},
        "at": at,
        "translated": translated,
    }


# One second, published in the other order than the ids: the key's order is not the
# page's within a second. Then the clamped years, then a story found only through
# its translation's title, ranked with the titles.
SAME_SECOND = [_story("city", at=BASE + timedelta(microseconds=m)) for m in (900_000, 0, 500_000)]
CLAMPED = [_story("sea", at=STAMPS[i]) for i in (8, 9, 8, 6, 7)]
THROUGH_A_TRANSLATION = [
    _story("snow", body="snow"),
    _story("cold", translated={"title": "snow", "quote": "", "body": ""}),
    _story("sun", body="snow"),
]


def _tokens(text: str) -> list[str]:
    return re.findall(r"[^\W_]+", text.casefold())


def _has_all(words: list[str], text: str) -> bool:
    tokens = _tokens(text)
    return all(any(token.startswith(word) for token in tokens) for word in words)


def _reference(rows: list[dict], words: list[str], sort: str) -> list[int]:
    """The ids in the page order, from every story read in Python."""
    found = []
    for row in rows:
        texts = [row["text"], *([row["translated"]] if row["translated"] else [])]
        if not any(_has_all(words, " ".join(t.values())) for t in texts):
            continue
        bits = sum(
            bit
            for name, bit in (("title", 4), ("quote", 2), ("body", 1))
            if any(_has_all(words, t[name]) for t in texts)
        )
        found.append((-bits, row["at"], row["id"]))
    if sort == "oldest":
        found.sort(key=lambda f: (f[1], f[2]))
    elif sort == "newest":
        found.sort(key=lambda f: (f[1], f[2]), reverse=True)
    else:
        found.sort(key=lambda f: (f[0], -(f[1] - BASE), -f[2]))
    return [story_id for _rank, _at, story_id in found]


def _walk(words: list[str], sort: str, per_page: int) -> list[int]:
    """Every page, following the cursors: the ids in order."""
    seen: list[int] = []
    cursor = None
    for _ in range(100):
        page = gallery_page(Filters(q=" ".join(words), sort=sort), cursor, per_page)
        seen += [story.id for story in page.stories]
        cursor = page.next_cursor
        if cursor is None:
            return seen
    raise AssertionError("the pages never end")


def _store(drawn: list[dict]) -> list[dict]:
    db.session.execute(delete(Translation))
    db.session.execute(delete(Story))
    db.session.commit()
    rows = []
    for item in drawn:
        text = item["text"]
        # Filler keeps every text long enough to be a story, and matches no query.
        story = publish(
            text["title"] or FILLER,
            quote=text["quote"],
            body=f"{text['body']} {FILLER} {FILLER}",
        )
        story.published_at = item["at"]  # moved after publication: the index follows
        db.session.commit()
        translated = item["translated"]
        if translated:
            make_translation(
                story,
                title=translated["title"] or FILLER,
                quote=translated["quote"],
                body=f"{translated['body']} {FILLER}",
            )
        rows.append(
            {
                "id": story.id,
                "at": item["at"],
                "text": {
                    "title": text["title"] or FILLER,
                    "quote": text["quote"],
                    "body": f"{text['body']} {FILLER} {FILLER}",
                },
                "translated": translated
                and {
                    "title": translated["title"] or FILLER,
                    "quote": translated["quote"],
                    "body": f"{translated['body']} {FILLER}",
                },
            }
        )
    db.session.remove()
    return rows


@pytest.mark.parametrize("config_overrides", [{"PAGE_CACHE_ENABLED": False}])
def test_search_pages_match_a_brute_force_reference(app, db):
    @settings(
        max_examples=40,
        deadline=None,
        derandomize=True,
        database=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
    )
    @given(drawn=stories, words=queries, per_page=st.sampled_from([1, 2, 5]))
    @example(drawn=SAME_SECOND, words=["city"], per_page=1)
    @example(drawn=CLAMPED, words=["sea"], per_page=1)
    @example(drawn=THROUGH_A_TRANSLATION, words=["sn"], per_page=1)
    def check(drawn, words, per_page):
        rows = _store(drawn)
        for sort in ("relevance", "newest", "oldest"):
            expected = _reference(rows, words, sort)
            got = _walk(words, sort, per_page)

            assert got == expected, (sort, words, rows)

    check()
