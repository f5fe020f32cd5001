"""Languages, the language of each request, and country names, through Babel.

The language of a page comes from, in order:

1. the URL: ``/fr/stories`` is the stories page in French. A small WSGI
   middleware (``LanguagePrefix``) moves the ``/fr`` prefix from ``PATH_INFO``
   to ``SCRIPT_NAME`` before Flask sees the request, so the blueprints know
   nothing of languages and every ``url_for()`` on a French page links to the
   French site by itself;
2. the ``lang`` cookie, remembered from the last page opened with a prefix
   (which is what the language switcher links to);
3. the browser's Accept-Language;
4. English.

Unprefixed URLs keep working (they are the English site unless the cookie or
the browser asks for another language); their responses say
``Vary: Accept-Language, Cookie``.

Static files are the exception: the same file in every language, so every page
links it at one address, ``/static/...`` without the language prefix
(``url_for_static_without_language``), and browsers and CDNs keep one copy. The
prefixed form (``/fr/static/...``, old links) still answers, with the same file
and headers.
"""

from functools import lru_cache, wraps
from urllib.parse import quote, urlsplit, urlunsplit

from babel import Locale, UnknownLocaleError
from babel.lists import format_list as babel_format_list
from flask import current_app, has_request_context, request
from flask_babel import get_locale, get_translations, refresh
from werkzeug.datastructures import LanguageAccept
from werkzeug.http import parse_accept_header, parse_cookie

from campaign.extensions import babel

# Each language named in itself, in the order of the language switcher.
LANGUAGE_NAMES = {
    "en": "English",
    "fr": "Français",
    "es": "Español",
    "ar": "العربية",
    # The Persian catalogue serves Persian as written in Iran and in Afghanistan
    # (Dari): one written standard, so one "فارسی" (ARCHITECTURE.md, Languages).
    "fa": "فارسی",
    "uk": "Українська",
    "fi": "Suomi",
}

COOKIE_NAME = "lang"
COOKIE_MAX_AGE = 365 * 24 * 3600
ENVIRON_LANGUAGE = "campaign.url_language"
ENVIRON_SCRIPT_ROOT = "campaign.script_root"


class LanguagePrefix:
    """WSGI middleware: ``/fr/stories`` reaches Flask as ``/stories`` under ``/fr``."""

    def __init__(self, wsgi_app, languages):
        self.wsgi_app = wsgi_app
        self.languages = frozenset(languages)

    def __call__(self, environ, start_response):
        script_root = environ.get("SCRIPT_NAME", "")
        environ[ENVIRON_SCRIPT_ROOT] = script_root
        language, path = split_language(environ.get("PATH_INFO", ""), self.languages)
        if language:
            environ[ENVIRON_LANGUAGE] = language
            environ["SCRIPT_NAME"] = f"{script_root}/{language}"
            environ["PATH_INFO"] = path
        return self.wsgi_app(environ, start_response)


def split_language(path: str, languages) -> tuple[str | None, str]:
    """``/fr/stories`` is ("fr", "/stories"); a path without a language prefix is (None, path).

    The one reading of language prefixes: LanguagePrefix routes requests by it,
    and oEmbed reads the story addresses partners give it the same way.
    """
    first, _slash, rest = path.lstrip("/").partition("/")
    if path.startswith("/") and first in languages:
        return first, f"/{rest}"
    return None, path


def url_language() -> str | None:
    """The language fixed by the URL prefix of this request, if any."""
    return request.environ.get(ENVIRON_LANGUAGE)


def choose_locale(from_url, from_cookie, accept_languages: LanguageAccept, supported) -> str:
    """The rule above: URL prefix, then cookie, then browser, then English."""
    if from_url in supported:
        return from_url
    if from_cookie in supported:
        return from_cookie
    return accept_languages.best_match(supported) or supported[0]


def select_locale() -> str:
    return choose_locale(
        url_language(),
        request.cookies.get(COOKIE_NAME),
        request.accept_languages,
        current_app.config["SUPPORTED_LOCALES"],
    )


def locale_before_flask(environ, supported) -> str:
    """The locale ``select_locale`` will choose, read from the WSGI environ before
    LanguagePrefix and Flask run (the page cache keys on it)."""
    first = environ.get("PATH_INFO", "").lstrip("/").partition("/")[0]
    return choose_locale(
        first,
        parse_cookie(environ).get(COOKIE_NAME),
        parse_accept_header(environ.get("HTTP_ACCEPT_LANGUAGE"), LanguageAccept),
        supported,
    )


def _remember_language(response):
    """Remember a prefixed page's language; say what unprefixed pages depend on."""
    if request.endpoint == "static":
        return response  # the same file in every language
    language = url_language()
    if language is None:
        response.vary.update(("Accept-Language", "Cookie"))
    elif request.cookies.get(COOKIE_NAME) != language:
        response.set_cookie(
            COOKIE_NAME,
            language,
            max_age=COOKIE_MAX_AGE,
            path=request.environ.get(ENVIRON_SCRIPT_ROOT) or "/",
            secure=request.is_secure,
            httponly=True,
            samesite="Lax",
        )
    return response


@lru_cache(maxsize=512)
def text_direction(lang_code: str | None) -> str:
    """``rtl`` or ``ltr`` for a BCP 47 / Babel language code (``ltr`` if unknown).
    Kept per code (a handful in use): parsing the locale for each text on a page was
    a tenth of a card's rendering."""
    if not lang_code:
        return "ltr"
    try:
        return Locale.parse(lang_code.replace("-", "_")).text_direction
    except (ValueError, UnknownLocaleError):
        return "ltr"


