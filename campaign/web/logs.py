"""Structured logs with a request id, and private tokens kept out of every log.

Logs are JSON lines. They never hold story text, e-mail addresses or
tokens: paths under /my-story/ and /invitations/ are redacted, e-mail addresses
in messages are masked, the request log records only method, path, status,
duration and the request id, and a logged exception keeps its frames and type
but not its message (``safe_traceback``).
"""

import json
import logging
import re
import secrets
import sys
import time
import traceback

from flask import g, has_request_context, request
from sqlalchemy.exc import StatementError

from campaign.config import ConfigurationError

log = logging.getLogger("campaign.request")

REQUEST_ID_HEADER = "X-Request-ID"
_VALID_REQUEST_ID = re.compile(r"^[A-Za-z0-9._-]{8,128}$")
# Paths that carry a secret: the storyteller's private link, a moderator's invitation.
_TOKEN_PATH = re.compile(r"(/(?:my-story|invitations)/)[^/?#\s\"']+")
_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(\.[\w-]+)+")
_QUERY = re.compile(r"\?\S*")


def redact_tokens(value: str) -> str:
    """Remove the tokens of private links and invitations from a path or text."""
    return _TOKEN_PATH.sub(r"\1[redacted]", value)


def redact(value: str) -> str:
    """Remove tokens and e-mail addresses from a log text."""
    return _EMAIL.sub("[email]", redact_tokens(value))


def redact_path(path: str) -> str:
    """A path fit for a log: tokens redacted, the query string dropped."""
    return redact(_QUERY.sub("", path))


def _where(error: BaseException) -> str:
    """The exception's type, and a database error's statement: never its message,
    except a refused configuration's, which is our own words naming the setting to
    fix (the operator must read why the server would not start)."""
    kind = type(error)
    if isinstance(error, ConfigurationError):
        return f"{kind.__module__}.{kind.__qualname__}: {error}"
    described = f"{kind.__module__}.{kind.__qualname__} (message not logged)"
    if isinstance(error, StatementError):
        described += f"\n[SQL: {error.statement}]"
    return described


def safe_traceback(exc_info) -> str:
    """A traceback that says where it failed, not what was sent.

    Exception messages quote values (``invalid literal for int(): '...'``) and
    a database error's text carries its parameters and the driver's message
    (a report's words, a story's text): only frames, types and SQL statements
    are kept, for the whole chain of causes.
    """
    chain, error, seen = [], exc_info[1], set()
    while error is not None and id(error) not in seen:
        seen.add(id(error))
        frames = "".join(traceback.format_tb(error.__traceback__))
        chain.append(f"Traceback (most recent call last):\n{frames}{_where(error)}")
        error = error.__cause__ or (None if error.__suppress_context__ else error.__context__)
    return "\n\nwhile handling it, or caused by it:\n\n".join(reversed(chain))


def current_request_id() -> str | None:
    return g.get("request_id") if has_request_context() else None


class JsonFormatter(logging.Formatter):
    """One JSON object per line; extra fields given with ``extra=`` are kept."""

    _standard = set(vars(logging.makeLogRecord({}))) | {"message", "asctime"}

    def format(self, record: logging.LogRecord) -> str:
        entry = {
            "time": self.formatTime(record, "%Y-%m-%dT%H:%M:%S%z"),
            "level": record.levelname,
            "logger": record.name,
            "message": redact(record.getMessage()),
        }
        request_id = current_request_id()
        if request_id:
            entry["request_id"] = request_id
        for key, value in vars(record).items():
            if key not in self._standard and not key.startswith("_"):
                entry[key] = redact(value) if isinstance(value, str) else value
        if record.exc_info:
            entry["exception"] = redact(safe_traceback(record.exc_info))
        return json.dumps(entry, default=str)


def request_id_for(incoming: str) -> str:
    """The caller's request id when it is well-formed, else a new one."""
    return incoming if _VALID_REQUEST_ID.match(incoming) else secrets.token_hex(16)


def _start_request():
    g.request_id = request_id_for(request.headers.get(REQUEST_ID_HEADER, ""))
    g.request_started = time.perf_counter()


def _finish_request(response):
    response.headers[REQUEST_ID_HEADER] = g.get("request_id", "")
    started = g.get("request_started")
    log.info(
        "request",
        extra={
            "method": request.method,
            "path": redact_path(request.path),
            "status": response.status_code,
            "duration_ms": round((time.perf_counter() - started) * 1000, 1) if started else None,
        },
    )
    return response


LOGGERS = ("werkzeug", "gunicorn.access", "gunicorn.error", "flask.app")


def _redacted(value):
    return redact(value) if isinstance(value, str) else value


# The development server's and gunicorn's access logs and Flask's own error log
# would otherwise write the tokens of private links and invitations down, and
# an exception's message (with what a visitor typed) under its traceback.
class RedactPrivateLinks(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        if record.exc_info and record.exc_info[1] is not None:
            # Formatters print exc_text when it is set, instead of the traceback.
            record.exc_text = redact(safe_traceback(record.exc_info))
        if isinstance(record.msg, str):
            record.msg = redact(record.msg)
        if isinstance(record.args, dict):
            record.args = {key: _redacted(value) for key, value in record.args.items()}
        elif isinstance(record.args, tuple):
            record.args = tuple(_redacted(value) for value in record.args)
        return True


_FILTER = RedactPrivateLinks()


def configure_logging(app) -> None:
    if app.config["LOG_FORMAT"] != "json" or app.config.get("TESTING"):
        return
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(JsonFormatter())
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(logging.INFO)
    app.logger.handlers[:] = []  # propagate to the JSON handler
    app.logger.propagate = True


def init_app(app) -> None:
    configure_logging(app)
    for name in (*LOGGERS, app.logger.name):
        logger = logging.getLogger(name)
        if _FILTER not in logger.filters:
            logger.addFilter(_FILTER)
    app.before_request(_start_request)
    app.after_request(_finish_request)
