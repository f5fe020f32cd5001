"""Command-line tools: ``flask --app campaign <group> <command>``."""

import sys

import click
from flask import current_app
from sqlalchemy import func, select

from .accounts.services import (
    AccountError,
    create_moderator,
    deactivate,
    find_moderator,
    reset_two_factor,
)
from .config import is_production
from .extensions import db
from .models import Moderator, Story, StoryStatus

moderators = click.Group("moderators", help="Manage moderator accounts.")
demo = click.Group("demo", help="Sample data for development.")


def _read_password() -> str:
    if sys.stdin.isatty():
        return click.prompt("Password", hide_input=True, confirmation_prompt=True)
    # Deploy scripts pipe the password in: one line on standard input.
    return sys.stdin.readline().rstrip("\r\n")


@moderators.command("create")
@click.argument("email")
@click.option("--admin", is_flag=True, help="Give the account the admin role.")
def create_command(email: str, admin: bool) -> None:
    """Create a moderator account; the password is asked for, never passed as an argument."""
    password = _read_password()
    try:
        moderator = create_moderator(email, password, admin=admin)
    except AccountError as error:
        raise click.ClickException(str(error)) from error
    db.session.commit()
    role = "admin" if moderator.is_admin else "moderator"
    click.echo(f"Created {role} {moderator.email}.")


@moderators.command("list")
def list_command() -> None:
    """List every moderator account with its role and state."""
    accounts = db.session.scalars(select(Moderator).order_by(Moderator.email)).all()
    if not accounts:
        click.echo(
            "No moderators yet. Create one with: flask --app campaign moderators create EMAIL"
        )
    for moderator in accounts:
        role = "admin" if moderator.is_admin else "moderator"
        state = "active" if moderator.is_active else "deactivated"
        click.echo(f"{moderator.email}\t{role}\t{state}")


@moderators.command("deactivate")
@click.argument("email")
def deactivate_command(email: str) -> None:
    """Deactivate an account: it can no longer sign in and its sessions end."""
    moderator = find_moderator(email)
    if moderator is None:
        raise click.ClickException(f"No moderator with the email {email}.")
    deactivate(moderator)
    db.session.commit()
    click.echo(f"Deactivated {moderator.email}.")


@moderators.command("reset-two-factor")
@click.argument("email")
def reset_two_factor_command(email: str) -> None:
    """Turn two-factor off for an account that lost its device and its recovery codes."""
    moderator = find_moderator(email)
    if moderator is None:
        raise click.ClickException(f"No moderator with the email {email}.")
    reset_two_factor(moderator)
    db.session.commit()
    click.echo(f"Two-factor sign-in of {moderator.email} was reset; its sessions ended.")


SAMPLES = [
    (
        "Sample: the bakery on the corner",
        "Amina",
        "SY",
        "DE",
        "This is a sample story, made up to show how the gallery looks.\n\n"
        "When I arrived I did not speak the language. The baker on the corner taught me "
        "one new word every morning with my bread.",
    ),
    (
        "Sample: learning to drive in the snow",
        "Mateo",
        "CO",
        "FI",
        "This is a sample story, made up to show how the gallery looks.\n\n"
        "My first winter in the north I learned that snow has many names and that a car "
        "can dance on ice. Now I teach new arrivals how to drive safely.",
    ),
    (
        "Sample: a garden on the balcony",
        "Olena",
        "UA",
        "PL",
        "This is a sample story, made up to show how the gallery looks.\n\n"
        "I brought seeds from my grandmother's garden. Tomatoes grow on my balcony now, "
        "and the neighbours come to taste them.",
    ),
]


@demo.command("samples")
def samples_command() -> None:
    """Add a few published sample stories to an empty development database."""
    if is_production(current_app):
        raise click.ClickException("Sample stories are never added in production.")
    if db.session.scalar(select(func.count()).select_from(Story)):
        click.echo("The database already holds stories; no samples added.")
        return
    from .submissions.services import create_story

    for title, name, origin, residence, body in SAMPLES:
        story, _token = create_story(
            title=title,
            body=body,
            author_name=name,
            origin_country=origin,
            residence_country=residence,
            contact_email=None,
            is_sample=True,
        )
        story.move_to(StoryStatus.PUBLISHED)
    db.session.commit()
    click.echo(f"Added {len(SAMPLES)} sample stories, marked as samples.")


@demo.command("seed")
@click.option("--stories", "count", type=click.IntRange(min=1), default=1000, show_default=True)
@click.option("--seed", "random_seed", type=int, default=None, help="Repeatable randomness.")
def seed_command(count: int, random_seed: int | None) -> None:
    """Fill the database with COUNT published synthetic stories (development and benchmarks)."""
    if is_production(current_app):
        raise click.ClickException("Synthetic stories are never added in production.")
    import time

    from .demo import seed_stories

    started = time.perf_counter()
    added = seed_stories(count, seed=random_seed)
    db.session.commit()
    elapsed = time.perf_counter() - started
    click.echo(
        f"Added {added} synthetic stories in {elapsed:.1f} s ({added / elapsed:,.0f} per second)."
    )


def init_app(app) -> None:
    app.cli.add_command(moderators)
    app.cli.add_command(demo)
