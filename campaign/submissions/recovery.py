"""The recovery code: six words that give a storyteller who lost their private link a new one.

The words come from the BIP-39 English list (2,048 words, from the ``mnemonic``
package). It was made to be written down by hand and typed back: the first four
letters name each word, and similar words (build/built, woman/women) were left
out. We chose one list in Latin letters rather than a list per language because
every phone keyboard can type it, also a borrowed phone set to another language,
and a code must work on whichever page of the site it is typed in; the lists we
could trust exist for English, French and Spanish only, not for Arabic, Persian,
Ukrainian or Finnish.

Strength: 6 words x 11 bits = 66 bits, drawn with ``secrets``. That is enough
on its own (when no e-mail was given, or after the purge forgot it): guessing
online at the recovery page's rate limit, a million addresses guessing for a
year at the daily limit (20) reach about 7.3e9 tries; against 100,000 stories
that finds one with probability 7.3e9 x 1e5 / 2^66, about 1 in 100,000. With an
e-mail on file the e-mail must match too. Like the private links, the code is
stored only as its SHA-256 digest (``models.tokens``), so the lookup is one
indexed equality; the row, and the code with it, goes with a withdrawal or the
purge.
"""

import re
import secrets
import unicodedata

from mnemonic import Mnemonic
from sqlalchemy import or_, select

from campaign.extensions import db
from campaign.models import Story
from campaign.models.tokens import MAX_TOKEN_LENGTH, hash_secret

WORDS = 6
WORDLIST: tuple[str, ...] = tuple(Mnemonic("english").wordlist)
BITS = WORDS * (len(WORDLIST).bit_length() - 1)  # 66
# The first four letters name a word (three-letter words are whole words already).
_BY_PREFIX = {word[:4]: word for word in WORDLIST}
_NOT_LETTERS = re.compile(r"[^a-z]+")


def new_code() -> str:
    return " ".join(secrets.choice(WORDLIST) for _ in range(WORDS))


def read_code(typed: str | None) -> str | None:
    """The code as we store it (six whole words, lower case, one space apart), from
    what someone typed: any case, any separators (spaces, dashes, commas, new
    lines), and each word by its first four letters at least. None when it is
    not six words of the list."""
    if not typed or len(typed) > MAX_TOKEN_LENGTH:
        return None
    text = unicodedata.normalize("NFKD", typed).casefold()
    words = [word for word in _NOT_LETTERS.split(text) if word]
    if len(words) != WORDS:
        return None
    found = [_BY_PREFIX.get(word[:4]) for word in words]
    # A typed word must be the start of the word its first letters name ("abando" is
    # "abandon"; "abandno" is a mistake, not a guess we make for them).
    if any(w is None or not w.startswith(t) for w, t in zip(found, words, strict=True)):
        return None
    return " ".join(found)


def issue_recovery_code(story: Story) -> str:
    """A new recovery code for this story (the one before stops working); shown once."""
    code = new_code()
    story.recovery_hash = hash_secret(code)
    db.session.flush()
    return code


def story_for_recovery(typed_code: str | None, typed_email: str | None) -> Story | None:
    """The story this code (and, when the story has one, this e-mail address) belongs
    to, or None, whatever did not match: every case costs the same one indexed query."""
    code = read_code(typed_code)
    # Something that is not six words is looked up all the same, so that it takes as long.
    digest = hash_secret(code if code is not None else (typed_code or "")[:MAX_TOKEN_LENGTH])
    email = (typed_email or "").strip().lower()
    story = db.session.scalar(
        select(Story).where(
            Story.recovery_hash == digest,
            or_(Story.contact_email.is_(None), Story.contact_email == email),
        )
    )
    return story if code is not None else None
