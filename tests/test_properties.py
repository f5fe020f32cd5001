"""No input is a 500: property-based tests over the URL space and the forms (issue 14, finding 11).

Hypothesis makes up the requests: every GET route of ``app.url_map`` with
generated path values, under a language prefix or not, with query parameters
the app reads (and others), and the forms of storytellers, visitors,
moderators and admins POSTed with some fields replaced by generated values.
The values lean towards what broke before: NUL and other control characters,
numbers in other scripts (``²``, ``١٠``), numbers beyond any integer column,
the ends of the calendar, cursors naming impossible ids, markup, bidi
controls, any Unicode. Every answer must be below 500, on both databases.

The runs are derandomized (the same examples every time, so CI is stable)
and small (a few hundred requests per database).
"""

import base64
import json
import re
import time
from urllib.parse import quote

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from campaign.extensions import db
from campaign.models import Story, Translation, TranslationStatus
from campaign.submissions.services import new_stamp
from tests.api.stories import make_theme, public_story
from tests.factories import PASSWORD, make_moderator, make_story, make_translation
from tests.submissions.helpers import VALID as SHARE_FORM

pytestmark = [pytest.mark.both_databases, pytest.mark.slow]


def examples(number: int):
    return settings(
        max_examples=number,
        deadline=None,
        derandomize=True,
        database=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    )


@pytest.fixture
def config_overrides():
    # Limits would answer 429 before the input reaches the code under test.
    return {"RATELIMIT_ENABLED": False, "PROPAGATE_EXCEPTIONS": False}


def _cursor(parts) -> str:
    raw = json.dumps(list(parts), separators=(",", ":"))
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


BIG = st.integers(min_value=-(2**70), max_value=2**70)
cursors = st.tuples(
    st.sampled_from(["newest", "oldest", "relevance", "x"]),
    BIG,
    st.sampled_from(
        ["2024-01-01T00:00:00+00:00", "0001-01-01T00:00:00+14:00", "9999-12-31T23:59:59-12:00"]
    ),
    BIG,
).map(_cursor)
# What broke before, and its neighbours.
KNOWN_BAD = [
    "",
    " ",
    "\x00",
    "a\x00b",
    "\x01\x1f\x7f",
    "²",
    "١٠",
    "٣",
    "0",
    "-1",
    "1e9",
    "2147483648",
    "9223372036854775808",
    "99999999999999999999",
    "9999-12-31",
    "0001-01-01",
    "2024-02-30",
    "٢٠٢٤-٠١-٠١",
    "%00",
    "%%%",
    "../../etc/passwd",
    "<svg onload=alert(1)>",
    "&lt;b&gt;",
    "ß",
    "ıs",
    "\u202eevil",
    "\ufffe\uffff",
    "newest",
    "relevance",
    "json",
    "xml",
    "http://localhost/stories/x",
    "http://localhost/fr/stories/%D8%A7",
]
# Drawn as often as everything else together: a bug hides behind one value in a million.
values = st.one_of(
    st.sampled_from(KNOWN_BAD),
    st.sampled_from(KNOWN_BAD),
    st.sampled_from(KNOWN_BAD),
    st.text(max_size=30),
    BIG.map(str),
    cursors,
)

# Every parameter the app reads from a query string, and one it does not.
QUERY_NAMES = [
    "page", "limit", "cursor", "after", "since", "until", "story", "actor", "q", "theme",
    "language", "lang", "origin", "residence", "country", "sort", "tab", "format", "url",
    "maxwidth", "maxheight", "action", "next", "x",
]  # fmt: skip
queries = st.one_of(
    # Every parameter at once, all with one value: whichever the route reads gets it.
    values.map(lambda value: dict.fromkeys(QUERY_NAMES, value)),
    st.dictionaries(st.sampled_from(QUERY_NAMES), values, max_size=6),
)
prefixes = st.sampled_from(["", "", "/fr", "/ar"])

_ARGUMENT = re.compile(r"<(?:(\w+)(?:\([^)]*\))?:)?(\w+)>")


@pytest.fixture
def world(app, db, mail_sent):
    """Stories in every state a URL can name, a theme, an admin signed in, a visitor."""
    theme = make_theme("work", "Work")
    published = public_story(title="رحلتي إلى برلين", themes=[theme])
    pending = make_story(title="Моя дорога до Львова")
    admin = make_moderator(admin=True, reads="fr")
    # The translation desk: the admin's own draft, and another volunteer's to review.
    volunteer = make_moderator(can_moderate=False, reads="es")
    draft = make_translation(published, "fr", TranslationStatus.DRAFT, translator=admin)
    to_review = make_translation(published, "es", TranslationStatus.IN_REVIEW, translator=volunteer)
    signed_in = app.test_client()
    response = signed_in.post("/login", data={"email": admin.email, "password": PASSWORD})
    assert response.status_code == 303
    return {
        "admin": signed_in,
        "visitor": app.test_client(),
        "published": published,
        "pending": pending,
        "draft": draft.id,
        "to_review": to_review.id,
        "admin_id": admin.id,
        "ids": [str(published.id), str(pending.id)],
        "slugs": [published.slug, "work", "SY", "en", "a.webp"],
        "tokens": [pending.token],
    }