def html_lang(lang_code: str) -> str:
    """A Babel code as a BCP 47 tag for ``lang`` attributes (``pt_BR`` -> ``pt-BR``)."""
    return lang_code.replace("_", "-")


def _this_page() -> tuple[str, str]:
    """The root the app is served under, and this page's path and query without a language."""
    root = request.environ.get(ENVIRON_SCRIPT_ROOT, "")
    query = request.query_string.decode("latin-1")
    path = quote(request.path, safe="/:@!$&'()*+,;=~") + (f"?{query}" if query else "")
    return root, path


def language_links() -> list[dict]:
    """The current page in every supported language, for the language switcher and
    the ``hreflang`` alternates (``url`` is absolute, as search engines want it)."""
    current = current_locale_code()
    root, path = _this_page()
    host = request.host_url.rstrip("/")
    return [
        {
            "code": code,
            "name": LANGUAGE_NAMES.get(code, code),
            "href": f"{root}/{code}{path}",
            "url": f"{host}{root}/{code}{path}",
            "lang": html_lang(code),
            "dir": text_direction(code),
            "current": code == current,
        }
        for code in current_app.config["SUPPORTED_LOCALES"]
    ]


def url_in_language(code: str, path: str) -> str:
    """The absolute address of ``path`` (with its query) under the ``code`` prefix:
    ``hreflang`` alternates that are not simply this page in every language."""
    root = request.environ.get(ENVIRON_SCRIPT_ROOT, "")
    return f"{request.host_url.rstrip('/')}{root}/{code}{path}"


def default_language_url() -> str:
    """This page without a language prefix: it answers in the visitor's own language
    (cookie, then Accept-Language), which is what ``hreflang="x-default"`` means."""
    root, path = _this_page()
    return f"{request.host_url.rstrip('/')}{root}{path}"


def url_for_static_without_language(build):
    """``url_for`` (``build``), but a static file's address leaves out the language
    prefix of the current request: ``/static/css/site.css`` on ``/fr/...`` pages too."""

    @wraps(build)
    def url_for(endpoint: str, **values) -> str:
        url = build(endpoint, **values)
        if endpoint != "static" or not has_request_context() or url_language() is None:
            return url
        prefixed = request.script_root  # the site's own root, then "/fr"
        parts = urlsplit(url)
        if not parts.path.startswith(f"{prefixed}/"):
            return url
        root = request.environ.get(ENVIRON_SCRIPT_ROOT, "")
        return urlunsplit(parts._replace(path=root + parts.path[len(prefixed) :]))

    return url_for


def init_app(app) -> None:
    # flask.url_for calls app.url_for; the templates' global is the one given here.
    app.url_for = url_for_static_without_language(app.url_for)
    app.jinja_env.globals["url_for"] = app.url_for
    babel.init_app(app, locale_selector=select_locale)
    _install_gettext(app)
    # Flask-Babel caches the locale in `g`, which lives as long as the app context;
    # where one app context serves several requests (tests, scripts), each request
    # must choose again.
    app.before_request(refresh)
    app.after_request(_remember_language)


def _install_gettext(app) -> None:
    """The templates' ``_``/``ngettext``, which Flask-Babel makes look up the catalogue
    anew for every string: three walks through ``g`` to its context, the extension and
    the locale's name each time, some fifty times a page. The catalogue is the same for
    every string in one locale, so it is found once per locale (per app) and kept; the
    locale itself is still asked for every string (``force_locale`` changes it)."""
    known: dict = {}

    def translations():
        locale = get_locale()
        if locale is None:
            return get_translations()  # no request: Flask-Babel's null catalogue
        found = known.get(locale)
        if found is None:
            found = known[locale] = get_translations()
        return found

    app.jinja_env.install_gettext_callables(
        gettext=lambda string: translations().ugettext(string),
        ngettext=lambda singular, plural, n: translations().ungettext(singular, plural, n),
        pgettext=lambda context, string: translations().upgettext(context, string),
        npgettext=lambda context, singular, plural, n: translations().unpgettext(
            context, singular, plural, n
        ),
        newstyle=True,
    )
    # Jinja's ``_`` looks ``gettext`` up in the template's context and calls it through
    # the context, for every string: ``_`` is that same function, without the detour
    # (the story page has some fifty strings: 4% of its rendering).
    app.jinja_env.globals["_"] = app.jinja_env.globals["gettext"]


def format_list(items, style: str = "standard") -> str:
    """Words joined as the reader's language joins them: "a, b and c", Arabic "a وb وc",
    Persian "a،‏ b و c" (CLDR's patterns, via Babel). ``style="or"`` for alternatives.
    Never ", ".join(...) for words a reader sees: the comma and "and" are the language's."""
    return babel_format_list(
        [str(item) for item in items], style=style, locale=get_locale() or "en"
    )


def current_locale_code() -> str:
    locale = get_locale()
    return str(locale) if locale else "en"


def locale_for_language(code: str) -> str:
    """The site language to write to someone in, from the language of their story:
    itself or its base ("fa-AF" is written to in "fa"); English when the site has neither."""
    supported = current_app.config["SUPPORTED_LOCALES"]
    for candidate in (code, (code or "").split("-")[0]):
        if candidate in supported:
            return candidate
    return "en"
