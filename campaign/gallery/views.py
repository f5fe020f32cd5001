from pathlib import Path

from flask import (
    Blueprint,
    abort,
    current_app,
    jsonify,
    make_response,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _

from campaign.gallery import sitemap
from campaign.gallery.queries import (
    SORTS,
    Filters,
    card_faces,
    featured_story_ids,
    gallery_page,
    latest_story_ids,
    more_from_country_ids,
    public_themes,
)
from campaign.gallery.translated import Reading, translations_for, translations_of
from campaign.i18n import identity
from campaign.i18n.countries import parse_country
from campaign.i18n.locale import (
    current_locale_code,
    text_direction,
)
from campaign.models import Channel, gone_for, published_story
from campaign.publishing import stats
from campaign.publishing.pagecache import public_page
from campaign.text import filter_arg

bp = Blueprint("gallery", __name__)

# The query parameters of listings (``_filters``, the cursor); the home page's
# feed links read the first three too.
LISTING_ARGS = ("origin", "residence", "theme", "language", "q", "sort", "after", "languages")


@bp.route("/")
@public_page(args=("origin", "residence", "theme"))
def home():
    """One person leads (the newest featured story, else the newest story), then the
    other featured stories, then the latest: each story once."""
    featured = featured_story_ids(4)
    latest = latest_story_ids(6 if featured else 7, besides=tuple(featured))
    faces = card_faces([*featured, *latest])
    translated = translations_for(faces, current_locale_code())
    lead = faces.pop(0) if faces else None
    pinned = set(featured)
    return render_template(
        "gallery/home.html",
        lead=lead,
        featured=[face for face in faces if face.id in pinned],
        stories=[face for face in faces if face.id not in pinned],
        stats=stats.current(),
        translated=translated,
    )


def _filters(**from_path) -> Filters:
    args = request.args
    sort = args.get("sort", "")
    if sort not in SORTS:
        sort = "relevance" if args.get("q", "").strip() else "newest"
    language = filter_arg(from_path.get("language") or args.get("language"), 12)
    theme = filter_arg(from_path.get("theme") or args.get("theme"), 60)
    return Filters(
        origin=parse_country(from_path.get("origin") or args.get("origin")),
        residence=parse_country(from_path.get("residence") or args.get("residence")),
        theme=theme or None,
        language=language or None,
        q=filter_arg(args.get("q"), 200) or None,
        sort=sort,
        languages="all" if args.get("languages") == "all" else None,
    )


@bp.route("/stories")
@bp.route("/stories/from/<origin>", endpoint="from_country")
@bp.route("/stories/in/<residence>", endpoint="in_country")
@bp.route("/stories/theme/<theme>", endpoint="by_theme")
@bp.route("/stories/language/<language>", endpoint="in_language")
@public_page(args=LISTING_ARGS)
def stories(origin=None, residence=None, theme=None, language=None):
    if (origin and not parse_country(origin)) or (residence and not parse_country(residence)):
        abort(404)
    themes = public_themes()
    if theme and theme not in {t.slug for t in themes}:
        abort(404)
    filters = _filters(origin=origin, residence=residence, theme=theme, language=language)
    locale = current_locale_code()
    # The reader's language first, unless they asked for every language in one order.
    first = None if filters.languages == "all" else locale
    page = gallery_page(
        filters,
        request.args.get("after"),
        current_app.config["STORIES_PER_PAGE"],
        first=first,
        load=card_faces,
    )
    language_first = (
        first is not None
        and filters.effective_sort == "newest"
        and not (filters.q or filters.language)
    )
    # Filters already in the path stay there; the rest go into the query string.
    in_path = {name for name, value in request.view_args.items() if value}
    args = {key: value for key, value in filters.args().items() if key not in in_path}

    def url(**extra):
        return url_for(request.endpoint, **request.view_args, **{**args, **extra})

    return render_template(
        "gallery/stories.html",
        first_url=url(),
        next_url=url(after=page.next_cursor) if page.next_cursor else None,
        page=page,
        translated=translations_for(page.stories, locale),
        language_first=language_first,
        all_languages_url=url(languages="all"),
        language_first_url=url_for(
            request.endpoint,
            **request.view_args,
            **{key: value for key, value in args.items() if key != "languages"},
        ),
        filters=filters,
        themes=themes,
        theme=next((t for t in themes if t.slug == filters.theme), None),
        stats=stats.current(),
        is_continuation=bool(request.args.get("after")),
    )


@bp.route("/stories/<slug>")
@public_page(args=(sitemap.ORIGINAL_ARG,))
def story(slug: str):
    # Its themes only if its article is rendered: its key reads them from its face.
    found = published_story(slug, with_themes=False)
    if found is None:
        abort(410 if gone_for(Channel.WEBSITE, slug=slug) else 404)
    faces = card_faces([found.id, *more_from_country_ids(found, 3)])
    if not faces or faces[0].id != found.id:
        abort(404)  # no longer public since it was read
    locale = current_locale_code()
    more = faces[1:]
    translations, translated = translations_of(found, more, locale)
    translation = translations.get(locale)
    wants_original = request.args.get(sitemap.ORIGINAL_ARG) == "1"
    return render_template(
        "gallery/story.html",
        story=found,
        face=faces[0],
        reading=Reading(found, None if wants_original else translation),
        translation=translation,
        alternates=sitemap.story_alternates(
            found.slug, found.language, current_app.config["BABEL_DEFAULT_LOCALE"] in translations
        ),
        more=more,
        translated=translated,
        canonical=url_for("gallery.story", slug=found.slug, _external=True),
    )


def _answer(body, mimetype: str):
    """A public file made here (sitemap, robots.txt, the identity's CSS and mark)."""
    response = make_response(body)
    response.mimetype = mimetype
    return response


@bp.route("/sitemap.xml")
@public_page
def sitemap_index():
    return _answer(
        render_template("sitemap/index.xml", entries=sitemap.index_entries()), "application/xml"
    )


@bp.route("/sitemaps/<language>/<int:number>.xml")
@public_page
def sitemap_file(language: str, number: int):
    entries = sitemap.file_entries(language, number)
    if entries is None:
        abort(404)
    return _answer(render_template("sitemap/urls.xml", entries=entries), "application/xml")


@bp.route("/robots.txt")
@public_page
def robots():
    return _answer("\n".join(sitemap.robots_lines()) + "\n", "text/plain")


@bp.route("/about")
@public_page
def about():
    return render_template(
        "gallery/about.html",
        own_text=identity.about_text(),
        contact=current_app.config["CAMPAIGN_CONTACT_EMAIL"],
    )


@bp.route("/identity.css")
@public_page
def identity_css():
    return _answer(identity.identity_css(), "text/css")


@bp.route("/mark.svg")
@public_page
def mark():
    path = identity.mark_file() or Path(current_app.static_folder, "img", "mark.svg")
    return _answer(path.read_bytes(), "image/svg+xml")


@bp.route("/favicon.ico")
@public_page
def favicon():
    """Where a browser looks for an icon when a page names none (an embed, a JSON or
    feed address opened alone), and where crawlers ask: the mark, never a 404."""
    return mark()


@bp.route("/manifest.webmanifest")
@public_page
def manifest():
    """The web app manifest, in the language of the address (a phone's home screen
    then opens the site in it)."""
    colours = identity.colours()
    name = identity.campaign_name()
    icons = [
        {"src": url_for("static", filename=f"img/{file}"), "sizes": size, "type": "image/png"}
        | ({"purpose": "maskable"} if "maskable" in file else {})
        for file, size in (
            ("icon-192.png", "192x192"),
            ("icon-512.png", "512x512"),
            ("icon-maskable-512.png", "512x512"),
        )
    ]
    response = jsonify(
        name=name,
        short_name=name,
        description=_("Migrants share their stories in their own words."),
        start_url=url_for("gallery.home"),
        scope=url_for("gallery.home"),
        display="standalone",
        lang=current_locale_code(),
        dir=text_direction(current_locale_code()),
        background_color=colours["paper"],
        theme_color=colours["accent"],
        icons=icons,
    )
    response.mimetype = "application/manifest+json"
    return response
