"""The data model, one module per domain; import from here."""

from campaign.models.account_security import Invitation, RecoveryCode, Setting
from campaign.models.audit import AuditEntry
from campaign.models.moderator import Moderator
from campaign.models.photo import Photo
from campaign.models.public import GalleryStats, PublicCount
from campaign.models.recording import Recording, TranscriptSource
from campaign.models.review import (
    PendingNameChange,
    Report,
    StoryRevision,
    StoryViewing,
    UndoableDecision,
    revise,
)
from campaign.models.story import (
    IllegalTransition,
    NameDisplay,
    Story,
    StoryStatus,
    filed_under,
    published_story,
    with_cards,
)
from campaign.models.theme import Theme, all_themes, story_theme, theme_by_slug

__all__ = [
    "AuditEntry",
    "GalleryStats",
    "IllegalTransition",
    "Invitation",
    "Moderator",
    "NameDisplay",
    "PendingNameChange",
    "Photo",
    "PublicCount",
    "Recording",
    "RecoveryCode",
    "Report",
    "Setting",
    "Story",
    "StoryRevision",
    "StoryStatus",
    "StoryViewing",
    "Theme",
    "TranscriptSource",
    "UndoableDecision",
    "all_themes",
    "filed_under",
    "published_story",
    "revise",
    "story_theme",
    "theme_by_slug",
    "with_cards",
]
