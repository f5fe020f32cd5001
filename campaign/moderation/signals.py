"""Things a moderator should look at twice: personal details (links among them),
watch-list words, length, duplicates.

Personal details are found with their spans (``personal_details``), so the review
page can mark them in the text and remove each one with a click; the kinds found are
also kept on the story row (``Story.detail_kinds``, set by a before-flush hook here),
so the queue shows a badge per kind and filters by them without reading any text.
Every pattern repeats only a counted number of times (``{m,n}``, never ``*`` or ``+``),
so each position of a text costs bounded work, and each field is scanned only up to
``MAX_SCANNED_CHARS``: a hostile text costs time linear in its (capped) length.
"""

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

import phonenumbers
from flask import current_app
from flask_babel import force_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from markupsafe import Markup, escape
from sqlalchemy import inspect, literal, select
from sqlalchemy.orm import Session

from campaign.accounts.services import get_setting, set_setting
from campaign.database import listen_once
from campaign.extensions import db
from campaign.models import NameDisplay, Photo, Recording, Story, StoryStatus
from campaign.text import clean_line

_WORD = re.compile(r"\w+")
_BLANK_LINES = re.compile(r"\n\s*\n")
SHINGLE_SIZE = 3
DUPLICATE_CANDIDATES = 2000
WATCH_WORDS = "watch_words"  # the setting admins change; MODERATION_WATCH_WORDS until they do
# Above any story (STORY_MAX_CHARS is 10,000): what lies beyond is not scanned.
MAX_SCANNED_CHARS = 12_000


# Personal details ------------------------------------------------------------------
#
# The public text a story shows, by the field's name (a revision's and a form's name).
PUBLIC_FIELDS = ("title", "quote", "body", "alt_text", "transcript")

# Any script's digits: \d matches Arabic-Indic (٠-٩) and Persian (۰-۹) digits too.
_LINK = re.compile(
    r"(?:https?://|www\.)[^\s<>\"]{1,2000}"
    r"|\b[\w-]{1,63}+(?:\.[\w-]{1,63}+){0,8}\.(?:com|org|net|info|io|ru|de|fr|uk|me|ly|es|fi|ua|ir|"
    r"af|sy|iq|eu|be|se|nl|it|tr)\b(?:/[^\s<>\"]{0,2000})?",
    re.IGNORECASE,
)
# Possessive runs ({m,n}+) where what follows cannot be part of them: no backtracking.
_EMAIL = re.compile(r"[\w.+-]{1,64}+@[\w-]{1,63}+(?:\.[\w-]{1,63}+){1,8}")
_LETTER = r"[^\W\d_]"
_UPPER = r"[A-ZÀ-ÖØ-ÞĀ-Ž]"
_NAME = rf"{_UPPER}[\w'’.-]{{0,30}}"  # a capitalized word of a street's name
_NUMBER = r"\d{1,4}(?:\s?[a-zA-Z]\b)?"  # 12, 12a, 12 B
_ARABIC_WORD = r"[\u0600-\u06FF\u200c]{1,25}"  # Arabic and Persian letters, ZWNJ
_STREETS = (
    # en: "12 Baker Street", "4 Old Kent Rd"
    rf"\b\d{{1,5}}[a-zA-Z]?,?\s{{1,3}}(?:{_NAME}\s{{1,3}}){{1,4}}"
    r"(?i:street|st\.?|road|rd\.?|avenue|ave\.?|lane|drive|close|way|place|court|crescent"
    r"|boulevard|terrace|square|gardens|row|hill|grove)\b",
    # es: "Calle Mayor 5", "Avenida de la Constitución, 23", "C/ Alcalá 3"
    # fr: "rue de la Paix 3", "12 rue de la Paix", "avenue Victor Hugo, 5"
    # uk: "вул. Шевченка 5", "проспект Перемоги, буд. 12"
    r"(?<!\w)(?i:calle|c/|avenida|avda\.|av\.|plaza|paseo|camino|travesía"
    r"|rue|avenue|boulevard|bd|impasse|allée|chemin|quai"
    r"|вул\.|вулиця|вулиці|просп\.|проспект|пров\.|провулок|бульв\.|бульвар|пл\.|площа|ул\.|улица)"
    r"\s{0,3}(?:(?i:de|del|la|las|los|el|du|des|le|l'|d')\s{1,3}){0,3}"
    rf"(?:{_NAME}|[А-ЯІЇЄҐ][\w'’-]{{0,30}})(?:\s{{1,3}}(?:{_NAME}|[А-ЯІЇЄҐ][\w'’-]{{0,30}})){{0,3}}"
    rf",?\s{{0,3}}(?:(?i:n\.?º|nº|no\.?|número|буд\.|будинок|д\.)\s{{0,3}})?{_NUMBER}(?!\d)",
    rf"\b\d{{1,4}}(?:\s?(?i:bis|ter))?,?\s{{1,3}}(?i:rue|avenue|boulevard|bd|impasse|allée"
    r"|chemin|quai|place)\s{1,3}"
    rf"(?:(?i:de|du|des|la|le|l'|d')\s{{0,3}}){{0,3}}{_NAME}",
    # fi: "Mannerheimintie 12", "Hämeenkatu 5 B 12", "Koivukuja 3"
    rf"\b{_UPPER}[a-zäöå]{{1,30}}(?:tie|katu|kuja|polku|tori|väylä|raitti|kaari|rinne|puistikko"
    rf"|ranta|aukio)\s{{1,3}}{_NUMBER}(?!\d)",
    # ar: "شارع الحمرا 12", "شارع بغداد رقم ١٢"; fa: "خیابان آزادی پلاک ۱۲", "کوچه ۵"
    rf"(?<![\u0600-\u06FF])(?:شارع|طريق|جادة|زقاق|خیابان|کوچه|بلوار|میدان|بن‌بست)"
    rf"(?:\s{{1,3}}{_ARABIC_WORD}){{0,3}}?\s{{1,3}}(?:(?:رقم|پلاک|پ\.|بناية|عمارة)\s{{0,3}})?"
    r"\d{1,4}(?!\d)",
)
_ADDRESS = re.compile("|".join(f"(?:{pattern})" for pattern in _STREETS))

