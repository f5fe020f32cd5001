"""Personal details in a story's public text: found in each of the seven languages,
never in ordinary text, cheap on hostile text; marked on the review page, removed
with one click (a revision and an audit entry), badged and filtered in the queue."""

import itertools
import re
import signal
from contextlib import contextmanager
from re import _constants as sre_constants
from re import _parser as sre_parse

import pytest
from flask_migrate import upgrade
from sqlalchemy import MetaData, insert, select

from campaign.extensions import db as _db
from campaign.models import AuditEntry, NameDisplay, Photo, Story, StoryRevision
from campaign.models._types import utcnow
from campaign.moderation import signals
from campaign.moderation.signals import (
    DETAIL_KINDS,
    MAX_SCANNED_CHARS,
    Context,
    context_for,
    find_details,
)
from campaign.ops.demo import ORIGINS, PHRASES, RESIDENCES, SAMPLES
from tests.factories import PASSWORD, make_story
from tests.helpers import app_to_migrate
from tests.moderation.ordinary_texts import ORDINARY

# Where a storyteller writing each language may live and come from: a local number
# is read against these (the story's residence and origin countries).
REGIONS = {
    "en": ("GB", "SY"),
    "fr": ("FR", "AF"),
    "es": ("ES", "VE"),
    "fi": ("FI", "IQ"),
    "uk": ("UA", "DE"),
    "ar": ("SY", "DE"),
    "fa": ("IR", "AF"),
}

# (language, kind) -> a sentence with one detail of that kind, and the detail.
DETAILS = {
    ("en", "phone"): ("Call me on 07911 123456 after work.", "07911 123456"),
    ("en", "email"): ("Write to amina.h@mail.co.uk please.", "amina.h@mail.co.uk"),
    ("en", "address"): ("We lived at 12 Baker Street for a year.", "12 Baker Street"),
    ("en", "link"): ("My blog is https://example.org/amina too.", "https://example.org/amina"),
    ("en", "birth_date"): ("I was born on 12 March 1990 in Aleppo.", "born on 12 March 1990"),
    ("en", "id_number"): ("My passport number is AB1234567.", "AB1234567"),
    ("fr", "phone"): ("Appelez-moi au 06 12 34 56 78 le soir.", "06 12 34 56 78"),
    ("fr", "email"): ("Écrivez-moi à marie.dupont@exemple.fr.", "marie.dupont@exemple.fr"),
    ("fr", "address"): ("J'habite rue de la Paix 3 depuis deux ans.", "rue de la Paix 3"),
    ("fr", "link"): ("Mon site : www.mon-histoire.fr, venez.", "www.mon-histoire.fr,"),
    ("fr", "birth_date"): ("Je suis née le 3 mai 1985 à Hérat.", "née le 3 mai 1985"),
    ("fr", "id_number"): ("Mon passeport : 12AB34567, perdu.", "12AB34567"),
    ("es", "phone"): ("Llámame al 612 34 56 78 por la tarde.", "612 34 56 78"),
    ("es", "email"): ("Mi correo es lucia.gomez@correo.es.", "lucia.gomez@correo.es"),
    ("es", "address"): ("Vivo en la Calle Mayor 5, segundo piso.", "Calle Mayor 5"),
    ("es", "link"): ("Mi página es www.mihistoria.es/lucia.", "www.mihistoria.es/lucia."),
    ("es", "birth_date"): ("Nací el 5 de mayo de 1990 en Caracas.", "Nací el 5 de mayo de 1990"),
    ("es", "id_number"): ("Mi pasaporte es PAB123456.", "PAB123456"),
    ("fi", "phone"): ("Soita numeroon 040 123 4567 illalla.", "040 123 4567"),
    ("fi", "email"): ("Sähköpostini on sami.k@posti.fi.", "sami.k@posti.fi"),
    ("fi", "address"): ("Asun osoitteessa Mannerheimintie 12 Helsingissä.", "Mannerheimintie 12"),
    ("fi", "link"): ("Blogini on osoitteessa www.tarinani.fi.", "www.tarinani.fi."),
    ("fi", "birth_date"): ("Synnyin 12.3.1990 Bagdadissa.", "Synnyin 12.3.1990"),
    ("fi", "id_number"): ("Henkilötunnukseni on 131052-308T.", "131052-308T"),
    ("uk", "phone"): ("Мій телефон 067 123 4567, дзвоніть.", "067 123 4567"),
    ("uk", "email"): ("Пишіть на olena.k@poshta.ua.", "olena.k@poshta.ua"),
    ("uk", "address"): ("Я жила на вул. Шевченка 5 у Харкові.", "вул. Шевченка 5"),
    ("uk", "link"): (
        "Мій блог: https://moia-istoriia.ua/olena.",
        "https://moia-istoriia.ua/olena.",
    ),
    ("uk", "birth_date"): ("Я народилася 12 березня 1990 року.", "народилася 12 березня 1990"),
    ("uk", "id_number"): ("Мій паспорт АА123456.", "АА123456"),
    ("ar", "phone"): ("رقمي ٠٩٤٤١٢٣٤٥٦ اتصل بي.", "٠٩٤٤١٢٣٤٥٦"),
    ("ar", "email"): ("راسلني على ali.hassan@example.com رجاءً.", "ali.hassan@example.com"),
    ("ar", "address"): ("كنت أسكن في شارع الحمرا ١٢ في بيروت.", "شارع الحمرا ١٢"),
    ("ar", "link"): ("مدونتي www.qissati.org هنا.", "www.qissati.org"),
    ("ar", "birth_date"): ("ولدت في ١٢/٠٣/١٩٩٠ في حلب.", "ولدت في ١٢/٠٣/١٩٩٠"),
    ("ar", "id_number"): ("رقم جواز السفر N12345678 ضاع.", "N12345678"),
    ("fa", "phone"): ("شماره من ۰۹۱۲۳۴۵۶۷۸۹ است.", "۰۹۱۲۳۴۵۶۷۸۹"),
    ("fa", "email"): ("ایمیل من reza.ahmadi@example.com است.", "reza.ahmadi@example.com"),
    ("fa", "address"): ("در خیابان آزادی پلاک ۱۲ زندگی می‌کردیم.", "خیابان آزادی پلاک ۱۲"),
    ("fa", "link"): ("وبلاگ من www.dastan.ir است.", "www.dastan.ir"),
    ("fa", "birth_date"): ("تاریخ تولد من ۱۳۷۰/۰۱/۱۲ است.", "تاریخ تولد من ۱۳۷۰/۰۱/۱۲"),
    ("fa", "id_number"): ("شماره پاسپورت من K12345678 است.", "K12345678"),
}


