"""Reusable XSS checks: the payload list, a scan of rendered HTML, checks for
feeds, JSON, oEmbed and e-mail, and ``PayloadSite``, which puts every payload
through every text field (used by tests/test_xss.py and
tests/browser/test_xss_browser.py).

``assert_no_xss(html, payloads)`` fails when a page holds a payload
unescaped, or anything that would run script: an inline or foreign
``<script>``, an event-handler attribute, a ``javascript:``/``vbscript:``/
``data:`` URL where a browser would follow it, a ``srcdoc``, a ``style``
attribute, or an element that loads other documents (iframe, object, embed,
base, frame, portal, meta refresh).
"""

import io
import re
import time
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path
from xml.etree import ElementTree

from campaign.extensions import db
from campaign.models import Photo, Story, StoryRevision
from campaign.submissions.services import new_stamp, story_for_token
from campaign.text import clean_line, clean_text
from tests.factories import make_story
from tests.images import jpeg

PAYLOADS_FILE = Path(__file__).parent / "data" / "xss_payloads.txt"

URL_ATTRIBUTES = {
    "href",
    "src",
    "action",
    "formaction",
    "xlink:href",
    "data",
    "background",
    "poster",
    "lowsrc",
    "dynsrc",
    "codebase",
    "cite",
}
FORBIDDEN_ELEMENTS = {"iframe", "object", "embed", "base", "frame", "frameset", "portal", "applet"}
SAFE_DATA_IMAGES = re.compile(r"^data:image/(png|jpeg|gif|webp|avif);", re.IGNORECASE)
_INVISIBLE = re.compile(r"[\x00-\x20\x7f]+")


def load_payloads() -> list[str]:
    payloads = []
    for line in PAYLOADS_FILE.read_text(encoding="utf-8").splitlines():
        if line.strip() and not line.startswith("# "):
            payloads.append(line)
    return payloads


class _Scanner(HTMLParser):
    def __init__(self, script_prefix: str):
        super().__init__(convert_charrefs=True)
        self.script_prefix = script_prefix
        self.problems: list[str] = []
        self._in_script = False

    def handle_starttag(self, tag, attrs):
        self._check(tag, attrs)

    def handle_startendtag(self, tag, attrs):
        self._check(tag, attrs)

    def _check(self, tag, attrs):
        attributes = dict(attrs)
        where = self.get_starttag_text() or tag
        if tag == "script":
            src = attributes.get("src") or ""
            if not src.startswith(self.script_prefix):
                self.problems.append(f"script not from {self.script_prefix}: {where}")
            self._in_script = True
        if tag in FORBIDDEN_ELEMENTS:
            self.problems.append(f"element that loads documents: {where}")
        if tag == "meta" and (attributes.get("http-equiv") or "").lower() == "refresh":
            self.problems.append(f"meta refresh: {where}")
        for name, value in attrs:
            name = name.lower()
            if name.startswith("on"):
                self.problems.append(f"event handler {name}: {where}")
            elif name in ("srcdoc", "style"):
                self.problems.append(f"{name} attribute: {where}")
            elif name in URL_ATTRIBUTES and value:
                url = _INVISIBLE.sub("", value).lower()
                if url.startswith(("javascript:", "vbscript:")):
                    self.problems.append(f"script URL in {name}: {where}")
                elif (
                    url.startswith("data:")
                    and not (tag == "img" and name == "src" and SAFE_DATA_IMAGES.match(url))
                    and url != "data:,"  # the site's own empty favicon: no content at all
                ):
                    self.problems.append(f"data: URL in {name}: {where}")

    def handle_endtag(self, tag):
        if tag == "script":
            self._in_script = False

    def handle_data(self, data):
        if self._in_script and data.strip():
            self.problems.append(f"inline script: {data[:80]!r}")


def find_xss(html: str, payloads=(), *, script_prefix: str = "/static/") -> list[str]:
    """Every way this page could run a payload; empty when it is safe."""
    scanner = _Scanner(script_prefix)
    scanner.feed(html)
    scanner.close()
    problems = scanner.problems
    for payload in payloads:
        # Text with markup or quotes must never come back verbatim: Jinja
        # escapes < > & " ', so a verbatim copy means something skipped escaping.
        if any(c in payload for c in "<>\"'") and payload in html:
            problems.append(f"payload unescaped: {payload}")
    return problems