# A whole date: 12.03.1990, 1990-03-12, 12/3/90, 12 March 1990, March 12, 1990,
# 12. maaliskuuta 1990, ١٢ آذار ١٩٩٠, ۱۲ فروردین ۱۳۷۰.
_DATE = (
    r"(?:\d{1,2}[./-]\d{1,2}[./-](?:\d{4}|\d{2})(?!\d)|\d{4}[./-]\d{1,2}[./-]\d{1,2}(?!\d)"
    rf"|\d{{1,2}}\.?\s{{1,3}}(?:de\s{{1,3}})?{_LETTER}{{3,12}}\.?,?\s{{1,3}}(?:de\s{{1,3}})?\d{{4}}"
    rf"|{_LETTER}{{3,12}}\.?\s{{1,3}}\d{{1,2}}(?:st|nd|rd|th)?,?\s{{1,3}}\d{{4}})"
)
_BORN = (
    r"(?<!\w)(?i:born(?:\s{1,3}on)?|date\s{1,3}of\s{1,3}birth|d\.?o\.?b\.?|birthday"
    r"|né(?:e|\(e\))?\s{1,3}le|date\s{1,3}de\s{1,3}naissance"
    r"|nac(?:í|ido|ida)\s{1,3}el|fecha\s{1,3}de\s{1,3}nacimiento"
    r"|synnyin|syntynyt|syntymäaika|syntymäpäivä"
    r"|народи(?:вся|лася|лись)|народжен(?:ий|а)|дата\s{1,3}народження"
    r"|ولدت(?:\s{1,3}في)?|مواليد|تاريخ\s{1,3}(?:الميلاد|ميلادي|الولادة)"
    r"|متولد|تاریخ\s{1,3}تولد|به\s{1,3}دنیا\s{1,3}آمدم(?:\s{1,3}در)?|زاده)"
)
_BIRTH_DATE = re.compile(
    rf"{_BORN}[^\n\d]{{0,20}}?{_DATE}"
    # a date written as on an ID, with no words around it
    r"|(?<![\d./-])(?:\d{1,2}[./]\d{1,2}[./]\d{4}|\d{4}-\d{2}-\d{2})(?![\d./-])"
)
_ID_WORDS = (
    r"(?i:passport|passport\s{1,3}(?:no|number)|id\s{1,3}(?:card|number|no)|identity\s{1,3}card"
    r"|national\s{1,3}id|residence\s{1,3}permit|social\s{1,3}security|id"
    r"|pasaporte|dni|nie|tarjeta\s{1,3}de\s{1,3}residencia|passeport|carte\s{1,3}d'identité"
    r"|titre\s{1,3}de\s{1,3}séjour|passi|henkilötunnus|henkilökortti|oleskelulupa"
    r"|паспорт|посвідк[аи]|ідентифікаційн\w{0,4}|іпн"
    r"|جواز(?:\s{1,3}السفر|\s{1,3}سفري)?|هوية|الرقم\s{1,3}الوطني|رقم\s{1,3}وطني|بطاقة|إقامة"
    r"|پاسپورت|گذرنامه|کارت\s{1,3}ملی|کد\s{1,3}ملی|اقامت)"
)
_ID_CHAR = r"[^\W_]"  # a letter or a digit, any script
_ID_NUMBER = re.compile(
    # near one of those words: letters and digits of a document's length (6 to 14)
    rf"(?<!\w){_ID_WORDS}(?!\w)[^\n]{{0,25}}?(?<!\w)"
    rf"((?=[\w-]{{0,15}}\d){_ID_CHAR}[\w-]{{4,14}}{_ID_CHAR}|\d{{2,4}}(?:\s\d{{2,4}}){{2,4}})(?!\w)"
    # anywhere: a passport-like AB1234567, or a Finnish personal identity code
    r"|(?<!\w)([A-ZА-ЯІЇЄҐ]{1,3}\d{6,9})(?!\w)|(?<!\w)(\d{6}[-+A]\d{3}[0-9A-Y])(?!\w)"
)