def _context(language: str, **overrides) -> Context:
    return Context(
        regions=REGIONS[language],
        own_email=overrides.get("own_email"),
        own_names=overrides.get("own_names", ()),
    )


@pytest.mark.parametrize(("language", "kind"), sorted(DETAILS), ids=map("-".join, sorted(DETAILS)))
def test_each_kind_of_personal_detail_is_found_in_each_language(language, kind):
    text, detail = DETAILS[language, kind]
    found = find_details({"body": text}, _context(language))
    assert [(f.kind, f.text) for f in found] == [(kind, detail)]
    assert text[found[0].start : found[0].end] == detail


def test_every_kind_and_language_has_a_case():
    kinds = {kind.key for kind in DETAIL_KINDS} - {"own_email", "own_name"}
    assert set(DETAILS) == set(itertools.product(REGIONS, kinds))


def test_numbers_written_internationally_are_found_whatever_the_story_countries():
    text = "Ring my cousin on +49 30 901820 or +963 944 123 456."
    found = find_details({"body": text}, Context(regions=("FI",), own_email=None, own_names=()))
    assert [f.text for f in found] == ["+49 30 901820", "+963 944 123 456"]


@pytest.mark.parametrize("language", sorted(ORDINARY))
def test_ordinary_story_text_raises_no_personal_detail_whatever_its_countries(language):
    """Years, ages, distances, times, counts, a street without a number: nothing, read
    against every pair of the demo's countries of origin and residence."""
    flagged = {
        (residence, origin): [(f.kind, f.text) for f in found]
        for residence, origin in itertools.product(RESIDENCES, ORIGINS)
        if (
            found := find_details(
                {"body": ORDINARY[language]},
                Context(regions=(residence, origin), own_email=None, own_names=()),
            )
        )
    }
    assert flagged == {}


