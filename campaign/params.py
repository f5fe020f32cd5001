"""Request parameters: the one parser of what a path, a query string or a form brings.

Every value a request carries reaches the views through here:

- path values through the app's URL converters: an ``<int:...>`` is ASCII
  digits within ``1..MAX_ID`` (a 32-bit id on PostgreSQL) and any other value
  holds no control character, so a NUL, ``²`` or a 20-digit id is a 404;
- query and form values through ``Request``, whose values hold no NUL
  (PostgreSQL refuses it outright: a NUL in a slug, a filter or a report
  message was a 500 there), and then through the functions below, which turn
  them into numbers, dates, choices and text, or raise ``BadParameter``;
- files through ``Request`` too: each file part is kept in an anonymous memory
  file (Linux memfd), never spooled to a disk as Werkzeug does past 500 KB, so
  a photo's GPS position or a voice never lands in a temporary file that a disk
  could give back after it is deleted; a view that calls
  ``read_oversized_files`` gets the whole form even when a file is far over its
  limit, with only the file's first bytes kept (see there).

``BadParameter`` is a 400 whose message names the parameter and says what it
must be; ``campaign.web.errors`` shows it as JSON on the API and oEmbed and as
a page elsewhere. Nothing here is ever a 500.
"""

import os
import re
from datetime import date

from flask import Request as FlaskRequest
from flask import request
from flask_babel import gettext as _
from werkzeug.datastructures import ImmutableMultiDict
from werkzeug.exceptions import BadRequest
from werkzeug.routing import BaseConverter, IntegerConverter, PathConverter

from campaign.i18n.countries import parse_country
from campaign.i18n.locale import format_list
from campaign.text import filter_arg

MAX_ID = 2**31 - 1  # ids are 32-bit integers on PostgreSQL: no row has a larger one
# Dates a moderator may filter by: wide enough for any record, narrow enough
# that a day more or less is still a date (9999-12-31 plus one day was a 500).
FIRST_DAY = date(1900, 1, 1)
LAST_DAY = date(2999, 12, 31)

# ASCII only: str.isdigit() also says yes to "²" and "١", which int() then
# refuses or reads, and \d in a regular expression matches every script's digits.
_WHOLE_NUMBER = re.compile("[0-9]{1,12}")
_ISO_DAY = re.compile("[0-9]{4}-[0-9]{2}-[0-9]{2}")


class BadParameter(BadRequest):
    """A 400 naming the parameter; ``description`` is the message shown to the user."""

    def __init__(self, name: str, message: str):
        super().__init__(description=message)
        self.parameter = name


def _without_nul(value):
    return value.replace("\x00", "") if isinstance(value, str) else value  # files stay


class NulFreeValues(ImmutableMultiDict):
    """Query or form values without NUL characters, which no database text can hold."""

    def __init__(self, mapping=None):
        super().__init__(mapping)
        for key, values in list(dict.items(self)):
            dict.__setitem__(self, key, [_without_nul(value) for value in values])


class _FileStart:
    """A file part's stream that keeps only its first ``keep`` bytes and drops the rest
    as it arrives: the parser goes on to the fields after it, memory and disk stay
    bounded, and whoever reads the file sees that it was longer than allowed."""

    def __init__(self, stream, keep: int):
        self._stream, self._room = stream, keep

    def write(self, data) -> int:
        if self._room > 0:
            self._stream.write(data[: self._room])
            self._room -= min(len(data), self._room)
        return len(data)

    def __getattr__(self, name):
        return getattr(self._stream, name)


class Request(FlaskRequest):
    """Flask's request, with query string and form values freed of NUL characters."""

    parameter_storage_class = NulFreeValues
    kept_file_bytes: int | None = None  # set by read_oversized_files

    def _get_file_stream(
        self, total_content_length, content_type, filename=None, content_length=None
    ):
        if hasattr(os, "memfd_create"):
            # CLOEXEC: ffmpeg (exec'd) never sees the raw upload; only its own memory files.
            stream = os.fdopen(os.memfd_create("upload", os.MFD_CLOEXEC), "w+b")
        else:  # pragma: no cover - not Linux
            stream = super()._get_file_stream(
                total_content_length, content_type, filename, content_length
            )
        if self.kept_file_bytes is None:
            return stream
        return _FileStart(stream, self.kept_file_bytes)


