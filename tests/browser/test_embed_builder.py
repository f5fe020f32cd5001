"""A partner builds an embed: the preview and the code follow the choices."""

import pytest
from playwright.sync_api import expect

from campaign.extensions import db
from campaign.models import StoryStatus
from tests.factories import make_story

pytestmark = pytest.mark.browser


def test_builder_preview_and_snippet_follow_the_choices(live_app, live_server, page):
    with live_app.app_context():
        make_story(StoryStatus.PUBLISHED, title="Embedded from Eritrea", origin_country="ER")
        make_story(StoryStatus.PUBLISHED, title="Embedded from Peru", origin_country="PE")
        db.session.remove()

    page.goto(f"{live_server}/embed/builder")
    page.get_by_label("Country of origin").select_option("ER")
    page.get_by_label("Number of stories").fill("2")

    preview = page.locator("#preview")
    assert "country=ER" in preview.get_attribute("src")
    assert "limit=2" in preview.get_attribute("src")
    snippet = page.get_by_label("Copy this code into your page").input_value()
    assert snippet.startswith(f'<iframe src="{live_server}/embed?country=ER&amp;limit=2"')

    # The preview reloads when a choice changes: wait for the filtered one (the
    # first load, with every country, may still be showing).
    frame = page.frame_locator("#preview")
    frame.get_by_text("Embedded from Eritrea").wait_for()
    expect(frame.get_by_text("Embedded from Peru")).to_have_count(0)


def test_builder_looks_change_the_code_and_the_preview_fits_its_stories(
    live_app, live_server, page
):
    with live_app.app_context():
        make_story(StoryStatus.PUBLISHED, title="Embedded and compact", origin_country="SY")
        db.session.remove()

    page.goto(f"{live_server}/embed/builder")
    page.get_by_label("Dark, for a dark page").check()
    page.get_by_label("Compact list, without photos").check()
    snippet = page.get_by_label("Copy this code into your page").input_value()
    assert f'<iframe src="{live_server}/embed?limit=3&amp;colours=dark&amp;layout=compact"' in (
        snippet
    )
    assert 'height="420"' in snippet
    assert snippet.endswith(f'<script src="{live_server}/static/js/embed.js" async></script>')
    frame = page.frame_locator("#preview")
    frame.locator("body.embed--dark.embed--compact").wait_for()
    # The builder runs the partner script too: the preview takes its stories' height.
    page.wait_for_function(
        """() => {
          const frame = document.getElementById('preview');
          const inner = frame.contentDocument.documentElement;
          const height = inner.getBoundingClientRect().height;
          // Nothing to scroll inside the frame (its border drawn around the stories).
          return height > 0 && Math.abs(frame.clientHeight - height) <= 1
            && inner.scrollHeight <= inner.clientHeight;
        }"""
    )
