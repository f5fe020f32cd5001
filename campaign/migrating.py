"""The schema's migrations (Alembic through Flask-Migrate), loaded only where they run.

Alembic, Mako and Flask-Migrate weigh about 10 MB in a process, and a web worker
never migrates: they are imported by the ``flask db`` commands when one is called
(``flask db upgrade`` in ``make run`` and in deployments) and by ``enable(app)``,
which tests and tools that migrate from Python call first.
"""

import click
from flask import current_app, g
from flask.cli import with_appcontext


def enable(app):
    """Bind Flask-Migrate to ``app`` (idempotent); returns its ``Migrate``."""
    if "migrate" not in app.extensions:
        from flask_migrate import Migrate

        from campaign.extensions import db

        # Batch mode lets Alembic alter tables on SQLite, which has no ALTER COLUMN.
        Migrate(app, db, directory=f"{app.root_path}/migrations", render_as_batch=True)
    return app.extensions["migrate"].migrate


class _MigrationCommands(click.Group):
    """``flask db``: Flask-Migrate's own command group, imported when it is asked for."""

    @staticmethod
    def _commands() -> click.Group:
        from flask_migrate.cli import db

        return db

    def list_commands(self, ctx):
        return self._commands().list_commands(ctx)

    def get_command(self, ctx, name):
        return self._commands().get_command(ctx, name)


# The options and the callback are Flask-Migrate's own group's (flask_migrate/cli.py), whose
# commands read them from ``g``.
@click.group("db", cls=_MigrationCommands, help="Perform database migrations (Alembic).")
@click.option("-d", "--directory", default=None, help="Migration script directory.")
@click.option("-x", "--x-arg", multiple=True, help="Additional arguments for env.py.")
@with_appcontext
def migration_commands(directory, x_arg) -> None:
    enable(current_app)
    g.directory = directory
    g.x_arg = x_arg
