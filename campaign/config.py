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
    # How long browsers and CDNs may keep a public page (and so still show a
    # story after it is withdrawn). Validators make revalidation cheap.
    PUBLIC_CACHE_SECONDS = 60
    STORY_MIN_CHARS = 50
    STORY_MAX_CHARS = 10_000
    PHOTO_MAX_BYTES = 10 * 1024 * 1024
    # A request may carry the largest photo and the rest of the share form.
    MAX_CONTENT_LENGTH = PHOTO_MAX_BYTES + 2 * 1024 * 1024
    # The share form is read up to this size even when its photo is too large (only the
    # photo's first bytes are kept), so it comes back filled in with the message beside
    # the photo; a larger body gets the 413 page (see params.read_oversized_files).
    SHARE_MAX_REQUEST_BYTES = 4 * PHOTO_MAX_BYTES
    # The server-side page cache (see campaign/pagecache.py).
    PAGE_CACHE_ENABLED = True
    PAGE_CACHE_VERSION_SECONDS = 1.0
    # Per worker, bounded in bytes; "RedisCache" with CACHE_REDIS_URL in production
    # (bounded by Redis's maxmemory, see README).
    CACHE_TYPE = "campaign.publishing.memorycache.BoundedMemoryCache"
    CACHE_DEFAULT_TIMEOUT = 600
    CACHE_THRESHOLD = 2000  # pages kept per worker, at most
    CACHE_MAX_BYTES = 64 * 1024 * 1024  # and at most this much memory per worker
    # A card's HTML kept per story version, per worker (campaign/gallery/fragments.py):
    # about 2 KB a card, so 4 MiB keeps some 2,000, the pages most read many times over.
    CARD_FRAGMENTS_ENABLED = True
    CARD_FRAGMENTS_MAX_BYTES = 4 * 1024 * 1024
    CARD_FRAGMENTS_MAX = 5000
    RATELIMIT_ENABLED = True  # False turns every limit off, sign-in pauses included
    # memory:// counts in each process. Production with SERVER_WORKERS > 1 refuses
    # to start with it: set a shared store, e.g. redis://127.0.0.1:6379/0.
    RATELIMIT_STORAGE_URI = "memory://"
    # How many processes serve the app. gunicorn.conf.py fills it in from its own
    # workers setting (FLASK_SERVER_WORKERS); set it yourself under another server.
    SERVER_WORKERS = 1
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
    # Sharing a story (issue 3).
    MIN_AGE = 16  # storytellers confirm they are at least this old
    CONSENT_VERSION = "2026-12"  # stored with each story; change it when the consent text changes
    SHARE_MIN_FILL_SECONDS = 5  # a form sent faster than this is from a robot
    SHARE_RATE_LIMIT = "10 per hour;30 per day"  # stories per address
    # The share form's script asks what language the text seems to be in as they write
    # (a pause of a second between asks): generous for a person, a wall for a script.
    LANGUAGE_GUESS_RATE_LIMIT = "30 per minute;300 per hour"
    # What the thanks page and the private page say about how long review takes.
    REVIEW_USUALLY_TAKES_DAYS = 3
    MEDIA_ROOT = None  # photo renditions; default instance/media
    # Where photo renditions are kept: unset, in MEDIA_ROOT on this machine; for several
    # machines an S3-compatible object store, s3://bucket/prefix?endpoint=...&region=...
    # (campaign/media/s3.py; credentials from the AWS_* variables or boto3's other sources).
    MEDIA_STORAGE_URL = None
    PHOTO_MAX_SIDE = 12_000  # pixels, either side
    PHOTO_MAX_PIXELS = 50_000_000
    STAGED_PHOTO_MAX_AGE_SECONDS = 24 * 3600  # photos of forms never sent are then deleted
    # Photos accepted with a form still to be fixed, waiting for their story, per
    # client address (an IPv6 /64) within STAGED_PHOTO_MAX_AGE_SECONDS.
    STAGED_PHOTOS_PER_ADDRESS = 20
    # The decoder's bounds (campaign/media/pipeline.py): a JPEG with more scans is
    # refused unread; the child decoding a photo gets this much CPU time, this much
    # address space on top of what the worker already had, and this long on the
    # clock (well under gunicorn's 60 s timeout, so the form comes back filled in).
    PHOTO_MAX_JPEG_SCANS = 100
    # Emoji and any character the site's fonts lack, on share cards (cards/fonts.py).
    CARD_FALLBACK_FONT = "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"
    PHOTO_DECODE_CPU_SECONDS = 10
    PHOTO_DECODE_MEMORY_MB = 1024
    PHOTO_DECODE_TIMEOUT_SECONDS = 20
    # A photo nobody asked to blur is prepared after the request (media/preparing.py):
    # the request keeps one clean copy, a background thread of the worker finds the
    # faces and cuts the renditions at the lowest CPU priority. It holds a photo for
    # PHOTO_PREPARE_LEASE_SECONDS (then another worker may take it up), and looks for
    # photos left behind by a worker that died every PHOTO_PREPARE_POLL_SECONDS.
    PHOTO_PREPARE_LATER = True
    PHOTO_PREPARE_LEASE_SECONDS = 120
    PHOTO_PREPARE_POLL_SECONDS = 30
    # Voice stories (campaign/media/voice.py). An upload may be this large (a 5-minute
    # m4a or MP3 is 3-5 MB; WAV, uncompressed, is the one that needs the room), and
    # must be at least VOICE_MIN_SECONDS and at most VOICE_MAX_SECONDS long, which is
    # also the in-browser recorder's time limit.
    VOICE_MAX_BYTES = 25 * 1024 * 1024
    VOICE_MIN_SECONDS = 2
    VOICE_MAX_SECONDS = 300
    # Each ffmpeg step gets this much CPU time, address space and time on the clock:
    # transcoding a 5-minute recording takes a few seconds of CPU (bench/voice_transcode.py).
    VOICE_PROCESS_CPU_SECONDS = 30
    VOICE_PROCESS_MEMORY_MB = 768
    VOICE_PROCESS_TIMEOUT_SECONDS = 40
    # A masked voice: pitch and formants shifted by this many semitones (down: -4 is
    # a major third, enough that the speaker is not recognised, still clear to hear).
    VOICE_MASK_SEMITONES = -4
    # Speech to text (campaign/media/transcribe.py): off ("") by default; "vosk" with a
    # model folder per story language, e.g. {"en": "/srv/vosk/vosk-model-small-en-us-0.15"},
    # or "package.module:factory". Run by `flask --app campaign media transcribe`.
    SPEECH_TO_TEXT_BACKEND = ""
    SPEECH_TO_TEXT_MODELS: dict = {}
    # The recorder's "Hear my masked voice" (seconds of ffmpeg each), per address.
    VOICE_PREVIEW_RATE_LIMIT = "10 per hour;30 per day"
    # Recordings whose forms were never sent go with the staged photos, at the same age
    # (STAGED_PHOTO_MAX_AGE_SECONDS); per address at most this many wait.
    STAGED_RECORDINGS_PER_ADDRESS = 10
    # How long browsers and CDNs may keep a photo: how long a removed photo can
    # still be seen from their copies (its address answers 404 at once).
    PHOTO_CACHE_SECONDS = 3600
    # Optional: a CDN's purge API, told every address of a removed photo
    # (campaign/media/purge.py); PUBLIC_BASE_URL is the site's address for them.
    CDN_PURGE_URL = None
    CDN_PURGE_TOKEN = None  # sent as "Authorization: Bearer <token>"
    CDN_PURGE_TIMEOUT_SECONDS = 5
    PUBLIC_BASE_URL = None  # e.g. "https://iamamigrant.org"; default: the request's host
    # Moderator accounts (issue 4). Sessions end after this long without a
    # request, and in any case this long after signing in.
    MODERATOR_IDLE_TIMEOUT_MINUTES = 30
    MODERATOR_SESSION_MAX_HOURS = 12
    # Failed sign-ins allowed before a pause, per account and per address.
    LOGIN_LIMIT_PER_ACCOUNT = "5 per 15 minutes"
    LOGIN_LIMIT_PER_ADDRESS = "20 per 15 minutes"
    INVITATION_VALID_HOURS = 72
    # How passwords are hashed (werkzeug's method string). Hashes name their
    # method, so a change applies to new passwords and old ones still verify.
    PASSWORD_HASH_METHOD = "scrypt"  # noqa: S105 (a method name, not a password)
    # Visitor reports: the story is hidden after this many distinct reporters (told
    # apart by a keyed hash of session and address), until a moderator looks.
    REPORT_HIDE_THRESHOLD = 3
    # Who is e-mailed when reports hide a story: a list of addresses, True for every
    # active admin, False for nobody.
    REPORT_HIDE_NOTIFY = False
    # The purge forgets who sent a report still open after this many days (the
    # report stays for the moderators, and no longer counts towards hiding).
    REPORTER_KEY_DAYS = 30
    REPORT_LIMIT = "5 per hour"
    # Signals on the review page. Admins can replace the watch list in Settings.
    MODERATION_WATCH_WORDS = ("kill", "hate", "address", "phone", "passport")
    SHORT_STORY_CHARS = 200
    LONG_STORY_CHARS = 6000
    DUPLICATE_SIMILARITY = 0.6
    # Someone who opened a story this recently still counts as viewing it.
    VIEWING_WINDOW_MINUTES = 10
    QUEUE_PAGE_SIZE = 50
    # How long a moderator may take back their latest decision (checked on the server).
    UNDO_SECONDS = 30
    # Machine help for translators: the campaign's own LibreTranslate server ("" = off),
    # and its API key when it wants one (campaign/translating/machine.py).
    LIBRETRANSLATE_URL = ""
    LIBRETRANSLATE_API_KEY = ""
    # Stories or translations per page of the translation desk's queue.
    TRANSLATION_QUEUE_PAGE_SIZE = 30
    # Where "Leave this site quickly" goes: a neutral site, opened in place of ours.
    QUICK_EXIT_URL = "https://weather.com/"
    # The public JSON API, per client address (Flask-Limiter notation).
    API_RATE_LIMIT = "120 per minute"
    # How many stories feeds and embeds show at most.
    FEED_SIZE = 20
    EMBED_MAX_STORIES = 12
    # Hardening (campaign/security.py). SECURE_COOKIES None means "in production".
    SECURE_COOKIES = None
    HSTS_SECONDS = 365 * 24 * 3600  # sent only on HTTPS responses; 0 turns it off
    HSTS_INCLUDE_SUBDOMAINS = True  # ASVS 5.0 V3.4.1 at Level 2
    REDIRECT_TO_HTTPS = False  # turn on where TLS ends in front (with PROXY_FIX_X_PROTO=1)
    # Who may frame views marked @embeddable: this site (the embed builder's
    # preview) and any site served over https; never plain http.
    EMBED_FRAME_ANCESTORS = "'self' https:"
    # Behind a reverse proxy: how many proxies set each X-Forwarded-* header.
    PROXY_FIX_X_FOR = 0
    PROXY_FIX_X_PROTO = 0
    PROXY_FIX_X_HOST = 0
    PROXY_FIX_X_PORT = 0
    PROXY_FIX_X_PREFIX = 0
    # Lookups by private token (the /my-story/ pages), per client address.
    TOKEN_LOOKUP_RATE_LIMIT = "30 per minute"  # noqa: S105 - a rate, not a secret
    # Tries of a recovery code on "I lost my link", per client address (every try counts).
    RECOVERY_RATE_LIMIT = "10 per hour;20 per day"
    # E-mails of the private link a private page may ask for, per client address.
    SEND_LINK_RATE_LIMIT = "5 per hour"
    # Structured logs: "json" (one object per line) or "text".
    LOG_FORMAT = "json"
    # Privacy: personal data of rejected and withdrawn stories is purged after
    # PURGE_AFTER_DAYS; contact e-mails of decided stories after
    # CONTACT_EMAIL_RETENTION_DAYS (`flask --app campaign purge`).
    PURGE_AFTER_DAYS = 90
    CONTACT_EMAIL_RETENTION_DAYS = 30
    # The campaign's identity (README: Identity). Texts per language code; a
    # language without its own takes English's, then the built-in, translated one.
    CAMPAIGN_NAME: dict = {}  # {"en": "Our stories", "fr": "Nos récits"}
    ABOUT_TEXT: dict = {}  # the About page: paragraphs separated by blank lines
    CAMPAIGN_CONTACT_EMAIL = None  # shown on the About page
    # Colours (#rrggbb) replacing the built-in ones: accent, accent-ink (text on
    # the accent), ink, paper. The pages check their contrast (README).
    CAMPAIGN_COLOURS: dict = {}
    # An SVG file in the instance folder replacing static/img/mark.svg.
    CAMPAIGN_MARK = None


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
