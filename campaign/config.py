"""Configuration: defaults in code, then ``instance/config.py``, then the environment.

Later sources win. ``DATABASE_URL`` and ``SECRET_KEY`` are read from the
environment by name; any other setting can be given as ``FLASK_<NAME>``
(Flask's own prefix, values parsed as JSON when they look like it).
"""

import os
import secrets
from pathlib import Path

DEVELOPMENT = "development"
PRODUCTION = "production"


class Defaults:
    # "production" unless someone says otherwise: the safe assumption for a
    # server that holds private data. `make run` and the tests set development.
    CAMPAIGN_ENV = PRODUCTION
    SQLALCHEMY_DATABASE_URI = None  # filled in from the instance folder
    SQLALCHEMY_ENGINE_OPTIONS: dict = {}
    SQLITE_BUSY_TIMEOUT_SECONDS = 30
    WTF_CSRF_TIME_LIMIT = 6 * 3600  # a long story takes time to write
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    REMEMBER_COOKIE_HTTPONLY = True
    REMEMBER_COOKIE_SAMESITE = "Lax"
    BABEL_DEFAULT_LOCALE = "en"
    # English first: the default. Each needs a catalogue in campaign/translations/.
    SUPPORTED_LOCALES = ("en", "fr", "es", "ar", "fa", "uk", "fi")
    STORIES_PER_PAGE = 12
    STORY_MIN_CHARS = 50
    STORY_MAX_CHARS = 10_000
    MAX_CONTENT_LENGTH = 12 * 1024 * 1024
    RATELIMIT_STORAGE_URI = "memory://"
    RATELIMIT_HEADERS_ENABLED = True
    # Outgoing mail. Without MAIL_SERVER, mail is written to the console
    # (development) or dropped with a warning in the log (production).
    MAIL_SERVER = None
    MAIL_PORT = 25
    MAIL_USE_TLS = False  # STARTTLS
    MAIL_USE_SSL = False  # SMTP over TLS from the start
    MAIL_USERNAME = None
    MAIL_PASSWORD = None
    MAIL_SENDER = "I am a migrant <no-reply@localhost>"
    MAIL_TIMEOUT_SECONDS = 10


def load(app, test_config: dict | None = None) -> None:
    """Fill ``app.config`` from every source, in order of precedence."""
    app.config.from_object(Defaults)
    app.config.from_pyfile("config.py", silent=True)
    app.config.from_prefixed_env()  # FLASK_* variables
    if os.environ.get("CAMPAIGN_ENV"):
        app.config["CAMPAIGN_ENV"] = os.environ["CAMPAIGN_ENV"]
    if os.environ.get("DATABASE_URL"):
        app.config["SQLALCHEMY_DATABASE_URI"] = os.environ["DATABASE_URL"]
    if os.environ.get("SECRET_KEY"):
        app.config["SECRET_KEY"] = os.environ["SECRET_KEY"]
    if test_config:
        app.config.update(test_config)

    Path(app.instance_path).mkdir(parents=True, exist_ok=True)
    if not app.config.get("SQLALCHEMY_DATABASE_URI"):
        db_file = Path(app.instance_path) / "campaign.sqlite3"
        app.config["SQLALCHEMY_DATABASE_URI"] = f"sqlite:///{db_file}"
    if not app.config.get("SECRET_KEY"):
        app.config["SECRET_KEY"] = _development_secret_key(app)


class ConfigurationError(RuntimeError):
    """Start-up refused because the configuration is unsafe or incomplete."""


def _development_secret_key(app) -> str:
    if app.config["CAMPAIGN_ENV"] != DEVELOPMENT:
        raise ConfigurationError(
            "SECRET_KEY is not set. In production, set the SECRET_KEY environment "
            "variable to a long random value, e.g. the output of "
            "`python -c 'import secrets; print(secrets.token_hex(32))'`. "
            "For local development, set CAMPAIGN_ENV=development instead."
        )
    # Generated once and kept, so sessions survive restarts of the dev server.
    key_file = Path(app.instance_path) / "secret_key"
    if not key_file.exists():
        key_file.write_text(secrets.token_hex(32))
        key_file.chmod(0o600)
    return key_file.read_text().strip()


def is_production(app) -> bool:
    return app.config["CAMPAIGN_ENV"] == PRODUCTION