def assert_no_xss(html: str, payloads=(), **options) -> None:
    problems = find_xss(html, payloads, **options)
    assert not problems, "\n".join(problems)


# --- Payloads spread over every text field --------------------------------------------
#
# Each field gets the payloads in batches that fit its maximum length; story n
# carries batch n of every field, so every payload goes through every field it
# fits, in a few dozen stories rather than one story per payload and field.


@dataclass(frozen=True)
class Field:
    limit: int
    multiline: bool = False
    private: bool = False  # never shown to the public: marked so a leak is caught
    edit: bool = False  # a moderator's edit: marked so it always changes the text


FIELDS = {
    # What the storyteller types on the share form.
    "title": Field(200),
    "quote": Field(200),
    "body": Field(1500, multiline=True),
    "author_name": Field(100),
    "photo_alt": Field(500),
    "helper_relationship": Field(100, private=True),
    # What moderators type on the review page, and visitors on the report form.
    "edit_title": Field(edit=True, limit=200),
    "edit_quote": Field(edit=True, limit=300),
    "edit_body": Field(1500, multiline=True, edit=True),
    "message": Field(4000, multiline=True, private=True),
    "note": Field(2000, multiline=True, private=True),
    "report": Field(2000, multiline=True, private=True),
}
SHARE_FIELDS = ("title", "quote", "body", "author_name", "photo_alt", "helper_relationship")
PRIVATE_MARK = "xssprivate"
# Rate limits high enough for a hundred stories from one address.
GENEROUS_LIMITS = {
    "SHARE_RATE_LIMIT": "1000 per hour",
    "REPORT_LIMIT": "1000 per hour",
    "TOKEN_LOOKUP_RATE_LIMIT": "1000 per minute",
    "API_RATE_LIMIT": "1000 per minute",
}
FILLER = "A story long enough to be accepted by the form, told in plain words."


def _prefix(name: str) -> str:
    if FIELDS[name].private:
        return f"{PRIVATE_MARK} "
    return "Edited " if FIELDS[name].edit else ""


def _stored_length(name: str, text: str) -> int:
    """The length the form checks: of the text once cleaned, as it would be stored."""
    return len((clean_text if FIELDS[name].multiline else clean_line)(text))


def _batches(payloads: list[str], name: str) -> list[list[str]]:
    field = FIELDS[name]
    separator = "\n\n" if field.multiline else " "
    room = field.limit - len(_prefix(name))
    batches: list[list[str]] = []
    # First fit, longest first: few batches, so few stories.
    for payload in sorted(payloads, key=len, reverse=True):
        if _stored_length(name, payload) > room:
            continue  # refused by the form: see oversized()
        for batch in batches:
            # Raw lengths: cleaning never lengthens, so a joined batch fits too.
            if len(separator.join([*batch, payload])) <= room:
                batch.append(payload)
                break
        else:
            batches.append([payload])
    return batches


def spread(payloads: list[str]) -> list[dict[str, list[str]]]:
    """Per story, the payloads for each field; a field out of batches gets none."""
    per_field = {name: _batches(payloads, name) for name in FIELDS}
    count = max(len(batches) for batches in per_field.values())
    return [
        {name: batches[n] for name, batches in per_field.items() if n < len(batches)}
        for n in range(count)
    ]


def oversized(payloads: list[str]) -> dict[str, list[str]]:
    """The payloads longer than a share field allows once cleaned (the limits count the
    text that would be stored): the form refuses and shows them again."""
    return {
        name: [
            p for p in payloads if _stored_length(name, p) > FIELDS[name].limit - len(_prefix(name))
        ]
        for name in SHARE_FIELDS
    }


def coverage(plan: list[dict[str, list[str]]]) -> set[tuple[str, str]]:
    return {(payload, name) for story in plan for name, batch in story.items() for payload in batch}


