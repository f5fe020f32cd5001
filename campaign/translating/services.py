"""The translation desk's rules: who may start, write, send, review and remove a translation.

Plain functions that take the acting account, change the session, flush and write
their own audit entry (the note is the language, never a word of the story); the
views commit once. The workflow:

    (start) -> DRAFT -(send for review)-> IN_REVIEW -(publish)-> PUBLISHED
                 ^-------------(send back, with a note)--------'
    PUBLISHED / IN_REVIEW -(the original's text changes)-> OUTDATED -(reopen)-> DRAFT

A translation is written by its translator only; it is published by somebody else:
a moderator, or a second translator who reads its language. A machine's draft
(``machine.py``) goes the same way, so it is never published without a person
sending it and another reviewing it.
"""

from dataclasses import dataclass

from flask import current_app
from sqlalchemy import exists, func, select
from sqlalchemy.orm import joinedload

from campaign.audit import AuditAction, record
from campaign.extensions import db
from campaign.models import (
    Channel,
    Moderator,
    Story,
    StoryRevision,
    Translation,
    TranslationSource,
    TranslationStatus,
)
from campaign.models._types import utcnow
from campaign.text import clean_line, clean_text
from campaign.translating import machine

TABS = ("wanted", "drafts", "review", "outdated")
FIELDS = ("title", "quote", "body", "alt_text")
# The longest each field may be (the columns' sizes; the story's own limit for the text,
# with room for languages that take more words to say the same).
MAX_LENGTHS = {"title": 200, "quote": 300, "alt_text": 500}
# Revisions of the original shown on a reopened translation, at most.
MAX_CHANGES_SHOWN = 50


class TranslationError(Exception):
    """Refused; the view says why."""


class NotAllowed(TranslationError):
    """This account may not do that to this translation (403)."""


class NotTranslatable(TranslationError):
    """The story is not public, its teller did not consent to translation, or it is
    already in that language."""


class AlreadyStarted(TranslationError):
    def __init__(self, translation: Translation):
        super().__init__(translation.id)
        self.translation = translation


class StaleTranslation(TranslationError):
    """The form was made from an older version of the translation (409)."""


def site_languages() -> tuple[str, ...]:
    return tuple(current_app.config["SUPPORTED_LOCALES"])


def desk_languages(actor: Moderator) -> list[str]:
    """The site's languages this person reads: the ones they may translate into."""
    return [code for code in actor.languages_read if code in site_languages()]


def _base(code: str | None) -> str:
    return (code or "").split("-")[0]


# Who may do what ------------------------------------------------------------------------


def may_translate(actor: Moderator, language: str) -> bool:
    return language in desk_languages(actor)


def may_edit(actor: Moderator, translation: Translation) -> bool:
    return translation.status is TranslationStatus.DRAFT and translation.translator_id == actor.id


def may_review(actor: Moderator, translation: Translation) -> bool:
    """A moderator, or a second translator who reads the language; never its translator."""
    return (
        translation.status is TranslationStatus.IN_REVIEW
        and translation.translator_id != actor.id
        and (actor.can_moderate or translation.language in actor.languages_read)
    )


def may_reopen(actor: Moderator, translation: Translation) -> bool:
    return translation.status is TranslationStatus.OUTDATED and may_translate(
        actor, translation.language
    )


def may_remove(actor: Moderator, _translation: Translation) -> bool:
    return actor.can_moderate


def translatable(story: Story, language: str) -> bool:
    return (
        _base(story.language) != _base(language)
        and db.session.scalar(
            Story.published_for(Channel.TRANSLATION)
            .where(Story.id == story.id)
            .with_only_columns(Story.id)
        )
        is not None
    )


# The queue ------------------------------------------------------------------------------


def _wanted(language: str):
    """Public stories whose tellers consented to translation, written in another
    language, with no translation into ``language`` yet (in any state)."""
    started = exists().where(Translation.story_id == Story.id, Translation.language == language)
    return (
        Story.published_for(Channel.TRANSLATION)
        .where(Story.language != language, Story.language.not_like(f"{language}-%"))
        .where(~started)
    )


