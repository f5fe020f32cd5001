"""The data model, one module per domain; import from here."""

from campaign.models.account_security import Invitation, RecoveryCode, Setting
from campaign.models.audit import AuditEntry
from campaign.models.card import ShareCard
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
    CONSENT_COLUMNS,
    Channel,
    IllegalTransition,
    NameDisplay,
    RetiredStory,
    Story,
    StoryStatus,
    filed_under,
    gone_for,
    is_retired,
    published_story,
    read_cards,
    with_cards,
)
from campaign.models.theme import Theme, all_themes, story_theme, theme_by_slug
from campaign.models.translation import (
    Translation,
    TranslationSource,
    TranslationStatus,
    public_translation,
    published_translations,
)

__all__ = [
    "CONSENT_COLUMNS",
    "AuditEntry",
    "Channel",
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
    "RetiredStory",
    "Setting",
    "ShareCard",
    "Story",
    "StoryRevision",
    "StoryStatus",
    "StoryViewing",
    "Theme",
    "TranscriptSource",
    "Translation",
    "TranslationSource",
    "TranslationStatus",
    "UndoableDecision",
    "all_themes",
    "filed_under",
    "gone_for",
    "is_retired",
    "public_translation",
    "published_story",
    "published_translations",
    "read_cards",
    "revise",
    "story_theme",
    "theme_by_slug",
    "with_cards",
]
