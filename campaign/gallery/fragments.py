"""Kept fragments: HTML rendered once per version of what it shows.

With no page cache to help (the first visitors after every publication, and the long
tail of filters, languages and pages), the twelve cards of a listing were two thirds
of its rendering, and a story page's article half of its own. A card shows only its
story, and so does the article (the story's words, photo, voice and transcript, its
facts, share links and images: everything of the page but the chrome, the head and
the "more stories" cards, kept as cards), so their HTML is kept here, per worker,
under a key of everything that output depends on. A listing renders only the cards
it has not seen (after a publication, the new one), a story page only its head. A
listing finds its cards by the stories' faces (gallery.queries.card_faces: a light
statement, no ORM object) and reads whole stories only for the cards not kept
(``cards``, ``home_fragments``: the home page's lead too). Beside them: the
gallery's filter form (``filters_form``, keyed by its filters and its choices) and
the pages' chrome (``kept_fragment``, a call block keyed by what its caller names).

The key (``card_key``, ``article_key``: from the story's face, queries.CardFace):

- the deploy (``deploy_digest``: the templates and compiled catalogues, read once per
  process), the locale, the script root the links are built under (``/fr``, a mount
  point);
- the story: id, ``version`` (the optimistic-lock column, raised by every UPDATE of
  the row: whatever the public sees of the story's own columns, the sample badge and
  the focal point's edit, which touches ``updated_at``, included) and
  ``public_updated_at`` (stamped by publishing.hooks for its text, name, places,
  themes, photo and translations);
- what is shown from other rows, which a change may reach without touching the
  story: the translation shown (id, version; or none), the photo (id, size, focal
  point), the recording (a card: id, duration; the article: masked, transcript and
  files too: its row stamps no story), the themes (id, slug, name, the name in the
  locale: a card's as the public version's themes name them, queries.public_themes;
  an admin renaming a theme stamps no story but changes that version);
- a card's ``lazy`` (the first two cards of a listing load their photo at once); an
  article's translation offered while the original is read, and its page's address.

A search's card and form are kept without the query's words and marks, as shells
with slots that each search fills in (``_with_slots``, ``_filled``). Nothing of a
story the public may not see is kept. Nothing but the key chooses a fragment, so one
story's or one locale's HTML can never show for another.

The store is the page cache's bounded LRU (publishing.memorycache), one per worker:
``CARD_FRAGMENTS_MAX_BYTES`` (4 MiB: about 2,000 cards, or 600 articles) and
``CARD_FRAGMENTS_MAX`` entries. ``CARD_FRAGMENTS_ENABLED`` false renders every
fragment, as does a development server that reloads templates (an edited template
shows at once).
"""

import hashlib
import secrets
from collections import Counter
from dataclasses import replace
from functools import cache
from pathlib import Path

from flask import current_app, g, request
from flask_babel import get_locale
from jinja2 import pass_context
from markupsafe import Markup, escape

from campaign.gallery import search
from campaign.gallery.queries import public_themes, stories_by_id
from campaign.models import StoryStatus
from campaign.publishing.memorycache import BoundedMemoryCache

CARD_TEMPLATE = "gallery/_card.html"
ARTICLE_TEMPLATE = "gallery/_story_article.html"
FILTERS_TEMPLATE = "gallery/_filters.html"
HERO_TEMPLATE = "gallery/_hero.html"
SEARCH_CARD = "gallery/_card.html, searched"  # a search card's shell, in the counts
_EXTENSION = "card_fragments"


class Fragments:
    """The worker's kept fragments and its counts by kind (read by the tests)."""

    def __init__(self, max_bytes: int, max_entries: int, deploy: str):
        self.store = BoundedMemoryCache(max_bytes=max_bytes, threshold=max_entries)
        self.deploy = deploy
        self.renders: Counter[str] = Counter()  # fragments rendered (kept or not)
        self.reused: Counter[str] = Counter()  # fragments answered from the store

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
    app.extensions[_EXTENSION] = Fragments(
        max_bytes=app.config["CARD_FRAGMENTS_MAX_BYTES"],
        max_entries=app.config["CARD_FRAGMENTS_MAX"],
        deploy=deploy_digest(str(Path(app.root_path, app.template_folder)), str(translations)),
    )