def test_the_demo_stories_raise_no_personal_detail():
    """The false positives on the demo texts (`demo samples`, `demo seed`): none."""
    texts = [(phrase, ("DE", "SY")) for phrases in PHRASES.values() for phrase in phrases]
    texts += [
        (f"{title}\n{body}", (residence, origin)) for title, _, origin, residence, body in SAMPLES
    ]
    flagged = [
        text
        for text, regions in texts
        if find_details({"body": text}, Context(regions=regions, own_email=None, own_names=()))
    ]
    assert len(texts) > 40 and flagged == []


@pytest.mark.parametrize(
    ("display", "flagged"),
    [
        (NameDisplay.FIRST, ["Amina Haddad", "Haddad"]),
        (NameDisplay.ANONYMOUS, ["Amina Haddad", "Haddad"]),
        (NameDisplay.FULL, []),
    ],
)
def test_the_full_name_is_flagged_when_the_storyteller_chose_not_to_show_it(display, flagged):
    context = context_for("Amina  Haddad", display, None, ("DE",))
    text = "I am amina haddad. The Haddad family came too; Amina is my first name."
    found = find_details({"body": text}, context)
    assert [f.text.casefold() for f in found] == [name.casefold() for name in flagged]
    assert {f.kind for f in found} <= {"own_name"}


def test_the_private_email_is_flagged_as_such_in_every_public_field():
    context = context_for("Sami", NameDisplay.FULL, "Sami.K@Example.org", ("FI",))
    texts = {
        "title": "Write to sami.k@example.org",
        "quote": "",
        "body": "Or to other@example.org.",
        "alt_text": "Me holding a sign: SAMI.K@EXAMPLE.ORG",
    }
    found = find_details(texts, context)
    assert [(f.field, f.kind) for f in found] == [
        ("title", "own_email"),
        ("body", "email"),
        ("alt_text", "own_email"),
    ]


def test_an_email_is_not_also_flagged_as_a_link():
    found = find_details({"body": "Mail me: amina@example.com"}, _context("en"))
    assert [f.kind for f in found] == ["email"]


# Hostile text ------------------------------------------------------------------------

HOSTILE = {
    "digits": "1" * 30_000,
    "spaced digits": "1 2 " * 7_500,
    "dashed digits": "12-" * 10_000,
    "dots": "a." * 15_000,
    "at signs": "a@" * 15_000,
    "street words": "Calle " * 5_000,
    "arabic street words": "شارع " * 6_000,
    "born": "born on " * 4_000,
    "passport numbers": "passport 12345 " * 2_000,
    "capitalized words": "Aaaaa " * 5_000,
    "numbers and streets": "12 Baker " * 3_000,
}


def _repeats(pattern) -> list[tuple[int, int]]:
    """Every repetition (min, max) in a compiled pattern, nested ones included."""
    found = []

    def walk(items):
        for op, argument in items:
            if op in (
                sre_constants.MAX_REPEAT,
                sre_constants.MIN_REPEAT,
                sre_constants.POSSESSIVE_REPEAT,
            ):
                found.append((argument[0], argument[1]))
                walk(argument[2])
            elif op in (sre_constants.SUBPATTERN, sre_constants.ATOMIC_GROUP):
                walk(argument[-1])
            elif op == sre_constants.BRANCH:
                for branch in argument[1]:
                    walk(branch)
            elif op in (sre_constants.ASSERT, sre_constants.ASSERT_NOT):
                walk(argument[1])

    walk(sre_parse.parse(pattern.pattern, pattern.flags))
    return found


@pytest.mark.parametrize("name", ["_LINK", "_EMAIL", "_ADDRESS", "_BIRTH_DATE", "_ID_NUMBER"])
def test_no_detail_pattern_repeats_without_a_bound(name):
    """Counted repetitions only: each start position costs bounded work, so no text
    can make a pattern backtrack catastrophically."""
    repeats = _repeats(getattr(signals, name))
    assert repeats and all(high != sre_constants.MAXREPEAT for _low, high in repeats)


@contextmanager
def _catastrophe_guard(seconds: int):
    """Not a timing: each scan takes a fraction of a second, a catastrophic one hours."""

    def stop(_signum, _frame):
        raise AssertionError(f"the scan ran over {seconds} s")

    previous = signal.signal(signal.SIGALRM, stop)
    signal.alarm(seconds)
    try:
        yield
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)


@pytest.mark.parametrize("name", sorted(HOSTILE))
def test_hostile_text_is_scanned_in_bounded_work(name):
    context = context_for("Aaaaa Bbbbb", NameDisplay.ANONYMOUS, "a@b.c", ("DE", "SY"))
    text = HOSTILE[name]
    with _catastrophe_guard(20):
        find_details({"title": text[:200], "body": text, "alt_text": text[:500]}, context)


