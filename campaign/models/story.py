import enum
from datetime import datetime

from sqlalchemy import Boolean, Enum, Index, Integer, String, Text, select
from sqlalchemy.orm import Mapped, mapped_column

from ..extensions import db
from ._types import UTCDateTime, utcnow


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


class IllegalTransition(ValueError):
    def __init__(self, current: StoryStatus, wanted: StoryStatus):
        super().__init__(f"a {current.value} story cannot become {wanted.value}")
        self.current = current
        self.wanted = wanted


class Story(db.Model):
    __tablename__ = "story"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    slug: Mapped[str] = mapped_column(String(120), unique=True)
    title: Mapped[str] = mapped_column(String(200))
    body: Mapped[str] = mapped_column(Text)
    author_name: Mapped[str] = mapped_column(String(100))
    origin_country: Mapped[str] = mapped_column(String(2))
    residence_country: Mapped[str] = mapped_column(String(2))
    # Private: never shown in public, used only to reach the storyteller.
    contact_email: Mapped[str | None] = mapped_column(String(254))
    # sha256 of the storyteller's private link token; the token itself is never stored.
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    status: Mapped[StoryStatus] = mapped_column(
        Enum(
            StoryStatus,
            name="story_status",
            native_enum=False,
            create_constraint=True,
            length=20,
            values_callable=lambda statuses: [s.value for s in statuses],
            validate_strings=True,
        ),
        default=StoryStatus.PENDING,
    )
    is_sample: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
    published_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Optimistic locking: a decision made on a stale copy is refused, never applied twice.
    version: Mapped[int] = mapped_column(Integer, default=1)

    __mapper_args__ = {"version_id_col": version}
    __table_args__ = (
        # The moderation queue: pending stories, oldest first.
        Index("ix_story_status_created", "status", "created_at", "id"),
        # The gallery's keyset pagination: newest published first.
        Index("ix_story_status_published", "status", "published_at", "id"),
    )

    @classmethod
    def published(cls):
        """The one place that decides what the public may see."""
        return select(cls).where(cls.status == StoryStatus.PUBLISHED)

    def move_to(self, new_status: StoryStatus) -> StoryStatus:
        """Change status if the rules allow it; return the previous status."""
        if new_status not in ALLOWED_TRANSITIONS[self.status]:
            raise IllegalTransition(self.status, new_status)
        previous, self.status = self.status, new_status
        if new_status is StoryStatus.PUBLISHED:
            self.published_at = utcnow()
        return previous

    def __repr__(self) -> str:
        return f"<Story {self.id} {self.status.value}>"
