"""What search engines are told: the sitemap (an index, then one file per language
and chunk of stories) and robots.txt."""

from dataclasses import dataclass, field
from datetime import datetime

from flask import current_app, request, url_for
from sqlalchemy import select

from campaign.extensions import db
from campaign.i18n.locale import ENVIRON_SCRIPT_ROOT, html_lang
from campaign.models import Story, Translation, published_translations
from campaign.publishing import stats

# Well below the protocol's 50,000 addresses and 50 MB a file.
STORIES_PER_FILE = 10_000
# The pages worth finding besides the stories, in every language.
PAGES = ("gallery.home", "gallery.stories", "journeys.journeys", "submissions.share")
# Never worth a crawler's visit: behind a login, secret links, forms, data.
DISALLOWED = (
    "/moderate",
    "/translate",
    "/login",
    "/my-story/",
    "/invitations/",
    "/share/thanks",
    "/api/",
)


# "Read the original" on a translated story page: ?original=1.
ORIGINAL_ARG = "original"


@dataclass(frozen=True)
class Entry:
    url: str
    lastmod: datetime | None = None
    # The page in each language ({"lang", "url"}), and the address without a language
    # (x-default): the same ``hreflang`` alternates as the page's own head.
    alternates: list[dict] = field(default_factory=list)
    default_url: str | None = None


def _root() -> str:
    """Where the app is served, without the language prefix this request may carry."""
    return request.environ.get(ENVIRON_SCRIPT_ROOT, "")


def absolute(path: str, code: str | None = None) -> str:
    """A path from url_for as an absolute address, in a language or without one."""
    path = path.removeprefix(request.script_root)
    prefix = f"/{code}" if code else ""
    return f"{request.host_url.rstrip('/')}{_root()}{prefix}{path}"


def page_alternates(path: str) -> list[dict]:
    """A page (``path`` from url_for) under every site language."""
    return [
        {"lang": html_lang(code), "url": absolute(path, code)}
        for code in current_app.config["SUPPORTED_LOCALES"]
    ]


def story_alternates(slug: str, language: str, default_translated: bool) -> list[dict]:
    """The story in each language it can be read in: its page under every site language
    (which shows the public translation into it, or else the original, so the
    original's language and each translation's are there); and an original in a
    language the site does not speak, under the default language (asked for, when the
    story has a public translation into that). The story page's head and the sitemap
    both give this list."""
    path = url_for("gallery.story", slug=slug)
    links = page_alternates(path)
    if language not in current_app.config["SUPPORTED_LOCALES"]:
        home = current_app.config["BABEL_DEFAULT_LOCALE"]
        original = path + (f"?{ORIGINAL_ARG}=1" if default_translated else "")
        links.append({"lang": language, "url": absolute(original, home)})
    return links


def file_count() -> int:
    return max(1, -(-stats.current().stories // STORIES_PER_FILE))


def index_entries() -> list[Entry]:
    changed, files = stats.current().changed_at, file_count()
    return [
        Entry(absolute(url_for("gallery.sitemap_file", language=code, number=number)), changed)
        for code in current_app.config["SUPPORTED_LOCALES"]
        for number in range(1, files + 1)
    ]


def file_entries(code: str, number: int) -> list[Entry] | None:
    """The addresses of one file: the main pages (in the first file) and a chunk of
    stories, oldest published first so a file's contents change only at its end.
    None when there is no such file."""
    if code not in current_app.config["SUPPORTED_LOCALES"] or not 1 <= number <= file_count():
        return None
    entries = (
        [_entry(url_for(endpoint), code, page_alternates(url_for(endpoint))) for endpoint in PAGES]
        if number == 1
        else []
    )
    rows = db.session.execute(
        select(Story.id, Story.slug, Story.language, Story.public_updated_at, Story.published_at)
        .where(Story.published().whereclause)
        .order_by(Story.published_at, Story.id)
        .offset((number - 1) * STORIES_PER_FILE)
        .limit(STORIES_PER_FILE)
    ).all()
    translated = _translated_into_default(
        [row.id for row in rows if row.language not in current_app.config["SUPPORTED_LOCALES"]]
    )
    for row in rows:
        path = url_for("gallery.story", slug=row.slug)
        alternates = story_alternates(row.slug, row.language, row.id in translated)
        entries.append(_entry(path, code, alternates, row.public_updated_at or row.published_at))
    return entries


def _entry(path: str, code: str, alternates: list[dict], lastmod=None) -> Entry:
    return Entry(absolute(path, code), lastmod, alternates, absolute(path))


def _translated_into_default(story_ids: list[int]) -> set[int]:
    """Which of these stories have a public translation into the default language."""
    if not story_ids:
        return set()
    home = current_app.config["BABEL_DEFAULT_LOCALE"]
    found = published_translations().where(
        Translation.language == home, Translation.story_id.in_(story_ids)
    )
    return set(db.session.scalars(found.with_only_columns(Translation.story_id)))


def robots_lines() -> list[str]:
    prefixes = ["", *(f"/{code}" for code in current_app.config["SUPPORTED_LOCALES"])]
    return [
        "User-agent: *",
        *(f"Disallow: {_root()}{prefix}{path}" for prefix in prefixes for path in DISALLOWED),
        "",
        f"Sitemap: {absolute(url_for('gallery.sitemap_index'))}",
    ]
