import enum
import functools
import hashlib
from datetime import datetime

from sqlalchemy import Boolean, Enum, Index, Integer, String, Text, bindparam, false, select, text
from sqlalchemy.orm import (
    Mapped,
    joinedload,
    mapped_column,
    query_expression,
    relationship,
)
from sqlalchemy.orm.attributes import set_committed_value

from campaign.extensions import db
from campaign.models._types import UTCDateTime, utcnow
from campaign.models.theme import Theme, story_theme, theme_order


class StoryStatus(enum.StrEnum):
    PENDING = "pending"
    CHANGES_REQUESTED = "changes_requested"
    PUBLISHED = "published"
    REJECTED = "rejected"
    WITHDRAWN = "withdrawn"


# Which status may follow which. Withdrawal is always allowed (the storyteller
# stays in control); nothing comes back from withdrawn.
ALLOWED_TRANSITIONS: dict[StoryStatus, frozenset[StoryStatus]] = {
    StoryStatus.PENDING: frozenset(
        {
            StoryStatus.PUBLISHED,
            StoryStatus.REJECTED,
            StoryStatus.CHANGES_REQUESTED,
            StoryStatus.WITHDRAWN,
        }
    ),
    StoryStatus.CHANGES_REQUESTED: frozenset(
        {StoryStatus.PENDING, StoryStatus.PUBLISHED, StoryStatus.REJECTED, StoryStatus.WITHDRAWN}
    ),
    StoryStatus.PUBLISHED: frozenset({StoryStatus.REJECTED, StoryStatus.WITHDRAWN}),
    StoryStatus.REJECTED: frozenset({StoryStatus.PUBLISHED, StoryStatus.WITHDRAWN}),
    StoryStatus.WITHDRAWN: frozenset(),
}


class NameDisplay(enum.StrEnum):
    """How the storyteller chose to be named in public."""

    FULL = "full"  # the name as given
    FIRST = "first"  # first name only
    ANONYMOUS = "anonymous"  # "A migrant from Iraq"


class Channel(enum.StrEnum):
    """Where a published story may travel, each by the storyteller's own consent.

    The website is the condition of publication itself (the share form's required
    box); the others are opt-in, changed on the private page at any time
    (submissions.services.change_channels). Issue 20's translations ask for
    ``TRANSLATION``: someone else's words in another language are a new text the
    storyteller did not write, so it is never assumed.
    """

    WEBSITE = "website"
    SHARE_IMAGES = "share_images"  # the share cards (campaign/cards) for social media
    PARTNERS = "partners"  # the API, embeds on partners' sites, the Atom feeds
    PRINT = "print"  # posters, booklets, exhibitions
    TRANSLATION = "translation"


# The column of each opt-in channel (the website has none: every story has it).
CONSENT_COLUMNS = {
    Channel.SHARE_IMAGES: "consents_share_images",
    Channel.PARTNERS: "consents_partners",
    Channel.PRINT: "consents_print",
    Channel.TRANSLATION: "consents_translation",
}


class IllegalTransition(ValueError):
    def __init__(self, current: StoryStatus, wanted: StoryStatus):
        super().__init__(f"a {current.value} story cannot become {wanted.value}")
        self.current = current
        self.wanted = wanted


def _closed_set(enum_class, name: str, length: int) -> Enum:
    """An enum stored as its string values, kept closed by a CHECK constraint."""
    return Enum(
        enum_class,
        name=name,
        native_enum=False,
        create_constraint=True,
        length=length,
        values_callable=lambda members: [m.value for m in members],
        validate_strings=True,
    )