def test_text_beyond_the_scanned_length_is_not_read():
    body = "x" * MAX_SCANNED_CHARS + " call +44 20 7946 0958"
    assert find_details({"body": body}, _context("en")) == []
    assert re.search(r"\+44", body)


# The review page -------------------------------------------------------------------

both = pytest.mark.both_databases

PHONE_STORY = (
    "We arrived in Helsinki in the winter of 2016 and found a small flat.\n\n"
    "If you need help, call me on 040 123 4567 or write to sami@example.org.\n"
    "I still walk past Mannerheimintie 12 every day."
)


def _audit(db, action):
    return db.session.scalars(
        select(AuditEntry).where(AuditEntry.action == action).order_by(AuditEntry.id)
    ).all()


def _fresh(db, story) -> Story:
    db.session.expire_all()
    return db.session.get(Story, story.id)


def _finding(story: Story, kind: str):
    return next(f for f in signals.personal_details(story) if f.kind == kind)


@both
def test_the_review_page_lists_each_detail_and_marks_it_in_the_escaped_text(signed_in, db):
    story = make_story(body=PHONE_STORY, residence_country="FI", origin_country="IQ")
    story.body = PHONE_STORY.replace("write to", "write <i>to</i>")  # as if stored unclean
    db.session.commit()
    page = signed_in.get(f"/moderate/stories/{story.id}").get_data(as_text=True)
    assert "Nothing stands out" not in page
    for kind, text in [("phone", "040 123 4567"), ("email", "sami@example.org")]:
        finding = _finding(story, kind)
        assert f'<mark class="detail" id="{finding.anchor}"' in page
        assert f">{text}</mark>" in page
        assert f'href="#{finding.anchor}"' in page
        assert f'name="detail" value="{finding.key}"' in page
    assert 'title="Street address">Mannerheimintie 12</mark>' in page
    assert "write &lt;i&gt;to&lt;/i&gt; <mark" in page and "<i>to" not in page


@both
def test_one_click_replaces_a_detail_keeping_a_revision_and_an_audit_entry(signed_in, db):
    story = make_story(body=PHONE_STORY, residence_country="FI", origin_country="IQ")
    assert story.detail_kinds == "email phone address"
    finding = _finding(story, "phone")
    response = signed_in.post(
        f"/moderate/stories/{story.id}/redact",
        data={"version": story.version, "detail": finding.key},
    )
    assert response.status_code == 303
    story = _fresh(db, story)
    assert "call me on [removed] or write" in story.body and "040 123" not in story.body
    assert story.detail_kinds == "email address"
    revision = db.session.scalars(select(StoryRevision)).one()
    assert (revision.field, revision.old_text, revision.new_text) == (
        "body",
        PHONE_STORY,
        story.body,
    )
    (entry,) = _audit(db, "redact")
    # The log names what was removed, never the detail itself.
    assert entry.story_id == story.id and entry.note == "phone in body"
    page = signed_in.get(f"/moderate/stories/{story.id}").get_data(as_text=True)
    flash = page[page.index('<div class="flash"') :]
    flash = flash[: flash.index("</div>")]
    # The message says what went in words (the page's history lists the entry's label).
    assert "Removed: Phone number." in flash and "Personal detail removed" not in flash
    log = signed_in.get(f"/moderate/log?story={story.id}").get_data(as_text=True)
    assert "Personal detail removed" in log


@both
def test_a_redaction_from_a_stale_page_changes_nothing(signed_in, db):
    story = make_story(body=PHONE_STORY, residence_country="FI", origin_country="IQ")
    seen, finding = story.version, _finding(story, "phone")
    signed_in.post(
        f"/moderate/stories/{story.id}/edit",
        data={"version": seen, "title": story.title, "quote": "", "body": PHONE_STORY + " Hi."},
    )
    response = signed_in.post(
        f"/moderate/stories/{story.id}/redact", data={"version": seen, "detail": finding.key}
    )
    assert response.status_code == 303
    story = _fresh(db, story)
    assert "040 123 4567" in story.body and _audit(db, "redact") == []
    page = signed_in.get(f"/moderate/stories/{story.id}").get_data(as_text=True)
    assert "Someone else changed this story" in page


