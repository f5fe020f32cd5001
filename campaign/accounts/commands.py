"""``flask --app campaign moderators ...``: moderator accounts from the command line.

Nobody is signed in here: the services get actor None and write their audit
entry saying it came from the command line.
"""

import sys

import click
from sqlalchemy import select

from campaign.accounts.services import (
    AccountError,
    create_moderator,
    deactivate,
    find_moderator,
    reset_two_factor,
)
from campaign.extensions import db
from campaign.models import Moderator

moderators = click.Group("moderators", help="Manage moderator accounts.")


def _read_password() -> str:
    if sys.stdin.isatty():
        return click.prompt("Password", hide_input=True, confirmation_prompt=True)
    # Deploy scripts pipe the password in: one line on standard input.
    return sys.stdin.readline().rstrip("\r\n")


@moderators.command("create")
@click.argument("email")
@click.option("--admin", is_flag=True, help="Give the account the admin role.")
@click.option(
    "--translator",
    is_flag=True,
    help="A translator-only account: the translation desk, never the moderation desk.",
)
@click.option(
    "--reads",
    default="",
    metavar="fr,ar",
    help="The site's languages the person reads (comma-separated codes), to translate into.",
)
def create_command(email: str, admin: bool, translator: bool, reads: str) -> None:
    """Create a moderator account; the password is asked for, never passed as an argument."""
    languages = [code for code in reads.replace(" ", ",").split(",") if code]
    if translator and not languages:
        raise click.ClickException("A translator reads at least one language: add --reads fr,ar.")
    if translator and admin:
        raise click.ClickException("An admin moderates too: choose --admin or --translator.")
    password = _read_password()
    try:
        moderator = create_moderator(
            email,
            password,
            admin=admin,
            actor=None,
            can_moderate=not translator,
            languages=languages,
        )
    except AccountError as error:
        raise click.ClickException(str(error)) from error
    db.session.commit()
    click.echo(f"Created {_role(moderator)} {moderator.email}.")


def _role(moderator: Moderator) -> str:
    role = "admin" if moderator.is_admin else "moderator"
    if not moderator.can_moderate:
        role = "translator"
    if moderator.reads_languages:
        role += f" (reads {', '.join(moderator.languages_read)})"
    return role


@moderators.command("list")
def list_command() -> None:
    """List every moderator account with its role and state."""
    accounts = db.session.scalars(select(Moderator).order_by(Moderator.email)).all()
    if not accounts:
        click.echo(
            "No moderators yet. Create one with: flask --app campaign moderators create EMAIL"
        )
    for moderator in accounts:
        role = _role(moderator)
        state = "active" if moderator.is_active else "deactivated"
        click.echo(f"{moderator.email}\t{role}\t{state}")


def _existing_moderator(email: str) -> Moderator:
    moderator = find_moderator(email)
    if moderator is None:
        raise click.ClickException(f"No moderator with the email {email}.")
    return moderator


@moderators.command("deactivate")
@click.argument("email")
def deactivate_command(email: str) -> None:
    """Deactivate an account: it can no longer sign in and its sessions end."""
    moderator = _existing_moderator(email)
    deactivate(moderator, actor=None)
    db.session.commit()
    click.echo(f"Deactivated {moderator.email}.")


@moderators.command("reset-two-factor")
@click.argument("email")
def reset_two_factor_command(email: str) -> None:
    """Turn two-factor off for an account that lost its device and its recovery codes."""
    moderator = _existing_moderator(email)
    reset_two_factor(moderator, actor=None)
    db.session.commit()
    click.echo(f"Two-factor sign-in of {moderator.email} was reset; its sessions ended.")