class Story(db.Model):
    __tablename__ = "story"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    slug: Mapped[str] = mapped_column(String(120), unique=True)
    title: Mapped[str] = mapped_column(String(200))
    # The short headline quote shown on gallery cards.
    quote: Mapped[str] = mapped_column(String(300), default="", server_default="")
    body: Mapped[str] = mapped_column(Text)
    author_name: Mapped[str] = mapped_column(String(100))
    name_display: Mapped[NameDisplay] = mapped_column(
        _closed_set(NameDisplay, "name_display", 10),
        default=NameDisplay.FIRST,
        server_default=NameDisplay.FIRST.value,
    )
    origin_country: Mapped[str] = mapped_column(String(2))
    residence_country: Mapped[str] = mapped_column(String(2))
    moved_year: Mapped[int | None] = mapped_column(Integer)
    # BCP 47 code of the language the story is written in.
    language: Mapped[str] = mapped_column(String(12), default="en", server_default="en")
    # The language its text seems to be in, when that is not ``language``: a proposal
    # for moderators to accept (moderation.services.accept_language), never applied alone.
    proposed_language: Mapped[str | None] = mapped_column(String(12))
    # Private: never shown in public, used only to reach the storyteller.
    contact_email: Mapped[str | None] = mapped_column(String(254))
    # Private: shared on someone's behalf, with their permission, and by whom.
    on_behalf: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    helper_relationship: Mapped[str | None] = mapped_column(String(100))
    age_confirmed: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    # The version of the consent text the storyteller agreed to, last time they gave
    # or changed their consent (the channels below with it).
    consent_version: Mapped[str | None] = mapped_column(String(20))
    # Consent per channel beyond the website (Channel, CONSENT_COLUMNS); off unless given.
    consents_share_images: Mapped[bool] = mapped_column(
        Boolean, default=False, server_default=false()
    )
    consents_partners: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    consents_print: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    consents_translation: Mapped[bool] = mapped_column(
        Boolean, default=False, server_default=false()
    )
    # What moderators tell the storyteller (changes requested, reason for not publishing).
    moderator_message: Mapped[str | None] = mapped_column(Text)
    rejection_reason: Mapped[str | None] = mapped_column(String(40))
    # Pinned to the home page by a moderator when set.
    featured_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Open reports, loaded only where a query asks (moderation.services.queue_stories):
    # a report writes a row of its own and leaves the story alone unless it hides it.
    report_count: Mapped[int | None] = query_expression()
    # Hidden from the public after enough visitor reports, until a moderator looks.
    hidden: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    # sha256 of the storyteller's private link token; the token itself is never stored.
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    # sha256 of the recovery code in words that gives a new private link when the
    # link is lost (submissions/recovery.py); shown once, never stored itself.
    recovery_hash: Mapped[str | None] = mapped_column(String(64), unique=True, index=True)
    status: Mapped[StoryStatus] = mapped_column(
        _closed_set(StoryStatus, "story_status", 20), default=StoryStatus.PENDING
    )
    is_sample: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
    published_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # When anything the public sees of it last changed (text, name, places, themes,
    # photo, publication), for Atom <updated>; stamped by publishing.hooks.
    public_updated_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # sha256 of the one-time nonce of the form that created it: a form sent twice
    # (double click, resubmission) never makes two stories.
    submission_nonce: Mapped[str | None] = mapped_column(String(64), unique=True)
    # The kinds of personal detail found in the public text ("phone email", "" for none),
    # kept by a before-flush hook in moderation/signals.py for the queue's badges and filter.
    detail_kinds: Mapped[str] = mapped_column(String(120), default="", server_default="")
    # Optimistic locking: a decision made on a stale copy is refused, never applied twice.
    version: Mapped[int] = mapped_column(Integer, default=1)
    # Raised by every change of the text a translation renders (title, quote, body, the
    # photo's description, the transcript; models.review.revise): a translation made
    # from an older one is out of date (models/translation.py).
    text_version: Mapped[int] = mapped_column(Integer, default=1, server_default="1")

    photo = relationship("Photo", uselist=False, cascade="all, delete-orphan", passive_deletes=True)
    # A voice story's recording (models/recording.py); its transcript is the text of record.
    recording = relationship(
        "Recording", uselist=False, cascade="all, delete-orphan", passive_deletes=True
    )
    # A name change that waits for a moderator (models/review.py).
    pending_name_change = relationship(
        "PendingNameChange",
        uselist=False,
        back_populates="story",
        cascade="all, delete-orphan",
        passive_deletes=True,
    )
    # Its rendered share images (models/card.py): they go with it, and their files too.
    share_cards = relationship("ShareCard", cascade="all, delete-orphan", passive_deletes=True)
    # Volunteers' translations (models/translation.py): deleted with it, withdrawal included.
    translations = relationship(
        "Translation", back_populates="story", cascade="all, delete-orphan", passive_deletes=True
    )
    themes = relationship(
        "Theme", secondary="story_theme", order_by=theme_order, passive_deletes=True
    )

    __mapper_args__ = {"version_id_col": version}
    __table_args__ = (
        # The moderation queue: pending stories, oldest first.
        Index("ix_story_status_created", "status", "created_at", "id"),
        # The gallery's keyset pagination: newest published first.
        Index("ix_story_status_published", "status", "published_at", "id"),
        # Gallery pages of one country (/stories/from/<code>, residence filters):
        # a country with few stories is found at once, not by walking them all.
        Index("ix_story_origin_published", "origin_country", "status", "published_at", "id"),
        Index("ix_story_residence_published", "residence_country", "status", "published_at", "id"),
        # Stories in the reader's language first (gallery.queries): those told in one
        # language, newest first, found at once however many are in others.
        Index("ix_story_language_published", "language", "status", "published_at", "id"),
        # The home page's pinned stories: a handful among all, so an index of only those
        # (partial) is read newest pinned first and stops at once, however many stories.
        Index(
            "ix_story_featured",
            "status",
            "featured_at",
            "id",
            postgresql_where=text("featured_at IS NOT NULL"),
            sqlite_where=text("featured_at IS NOT NULL"),
        ),
    )

    @classmethod
    def published(cls):
        """The one place that decides what the public may see."""
        return select(cls).where(cls.status == StoryStatus.PUBLISHED, cls.hidden == false())

    @classmethod
    def published_for(cls, channel: Channel):
        """What the public may see through ``channel``: published, and consented to."""
        query = cls.published()
        if channel is not Channel.WEBSITE:
            query = query.where(getattr(cls, CONSENT_COLUMNS[channel]).is_(True))
        return query

    def consents_to(self, channel: Channel) -> bool:
        return channel is Channel.WEBSITE or bool(getattr(self, CONSENT_COLUMNS[channel]))

    @property
    def channels(self) -> frozenset[Channel]:
        return frozenset(channel for channel in Channel if self.consents_to(channel))

    def move_to(self, new_status: StoryStatus) -> StoryStatus:
        """Change status if the rules allow it; return the previous status."""
        if new_status not in ALLOWED_TRANSITIONS[self.status]:
            raise IllegalTransition(self.status, new_status)
        previous, self.status = self.status, new_status
        if new_status is StoryStatus.PUBLISHED:
            self.published_at = utcnow()
        return previous

    def restore(self, status: StoryStatus, *, published_at: datetime | None) -> None:
        """Put back the status (and publication date) a moderator's decision replaced,
        when they undo it (moderation.services.undo_decision). Not a transition: the
        story returns to where it was, e.g. published back to pending, which no decision
        may do. Nothing comes back to or from withdrawn."""
        if StoryStatus.WITHDRAWN in (self.status, status):
            raise IllegalTransition(self.status, status)
        self.status, self.published_at = status, published_at

    @property
    def text_to_read(self) -> str:
        """The written story; for a voice story without one, its transcript (what cards,
        previews and feeds show of it)."""
        if self.body or self.recording is None:
            return self.body or ""
        return self.recording.transcript or ""

    def __repr__(self) -> str:
        return f"<Story {self.id} {self.status.value}>"