@pytest.mark.parametrize("detail", ["body:0:5", "body:0:99999", "title:3:1", "bio:0:4", "body:x:4"])
def test_only_a_flagged_span_can_be_removed(signed_in, db, detail):
    story = make_story(body=PHONE_STORY, residence_country="FI", origin_country="IQ")
    response = signed_in.post(
        f"/moderate/stories/{story.id}/redact", data={"version": story.version, "detail": detail}
    )
    assert response.status_code in (303, 400)
    assert _fresh(db, story).body == PHONE_STORY and _audit(db, "redact") == []


def test_the_storyteller_can_be_told_why_by_email(signed_in, db, mail_sent):
    story = make_story(body=PHONE_STORY, contact_email="teller@example.org", residence_country="FI")
    signed_in.post(
        f"/moderate/stories/{story.id}/redact",
        data={
            "version": story.version,
            "detail": _finding(story, "phone").key,
            "message": "We took your phone number out: strangers read the gallery.",
        },
    )
    assert [message["To"] for message in mail_sent] == ["teller@example.org"]
    assert "strangers read the gallery" in mail_sent[0].get_content()
    assert "040 123 4567" not in mail_sent[0].get_content()


def test_no_email_is_sent_without_a_message(signed_in, db, mail_sent):
    story = make_story(body=PHONE_STORY, contact_email="teller@example.org")
    signed_in.post(
        f"/moderate/stories/{story.id}/redact",
        data={"version": story.version, "detail": _finding(story, "email").key},
    )
    assert mail_sent == [] and "[removed]" in _fresh(db, story).body


def test_the_marker_is_written_in_the_story_language(signed_in, db):
    body = "وصلنا إلى المدينة في الشتاء، وكان البرد شديداً. رقمي ٠٩٤٤١٢٣٤٥٦ اتصل بي."
    story = make_story(body=body, language="ar", residence_country="SY")
    signed_in.post(
        f"/moderate/stories/{story.id}/redact",
        data={"version": story.version, "detail": _finding(story, "phone").key},
    )
    body = _fresh(db, story).body
    assert "٠٩٤٤" not in body and "[removed]" not in body and "[" in body


@both
def test_the_full_name_in_the_photo_description_is_flagged_and_removed(signed_in, db):
    story = make_story(author_name="Amina Haddad", name_display=NameDisplay.FIRST)
    db.session.add(
        Photo(story_id=story.id, alt_text="Amina Haddad at the bakery", width=8, height=8)
    )
    db.session.commit()
    story = _fresh(db, story)
    assert story.detail_kinds == "own_name"
    finding = _finding(story, "own_name")
    assert (finding.field, finding.text) == ("alt_text", "Amina Haddad")
    signed_in.post(
        f"/moderate/stories/{story.id}/redact",
        data={"version": story.version, "detail": finding.key},
    )
    story = _fresh(db, story)
    assert story.photo.alt_text == "[removed] at the bakery" and story.detail_kinds == ""
    revision = db.session.scalars(select(StoryRevision)).one()
    assert revision.field == "alt_text" and revision.old_text == "Amina Haddad at the bakery"
    story.photo.alt_text = "Haddad bakery"
    db.session.commit()
    assert _fresh(db, story).detail_kinds == "own_name"
    db.session.delete(_fresh(db, story).photo)  # as the storyteller deleting it does
    db.session.commit()
    assert _fresh(db, story).detail_kinds == ""


def test_a_marker_that_would_overflow_the_title_is_refused(signed_in, db):
    story = make_story(
        title="Haddad " + "x" * 192, author_name="Amina Haddad", name_display=NameDisplay.FIRST
    )
    finding = _finding(story, "own_name")
    response = signed_in.post(
        f"/moderate/stories/{story.id}/redact",
        data={"version": story.version, "detail": finding.key},
        follow_redirects=True,
    )
    assert "would be too long" in response.get_data(as_text=True)
    assert _fresh(db, story).title.startswith("Haddad ") and _audit(db, "redact") == []


def test_the_kinds_follow_every_change_of_the_text(signed_in, db):
    story = make_story(body="A story about the long winter we spent waiting. " * 3)
    assert story.detail_kinds == ""
    signed_in.post(
        f"/moderate/stories/{story.id}/edit",
        data={
            "version": story.version,
            "title": story.title,
            "quote": "Write to me: me@example.org",
            "body": story.body,
        },
    )
    assert _fresh(db, story).detail_kinds == "email"
    story = _fresh(db, story)
    story.contact_email = "me@example.org"  # now it is the storyteller's own address
    db.session.commit()
    assert _fresh(db, story).detail_kinds == "own_email"