@dataclass(frozen=True)
class Finding:
    """One personal detail in one public field of a story: where, of what kind."""

    kind: str
    field: str  # one of PUBLIC_FIELDS
    start: int
    end: int
    text: str

    @property
    def key(self) -> str:
        """What the redact button sends: the field and the span."""
        return f"{self.field}:{self.start}:{self.end}"

    @property
    def anchor(self) -> str:
        return f"detail-{self.field}-{self.start}"


@dataclass(frozen=True)
class Context:
    """What a detector may know of the story besides the text."""

    regions: tuple[str, ...]  # countries whose local phone numbers to look for
    own_email: str | None
    own_names: tuple[str, ...]  # the names the storyteller chose not to show


def _phones(text: str, context: Context) -> Iterator[tuple[int, int]]:
    """Valid numbers of any country written internationally (+44 20 ..., 0044 ...),
    and local ones (0612 345 678) of the countries the story names: a number
    without its country code can only be read against some region."""
    if sum(ch.isdigit() for ch in text) < 6:
        return
    for region in context.regions or ("ZZ",):
        matcher = phonenumbers.PhoneNumberMatcher(
            text, region, leniency=phonenumbers.Leniency.VALID, max_tries=500
        )
        for match in matcher:
            yield match.start, match.end


def _pattern(pattern: re.Pattern):
    """A detector from a pattern: the span of its first group that matched, else the match."""

    def find(text: str, _context: Context) -> Iterator[tuple[int, int]]:
        for match in pattern.finditer(text):
            group = next((i for i, value in enumerate(match.groups(), 1) if value), 0)
            yield match.start(group), match.end(group)

    return find


def _emails(text: str, context: Context) -> Iterator[tuple[int, int]]:
    if "@" in text:
        yield from _pattern(_EMAIL)(text, context)


def _words_of(text: str, phrase: str) -> Iterator[tuple[int, int]]:
    """A phrase as whole words, any case, any run of spaces between its words."""
    words = phrase.split()
    if not words:
        return
    pattern = r"(?<!\w)" + r"\s{1,3}".join(re.escape(word) for word in words) + r"(?!\w)"
    for match in re.finditer(pattern, text, re.IGNORECASE):
        yield match.start(), match.end()


def _own_email(text: str, context: Context) -> Iterator[tuple[int, int]]:
    if context.own_email and "@" in text:
        yield from _words_of(text, context.own_email)


def _own_names(text: str, context: Context) -> Iterator[tuple[int, int]]:
    for name in context.own_names:
        yield from _words_of(text, name)


