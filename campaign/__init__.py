"""The story platform of the "i am a migrant" campaign."""

from flask import Flask

from . import access, config, database, i18n, observability, operations, security
from .extensions import cache, csrf, db, limiter, login_manager, migrate


def create_app(test_config: dict | None = None, instance_path: str | None = None) -> Flask:
    app = Flask(
        __name__,
        instance_path=instance_path,
        instance_relative_config=True,
        template_folder="../templates",
        static_folder="../static",
    )
    config.load(app, test_config)
    observability.init_app(app)  # first, so every request gets its id

    database.init_app(app)
    # Batch mode lets Alembic alter tables on SQLite, which has no ALTER COLUMN.
    migrate.init_app(app, db, directory=f"{app.root_path}/migrations", render_as_batch=True)
    from .accounts.views import load_user_afresh

    app.before_request(load_user_afresh)  # before the CSRF check, whose error page shows the user
    csrf.init_app(app)
    login_manager.init_app(app)
    limiter.init_app(app)
    cache.init_app(app)
    i18n.init_app(app)
    security.init_app(app)

    from . import errors, pagecache, presentation, public_changes, text  # noqa: F401
    from .accounts.views import bp as accounts_bp
    from .gallery.views import bp as gallery_bp
    from .media.views import bp as media_bp
    from .moderation.views import bp as moderation_bp
    from .submissions.views import bp as submissions_bp

    for blueprint in (gallery_bp, submissions_bp, accounts_bp, moderation_bp):
        app.register_blueprint(blueprint)
    app.register_blueprint(media_bp)
    from .media import inflight

    inflight.init_app(app)  # deletes photo files whose transaction never committed
    from .accounts.admin import bp as admin_bp
    from .moderation.reports import bp as reports_bp

    app.register_blueprint(admin_bp)
    app.register_blueprint(reports_bp)
    errors.init_app(app)
    text.init_app(app)
    presentation.init_app(app)
    from . import logs

    logs.init_app(app)

    from . import api

    api.init_app(app)  # JSON API, embeds, oEmbed, feeds, journeys map

    from . import cli

    cli.init_app(app)
    operations.init_app(app)
    access.init_app(app)  # classifies every registered endpoint
    # Outermost, so that it sees each request exactly as it arrived.
    app.wsgi_app = pagecache.PublicPageCache(app, app.wsgi_app)
    return app