def fragments(app=None) -> Fragments:
    return (app or current_app).extensions[_EXTENSION]


def _keeps(app) -> bool:
    return app.config["CARD_FRAGMENTS_ENABLED"] and not app.jinja_env.auto_reload


def _face_parts(page: tuple, face, translation, themes) -> tuple:
    """What a card or an article shows of a story and of the rows beside it, from its
    face (queries.CardFace: the module docstring): the part of both keys that names
    the story, its themes as the public sees them now (``themes``:
    queries.public_themes)."""
    shown = _theme_names(page, (theme for theme in themes if theme.id in face.theme_ids))
    told = (translation.id, translation.version) if translation is not None else None
    return (face.id, face.version, face.public_updated_at, told, face.photo, face.recording, shown)


def _theme_names(page: tuple, themes) -> tuple:
    """What a fragment shows of these themes (queries.PublicTheme) in the page's locale."""
    return tuple((theme.id, theme.slug, theme.name, theme.names.get(page[1])) for theme in themes)


def card_key(page: tuple, face, translation, variant: tuple, themes) -> str:
    """Everything a card's HTML depends on (module docstring), as one string: the
    story's face, the translation shown, and ``variant`` (lazy; a search's shell)."""
    return _digest((page, CARD_TEMPLATE, _face_parts(page, face, translation, themes), variant))


def article_key(page: tuple, face, story, shown, translation, canonical: str, themes) -> str:
    """Everything the story page's article depends on: the story (as for its card,
    and all it shows of its recording, whose row stamps no story), the translation
    shown (``shown``: None while the original is read) and the one offered, and the
    page's absolute address (its share links; it names the host)."""
    recording = story.recording
    heard = (
        (recording.masked, recording.transcript, recording.renditions)
        if recording is not None
        else None
    )
    offered = (translation.id, translation.version) if translation is not None else None
    parts = _face_parts(page, face, shown, themes)
    return _digest((page, ARTICLE_TEMPLATE, parts, heard, offered, canonical))


def _digest(key: tuple) -> str:
    """A key as a short string: the store counts a key's bytes, and an article's
    key carries the whole transcript."""
    return hashlib.blake2b(repr(key).encode(), digest_size=16).hexdigest()


def _render(app, template: str, **context) -> str:
    """A fragment alone: its template sees what it is given, never the page's other
    variables (so nothing outside the key reaches it), and the macros an import would
    give (made once, kept by Jinja: an import costs a quarter of a card's rendering,
    as Jinja compares the importing context's globals with the module's each time)."""
    templates = app.jinja_env
    return templates.get_template(template).render(
        photo=templates.get_template("gallery/_photo.html").module.photo,
        duration=templates.get_template("_audio.html").module.duration,
        audio_player=templates.get_template("_audio.html").module.audio_player,
        share_links=templates.get_template("_share.html").module.share_links,
        **context,
    )


def _kept(app, kind: str, key: str | None, render):
    """What is kept under ``key``, or ``render()``'s, then kept; rendered every time
    without a key (a story not public, keeping off). ``kind`` names it in the counts."""
    kept = fragments(app)
    value = None if key is None else kept.store.get(key)
    if value is None:
        return _rendered(kept, kind, key, render())
    kept.reused[kind] += 1
    return value


def _rendered(kept: Fragments, kind: str, key: str | None, value):
    """A fragment just rendered: counted, and kept under ``key`` (None: not kept)."""
    kept.renders[kind] += 1
    if key is not None:
        kept.store.set(key, value, timeout=0)
    return value


def _fragment(app, kind: str, key: str | None, render) -> Markup:
    # The fragment template's own output, escaped by its autoescaping like an include's.
    return Markup(_kept(app, kind, key, render))  # noqa: S704


