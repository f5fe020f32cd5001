from sqlalchemy import JSON, Column, ForeignKey, Integer, String, Table, select
from sqlalchemy.orm import Mapped, mapped_column

from campaign.extensions import db

story_theme = Table(
    "story_theme",
    db.metadata,
    Column("story_id", ForeignKey("story.id", ondelete="CASCADE"), primary_key=True),
    Column("theme_id", ForeignKey("theme.id", ondelete="CASCADE"), primary_key=True, index=True),
)


class Theme(db.Model):
    """A theme stories can be filed under; admins can add more.

    ``name`` is the default (English) name; ``names`` holds translations by
    locale code, e.g. {"fr": "Travail"}, filled in by admins.
    """

    __tablename__ = "theme"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    slug: Mapped[str] = mapped_column(String(60), unique=True)
    name: Mapped[str] = mapped_column(String(80))
    names: Mapped[dict] = mapped_column(JSON, default=dict)
    position: Mapped[int] = mapped_column(Integer, default=0)

    @classmethod
    def in_order(cls, *columns):
        """Themes as every list shows them: the admins' order, ties by slug (unique)."""
        return select(cls, *columns).order_by(*theme_order())

    def __repr__(self) -> str:
        return f"<Theme {self.slug}>"


def theme_order() -> tuple:
    """The one order of themes: also the order of a story's own themes."""
    return (Theme.position, Theme.slug)


def all_themes() -> list[Theme]:
    return list(db.session.scalars(Theme.in_order()))


def theme_by_slug(slug: str) -> Theme | None:
    return db.session.scalar(select(Theme).where(Theme.slug == slug))
