"""Keep storytellers' private tokens (and invitation tokens) out of every log.

The private page lives at ``/my-story/<token>``, an invitation at
``/invitations/<token>``; the development server's
and gunicorn's access logs, and Flask's own error log, would otherwise write
the token down. A filter on those loggers replaces it before anything is
written.
"""

import logging

from .observability import redact_tokens

LOGGERS = ("werkzeug", "gunicorn.access", "gunicorn.error", "flask.app")


def redact(value):
    if isinstance(value, str):
        return redact_tokens(value)
    return value


class RedactPrivateLinks(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.msg, str):
            record.msg = redact(record.msg)
        if isinstance(record.args, dict):
            record.args = {key: redact(value) for key, value in record.args.items()}
        elif isinstance(record.args, tuple):
            record.args = tuple(redact(value) for value in record.args)
        return True


_FILTER = RedactPrivateLinks()


def init_app(app) -> None:
    for name in (*LOGGERS, app.logger.name):
        logger = logging.getLogger(name)
        if _FILTER not in logger.filters:
            logger.addFilter(_FILTER)