# A search's card and form are kept for every query: rendered with a slot where each
# text the query marks goes (this process's own token: no page's text holds it), and
# kept with those texts, which the query then fills in.
_SLOT = f"\x00{secrets.token_hex(8)}:"


def _slot(number: int) -> str:
    return f"{_SLOT}{number}\x00"


def _with_slots(render, marks: tuple[str, ...]):
    """``render(fillers)``, each filler a stand-in for the function of that name in
    ``marks`` (search.highlight, search.snippet): (the HTML with slots, the texts)."""

    def shell():
        texts: list[tuple[str, str]] = []

        def filler(name):
            def fill(text, _query):
                texts.append((name, text))
                return Markup(_slot(len(texts) - 1))  # noqa: S704 (a token, no text)

            return fill

        return render({f"search_{name}": filler(name) for name in marks}), tuple(texts)

    return shell


def _filled(shell: tuple[str, tuple], query: str) -> Markup:
    html, texts = shell
    marking = {"highlight": search.highlight, "snippet": search.snippet}
    for number, (name, text) in enumerate(texts):
        html = html.replace(_slot(number), marking[name](text, query))
    return Markup(html)  # noqa: S704 (the template's escaped output, the escaped marks)


def _page(kept: Fragments) -> tuple:
    """The key's part shared by every fragment of the page. The locale's name is
    worked out once per locale object (Babel's ``str`` of it cost more than the rest
    of a key); a ``force_locale`` gives another object, so another name."""
    locale = get_locale()
    known = g.get("_card_locale")
    if known is None or known[0] is not locale:
        known = g._card_locale = (locale, str(locale))
    return (kept.deploy, known[1], request.script_root)


def _public(story) -> bool:
    return story.status is StoryStatus.PUBLISHED and not story.hidden


@pass_context
def cards(context, faces, start: int = 0) -> list[Markup]:
    """The cards of a listing (``faces``: queries.card_faces), in their order (the
    listing templates' global). The card at ``n`` is the listing's ``start + n``th
    (the first two of a page load their photo at once). The page's ``translated``
    (story id: translation) and ``query`` are read from the template's context: a
    search's card is kept without the query's marks (its title and its passage
    around the words found), which each search fills in."""
    query = context.get("query") or None
    template = SEARCH_CARD if query else CARD_TEMPLATE
    items = [(template, face, start + n) for n, face in enumerate(faces)]
    found = _story_fragments(items, context.get("translated") or {}, query)
    return [html for html in found if html is not None]


@pass_context
def home_fragments(context, lead, featured, latest) -> tuple:
    """The home page's lead (kept like a card, its own template) and its two rows of
    cards (all lazy: the lead comes first): (lead or None, featured, latest), the
    stories of those not kept read in one statement for the three."""
    items = [(HERO_TEMPLATE, lead, 0)] if lead is not None else []
    items += [(CARD_TEMPLATE, face, 2 + n) for n, face in enumerate(featured)]
    items += [(CARD_TEMPLATE, face, 2 + n) for n, face in enumerate(latest)]
    found = _story_fragments(items, context.get("translated") or {})
    hero = found.pop(0) if lead is not None else None
    rows = (found[: len(featured)], found[len(featured) :])
    return (hero, *([html for html in row if html is not None] for row in rows))


