"""XSS payloads against the pages that exist today; the checker is tested too.

Phase 2 (after the share form, moderation desk and gallery are merged) runs
the same payloads through every field and every surface in a real browser.
"""

import pytest
from markupsafe import escape

from campaign.models import StoryStatus
from tests.factories import make_story
from tests.xss import assert_no_xss, find_xss, load_payloads

PAYLOADS = load_payloads()


def test_the_payload_list_covers_the_known_kinds():
    assert len(PAYLOADS) >= 100
    assert len(set(PAYLOADS)) == len(PAYLOADS)
    kinds = {
        "script tag": "<script>",
        "mixed case": "<ScRiPt>",
        "event handler": "onerror=",
        "javascript URL": "javascript:",
        "data URL": "data:text/html",
        "SVG": "<svg",
        "MathML": "<math",
        "decimal entities": "&#106;",
        "hex entities": "&#x6A;",
        "attribute breakout": '" onmouseover="',
    }
    for kind, marker in kinds.items():
        assert any(marker in p for p in PAYLOADS), kind


def test_the_checker_catches_every_markup_payload_left_unescaped():
    page = "<!doctype html><html><body><p>{}</p></body></html>"
    missed = [p for p in PAYLOADS if "<" in p and not find_xss(page.format(p), [p])]
    assert not missed


def test_the_checker_accepts_escaped_payloads_and_our_own_scripts():
    page = "<html><head><script src='/static/js/site.js' defer></script></head><body>{}</body>"
    for payload in PAYLOADS:
        assert_no_xss(page.format(f"<p>{escape(payload)}</p>"), PAYLOADS)


@pytest.mark.parametrize("config_overrides", [{"TOKEN_LOOKUP_RATE_LIMIT": "1000 per minute"}])
@pytest.mark.parametrize("backend", ["sqlite"])
def test_payloads_in_stories_render_escaped_on_every_page_today(db, signed_in):
    stories = []
    for payload in PAYLOADS:
        story = make_story(
            title=payload[:200],
            body=f"{payload}\n\nA story long enough to be accepted by the form. {payload}",
            author_name=payload[:100],
        )
        stories.append((story.id, story.token, story.slug))
    client = signed_in
    pages = ["/moderate"]
    pages += [f"/moderate/stories/{story_id}" for story_id, _t, _s in stories]
    pages += [f"/my-story/{token}" for _i, token, _s in stories]
    for path in pages:
        response = client.get(path)
        assert response.status_code == 200, path
        assert_no_xss(response.get_data(as_text=True), PAYLOADS)

    from campaign.extensions import db as _db
    from campaign.models import Story

    for story in _db.session.scalars(_db.select(Story)):
        story.move_to(StoryStatus.PUBLISHED)
    _db.session.commit()
    pages = ["/", "/stories"] + [f"/stories/{slug}" for _i, _t, slug in stories]
    for path in pages:
        response = client.get(path)
        assert response.status_code == 200, path
        assert_no_xss(response.get_data(as_text=True), PAYLOADS)
