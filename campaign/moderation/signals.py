"""Things a moderator should look at twice: watch-list words, links, length, duplicates."""

import re
from dataclasses import dataclass, field

from flask import current_app
from markupsafe import Markup, escape
from sqlalchemy import select

from campaign.accounts.services import get_setting, set_setting
from campaign.extensions import db
from campaign.models import Story, StoryStatus
from campaign.text import clean_line

_LINK = re.compile(
    r"(?:https?://|www\.)\S+|\b[\w-]+(?:\.[\w-]+)*\.(?:com|org|net|info|io|ru|de|fr|uk|me|ly)\b\S*",
    re.IGNORECASE,
)
_WORD = re.compile(r"\w+")
_BLANK_LINES = re.compile(r"\n\s*\n")
SHINGLE_SIZE = 3
DUPLICATE_CANDIDATES = 2000
WATCH_WORDS = "watch_words"  # the setting admins change; MODERATION_WATCH_WORDS until they do


def watch_words() -> list[str]:
    """The admins' watch list; the configured one while theirs is not set (or empty)."""
    return get_setting(WATCH_WORDS, None) or list(current_app.config["MODERATION_WATCH_WORDS"])


def save_watch_words(lines: str) -> list[str]:
    """One word or phrase per line, blank lines left out; returns what was saved."""
    words = [clean_line(line) for line in (lines or "").splitlines() if clean_line(line)]
    set_setting(WATCH_WORDS, words)
    return words


@dataclass
class Signals:
    watch_words: list[str] = field(default_factory=list)  # the ones found in the text
    links: list[str] = field(default_factory=list)
    too_short: bool = False
    too_long: bool = False
    duplicates: list[tuple[Story, float]] = field(default_factory=list)
    # The language its text seems to be in, when not the one chosen (Story.proposed_language).
    language_seems: str | None = None

    @property
    def any(self) -> bool:
        return bool(
            self.watch_words
            or self.links
            or self.too_short
            or self.too_long
            or self.duplicates
            or self.language_seems
        )


def _watch_pattern(words: list[str]) -> re.Pattern | None:
    words = [w.strip() for w in words if w.strip()]
    if not words:
        return None
    alternatives = "|".join(re.escape(w) for w in sorted(words, key=len, reverse=True))
    return re.compile(rf"(?<!\w)(?:{alternatives})(?!\w)", re.IGNORECASE)


def shingles(text: str) -> set[tuple[str, ...]]:
    words = _WORD.findall(text.casefold())
    if len(words) < SHINGLE_SIZE:
        return {tuple(words)} if words else set()
    return {tuple(words[i : i + SHINGLE_SIZE]) for i in range(len(words) - SHINGLE_SIZE + 1)}


def similarity(a: set, b: set) -> float:
    """Jaccard similarity of two shingle sets."""
    if not a or not b:
        return 0.0
    return len(a & b) / len(a | b)


def likely_duplicates(story: Story, threshold: float) -> list[tuple[Story, float]]:
    mine = shingles(f"{story.title}\n{story.body}")
    candidates = db.session.scalars(
        select(Story)
        .where(Story.id != story.id, Story.status != StoryStatus.WITHDRAWN)
        .order_by(Story.created_at.desc())
        .limit(DUPLICATE_CANDIDATES)
    )
    found = []
    for other in candidates:
        score = similarity(mine, shingles(f"{other.title}\n{other.body}"))
        if score >= threshold:
            found.append((other, score))
    return sorted(found, key=lambda pair: pair[1], reverse=True)[:5]


def signals_for(story: Story, watch_words: list[str], config) -> Signals:
    text = f"{story.title}\n{story.quote or ''}\n{story.body}"
    pattern = _watch_pattern(watch_words)
    found_words = sorted({m.group(0).casefold() for m in pattern.finditer(text)}) if pattern else []
    return Signals(
        watch_words=found_words,
        links=sorted({m.group(0).rstrip(".,;:!?)\"'") for m in _LINK.finditer(text)}),
        too_short=len(story.body) < config["SHORT_STORY_CHARS"],
        too_long=len(story.body) > config["LONG_STORY_CHARS"],
        duplicates=likely_duplicates(story, config["DUPLICATE_SIMILARITY"]),
        language_seems=story.proposed_language,
    )


def _highlight_line(line: str, pattern: re.Pattern | None) -> Markup:
    if pattern is None:
        return escape(line)
    out = Markup("")
    position = 0
    for match in pattern.finditer(line):
        out += escape(line[position : match.start()])
        out += Markup('<mark class="watch">%s</mark>') % match.group(0)
        position = match.end()
    return out + escape(line[position:])


def highlighted_paragraphs(value: str, watch_words: list[str]) -> Markup:
    """Like the ``paragraphs`` filter, with watch-list words marked; everything escaped."""
    pattern = _watch_pattern(watch_words)
    blocks = [block.strip() for block in _BLANK_LINES.split(value or "") if block.strip()]
    return Markup("\n").join(
        Markup("<p>")
        + Markup("<br>\n").join(_highlight_line(line, pattern) for line in block.split("\n"))
        + Markup("</p>")
        for block in blocks
    )
