"""The story platform of the "i am a migrant" campaign."""

from flask import Flask

from campaign import config, database, mail, migrating, params
from campaign.accounts.commands import moderators
from campaign.accounts.views import bp as accounts_bp
from campaign.accounts.views import load_user_afresh
from campaign.admin.views import bp as admin_bp
from campaign.api.views import bp as api_bp
from campaign.cards import fonts as card_fonts
from campaign.cards.views import bp as cards_bp
from campaign.embeds.views import bp as embeds_bp
from campaign.extensions import cache, csrf, limiter, login_manager
from campaign.feeds.views import bp as feeds_bp
from campaign.gallery import fragments, search
from campaign.gallery.journeys import bp as journeys_bp
from campaign.gallery.views import bp as gallery_bp
from campaign.i18n import identity, locale
from campaign.media import files, preparing
from campaign.media.commands import media
from campaign.media.views import bp as media_bp
from campaign.moderation import signals
from campaign.moderation.reports import bp as reports_bp
from campaign.moderation.views import bp as moderation_bp
from campaign.ops.backup import backup_command, restore_command
from campaign.ops.demo import demo
from campaign.publishing import hooks
from campaign.submissions.retention import purge_command
from campaign.submissions.views import bp as submissions_bp
from campaign.translating.views import bp as translating_bp
from campaign.web import access, errors, health, logs, middleware, security, templating

BLUEPRINTS = (
    health.bp, gallery_bp, journeys_bp, submissions_bp, accounts_bp, moderation_bp, admin_bp,
    reports_bp, media_bp, api_bp, embeds_bp, feeds_bp, cards_bp, translating_bp,
)  # fmt: skip
COMMANDS = (
    migrating.migration_commands, moderators, media, purge_command, backup_command,
    restore_command, demo,
)  # fmt: skip


def create_app(test_config: dict | None = None, instance_path: str | None = None) -> Flask:
    app = Flask(
        __name__,
        instance_path=instance_path,
        instance_relative_config=True,
        template_folder="../templates",
        static_folder=None,  # its route is added below, once the converters are ours
    )
    config.load(app, test_config)
    params.init_app(app)  # the request class and URL converters, before any route
    identity.check(app)  # a name, colours and mark the pages can show
    card_fonts.check_raqm()  # share cards shape Arabic and Persian, or the app does not start
    card_fonts.configure(app)
    app.static_folder = "../static"
    app.add_url_rule("/static/<path:filename>", "static", app.send_static_file)
    logs.init_app(app)  # first, so every request gets its id
    database.init_app(app)
    app.before_request(load_user_afresh)  # before the CSRF check, whose error page shows the user
    for extension in (csrf, login_manager, limiter, cache, locale, security, templating, errors):
        extension.init_app(app)
    hooks.init_app(app)  # public counts, version and page cache follow every commit
    files.init_app(app)  # photo files follow their rows' commits and rollbacks
    preparing.init_app(app)  # photos prepared after the request that brought them
    search.init_app(app)  # a deleted story's words leave the search index and the files
    fragments.init_app(app)  # the worker's kept cards, keyed by this deploy's templates
    signals.init_app(app)  # a story's kinds of personal detail follow its text
    mail.init_app(app)  # messages to storytellers leave after the commit that decided them
    for blueprint in BLUEPRINTS:
        app.register_blueprint(blueprint)
    for command in COMMANDS:
        app.cli.add_command(command)
    access.init_app(app)  # classifies every registered endpoint
    middleware.init_app(app)
    return app