def text_for(name: str, batch: list[str], number: int) -> str:
    """The text typed into a field: the payloads, marked if private; stories get a filler."""
    field = FIELDS[name]
    text = ("\n\n" if field.multiline else " ").join(batch)
    if name in ("body", "edit_body"):
        # At least STORY_MIN_CHARS even when cleaning strips every payload.
        text = f"{text}\n\n{FILLER}".strip()
    elif not clean_line(text) and name in ("title", "edit_title", "author_name", "message"):
        # Required fields, even when cleaning strips every payload.
        text = f"{text} Plain {name} {number}".strip()
    return f"{_prefix(name)}{text}" if text else ""


# --- Other surfaces: feeds, JSON, oEmbed, e-mail ---------------------------------------

ATOM = "{http://www.w3.org/2005/Atom}"


def assert_atom_safe(xml: bytes, payloads=()) -> list[str]:
    """Text constructs hold text only; HTML content is escaped HTML. Returns the entry titles."""
    # Our own feed, parsed in a test: well-formed means nothing broke out of an element.
    root = ElementTree.fromstring(xml)  # noqa: S314
    assert root.tag == f"{ATOM}feed"
    for element in root.iter():
        assert element.tag.startswith(ATOM), f"foreign element {element.tag}"
    titles = []
    for entry in root.iter(f"{ATOM}entry"):
        for name in ("title", "summary"):
            for element in entry.iter(f"{ATOM}{name}"):
                # A text construct a reader shows as text, never as markup.
                assert element.get("type", "text") == "text", element.attrib
                assert len(element) == 0
        for element in entry.iter(f"{ATOM}content"):
            assert element.get("type") == "html" and len(element) == 0
            assert_no_xss(element.text or "", payloads)
        titles.append(entry.find(f"{ATOM}title").text or "")
    return titles


def assert_json_data(response) -> object:
    """JSON, never sniffed as HTML; returns the parsed data."""
    assert response.mimetype == "application/json", response.mimetype
    assert response.headers.get("X-Content-Type-Options") == "nosniff"
    return response.get_json()


class _Attributes(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict]] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))


def assert_oembed_html_safe(html: str, src: str, title: str) -> None:
    """Exactly our iframe and our partner script: the title only as an escaped attribute value."""
    parser = _Attributes()
    parser.feed(html)
    parser.close()
    frame = {
        "src": src,
        "width": "600",
        "height": "560",
        "title": title,
        "loading": "lazy",
        "style": "inline-size:100%;max-inline-size:600px;border:0",
    }
    script = {"src": "http://localhost/static/js/embed.js", "async": None}
    assert parser.tags == [("iframe", frame), ("script", script)], html
    assert html.endswith("></script>")


def assert_email_safe(message, payloads=()) -> str:
    """Plain text only (an HTML part would be checked like a page); returns the text."""
    texts = []
    for part in message.walk():
        if part.is_multipart():
            continue
        kind = part.get_content_type()
        assert kind in ("text/plain", "text/html"), kind
        if kind == "text/html":
            assert_no_xss(part.get_content(), payloads)
        texts.append(part.get_content())
    for header in ("Subject", "To", "From"):
        assert "\n" not in str(message[header]) and "<script" not in str(message[header]).lower()
    return "\n".join(texts)


# --- A site full of payload stories, made the way people make them ---------------------


@dataclass
class PayloadStory:
    number: int
    values: dict  # field name -> the text typed into it
    id: int = 0
    slug: str = ""
    token: str = ""
    raw: bool = False  # written straight to the database, skipping the cleaning on input


def share_form(values: dict, number: int, **changes) -> dict:
    """The share form filled in with these texts, as a browser sends it."""
    data = {
        "title": values["title"],
        "quote": values["quote"],
        "body": values["body"],
        "name_display": "full",
        "author_name": values["author_name"],
        "origin_country": "IQ",
        "residence_country": "FI",
        "language": "en",
        "contact_email": f"teller{number}@example.org",
        "send_link": "y",
        "on_behalf": "y",
        "helper_relationship": values["helper_relationship"],
        "photo_alt": values["photo_alt"],
        "age_confirmed": "y",
        "consent": "y",
        "stamp": new_stamp(shown_at=time.time() - 60),
        **changes,
    }
    return {key: value for key, value in data.items() if value is not None}