def _story_fragments(items, translated: dict, query=None) -> list:
    """Each story's fragment (``items``: template, face, its place in the listing), in
    their order: kept ones from the store, the others rendered from their stories,
    read in one statement for all of them, then kept. None for a story no longer
    public since its face was read."""
    app = current_app._get_current_object()
    kept = fragments(app)
    keys: list[str | None] = [None] * len(items)
    if _keeps(app):
        page, themes = _page(kept), public_themes()
        keys = [
            card_key(page, face, translated.get(face.id), (place >= 2, template), themes)
            for template, face, place in items
        ]
    found = [None if key is None else kept.store.get(key) for key in keys]
    missing = [item[1].id for item, value in zip(items, found, strict=True) if value is None]
    stories = {story.id: story for story in stories_by_id(missing)} if missing else {}
    shown = []
    for (template, face, place), key, value in zip(items, keys, found, strict=True):
        if value is None:
            story = stories.get(face.id)
            if story is None:
                shown.append(None)
                continue
            rendered = _story_fragment(app, template, story, place, translated, query)
            value = _rendered(kept, template, key, rendered)
        else:
            kept.reused[template] += 1
        # The template's own output, escaped by its autoescaping like an include's.
        shown.append(_filled(value, query) if query else Markup(value))  # noqa: S704
    return shown


def _story_fragment(app, template: str, story, loop_index: int, translated: dict, query):
    """A story's fragment; a search card's as a shell with slots for the marks."""
    translation = translated.get(story.id)

    def render(fillers=None):
        return _render(
            app,
            CARD_TEMPLATE if template == SEARCH_CARD else template,
            story=story,
            loop_index=loop_index,
            translated={story.id: translation} if translation is not None else {},
            query=query,
            **(fillers or {}),
        )

    return _with_slots(render, ("highlight", "snippet"))() if query else render()


def story_article(reading, face, translation, canonical: str) -> Markup:
    """The story page's article (``reading``: the story and the words shown; ``face``:
    its queries.CardFace), the facts beside it, its share links and images: kept, or
    rendered (the story page's global). ``translation``: the public translation into
    the page's language, shown or offered. The story's themes are read (lazily) only
    to render it: the key has them from the face."""
    app = current_app._get_current_object()
    story = reading.story

    def render():
        return _render(
            app,
            ARTICLE_TEMPLATE,
            story=story,
            reading=reading,
            translation=translation,
            canonical=canonical,
        )

    key = None
    if _public(story) and _keeps(app):
        page, themes = _page(fragments(app)), public_themes()
        shown = reading.translation
        key = article_key(page, face, story, shown, translation, canonical, themes)
    return _fragment(app, ARTICLE_TEMPLATE, key, render)


def filters_form(filters, counted, themes) -> Markup:
    """The gallery's search and filter form: kept, or rendered (the gallery's global).
    Its choices come from ``counted`` (publishing.stats' snapshot: the countries and
    languages of the public stories) and ``themes`` (gallery.queries.public_themes):
    the key holds those lists, not the public version, so a publication that brings no
    new country or language renders none of it. A search's form is kept with a slot
    for its words, which each search fills in (a query without words, which changes
    the order offered, is rendered every time)."""
    app = current_app._get_current_object()
    keep = _keeps(app) and (not filters.q or bool(search.words(filters.q)))
    shown = replace(filters, q=_slot(0)) if keep and filters.q else filters

    def render():
        return _render(app, FILTERS_TEMPLATE, filters=shown, counted=counted, themes=themes)

    key = None
    if keep:
        page = _page(fragments(app))
        choices = (
            counted.origins,
            counted.residences,
            counted.languages,
            _theme_names(page, themes),
        )
        key = _digest((page, FILTERS_TEMPLATE, shown, choices))
    html = _fragment(app, FILTERS_TEMPLATE, key, render)
    if shown is filters:
        return html
    return Markup(str(html).replace(_slot(0), escape(filters.q)))  # noqa: S704 (escaped)


def kept_fragment(name: str, *key, keep: bool = True, caller) -> Markup:
    """A call block's body, kept (``{% call kept_fragment("base.html footer") %}…
    {% endcall %}``): the pages' chrome, the same on every page of a language. The
    body must read nothing but the locale, the script root and what ``key`` holds
    (the language switcher: the page's own links); ``keep`` false renders it every
    time (a signed-in visitor's header, with its own menu and form; a page with a
    query, the long tail)."""
    app = current_app._get_current_object()
    digest = None
    if keep and _keeps(app):
        digest = _digest((_page(fragments(app)), name, key))
    return _fragment(app, name, digest, caller)