def _translations(actor: Moderator, tab: str, language: str):
    query = select(Translation).where(Translation.language == language)
    if tab == "drafts":
        return query.where(
            Translation.status == TranslationStatus.DRAFT, Translation.translator_id == actor.id
        )
    if tab == "review":
        return query.where(
            Translation.status == TranslationStatus.IN_REVIEW,
            (Translation.translator_id != actor.id) | Translation.translator_id.is_(None),
        )
    return query.where(Translation.status == TranslationStatus.OUTDATED)


@dataclass(frozen=True)
class QueueItem:
    story: Story
    translation: Translation | None = None


def queue(actor: Moderator, tab: str, language: str, limit: int, offset: int) -> list[QueueItem]:
    """One page of a tab, oldest waiting first; one query."""
    if tab == "wanted":
        stories = db.session.scalars(
            _wanted(language)
            .order_by(Story.published_at.asc(), Story.id.asc())
            .limit(limit)
            .offset(offset)
        )
        return [QueueItem(story) for story in stories]
    translations = db.session.scalars(
        _translations(actor, tab, language)
        .options(joinedload(Translation.story))
        .order_by(Translation.updated_at.asc(), Translation.id.asc())
        .limit(limit)
        .offset(offset)
    )
    return [QueueItem(translation.story, translation) for translation in translations]


def counts(actor: Moderator, language: str) -> dict[str, int]:
    """How many are waiting in each tab (one query per tab)."""
    found = {
        "wanted": db.session.scalar(
            select(func.count()).select_from(
                _wanted(language).with_only_columns(Story.id).subquery()
            )
        )
    }
    for tab in TABS[1:]:
        found[tab] = db.session.scalar(
            select(func.count()).select_from(
                _translations(actor, tab, language).with_only_columns(Translation.id).subquery()
            )
        )
    return found


# The steps ------------------------------------------------------------------------------


def start(actor: Moderator, story: Story, language: str) -> Translation:
    """A new draft of ``story`` in ``language``, written by ``actor``."""
    if not may_translate(actor, language):
        raise NotAllowed()
    existing = db.session.scalar(
        select(Translation).where(
            Translation.story_id == story.id, Translation.language == language
        )
    )
    if existing is not None:
        raise AlreadyStarted(existing)
    if not translatable(story, language):
        raise NotTranslatable()
    translation = Translation(
        story_id=story.id,
        language=language,
        status=TranslationStatus.DRAFT,
        source=TranslationSource.VOLUNTEER,
        translator_id=actor.id,
        original_version=story.text_version,
    )
    db.session.add(translation)
    db.session.flush()  # the unique (story, language) refuses a second start at once
    record(actor, AuditAction.TRANSLATION_STARTED, story, note=language)
    db.session.flush()
    return translation


def _check(actor: Moderator, translation: Translation, seen_version: int | None, allowed) -> None:
    if not allowed(actor, translation):
        raise NotAllowed()
    if seen_version != translation.version:
        raise StaleTranslation()


def _clean(name: str, value: str | None) -> str:
    value = clean_text(value or "") if name == "body" else clean_line(value or "")
    return value[: MAX_LENGTHS[name]] if name in MAX_LENGTHS else value


def _write(translation: Translation, fields: dict[str, str]) -> bool:
    changed = False
    for name in FIELDS:
        if name in fields:
            value = _clean(name, fields[name])
            if getattr(translation, name) != value:
                setattr(translation, name, value)
                changed = True
    return changed


def save_draft(
    actor: Moderator, translation: Translation, seen_version: int | None, fields: dict[str, str]
) -> bool:
    """The translator's words, kept as a draft (no audit entry: nobody else sees them)."""
    _check(actor, translation, seen_version, may_edit)
    changed = _write(translation, fields)
    db.session.flush()
    return changed


def original_texts(story: Story) -> dict[str, str]:
    """What is translated: the original's title, quote, text (a voice story's
    transcript when it has no written text) and photo description."""
    body = story.body or (story.recording.transcript if story.recording else "") or ""
    return {
        "title": story.title or "",
        "quote": story.quote or "",
        "body": body,
        "alt_text": (story.photo.alt_text or "") if story.photo else "",
    }


