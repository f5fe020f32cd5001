"""What a view may ask of its response, beyond what every page gets.

Every page gets the same strict headers (``web.security``). A view that shows
private data marks its response ``private``; a view that other sites may frame
(the embed widget) is marked ``embeddable``, and ``web.security`` then sends
the headers that allow it.
"""

from flask import current_app

_EMBEDDABLE = "_campaign_embeddable"


def private(response):
    """For pages that carry a storyteller's private data or token, or a secret."""
    response.headers["Cache-Control"] = "no-store"
    response.headers["Referrer-Policy"] = "no-referrer"
    return response


def embeddable(view):
    """Mark a view as meant to be framed by other sites (the embed widget)."""
    setattr(view, _EMBEDDABLE, True)
    return view


def is_embeddable(endpoint: str | None) -> bool:
    view = current_app.view_functions.get(endpoint) if endpoint else None
    return bool(view is not None and getattr(view, _EMBEDDABLE, False))
