from sqlalchemy import JSON, Column, ForeignKey, Integer, String, Table
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

    def name_in(self, locale_code: str) -> str:
        return (self.names or {}).get(locale_code) or self.name

    def __repr__(self) -> str:
        return f"<Theme {self.slug}>"
