"""Stories read in the reader's language: a volunteer's translation beside the original.

Every public surface (pages, cards, API, feeds, embeds, share cards) asks here which
translation to show, and this module asks ``models.published_translations()``, the
one place that decides what the public may see (published, up to date, of a public
story whose teller consented to translation). Nothing else reads the translation
table for the public.

``Reading`` is what a surface shows of a story in one language: the translation's
words when there is one, else the original's, with the language they are in (for
``lang``/``dir``) and the translation itself (for its label and link).
"""

from dataclasses import dataclass
from functools import cache

from flask import request, url_for
from sqlalchemy import Integer, and_, bindparam, or_

from campaign.extensions import db
from campaign.i18n.locale import url_in_language
from campaign.models import Story, Translation, published_translations


@dataclass(frozen=True)
class Reading:
    """What is shown of ``story``: its own words, or those of ``translation``."""

    story: Story
    translation: Translation | None = None

    @property
    def language(self) -> str:
        return self.translation.language if self.translation else self.story.language

    @property
    def title(self) -> str:
        return (self.translation and self.translation.title) or self.story.title

    @property
    def quote(self) -> str:
        if self.translation:
            return self.translation.quote
        return self.story.quote

    @property
    def body(self) -> str:
        if self.translation:
            return self.translation.body
        return self.story.body

    @property
    def text_to_read(self) -> str:
        return self.body if self.translation else self.story.text_to_read

    @property
    def alt_text(self) -> str:
        photo = self.story.photo
        if self.translation and self.translation.alt_text:
            return self.translation.alt_text
        return photo.alt_text if photo else ""

    @property
    def version(self) -> int:
        """The translation's version (0 for the original): share cards key on it."""
        return self.translation.version if self.translation else 0


# The statements of every page are built once, their values parameters: building
# and keying a statement cost more Python than the database spends running it.


def translations_of(
    story: Story, others=(), language: str | None = None
) -> tuple[dict[str, Translation], dict[int, Translation]]:
    """The story's public translations by language (the story page's alternates and
    its "Read the … translation" link), and the public translations into ``language``
    of ``others`` (the page's other cards, by story id, as translations_for): one
    query for both."""
    ids = sorted({other.id for other in others if other.language != language})
    values = {"story_id": story.id, "ids": ids, "language": language}
    own, beside = {}, {}
    for row in db.session.scalars(_translations_of_statement(), values):
        if row.story_id == story.id:
            if row.language != story.language:
                own[row.language] = row
        elif row.language == language:
            beside[row.story_id] = row
    return own, beside


@cache
def _translations_of_statement():
    return published_translations().where(
        or_(
            Translation.story_id == bindparam("story_id", type_=Integer),
            and_(
                Translation.story_id.in_(bindparam("ids", expanding=True)),
                Translation.language == bindparam("language"),
            ),
        )
    )


def translations_for(stories, language: str) -> dict[int, Translation]:
    """The public translations into ``language`` of the stories of a page, by story
    id: one query for the whole page, none when every story is in that language."""
    ids = sorted({story.id for story in stories if story.language != language})
    if not ids:
        return {}
    rows = db.session.scalars(_translations_for_statement(), {"ids": ids, "language": language})
    return {row.story_id: row for row in rows}


@cache
def _translations_for_statement():
    return published_translations().where(
        Translation.story_id.in_(bindparam("ids", expanding=True)),
        Translation.language == bindparam("language"),
    )


def readings(stories, language: str) -> list[Reading]:
    """Each story as read in ``language`` (one query for all)."""
    found = translations_for(stories, language)
    return [Reading(story, found.get(story.id)) for story in stories]


def reading(story: Story, language: str) -> Reading:
    return readings([story], language)[0]


def translated_into(language: str):
    """Ids of the stories with a public translation into ``language`` (a subquery)."""
    return (
        published_translations()
        .where(Translation.language == language)
        .with_only_columns(Translation.story_id)
    )


def all_translations_for(stories) -> dict[int, list[Translation]]:
    """Every public translation of the stories of a page (one query), by story id,
    in language order: the API's ``translations``."""
    ids = sorted({story.id for story in stories})
    found: dict[int, list[Translation]] = {story_id: [] for story_id in ids}
    if not ids:
        return found
    rows = db.session.scalars(
        published_translations()
        .where(Translation.story_id.in_(ids))
        .order_by(Translation.story_id, Translation.language)
    )
    by_story = {story.id: story for story in stories}
    for row in rows:
        if row.language != by_story[row.story_id].language:
            found[row.story_id].append(row)
    return found


def page_url(story: Story, language: str) -> str:
    """The absolute address of the story's page in ``language`` (its translation there)."""
    path = url_for("gallery.story", slug=story.slug).removeprefix(request.script_root)
    return url_in_language(language, path)
