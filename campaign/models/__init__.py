"""The data model, one module per domain; import from here."""

from .audit import AuditEntry
from .moderator import Moderator
from .photo import Photo
from .story import IllegalTransition, NameDisplay, Story, StoryStatus
from .theme import Theme, story_theme

__all__ = [
    "AuditEntry",
    "IllegalTransition",
    "Moderator",
    "NameDisplay",
    "Photo",
    "Story",
    "StoryStatus",
    "Theme",
    "story_theme",
]
