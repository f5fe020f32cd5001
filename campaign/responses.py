"""What a view may ask of its response, beyond what every page gets.

Every page gets the same strict headers (``web.security``). A view that shows
private data marks its response ``private``; a view that other sites may frame
(the embed widget) is marked ``embeddable``, and ``web.security`` then sends
the headers that allow it. A CSV download is always private.
"""

import csv
import io
from collections.abc import Iterable, Sequence

from flask import Response, current_app, jsonify
from flask_babel import gettext as _

_EMBEDDABLE = "_campaign_embeddable"


def json_error(status: int, message: str) -> Response:
    """An error for machines (the API, oEmbed): its status and a message, nothing inside."""
    response = jsonify({"error": {"status": status, "message": message}})
    response.status_code = status
    return response


def json_gone() -> Response:
    """A story's tombstone for machines (the API, oEmbed): that it went, nothing of it."""
    return json_error(
        410,
        _(
            "This story is no longer available here: its storyteller withdrew it, or "
            "their consent to showing it here."
        ),
    )


def private(response):
    """For pages that carry a storyteller's private data or token, or a secret."""
    response.headers["Cache-Control"] = "no-store"
    response.headers["Referrer-Policy"] = "no-referrer"
    return response


# What makes a spreadsheet read a cell as a formula (OWASP, "CSV injection").
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def spreadsheet_safe(value):
    """A cell that a spreadsheet shows as text: a leading quote disarms a formula."""
    if isinstance(value, str) and value.startswith(_FORMULA_STARTS):
        return "'" + value
    return value


def csv_download(filename: str, header: Sequence[str], rows: Iterable[Sequence]) -> Response:
    """A CSV attachment, every cell made spreadsheet-safe, never cached."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(header)
    writer.writerows([spreadsheet_safe(value) for value in row] for row in rows)
    response = Response(buffer.getvalue(), mimetype="text/csv")
    response.headers["Content-Disposition"] = f"attachment; filename={filename}"
    return private(response)


def embeddable(view):
    """Mark a view as meant to be framed by other sites (the embed widget)."""
    setattr(view, _EMBEDDABLE, True)
    return view


def is_embeddable(endpoint: str | None) -> bool:
    view = current_app.view_functions.get(endpoint) if endpoint else None
    return bool(view is not None and getattr(view, _EMBEDDABLE, False))
