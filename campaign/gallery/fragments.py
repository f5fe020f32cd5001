"""Kept card fragments: a story card's HTML, rendered once per story version.

With no page cache to help (the first visitors after every publication, and the long
tail of filters, languages and pages), the twelve cards of a listing were two thirds
of its rendering. A card shows only its story, so its HTML is kept here, per worker,
under a key of everything that output depends on, and a listing renders only the
cards it has not seen: after a publication, the new one.

The key (``card_key``):

- the deploy (``deploy_digest``: the templates and compiled catalogues, read once per
  process), the locale, the script root the links are built under (``/fr``, a mount
  point);
- the story: id, ``version`` (the optimistic-lock column, raised by every UPDATE of
  the row: whatever the public sees of the story's own columns, the sample badge and
  the focal point's edit, which touches ``updated_at``, included) and
  ``public_updated_at`` (stamped by publishing.hooks for its text, name, places,
  themes, photo and translations);
- what the card shows from other rows, which a change may reach without touching
  the story: the translation shown (id, version; or none), the photo (id, size,
  focal point), the recording (id, duration), the themes (id, slug, name, the name
  in the locale; an admin renaming a theme stamps no story);
- ``lazy`` (the first two cards of a listing load their photo at once).

A search card (``query`` set: it carries the query's marks) is rendered every time
and never kept, and so is a story the public may not see. Nothing but the key
chooses a fragment, so one story's or one locale's HTML can never show for another.

The store is the page cache's bounded LRU (publishing.memorycache), one per worker:
``CARD_FRAGMENTS_MAX_BYTES`` (4 MiB: about 2,000 cards) and ``CARD_FRAGMENTS_MAX``
entries. ``CARD_FRAGMENTS_ENABLED`` false renders every card, as does a development
server that reloads templates (an edited template shows at once).
"""

import hashlib
from functools import cache
from pathlib import Path

from flask import current_app, g, request
from flask_babel import get_locale
from jinja2 import pass_context
from markupsafe import Markup

from campaign.models import StoryStatus
from campaign.publishing.memorycache import BoundedMemoryCache

CARD_TEMPLATE = "gallery/_card.html"
_EXTENSION = "card_fragments"


class CardFragments:
    """The worker's kept cards and its counts (read by the tests)."""

    def __init__(self, max_bytes: int, max_entries: int, deploy: str):
        self.store = BoundedMemoryCache(max_bytes=max_bytes, threshold=max_entries)
        self.deploy = deploy
        self.renders = 0  # cards rendered (kept or not)
        self.reused = 0  # cards answered from the store

    def clear(self) -> None:
        self.store.clear()


@cache
def deploy_digest(*folders: str) -> str:
    """What the card's output depends on besides the data and the request: the
    templates and the compiled catalogues, by content (a deploy that changes them
    changes this, whatever the files' dates). Read once per process."""
    digest = hashlib.blake2b(digest_size=12)
    for folder in folders:
        for path in sorted(Path(folder).rglob("*")):
            if path.suffix in (".html", ".mo") and path.is_file():
                digest.update(str(path.relative_to(folder)).encode())
                digest.update(path.read_bytes())
    return digest.hexdigest()


def init_app(app) -> None:
    translations = Path(app.root_path, "translations")
    app.extensions[_EXTENSION] = CardFragments(
        max_bytes=app.config["CARD_FRAGMENTS_MAX_BYTES"],
        max_entries=app.config["CARD_FRAGMENTS_MAX"],
        deploy=deploy_digest(str(Path(app.root_path, app.template_folder)), str(translations)),
    )


def fragments(app=None) -> CardFragments:
    return (app or current_app).extensions[_EXTENSION]


def _keeps(app) -> bool:
    return app.config["CARD_FRAGMENTS_ENABLED"] and not app.jinja_env.auto_reload


def card_key(page: tuple, story, translation, lazy: bool) -> str:
    """Everything the card's HTML depends on (module docstring), as one string."""
    photo, recording, locale = story.photo, story.recording, page[1]
    return repr(
        (
            page,
            story.id,
            story.version,
            story.public_updated_at,
            (translation.id, translation.version) if translation is not None else None,
            lazy,
            (photo.id, photo.width, photo.height, photo.focal_x, photo.focal_y)
            if photo is not None
            else None,
            (recording.id, recording.duration_seconds) if recording is not None else None,
            tuple(
                (theme.id, theme.slug, theme.name, (theme.names or {}).get(locale))
                for theme in story.themes
            ),
        )
    )


def _render(app, story, loop_index: int, translation, query) -> str:
    """The card alone: its template sees the story, its translation and the query,
    never the page's other variables (so nothing outside the key reaches it)."""
    kept = fragments(app)
    kept.renders += 1
    templates = app.jinja_env
    return templates.get_template(CARD_TEMPLATE).render(
        # The modules an import in the card would give (made once, kept by Jinja).
        photo=templates.get_template("gallery/_photo.html").module.photo,
        duration=templates.get_template("_audio.html").module.duration,
        story=story,
        loop_index=loop_index,
        translated={story.id: translation} if translation is not None else {},
        query=query,
    )


def _page(kept: CardFragments) -> tuple:
    """The key's part shared by every card of the page. The locale's name is worked
    out once per locale object (Babel's ``str`` of it cost more than the rest of a
    key); a ``force_locale`` gives another object, so another name."""
    locale = get_locale()
    known = g.get("_card_locale")
    if known is None or known[0] is not locale:
        known = g._card_locale = (locale, str(locale))
    return (kept.deploy, known[1], request.script_root)


@pass_context
def story_card(context, story, loop_index: int = 0) -> Markup:
    """A listing's card of ``story``: kept, or rendered (the listing templates' global).
    The page's ``translated`` (story id: translation) and ``query`` are read from the
    template's context."""
    app = current_app._get_current_object()
    translation = (context.get("translated") or {}).get(story.id)
    query = context.get("query") or None
    public = story.status is StoryStatus.PUBLISHED and not story.hidden
    if query or not public or not _keeps(app):
        html = _render(app, story, loop_index, translation, query)
    else:
        kept = fragments(app)
        key = card_key(_page(kept), story, translation, loop_index >= 2)
        html = kept.store.get(key)
        if html is None:
            html = _render(app, story, loop_index, translation, None)
            kept.store.set(key, html, timeout=0)
        else:
            kept.reused += 1
    # The card template's own output, escaped by its autoescaping like an include's.
    return Markup(html)  # noqa: S704