def machine_draft(
    actor: Moderator, translation: Translation, seen_version: int | None, fields: dict[str, str]
) -> list[str]:
    """Fill the empty fields from the campaign's translation server and keep the draft.

    Raises ``machine.MachineUnavailable`` before changing anything when the server
    gives no answer. Returns the names of the fields filled; if any was, the
    translation's source becomes MACHINE_DRAFT (and stays so).
    """
    _check(actor, translation, seen_version, may_edit)
    story = translation.story
    fields = dict(fields)
    filled = []
    for name, original in original_texts(story).items():
        if name == "alt_text" and story.photo is None:
            continue
        if not (fields.get(name) or "").strip() and original.strip():
            fields[name] = machine.translate(original, story.language, translation.language)
            filled.append(name)
    if filled:
        translation.source = TranslationSource.MACHINE_DRAFT
    _write(translation, fields)
    db.session.flush()
    return filled


def missing_for_review(translation: Translation) -> list[str]:
    """Fields a translation needs before review: a title, and the text when the original has one."""
    originals = original_texts(translation.story)
    needed = ["title", "body"] + [name for name in ("quote", "alt_text") if originals[name]]
    return [name for name in needed if originals[name] and not getattr(translation, name).strip()]


def send_for_review(
    actor: Moderator, translation: Translation, seen_version: int | None, fields: dict[str, str]
) -> None:
    _check(actor, translation, seen_version, may_edit)
    _write(translation, fields)
    translation.status = TranslationStatus.IN_REVIEW
    translation.review_note = ""
    translation.original_version = translation.story.text_version
    record(
        actor, AuditAction.TRANSLATION_SENT_FOR_REVIEW, translation.story, note=translation.language
    )
    db.session.flush()


def publish(actor: Moderator, translation: Translation, seen_version: int | None) -> None:
    """Reviewed by a person who is not its translator: the public may see it now."""
    _check(actor, translation, seen_version, may_review)
    translation.status = TranslationStatus.PUBLISHED
    translation.reviewer_id = actor.id
    translation.published_at = utcnow()
    translation.original_version = translation.story.text_version
    translation.review_note = ""
    record(actor, AuditAction.TRANSLATION_PUBLISHED, translation.story, note=translation.language)
    db.session.flush()


def send_back(
    actor: Moderator, translation: Translation, seen_version: int | None, note: str
) -> None:
    """Back to its translator as a draft, with the reviewer's note."""
    _check(actor, translation, seen_version, may_review)
    translation.status = TranslationStatus.DRAFT
    translation.review_note = clean_text(note)[:1000]
    record(actor, AuditAction.TRANSLATION_SENT_BACK, translation.story, note=translation.language)
    db.session.flush()


def reopen(actor: Moderator, translation: Translation, seen_version: int | None) -> None:
    """An out-of-date translation becomes ``actor``'s draft again, to bring up to date."""
    _check(actor, translation, seen_version, may_reopen)
    translation.status = TranslationStatus.DRAFT
    translation.translator_id = actor.id
    translation.reviewer_id = None
    record(actor, AuditAction.TRANSLATION_REOPENED, translation.story, note=translation.language)
    db.session.flush()


def remove(actor: Moderator, translation: Translation, seen_version: int | None) -> None:
    """A moderator deletes a translation, whatever its state."""
    _check(actor, translation, seen_version, may_remove)
    record(actor, AuditAction.TRANSLATION_REMOVED, translation.story, note=translation.language)
    db.session.delete(translation)
    db.session.flush()


def changes_since(translation: Translation) -> list[StoryRevision]:
    """The edits of the original since the translation was last reviewed (or begun)."""
    since = translation.published_at or translation.created_at
    return list(
        db.session.scalars(
            select(StoryRevision)
            .where(StoryRevision.story_id == translation.story_id)
            .where(StoryRevision.created_at > since)
            .where(StoryRevision.field.in_(("title", "quote", "body", "alt_text", "transcript")))
            .order_by(StoryRevision.created_at.asc(), StoryRevision.id.asc())
            .limit(MAX_CHANGES_SHOWN)
        )
    )
