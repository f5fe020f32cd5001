"""What search engines are told: the sitemap (an index, then one file per language
and chunk of stories) and robots.txt."""

from dataclasses import dataclass
from datetime import datetime

from flask import current_app, request, url_for
from sqlalchemy import select

from campaign.extensions import db
from campaign.i18n.locale import ENVIRON_SCRIPT_ROOT
from campaign.models import Story
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


@dataclass(frozen=True)
class Entry:
    url: str
    lastmod: datetime | None = None


def _root() -> str:
    """Where the app is served, without the language prefix this request may carry."""
    return request.environ.get(ENVIRON_SCRIPT_ROOT, "")


def absolute(path: str, code: str | None = None) -> str:
    """A path from url_for as an absolute address, in a language or without one."""
    path = path.removeprefix(request.script_root)
    prefix = f"/{code}" if code else ""
    return f"{request.host_url.rstrip('/')}{_root()}{prefix}{path}"


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
        [Entry(absolute(url_for(endpoint), code)) for endpoint in PAGES] if number == 1 else []
    )
    rows = db.session.execute(
        select(Story.slug, Story.public_updated_at, Story.published_at)
        .where(Story.published().whereclause)
        .order_by(Story.published_at, Story.id)
        .offset((number - 1) * STORIES_PER_FILE)
        .limit(STORIES_PER_FILE)
    )
    entries += [
        Entry(absolute(url_for("gallery.story", slug=slug), code), updated or published)
        for slug, updated, published in rows
    ]
    return entries


def robots_lines() -> list[str]:
    prefixes = ["", *(f"/{code}" for code in current_app.config["SUPPORTED_LOCALES"])]
    return [
        "User-agent: *",
        *(f"Disallow: {_root()}{prefix}{path}" for prefix in prefixes for path in DISALLOWED),
        "",
        f"Sitemap: {absolute(url_for('gallery.sitemap_index'))}",
    ]