def read_oversized_files(keep_bytes: int, max_body_bytes: int) -> None:
    """Read this request's form even when a file in it is over its limit, so that the
    view can answer beside the field, with everything else that was typed, instead of
    a 413 page that loses it (MAX_CONTENT_LENGTH refuses a body unread, and cannot be
    told a file from the fields). Each file keeps only its first ``keep_bytes`` (one
    more than the view accepts, so that it sees the excess); the rest streams past.
    A body over ``max_body_bytes`` is still refused unread (413): reading goes on only
    for as long as a person might really have sent. Call it before the form is read."""
    request.max_content_length = max_body_bytes
    request.kept_file_bytes = keep_bytes


class IdConverter(IntegerConverter):
    """``<int:...>``: ASCII digits naming a possible row, 1 to MAX_ID; anything else is a 404."""

    regex = "[0-9]{1,10}"

    def __init__(self, map, **kwargs):
        kwargs.setdefault("min", 1)
        kwargs.setdefault("max", MAX_ID)
        super().__init__(map, **kwargs)


class SegmentConverter(BaseConverter):
    """``<name>``: one path segment without control characters (a NUL was a 500)."""

    regex = "[^/\x00-\x1f\x7f]{1,500}"
    part_isolating = True  # one segment, matched segment by segment as Werkzeug's own


class SafePathConverter(PathConverter):
    """``<path:...>``: several segments, without control characters."""

    regex = "[^/\x00-\x1f\x7f][^\x00-\x1f\x7f]*?"


def integer(
    name: str,
    *,
    default: int | None = None,
    minimum: int = 1,
    maximum: int = MAX_ID,
    values=None,
) -> int | None:
    """A whole number from ``minimum`` to ``maximum``; ``default`` when absent or empty."""
    raw = (request.args if values is None else values).get(name, "").strip()
    if not raw:
        return default
    return _whole_number(name, raw, minimum, maximum)


def integers(name: str, *, values=None, maximum: int = MAX_ID) -> list[int]:
    """Every value of a repeated parameter (checkboxes), each a whole number 1..maximum."""
    given = request.form if values is None else values
    return [_whole_number(name, raw.strip(), 1, maximum) for raw in given.getlist(name)]


def _whole_number(name: str, raw: str, minimum: int, maximum: int) -> int:
    if not _WHOLE_NUMBER.fullmatch(raw) or not minimum <= int(raw) <= maximum:
        raise BadParameter(
            name,
            _(
                "%(name)s must be a whole number from %(min)d to %(max)d.",
                name=name,
                min=minimum,
                max=maximum,
            ),
        )
    return int(raw)


def day(name: str, *, values=None) -> date | None:
    """A date written YYYY-MM-DD, from FIRST_DAY to LAST_DAY; None when absent or empty."""
    raw = (request.args if values is None else values).get(name, "").strip()
    if not raw:
        return None
    try:
        found = date.fromisoformat(raw) if _ISO_DAY.fullmatch(raw) else None
    except ValueError:  # 2024-02-30
        found = None
    if found is None or not FIRST_DAY <= found <= LAST_DAY:
        raise BadParameter(
            name,
            _(
                "%(name)s must be a date written YYYY-MM-DD, from %(first)s to %(last)s.",
                name=name,
                first=FIRST_DAY.isoformat(),
                last=LAST_DAY.isoformat(),
            ),
        )
    return found


def choice(name: str, choices, *, default: str, values=None) -> str:
    """One of ``choices``; ``default`` when absent or empty."""
    raw = (request.args if values is None else values).get(name, "").strip()
    if not raw:
        return default
    if raw not in choices:
        raise BadParameter(
            name,
            _(
                "%(name)s must be one of: %(choices)s.",
                name=name,
                choices=format_list(choices, "or"),
            ),
        )
    return raw


def country(name: str, *, values=None) -> str | None:
    """An ISO 3166-1 country code (two ASCII letters, any case); None when absent or empty."""
    raw = (request.args if values is None else values).get(name, "").strip()
    if not raw:
        return None
    code = parse_country(raw)
    if code is None:
        raise BadParameter(name, _("%(name)s must be a two-letter ISO country code.", name=name))
    return code


def text(name: str, max_length: int, *, values=None) -> str:
    """A filter or search word: control characters dropped, trimmed, cut to max_length."""
    return filter_arg((request.args if values is None else values).get(name), max_length)


def init_app(app) -> None:
    """Before any blueprint: converters are looked up when each route is added."""
    app.request_class = Request
    app.url_map.converters.update(
        default=SegmentConverter,
        string=SegmentConverter,
        int=IdConverter,
        path=SafePathConverter,
    )