@dataclass(frozen=True)
class DetailKind:
    """A kind of personal detail: its stored key, its labels (on the review page; on
    a queue badge), how to find it. Earlier kinds win where two findings overlap (the
    storyteller's own e-mail is that, rather than any e-mail address)."""

    key: str
    label: object  # lazy strings: translated when shown
    badge: object
    find: Callable[[str, Context], Iterator[tuple[int, int]]]


DETAIL_KINDS = (
    DetailKind(
        "own_email", _l("The storyteller’s private e-mail"), _l("private e-mail"), _own_email
    ),
    DetailKind(
        "own_name",
        _l("The storyteller’s name they chose not to show"),
        _l("hidden name"),
        _own_names,
    ),
    DetailKind("email", _l("E-mail address"), _l("e-mail"), _emails),
    DetailKind("link", _l("Link"), _l("link"), _pattern(_LINK)),
    DetailKind("id_number", _l("ID or passport number"), _l("ID number"), _pattern(_ID_NUMBER)),
    DetailKind(
        "birth_date",
        _l("Date of birth, or a date as written on an ID"),
        _l("date of birth"),
        _pattern(_BIRTH_DATE),
    ),
    DetailKind("phone", _l("Phone number"), _l("phone"), _phones),
    DetailKind("address", _l("Street address"), _l("address"), _pattern(_ADDRESS)),
)
DETAIL_LABELS = {kind.key: kind.label for kind in DETAIL_KINDS}
DETAIL_BADGES = {kind.key: kind.badge for kind in DETAIL_KINDS}
# What the queue's ?signal= takes: any personal detail, or one kind.
SIGNAL_FILTERS = ("personal", *DETAIL_LABELS)


def signal_label(kind: str) -> str:
    return str(DETAIL_LABELS.get(kind, kind))


def removed_marker(language: str | None) -> str:
    """What replaces a removed detail, in the story's own language when the site speaks
    it ("fa-AF" reads "fa"), in English otherwise."""
    primary = (language or "en").split("-")[0]
    supported = current_app.config["SUPPORTED_LOCALES"]
    with force_locale(primary if primary in supported else "en"):
        return _("[removed]")


def public_texts(story: Story) -> dict[str, str]:
    """The public fields of a story, by name (the photo's description and the
    recording's transcript when it has them)."""
    texts = {"title": story.title or "", "quote": story.quote or "", "body": story.body or ""}
    if story.photo is not None:
        texts["alt_text"] = story.photo.alt_text or ""
    if story.recording is not None:
        texts["transcript"] = story.recording.transcript or ""
    return texts


def context_for(
    author_name: str | None,
    name_display: str | None,
    contact_email: str | None,
    countries: tuple[str | None, ...],
) -> Context:
    """What the detectors know of a story: its countries (residence first: a local
    number is most likely one from where the storyteller lives now), the private
    e-mail, and the names the storyteller chose not to show."""
    names: tuple[str, ...] = ()
    words = (author_name or "").split()
    surname = " ".join(words[1:])
    if name_display != NameDisplay.FULL and sum(ch.isalpha() for ch in surname) >= 2:
        # The full name, and the surname that the first name alone leaves out; a lone
        # first name is too common a word to flag (for anonymous stories too).
        names = (" ".join(words), surname)
    regions = tuple(dict.fromkeys(country for country in countries if country))
    return Context(regions=regions, own_email=contact_email or None, own_names=names)


def context_of(story: Story) -> Context:
    return context_for(
        story.author_name,
        story.name_display,
        story.contact_email,
        (story.residence_country, story.origin_country),
    )


def find_details(texts: dict[str, str], context: Context) -> list[Finding]:
    """Every personal detail in the texts, in reading order, none overlapping another."""
    found: list[Finding] = []
    for name, value in texts.items():
        value = value[:MAX_SCANNED_CHARS]
        taken: list[tuple[int, int]] = []
        for kind in DETAIL_KINDS:
            for start, end in kind.find(value, context):
                if end <= start or any(start < b and a < end for a, b in taken):
                    continue
                taken.append((start, end))
                found.append(Finding(kind.key, name, start, end, value[start:end]))
    order = {name: i for i, name in enumerate(PUBLIC_FIELDS)}
    return sorted(found, key=lambda f: (order.get(f.field, 99), f.start))


def personal_details(story: Story) -> list[Finding]:
    return find_details(public_texts(story), context_of(story))