# The queue -------------------------------------------------------------------------


@both
def test_the_queue_badges_each_kind_and_filters_by_them(signed_in, db):
    risky = make_story(title="Risky", body=PHONE_STORY, residence_country="FI")
    calm = make_story(title="Calm", body="We walked for days and then we rested for a week. " * 2)
    page = signed_in.get("/moderate").get_data(as_text=True)
    assert page.count('class="badge badge--detail"') == 3
    assert '<span class="badge badge--detail" data-detail="phone">phone</span>' in page
    for kind, shown in [("personal", [risky]), ("phone", [risky]), ("own_email", [])]:
        page = signed_in.get(f"/moderate?signal={kind}").get_data(as_text=True)
        assert (f'/moderate/stories/{risky.id}"' in page) == (risky in shown)
        assert f'/moderate/stories/{calm.id}"' not in page
    assert signed_in.get("/moderate?signal=phone'--").status_code == 400


@both
def test_the_queue_makes_the_same_queries_for_two_or_twenty_risky_stories(
    signed_in, db, count_queries
):
    def queries_with(total: int) -> int:
        while len(db.session.scalars(select(Story)).all()) < total:
            make_story(body=PHONE_STORY, residence_country="FI")
        db.session.remove()
        count_queries.clear()
        page = signed_in.get("/moderate?signal=personal").get_data(as_text=True)
        assert page.count('data-detail="phone"') == total
        return len(count_queries)

    assert queries_with(2) == queries_with(20)


def test_the_migration_scans_the_stories_already_there(tmp_path):
    """Stories written before the column existed get their kinds when it is added."""
    url = f"sqlite:///{tmp_path / 'upgraded.sqlite3'}"
    app = app_to_migrate(url, tmp_path)
    with app.app_context():
        try:
            upgrade(revision="d7a4c2e9b1f0")  # the schema before detail_kinds
            tables = MetaData()
            tables.reflect(_db.engine, only=["story", "photo"])
            story, photo = tables.tables["story"], tables.tables["photo"]
            now = utcnow()
            rows = {}
            with _db.engine.begin() as connection:
                for title, body in [("Risky", PHONE_STORY), ("Calm", "We walked. " * 9)]:
                    rows[title] = connection.execute(
                        insert(story).values(
                            slug=title.lower(),
                            title=title,
                            body=body,
                            author_name="Amina Haddad",
                            name_display="first",
                            origin_country="IQ",
                            residence_country="FI",
                            token_hash=title.ljust(64, "x"),
                            status="pending",
                            is_sample=False,
                            created_at=now,
                            updated_at=now,
                            version=1,
                        )
                    ).inserted_primary_key[0]
                connection.execute(
                    insert(photo).values(
                        story_id=rows["Calm"],
                        alt_text="Amina Haddad at home",
                        width=9,
                        height=9,
                        renditions=[],
                        created_at=now,
                    )
                )
            upgrade()
            kinds = dict(_db.session.execute(select(Story.title, Story.detail_kinds)).all())
            assert kinds == {"Risky": "email phone address", "Calm": "own_name"}
        finally:
            _db.session.remove()
            _db.engine.dispose()


@pytest.mark.parametrize("config_overrides", [{"WTF_CSRF_ENABLED": True}])
def test_a_redaction_needs_the_csrf_token(client, moderator, db):
    def token(page: str) -> str:
        return re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page).group(1)

    login_page = client.get("/login").get_data(as_text=True)
    client.post(
        "/login",
        data={"email": moderator.email, "password": PASSWORD, "csrf_token": token(login_page)},
    )
    story = make_story(body=PHONE_STORY, residence_country="FI")
    form = {"version": story.version, "detail": _finding(story, "phone").key}
    refused = client.post(f"/moderate/stories/{story.id}/redact", data=form)
    assert refused.status_code == 400 and _fresh(db, story).body == PHONE_STORY
    review = client.get(f"/moderate/stories/{story.id}").get_data(as_text=True)
    client.post(f"/moderate/stories/{story.id}/redact", data={**form, "csrf_token": token(review)})
    assert "[removed]" in _fresh(db, story).body
