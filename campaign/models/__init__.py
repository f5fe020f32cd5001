"""The data model, one module per domain; import from here."""

from .audit import AuditEntry
from .moderator import Moderator
from .story import IllegalTransition, Story, StoryStatus

__all__ = ["AuditEntry", "IllegalTransition", "Moderator", "Story", "StoryStatus"]