def detail_kinds_of(findings: list[Finding]) -> str:
    """The kinds found, as stored on the story: keys in DETAIL_KINDS order, space-separated."""
    present = {finding.kind for finding in findings}
    return " ".join(kind.key for kind in DETAIL_KINDS if kind.key in present)


# What the detectors read of a story: a change to any of them scans it again.
_SCANNED_STORY_FIELDS = (
    "title", "quote", "body", "author_name", "name_display", "contact_email",
    "origin_country", "residence_country", "photo", "recording",
)  # fmt: skip
# The rows of their own whose text is public: (model, its text field, the field's name here).
_OWN_ROWS = ((Photo, "alt_text"), (Recording, "transcript"))


def _changed(obj, names) -> bool:
    attrs = inspect(obj).attrs
    return any(attrs[name].history.has_changes() for name in names)


def _stamp_detail_kinds(session: Session, _context, _instances) -> None:
    """Keep ``Story.detail_kinds`` in step with the text, whoever changes it (the share
    form, the storyteller's edits, a moderator's edit or redaction, a name change)."""
    stories = {
        obj
        for obj in (*session.new, *session.dirty)
        if isinstance(obj, Story) and (obj in session.new or _changed(obj, _SCANNED_STORY_FIELDS))
    }
    # A photo or recording row added, changed or deleted in this flush: its story's
    # relationship may not show it yet, so its text (None: no row any more) is taken from it.
    overrides: dict[Story, dict[str, str | None]] = {}
    with session.no_autoflush:
        for row in (*session.new, *session.dirty, *session.deleted):
            field_name = next((name for model, name in _OWN_ROWS if isinstance(row, model)), None)
            if field_name is None or not row.story_id:
                continue
            gone = row in session.deleted
            if gone or row in session.new or _changed(row, (field_name, "story_id")):
                story = session.get(Story, row.story_id)
                if story is not None:
                    stories.add(story)
                    text = None if gone else (getattr(row, field_name) or "")
                    overrides.setdefault(story, {})[field_name] = text
        for story in stories - set(session.deleted):
            texts = public_texts(story)
            for field_name, text in overrides.get(story, {}).items():
                texts.pop(field_name, None)
                if text is not None:
                    texts[field_name] = text
            kinds = detail_kinds_of(find_details(texts, context_of(story)))
            if (story.detail_kinds or "") != kinds:
                story.detail_kinds = kinds


def init_app(app) -> None:
    listen_once(db.session, (("before_flush", _stamp_detail_kinds),))


def has_detail(kind: str):
    """The queue's filter: stories with any personal detail ("personal"), or one kind."""
    if kind == "personal":
        return Story.detail_kinds != ""
    return (literal(" ") + Story.detail_kinds + literal(" ")).like(f"% {kind} %")


# Watch words, length, duplicates ------------------------------------------------


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
    details: list[Finding] = field(default_factory=list)  # personal details, in reading order
    watch_words: list[str] = field(default_factory=list)  # the ones found in the text
    too_short: bool = False
    too_long: bool = False
    duplicates: list[tuple[Story, float]] = field(default_factory=list)
    # The language its text seems to be in, when not the one chosen (Story.proposed_language).
    language_seems: str | None = None

    @property
    def any(self) -> bool:
        return bool(
            self.details
            or self.watch_words
            or self.too_short
            or self.too_long
            or self.duplicates
            or self.language_seems
        )

    def details_in(self, name: str) -> list[Finding]:
        return [finding for finding in self.details if finding.field == name]


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
    # Each word with the ones after it; zip stops where the last whole shingle ends.
    return set(zip(*(words[i:] for i in range(SHINGLE_SIZE)), strict=False))


def similarity(a: set, b: set) -> float:
    """Jaccard similarity of two shingle sets."""
    if not a or not b:
        return 0.0
    return len(a & b) / len(a | b)


