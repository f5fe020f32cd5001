"""The data model, one module per domain; import from here."""

from .account_security import Invitation, RecoveryCode, Setting
from .audit import AuditEntry
from .moderator import Moderator
from .photo import Photo
from .review import Report, StoryRevision, StoryViewing
from .story import IllegalTransition, NameDisplay, Story, StoryStatus
from .theme import Theme, story_theme

__all__ = [
    "AuditEntry",
    "IllegalTransition",
    "Invitation",
    "Moderator",
    "NameDisplay",
    "Photo",
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