def filed_under(theme_slug: str):
    """The condition "filed under the theme with this slug", for any query of stories."""
    return Story.id.in_(
        select(story_theme.c.story_id)
        .join(Theme, Theme.id == story_theme.c.theme_id)
        .where(Theme.slug == theme_slug)
    )


def with_cards(query):
    """What a card or a story page shows besides the story: its photo and recording,
    loaded for every story of the query at once, never one query per card. The photo and
    the recording (at most one each, by their unique story_id) come in the same statement
    by LEFT OUTER JOINs: each further statement costs more Python to build and run than
    the join costs the database. The themes (a collection) take one more query, sent by
    ``read_cards``, which runs every statement built with this."""
    return query.options(joinedload(Story.photo), joinedload(Story.recording))


def read_cards(statement, values: dict | None = None, *, with_themes: bool = True) -> list[Story]:
    """The stories of a statement built with ``with_cards``, their themes loaded too
    (``with_themes`` false: left to load when read, for a page that may not read them).

    The themes come in one statement for all the stories, built once, then set as
    each story's loaded collection. It does what ``selectinload(Story.themes)`` did
    with the same SQL, but the loader built, keyed and compiled its statement anew
    for every query: 0.5 ms, a tenth of a cold story page, which has two of them.
    A story whose themes are already loaded (in the session before) keeps them.
    """
    stories = list(db.session.scalars(statement, values))
    missing = [story for story in stories if with_themes and "themes" not in story.__dict__]
    if missing:
        themes: dict[int, list[Theme]] = {story.id: [] for story in missing}
        for story_id, theme in db.session.execute(_themes_statement(), {"ids": list(themes)}):
            themes[story_id].append(theme)
        for story in missing:
            set_committed_value(story, "themes", themes[story.id])
    return stories