def likely_duplicates(story: Story, threshold: float) -> list[tuple[Story, float]]:
    """The (at most five) stories among the newest DUPLICATE_CANDIDATES whose text is
    most like this one's, most alike first.

    The newest by id, which grows with every story shared: the primary key read
    backwards stops after the candidates, where ordering by the date had no index to
    stop at and sorted every story on each review page (120 ms at 20,000 stories,
    growing with them). Their texts are read as plain rows; only the matches become
    stories.
    """
    mine = shingles(f"{story.title}\n{story.body}")
    candidates = db.session.execute(
        select(Story.id, Story.title, Story.body)
        .where(Story.id != story.id, Story.status != StoryStatus.WITHDRAWN)
        .order_by(Story.id.desc())
        .limit(DUPLICATE_CANDIDATES)
    )
    scores = {}
    for other_id, title, body in candidates:
        score = similarity(mine, shingles(f"{title}\n{body}"))
        if score >= threshold:
            scores[other_id] = score
    best = sorted(scores, key=lambda other_id: (-scores[other_id], -other_id))[:5]
    stories = {
        other.id: other for other in db.session.scalars(select(Story).where(Story.id.in_(best)))
    }
    return [(stories[other_id], scores[other_id]) for other_id in best if other_id in stories]


def signals_for(story: Story, watch_words: list[str], config) -> Signals:
    transcript = story.recording.transcript if story.recording is not None else ""
    text = f"{story.title}\n{story.quote or ''}\n{story.body}\n{transcript or ''}"
    pattern = _watch_pattern(watch_words)
    found_words = sorted({m.group(0).casefold() for m in pattern.finditer(text)}) if pattern else []
    details = personal_details(story)
    return Signals(
        details=details,
        watch_words=found_words,
        # A voice story may have no written text at all.
        too_short=story.recording is None and len(story.body) < config["SHORT_STORY_CHARS"],
        too_long=len(story.body) > config["LONG_STORY_CHARS"],
        duplicates=likely_duplicates(story, config["DUPLICATE_SIMILARITY"]),
        language_seems=story.proposed_language,
    )


def _marks(value: str, pattern: re.Pattern | None, findings: list[Finding]):
    """(start, end, finding or None) for every span to mark, none overlapping; a
    personal detail wins over a watch word it overlaps."""
    marks = [(f.start, f.end, f) for f in findings if f.end <= len(value)]
    if pattern is not None:
        for match in pattern.finditer(value):
            if not any(match.start() < end and start < match.end() for start, end, _ in marks):
                marks.append((match.start(), match.end(), None))
    return sorted(marks, key=lambda mark: mark[0])


def _marked(value: str, start: int, end: int, marks) -> Markup:
    """value[start:end], escaped, with the marks inside it wrapped in <mark>."""
    out = Markup("")
    position = start
    for mark_start, mark_end, finding in marks:
        mark_start, mark_end = max(mark_start, start), min(mark_end, end)
        if mark_start >= mark_end:
            continue
        out += escape(value[position:mark_start])
        if finding is None:
            out += Markup('<mark class="watch">%s</mark>') % value[mark_start:mark_end]
        else:  # a detail over two lines: the anchor on its first part only
            anchor = Markup(' id="%s"') % finding.anchor if mark_start == finding.start else ""
            out += Markup('<mark class="detail"%s title="%s">%s</mark>') % (
                anchor,
                DETAIL_LABELS[finding.kind],
                value[mark_start:mark_end],
            )
        position = mark_end
    return out + escape(value[position:end])


def highlighted_line(value: str, findings: list[Finding] = ()) -> Markup:
    """One line of text (a title, a quote, a photo's description), details marked."""
    value = value or ""
    return _marked(value, 0, len(value), _marks(value, None, list(findings)))


def highlighted_paragraphs(
    value: str, watch_words: list[str], findings: list[Finding] = ()
) -> Markup:
    """Like the ``paragraphs`` filter, with watch-list words and personal details
    (``findings`` of this text) marked; everything escaped."""
    value = value or ""
    marks = _marks(value, _watch_pattern(watch_words), list(findings))
    paragraphs = []
    start = 0
    for separator in [*_BLANK_LINES.finditer(value), None]:
        end = separator.start() if separator else len(value)
        block = value[start:end]
        if block.strip():  # the block without the spaces around it, as ``paragraphs`` has it
            first = start + len(block) - len(block.lstrip())
            lines, line_start = [], first
            for line in block.strip().split("\n"):
                lines.append(_marked(value, line_start, line_start + len(line), marks))
                line_start += len(line) + 1
            paragraphs.append(Markup("<p>") + Markup("<br>\n").join(lines) + Markup("</p>"))
        start = separator.end() if separator else end
    return Markup("\n").join(paragraphs)
