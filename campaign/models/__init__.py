"""The data model, one module per domain; import from here."""

from campaign.models.account_security import Invitation, RecoveryCode, Setting
from campaign.models.audit import AuditEntry
from campaign.models.moderator import Moderator
from campaign.models.photo import Photo
from campaign.models.public import GalleryStats, PublicCount
from campaign.models.review import Report, StoryRevision, StoryViewing
from campaign.models.story import IllegalTransition, NameDisplay, Story, StoryStatus
from campaign.models.theme import Theme, story_theme

__all__ = [
    "AuditEntry",
    "GalleryStats",
    "IllegalTransition",
    "Invitation",
    "Moderator",
    "NameDisplay",
    "Photo",
    "PublicCount",
    "RecoveryCode",
    "Report",
    "Setting",
    "Story",
    "StoryRevision",
    "StoryStatus",
    "StoryViewing",
    "Theme",
    "story_theme",
]
