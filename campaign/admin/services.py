"""What admins change: themes, settings, and the exports they take.

Each function takes the admin (``actor``), flushes and writes its own audit
entry; the view commits once. Moderator accounts are the accounts package's
(``invite``, ``deactivate``, ``reactivate``, ``reset_two_factor``), which the
command line shares.
"""

from flask_babel import gettext as _
from sqlalchemy import func, select

from campaign.accounts.services import REQUIRE_TWO_FACTOR, set_setting
from campaign.audit import AuditAction, record
from campaign.extensions import db
from campaign.i18n.labels import display_name
from campaign.models import Moderator, Story, Theme, theme_by_slug
from campaign.moderation.signals import save_watch_words
from campaign.text import clean_line, slugify

PUBLIC_FIELDS = (
    "slug",
    "title",
    "quote",
    "body",
    "display_name",
    "origin_country",
    "residence_country",
    "moved_year",
    "language",
    "themes",
    "published_at",
)
PRIVATE_FIELDS = ("author_name", "contact_email", "on_behalf", "helper_relationship")


class AdminError(ValueError):
    """Refused, with a message for the admin."""


# Themes -----------------------------------------------------------------------------


def add_theme(actor: Moderator, name: str) -> Theme:
    name = clean_line(name)
    slug = slugify(name, "theme")
    if theme_by_slug(slug) is not None:
        raise AdminError(_("A theme with this name exists already."))
    position = (db.session.scalar(select(func.max(Theme.position))) or 0) + 1
    theme = Theme(slug=slug, name=name, names={}, position=position)
    db.session.add(theme)
    record(actor, AuditAction.THEME_ADDED, note=name)
    db.session.flush()
    return theme


def rename_theme(actor: Moderator, theme: Theme, name: str) -> None:
    old = theme.name
    theme.name = clean_line(name)
    record(actor, AuditAction.THEME_RENAMED, note=f"{old} -> {theme.name}")
    db.session.flush()


# Settings ------------------------------------------------------------------------------


def save_settings(actor: Moderator, *, require_two_factor: bool, watch_words: str) -> None:
    """``watch_words``: one word or phrase a line, as typed in the form."""
    set_setting(REQUIRE_TWO_FACTOR, require_two_factor)
    words = save_watch_words(watch_words)
    record(
        actor,
        AuditAction.SETTINGS_CHANGED,
        note=f"require_two_factor={require_two_factor}, watch words: {len(words)}",
    )


# Exports --------------------------------------------------------------------------------


def _public_row(story: Story) -> dict:
    return {
        "slug": story.slug,
        "title": story.title,
        "quote": story.quote,
        "body": story.body,
        "display_name": display_name(story),
        "origin_country": story.origin_country,
        "residence_country": story.residence_country,
        "moved_year": story.moved_year,
        "language": story.language,
        "themes": ", ".join(theme.slug for theme in story.themes),
        "published_at": story.published_at.isoformat() if story.published_at else None,
    }


def _private_row(story: Story) -> dict:
    row = _public_row(story)
    row.update(
        author_name=story.author_name,
        contact_email=story.contact_email,
        on_behalf=story.on_behalf,
        helper_relationship=story.helper_relationship,
    )
    return row


def _published() -> list[Story]:
    return db.session.scalars(Story.published().order_by(Story.published_at, Story.id)).all()


def export_public(actor: Moderator, file_format: str) -> list[dict]:
    """The published stories' public fields, one dict a story."""
    record(actor, AuditAction.EXPORT_PUBLIC, note=file_format)
    return [_public_row(story) for story in _published()]


def export_private(actor: Moderator, password: str) -> list[dict]:
    """The published stories with their private fields; asks for the admin's password again."""
    if not actor.check_password(password):
        raise AdminError(_("That is not your password."))
    stories = _published()
    record(actor, AuditAction.EXPORT_PRIVATE, note=f"{len(stories)} stories")
    return [_private_row(story) for story in stories]
