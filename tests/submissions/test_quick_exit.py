"""Quick exit (issue 17): "Leave this site quickly" on the share form, the private pages
and the privacy page; private pages carry a neutral title. The browser side (the page
replaced in the history, Escape twice) is in tests/browser/test_quick_exit.py."""

import re

import pytest

from tests.factories import make_story
from tests.submissions.helpers import submit

QUICK_EXIT = re.compile(
    r'<a class="quick-exit" href="([^"]+)" rel="noreferrer" data-quick-exit>'
    r"Leave this site quickly</a>\s*"
    r'<script src="/static/js/quick-exit.js" defer></script>'
)


def private_pages(client) -> dict[str, str]:
    """Every private page of one storyteller, as its HTML."""
    response = submit(client)
    assert response.status_code == 303
    pages = {"thanks": client.get("/share/thanks").get_data(as_text=True)}
    story = make_story()
    for name, path in {
        "my story": f"/my-story/{story.token}",
        "edit": f"/my-story/{story.token}/edit",
        "withdraw": f"/my-story/{story.token}/withdraw",
    }.items():
        response = client.get(path)
        assert response.status_code == 200, name
        pages[name] = response.get_data(as_text=True)
    client.post(f"/my-story/{story.token}/withdraw", data={"confirm": "y"})
    pages["withdrawn"] = client.get("/share/withdrawn").get_data(as_text=True)
    return pages


def test_share_privacy_and_every_private_page_offer_the_quick_exit(client):
    pages = {
        "share": client.get("/share").get_data(as_text=True),
        "privacy": client.get("/privacy").get_data(as_text=True),
        **private_pages(client),
    }
    for name, page in pages.items():
        match = QUICK_EXIT.search(page)
        assert match, name
        assert match.group(1) == "https://weather.com/", name
        # First in the header, right after the skip link: the second stop for the keyboard.
        header = page.index('<header class="site-header">')
        assert page.index("skip-link") < header < match.start() < page.index("site-name"), name


def test_public_pages_without_private_matters_have_no_quick_exit(client):
    assert "data-quick-exit" not in client.get("/").get_data(as_text=True)
    assert "data-quick-exit" not in client.get("/stories").get_data(as_text=True)


@pytest.mark.parametrize("config_overrides", [{"QUICK_EXIT_URL": "https://example.org/news"}])
def test_the_neutral_site_is_a_setting(client, config_overrides):
    assert QUICK_EXIT.search(client.get("/share").get_data(as_text=True)).group(1) == (
        "https://example.org/news"
    )


def test_private_pages_carry_a_neutral_title(client):
    """Tabs, history and bookmarks of a shared computer must not say what was open."""
    for name, page in private_pages(client).items():
        title = re.search(r"<title>(.*?)</title>", page, re.S).group(1).strip()
        assert title == "Private page", (name, title)


def test_private_pages_carry_a_neutral_title_in_every_language(client):
    story = make_story()
    titles = {
        language: re.search(
            r"<title>(.*?)</title>",
            client.get(f"/{language}/my-story/{story.token}").get_data(as_text=True),
        ).group(1)
        for language in ("ar", "es", "fa", "fi", "fr", "uk")
    }
    for language, title in titles.items():
        assert title and title != "Private page", language  # translated
        # Neither the site's name nor the word "story" of the language.
        assert "·" not in title, language


def test_privacy_page_explains_the_quick_exit_and_how_to_clear_history(client):
    page = client.get("/privacy").get_data(as_text=True)
    section = page[page.index('id="quick-exit"') :]
    assert "Escape key pressed twice" in section
    assert "Without JavaScript the button is an ordinary link" in section
    assert "Ctrl+Shift+Delete" in section and "private (incognito) window" in section