def _path_values(world):
    return st.one_of(
        values,
        st.sampled_from(world["ids"] + world["slugs"] + world["tokens"]),
    )


def _path(rule: str, generated: dict) -> str:
    return _ARGUMENT.sub(lambda match: quote(generated[match.group(2)], safe=""), rule)


def _assert_no_server_error(response, what: str) -> None:
    status = response.status_code
    oembed_format = status == 501 and response.get_json()["error"]["message"]  # oEmbed's rule
    response.close()
    db.session.remove()
    assert status < 500 or oembed_format, f"{what} answered {status}"


def test_no_address_with_any_path_or_query_values_is_a_server_error(app, world):
    rules = sorted(
        (rule for rule in app.url_map.iter_rules() if "GET" in rule.methods),
        key=lambda rule: rule.rule,
    )
    assert len(rules) > 30
    for rule in rules:  # each route gets its own examples: none is left to chance
        _route_check(world, rule)()


def _route_check(world, rule):
    path_values = _path_values(world)

    @examples(12)
    @given(
        generated=st.fixed_dictionaries({name: path_values for name in rule.arguments}),
        prefix=prefixes,
        query=queries,
    )
    def check(generated, prefix, query):
        path = prefix + _path(rule.rule, generated)
        for who in ("visitor", "admin"):
            response = world[who].get(path, query_string=query)
            _assert_no_server_error(response, f"{who} GET {path} {query!r}")

    return check


def _forms(world) -> list[tuple[str, str, dict]]:
    """(who, path, a valid form): each POSTed with some fields replaced."""
    published, pending = world["published"], world["pending"]

    def version(story: Story):
        story_id = story.id  # the instance leaves the session after each request
        return lambda: str(db.session.get(Story, story_id).version)

    share = {**SHARE_FORM, "stamp": lambda: new_stamp(shown_at=time.time() - 60)}
    details = {key: SHARE_FORM[key] for key in ("title", "quote", "body", "name_display")}
    return [
        ("visitor", "/share", share),
        ("visitor", f"/stories/{published.slug}/report", {"reason": "other", "message": "Hm"}),
        ("visitor", f"/my-story/{pending.token}/edit", {**details, "language": "en"}),
        ("visitor", f"/my-story/{pending.token}/name", {"name_display": "first"}),
        ("visitor", "/login", {"email": "nobody@example.org", "password": "x" * 12}),
        (
            "admin",
            f"/moderate/stories/{pending.id}",
            {"decision": "approve", "version": version(pending), "note": "", "message": ""},
        ),
        (
            "admin",
            f"/moderate/stories/{published.id}/edit",
            {**{k: details[k] for k in ("title", "quote", "body")}, "version": version(published)},
        ),
        ("admin", f"/moderate/stories/{published.id}/feature", {"version": version(published)}),
        (
            "admin",
            "/moderate/bulk",
            {"story_ids": str(pending.id), "action": "reject", "reason": "other", "back": ""},
        ),
        ("admin", "/moderate/admin/themes", {"name": "Family"}),
        ("admin", "/moderate/admin/moderators", {"email": "new@example.org"}),
        ("admin", "/moderate/admin/settings", {"watch_words": "border"}),
        (
            "admin",
            f"/translate/{world['draft']}",
            {
                "version": translation_version(world["draft"]),
                "action": "save",
                "title": "Un titre",
                "quote": "",
                "body": "Un texte.",
                "alt_text": "",
            },
        ),
        (
            "admin",
            f"/translate/{world['to_review']}/send-back",
            {"version": translation_version(world["to_review"]), "note": "Encore"},
        ),
        (
            "admin",
            f"/translate/stories/{published.id}/start",
            {"language": "fr"},
        ),
        (
            "admin",
            f"/moderate/admin/moderators/{world['admin_id']}/role",
            {
                f"account-{world['admin_id']}-role": "moderator",
                f"account-{world['admin_id']}-languages": "fr",
            },
        ),
    ]


def translation_version(translation_id: int):
    """The translation's version now (it rises with every save)."""
    return lambda: str(db.session.get(Translation, translation_id).version)


def test_no_form_with_any_values_is_a_server_error(app, world):
    for who, path, valid in _forms(world):  # each form gets its own examples
        _form_check(world, who, path, valid)()


def _form_check(world, who: str, path: str, valid: dict):
    @examples(25)
    @given(data=st.data())
    def check(data):
        form = {name: value() if callable(value) else value for name, value in valid.items()}
        changed = data.draw(st.sets(st.sampled_from(sorted(form)), min_size=1, max_size=3))
        for name in changed:
            # One value, several (as checkboxes send them), or the field left out.
            form[name] = data.draw(
                st.one_of(values, st.lists(values, min_size=2, max_size=3), st.none())
            )
        sent = {name: value for name, value in form.items() if value is not None}
        response = world[who].post(path, data=sent)
        _assert_no_server_error(response, f"{who} POST {path} {sent!r}")

    return check