class PayloadSite:
    """Drives a test client (signed in as a moderator, CSRF off) through the real forms.

    ``submit`` shares one story per batch through /share (and writes the same
    texts straight into the database for a second, "raw" story: output
    escaping must hold even for text the input cleaning never saw);
    ``request_changes`` asks for changes with a payload message and note;
    ``edit`` makes a moderator edit, so a revision diff exists; ``publish``
    approves and files a visitor report with a payload message.
    """

    def __init__(self, client, payloads: list[str]):
        self.client = client
        self.payloads = payloads
        self.plan = spread(payloads)
        self.stories: list[PayloadStory] = []
        self.published = False

    def _fresh(self, story: PayloadStory):
        db.session.expire_all()
        return db.session.get(Story, story.id)

    def _post(self, path: str, data: dict, expect: int = 303):
        response = self.client.post(path, data=data, content_type="multipart/form-data")
        assert response.status_code == expect, (path, response.get_data(as_text=True)[:2000])
        return response

    def submit(self) -> None:
        for number, batches in enumerate(self.plan):
            values = {name: text_for(name, batches.get(name, []), number) for name in FIELDS}
            data = share_form(values, number)
            if batches.get("photo_alt"):
                data["photo"] = (io.BytesIO(jpeg(size=(64, 48))), "photo.jpg")
            self._post("/share", data)
            thanks = self.client.get("/share/thanks").get_data(as_text=True)
            token = re.search(r'href="[^"]*/my-story/([^"]+)"', thanks).group(1)
            found = story_for_token(token)
            story = PayloadStory(number, values, found.id, found.slug, token)
            self.stories += [story, self._raw_copy(story)]

    def _raw_copy(self, story: PayloadStory) -> PayloadStory:
        """The same texts, stored as typed: only output escaping stands in their way."""
        values = story.values
        copy = make_story(
            title="raw", origin_country="SY", contact_email=f"raw{story.number}@example.org"
        )
        copy.title, copy.quote, copy.body = values["title"], values["quote"], values["body"]
        copy.author_name, copy.name_display = values["author_name"], "full"
        copy.on_behalf, copy.helper_relationship = True, values["helper_relationship"]
        original = self._fresh(story)
        if original.photo is not None:
            # The same files, so the page loads a real image.
            copy.photo = Photo(
                alt_text=values["photo_alt"],
                width=original.photo.width,
                height=original.photo.height,
                renditions=original.photo.renditions,
            )
        db.session.commit()
        return PayloadStory(story.number, values, copy.id, copy.slug, copy.token, raw=True)

    def request_changes(self) -> None:
        for story in self.stories:
            self._post(
                f"/moderate/stories/{story.id}",
                {
                    "decision": "request_changes",
                    "message": story.values["message"],
                    "note": story.values["note"],
                    "version": self._fresh(story).version,
                },
            )

    def edit(self) -> None:
        for story in self.stories:
            values = story.values
            if story.raw:
                self._raw_revisions(story)
                continue
            self._post(
                f"/moderate/stories/{story.id}/edit",
                {
                    "title": values["edit_title"],
                    "quote": values["edit_quote"],
                    "body": values["edit_body"],
                    "version": self._fresh(story).version,
                },
            )

    def _raw_revisions(self, story: PayloadStory) -> None:
        """A moderator edit stored as typed (the edit form would clean it)."""
        current = self._fresh(story)
        for name in ("title", "quote", "body"):
            new = story.values[f"edit_{name}"]
            old = story.values[name]
            db.session.add(StoryRevision(story_id=story.id, field=name, old_text=old, new_text=new))
            setattr(current, name, new)
        db.session.commit()

    def publish(self) -> None:
        for story in self.stories:
            self._post(
                f"/moderate/stories/{story.id}",
                {"decision": "approve", "version": self._fresh(story).version},
            )
            current = self._fresh(story)
            story.slug = current.slug
            self._post(
                f"/stories/{story.slug}/report",
                {"reason": "other", "message": story.values["report"]},
            )
        self.published = True

    def covered(self) -> set[tuple[str, str]]:
        return coverage(self.plan)


class FakeSMTP:
    """Stands in for smtplib.SMTP: keeps each message that campaign.mail builds."""

    sent: list = []

    def __init__(self, *args, **kwargs):
        pass

    def __enter__(self):
        return self

    def __exit__(self, *exc_info):
        return False

    def send_message(self, message):
        self.sent.append(message)
