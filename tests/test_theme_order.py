"""Every list of themes shows them in one order: the admins' order, ties by slug."""

import pytest

from campaign.models import StoryStatus, Theme
from tests.factories import make_story

# Both engines: the order of equal ranks is SQL ordering.
pytestmark = pytest.mark.both_databases


def _first_of(page: str, *names: str) -> list[str]:
    """The names in the order they first appear on the page."""
    return sorted(names, key=page.index)


def test_themes_of_equal_rank_are_listed_alike_on_every_page(db, client, signed_in, admin_client):
    # "trains" is added first (lower id), but "boats" comes first by slug.
    db.session.add_all(
        [
            Theme(slug="trains", name="Trains", position=1),
            Theme(slug="boats", name="Boats", position=1),
        ]
    )
    db.session.commit()
    themes = db.session.query(Theme).all()
    story = make_story(
        StoryStatus.PUBLISHED, theme_ids=[theme.id for theme in themes], title="Two themes"
    )
    expected = ["Boats", "Trains"]
    pages = {
        "gallery": "/stories",
        "story page": f"/stories/{story.slug}",
        "share form": "/share",
        "embeds builder": "/embed/builder",
    }
    for name, url in pages.items():
        page = client.get(url).get_data(as_text=True)
        assert _first_of(page, *expected) == expected, name
    queue = signed_in.get("/moderate").get_data(as_text=True)
    assert _first_of(queue, *expected) == expected, "moderation queue"
    admin_page = admin_client.get("/moderate/admin/themes").get_data(as_text=True)
    assert _first_of(admin_page, *expected) == expected, "admin themes"
    api = client.get("/api/v1/themes").get_json()
    assert [theme["slug"] for theme in api["themes"]] == ["boats", "trains"]
    shown = client.get(f"/api/v1/stories/{story.id}").get_json()["themes"]
    assert [theme["slug"] for theme in shown] == ["boats", "trains"]
