"""JSON answers for errors under /api: status, a short message, nothing from the inside."""

from flask import request
from flask_babel import gettext as _

from campaign.responses import json_error

API_PREFIX = "/api/"
# Set in the WSGI environ by web.ratelimits when an address went over API_RATE_LIMIT:
# the limit's text ("120 per 1 minute"), for the 429 below.
OVER_LIMIT = "campaign.api.over_limit"


def is_api_request() -> bool:
    return request.path.startswith(API_PREFIX)


def rate_limited(limit: str):
    """A JSON 429 naming the limit (the counting layer adds Retry-After and the counts)."""
    return json_error(
        429,
        _(
            "Too many requests from your address (at most %(limit)s). "
            "Please wait a moment and try again.",
            limit=limit,
        ),
    )


def not_found():
    return json_error(404, _("There is no published story or resource at this address."))


def method_not_allowed():
    return json_error(405, _("This API answers only GET, HEAD and OPTIONS requests."))


def server_error():
    return json_error(500, _("Something went wrong on our side"))