@functools.cache
def _themes_statement():
    """The themes of the stories of these ids, in the themes' one order (the
    relationship's own order_by)."""
    return (
        select(story_theme.c.story_id, Theme)
        .join(Theme, Theme.id == story_theme.c.theme_id)
        .where(story_theme.c.story_id.in_(bindparam("ids", expanding=True)))
        .order_by(*theme_order())
    )


def published_story(
    slug: str, channel: Channel = Channel.WEBSITE, *, with_themes: bool = True
) -> Story | None:
    """The published story at this address that may be shown through ``channel``,
    with its photo and recording, and its themes (``with_themes`` false: read when read)."""
    statement = _published_story_statement(channel)
    found = read_cards(statement, {"slug": slug}, with_themes=with_themes)
    return found[0] if found else None


@functools.cache  # one per channel
def _published_story_statement(channel: Channel):
    # Built once, the slug a parameter: building the statement and working out its
    # cache key cost more Python than the database spends finding the row.
    return with_cards(Story.published_for(channel).where(Story.slug == bindparam("slug")))


def slug_digest(slug: str) -> str:
    return hashlib.sha256(slug.encode()).hexdigest()


class RetiredStory(db.Model):
    """A published story that is gone for good (withdrawn or deleted): only that it was.

    Kept so its addresses answer 410 Gone rather than 404 (partners, crawlers and
    caches then drop their copies). No content, not even the slug (its title's words
    may say something): its sha256 only, recorded by publishing.hooks whoever
    deleted the story. Ids are never reused, so a new story never meets its tombstone.
    """

    __tablename__ = "retired_story"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)  # the story's own id
    slug_digest: Mapped[str] = mapped_column(String(64), unique=True)
    retired_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


def is_retired(*, slug: str | None = None, story_id: int | None = None) -> bool:
    """Whether the story at this address (or with this id) was published and is gone."""
    if slug is not None:
        condition = RetiredStory.slug_digest == slug_digest(slug)
    else:
        condition = RetiredStory.id == story_id
    return db.session.scalar(select(RetiredStory.id).where(condition)) is not None


def gone_for(channel: Channel, *, slug: str | None = None, story_id: int | None = None) -> bool:
    """Whether an address of ``channel`` must answer 410 Gone: the story was published
    and is gone for good, or it is published but its storyteller withdrew their
    consent to this channel (a partner's copy must go too, not just be missing)."""
    if is_retired(slug=slug, story_id=story_id):
        return True
    if channel is Channel.WEBSITE:
        return False
    condition = Story.slug == slug if slug is not None else Story.id == story_id
    return (
        db.session.scalar(Story.published().with_only_columns(Story.id).where(condition))
        is not None
    )
