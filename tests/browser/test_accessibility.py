"""Every page, in a left-to-right and a right-to-left language, in a real browser.

One list of pages (``PAGES``) drives every check: axe-core (WCAG 2.2 AA and best
practices) finds no violation, the Nu HTML Checker finds no error (one Java run
per language), a skip link and landmarks exist, and the layout fits 320 px
(400% zoom) and 640 px (200% zoom) without horizontal scrolling. Add a page
here when you add one to the site.

The checks are methods of one class per language: in a parallel run
(--dist loadscope) a class goes whole to a worker, so the two languages' visits
run side by side instead of one after the other on one worker.
"""

import json
import shutil
import subprocess
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from axe_playwright_python.base import AXE_SCRIPT

from campaign.extensions import db
from campaign.models import StoryStatus, TranslationStatus, revise
from campaign.moderation.services import decide
from campaign.submissions.services import withdraw
from tests import images, sounds
from tests.browser.helpers import fill_share_form, next_step, send_unchecked
from tests.factories import (
    PASSWORD,
    make_moderator,
    make_portrait,
    make_recording,
    make_story,
    make_translation,
)
from tests.helpers import missing

# Slow (a visit of every page per language): handed out first in a parallel run.
pytestmark = [pytest.mark.browser, pytest.mark.slow]

ROOT = Path(__file__).resolve().parents[2]
VNU_JAR = ROOT / ".cache" / "vnu" / "node_modules" / "vnu-jar" / "build" / "dist" / "vnu.jar"
LANGUAGES = ["en", "ar"]  # one left-to-right, one right-to-left
WIDE = {"width": 1280, "height": 800}
# axe-core is put into the page once, just before it runs: defined in every document
# a context loads (add_init_script) it was compiled again for each new tab's blank
# page and for every page a form led through, a quarter of each visit's time.
# What axe_playwright_python's Axe.run asks for: only the violations.
AXE_RUN = "() => axe.run({resultTypes: ['violations']})"


def submit(page) -> None:
    """Send the page's main form as it is."""
    with page.expect_navigation():
        page.locator("main form button[type=submit]").last.click()


def share_a_story(page) -> None:
    fill_share_form(page, body="The first winter was long and dark. " * 3, name="Mina")
    submit(page)
    page.wait_for_url("**/share/thanks")


def send_in_another_language(page) -> None:
    """The form comes back from the server with the proposal beside the language."""
    ukrainian = "Моя мама досі телефонує мені щонеділі. Вона питає, чи я їм."
    fill_share_form(page, body=ukrainian, language="fi")
    send_unchecked(page)  # no submit event: the script cannot have said it first
    page.locator("#language-proposal p").wait_for()


def send_while_the_server_waits(page) -> None:
    """Press "Send" while the answer never comes: the progress bar shows."""
    fill_share_form(page)
    page.route("**/share", lambda route: None)  # never answered
    page.locator("main form button[type=submit]").last.click()
    page.locator("#upload-progress progress").wait_for(state="visible")


def send_as_the_connection_drops(page) -> None:
    fill_share_form(page)
    page.route("**/share", lambda route: route.abort("internetdisconnected"))
    page.locator("main form button[type=submit]").last.click()
    page.locator("#upload-progress[role=alert]").wait_for(state="visible")


def share_step_two(page) -> None:
    fill_share_form(page)
    page.locator(".step:not([hidden]) [data-step-back]").click()


def share_step_three(page) -> None:
    fill_share_form(page)


def share_step_with_errors(page) -> None:
    """The browser's own checks: "Next" on an empty first step."""
    next_step(page)
    page.locator("#body-error").wait_for()


def reject_without_a_reason(page) -> None:
    """Press "Do not publish" without choosing a reason."""
    with page.expect_navigation():
        page.locator("#reject-form button[type=submit]").click()


def share_a_photo_to_blur(page) -> None:
    """Choose a portrait, ask for its faces to be blurred, send: the result is shown."""
    photo = {"name": "me.jpg", "mimeType": "image/jpeg", "buffer": images.photograph()}
    page.locator("#photo").set_input_files(photo)  # in the form's first step
    page.locator("#photo-preview").wait_for(state="visible")
    page.locator("#blur_faces").check()
    fill_share_form(page, title="Snow in April", body="The first winter was long and dark. " * 3)
    page.locator("main form button[type=submit]").last.click()
    page.locator("#faces-result").wait_for()


def blur_a_wrong_area(page) -> None:
    """Ask to blur an area that starts beyond the photo's edge."""
    page.locator("#x").fill("140")
    with page.expect_navigation():
        page.locator("#blur-area-form button[type=submit]").click()


def hear_a_masked_voice(page) -> None:
    """Choose a recording, ask for the voice to be masked, send without written text: the
    form comes back with the masked recording to listen to before sending."""
    recording = {"name": "me.m4a", "mimeType": "audio/mp4", "buffer": sounds.tone(3)}
    page.locator("#voice-section > summary").click()
    page.locator("#voice").set_input_files(recording)
    page.locator("#mask_voice").check()
    fill_share_form(page, title="Told aloud", body="")
    with page.expect_navigation():
        page.locator("main form button[type=submit]").last.click()
    page.locator("#staged-voice-player").wait_for()


def refuse_a_video(page) -> None:
    """Choose a video as the recording: the form comes back with the reason beside it."""
    video = {"name": "clip.mp4", "mimeType": "video/mp4", "buffer": sounds.video()}
    page.locator("#voice-section > summary").click()
    page.locator("#voice").set_input_files(video)
    fill_share_form(page, title="Told aloud", body="")
    with page.expect_navigation():
        page.locator("main form button[type=submit]").last.click()
    page.locator("#voice-error").wait_for()


def focus_a_wrong_point(page) -> None:
    """Ask to cut the portrait around a point beyond the photo's edge."""
    page.locator("#focus-x").fill("140")
    with page.expect_navigation():
        page.locator("#focus-form button[type=submit]").click()


# Stories the "decision with undo" visits approve, one per language (set by ``sample``).
TO_APPROVE: dict[str, int] = {}


def send_a_translation_without_its_text(page) -> None:
    page.locator("#body").fill("")
    page.locator("button[value=send]").click()
    page.wait_for_load_state("load")


def approve_with_the_a_key(page) -> None:
    """Approve this language's story with `a`: the next page shows the Undo message."""
    base, language = page.url.split("/")[2], page.url.split("/")[3]
    page.goto(f"http://{base}/{language}/moderate/stories/{TO_APPROVE[language]}")
    with page.expect_navigation():
        page.keyboard.press("a")
    assert page.locator("[data-undo]").count() == 1


@dataclass(frozen=True)
class SitePage:
    name: str
    path: str  # may name {slug}, {gone_slug}, {token}, {pending_id}... of the sample data
    then: Callable | None = None  # what the visitor does before the check
    moderator: bool = False
    scripts: bool = True  # False: the page's own scripts do not run (axe still does)
    framed: bool = False  # a page for partners' iframes: no site header, footer or menus


PAGES = [
    SitePage("home", "/"),
    SitePage("gallery", "/stories"),
    SitePage("story", "/stories/{slug}"),
    SitePage("share form", "/share"),
    SitePage("share form, step 2", "/share", then=share_step_two),
    SitePage("share form, step 3", "/share", then=share_step_three),
    SitePage("share form, a step with errors", "/share", then=share_step_with_errors),
    SitePage("share form with errors", "/share", then=send_unchecked),
    SitePage("share form without JavaScript", "/share", scripts=False),
    SitePage("share form with errors, no JavaScript", "/share", then=submit, scripts=False),
    SitePage("share form while sending", "/share", then=send_while_the_server_waits),
    SitePage("share form, connection lost", "/share", then=send_as_the_connection_drops),
    SitePage("share form with a language proposal", "/share", then=send_in_another_language),
    SitePage("thanks", "/share", then=share_a_story),
    SitePage("thanks shown once", "/share/thanks"),  # the link already left the session
    SitePage("private page", "/my-story/{token}"),
    SitePage("edit form", "/my-story/{token}/edit"),
    SitePage("withdraw form", "/my-story/{token}/withdraw"),
    SitePage("withdrawn", "/share/withdrawn"),
    SitePage("sign in", "/login"),
    SitePage("sign in with errors", "/login", then=submit),
    SitePage("not found", "/no-such-page"),
    SitePage("story gone (410 tombstone)", "/stories/{gone_slug}"),
    SitePage("bad request", "/embed/builder?limit=%C2%B2"),
    SitePage("moderation queue", "/moderate", moderator=True),
    SitePage("review", "/moderate/stories/{pending_id}", moderator=True),
    SitePage(
        "review with errors",
        "/moderate/stories/{pending_id}",
        then=reject_without_a_reason,
        moderator=True,
    ),
    SitePage("review with personal details", "/moderate/stories/{risky_id}", moderator=True),
    SitePage("queue of stories with personal details", "/moderate?signal=personal", moderator=True),
    SitePage("share form with a blurred photo", "/share", then=share_a_photo_to_blur),
    SitePage("private page with a photo", "/my-story/{photo_token}"),
    SitePage("review with a photo", "/moderate/stories/{photo_id}", moderator=True),
    SitePage(
        "review with a wrong area to blur",
        "/moderate/stories/{photo_id}",
        then=blur_a_wrong_area,
        moderator=True,
    ),
    SitePage(
        "review with a wrong crop point",
        "/moderate/stories/{photo_id}",
        then=focus_a_wrong_point,
        moderator=True,
    ),
    SitePage("privacy", "/privacy"),
    SitePage("about", "/about"),
    SitePage("lost link", "/lost-link"),
    SitePage("lost link with errors", "/lost-link", then=submit),
    SitePage("new link shown once", "/lost-link/new"),  # nothing restored in this session
    SitePage("journeys", "/journeys"),
    SitePage("embed builder", "/embed/builder"),
    SitePage("embed builder, dark and compact", "/embed/builder?colours=dark&layout=compact"),
    SitePage("embed", "/embed?limit=4", framed=True),
    SitePage("embed, dark and compact", "/embed?colours=dark&layout=compact", framed=True),
    SitePage("embedded story", "/embed/stories/{slug}", framed=True),
    SitePage("embedded story, gone", "/embed/stories/no-such-story", framed=True),
    SitePage("report form", "/stories/{slug}/report"),
    SitePage("report form with errors", "/stories/{slug}/report", then=submit),
    SitePage("audit log", "/moderate/log", moderator=True),
    SitePage("review back after changes", "/moderate/stories/{returned_id}", moderator=True),
    SitePage("decision with undo", "/moderate", then=approve_with_the_a_key, moderator=True),
    SitePage("voice story", "/stories/{voice_slug}"),
    # Translated story pages, both ways: an Arabic original read in English (the
    # English site) and an English original read in Arabic (the Arabic site), and
    # each original asked for beside its translation.
    SitePage("translated story", "/stories/{translated_slug}"),
    SitePage("translated story, the other way", "/stories/{translated_back_slug}"),
    SitePage("translated story, the original", "/stories/{translated_slug}?original=1"),
    SitePage(
        "translated story, the original the other way",
        "/stories/{translated_back_slug}?original=1",
    ),
    SitePage("share form with a masked voice to hear", "/share", then=hear_a_masked_voice),
    SitePage("share form with a refused recording", "/share", then=refuse_a_video),
    SitePage("review of a voice story", "/moderate/stories/{voice_pending_id}", moderator=True),
    SitePage("private page of a voice story", "/my-story/{voice_token}"),
    # The translation desk (issue 20): the moderator reads French.
    SitePage("translation queue", "/translate", moderator=True),
    SitePage("translation queue, to review", "/translate?tab=review", moderator=True),
    SitePage("translation editor", "/translate/{draft_translation_id}", moderator=True),
    SitePage(
        "translation editor with errors",
        "/translate/{draft_translation_id}",
        then=send_a_translation_without_its_text,
        moderator=True,
    ),
    SitePage("translation review", "/translate/{review_translation_id}", moderator=True),
    SitePage("translation out of date", "/translate/{outdated_translation_id}", moderator=True),
]
NAMES = [site_page.name for site_page in PAGES]


@dataclass
class Visit:
    html: str = ""
    violations: list = field(default_factory=list)
    overflow: dict = field(default_factory=dict)  # viewport width -> pixels of scrolling
    structure: dict = field(default_factory=dict)
    failure: str | None = None  # the page could not be reached as described


def visit_of(visits, site_page, language) -> Visit:
    visit = visits[site_page.name]
    if visit.failure:
        pytest.fail(f"{site_page.name} ({language}) could not be visited: {visit.failure}")
    return visit


@pytest.fixture(scope="module")
def sample(live_app):
    """Published stories for the gallery, a pending one, a moderator."""
    with live_app.app_context():
        countries = ["SY", "AF", "UA", "IQ", "AL", "ER", "SO", "CO", "VE", "MA"]
        for number, country in enumerate(countries):
            make_story(
                StoryStatus.PUBLISHED,
                title=f"A long road, part {number + 1}",
                origin_country=country,
            )
        published = make_story(StoryStatus.PUBLISHED, title="Bread from home")
        # Marked English, written in Arabic: the review page shows the language signal.
        pending = make_story(
            title="Waiting for spring",
            body="غادرت مدينتي عندما كان عمري تسعة عشر عاما ومشيت أياما كثيرة إلى الحدود.",
            language="en",
        )
        moderator = make_moderator(reads="fr")
        # Sent back with a request for changes, then changed by its storyteller.
        returned = make_story(title="The name of my street", body="We lived at 4 Hope Street. " * 3)
        decide(
            returned,
            "request_changes",
            moderator,
            seen_version=returned.version,
            message="Please leave out the name of your street.",
        )
        revise(returned, None, body="We lived in a quiet street. " * 3)
        returned.move_to(StoryStatus.PENDING)
        db.session.commit()
        for language in LANGUAGES:
            TO_APPROVE[language] = make_story(title=f"Approved with a ({language})").id
        risky = make_story(
            title="Call me on 040 123 4567",
            quote="Write to sami@example.org",
            body="We lived at Mannerheimintie 12 for a year.\n\nMy passport is AB1234567. " * 2,
            residence_country="FI",
        )
        gone = make_story(StoryStatus.PUBLISHED, title="Gone for good")
        gone_slug = gone.slug
        withdraw(gone)
        db.session.commit()
        with_photo = make_story(title="A face in the crowd")
        make_portrait(with_photo)
        told = make_story(StoryStatus.PUBLISHED, title="Told aloud", body="")
        make_recording(told, transcript="I came in winter.\n\nThe snow was new to me.")
        from_arabic = make_story(
            StoryStatus.PUBLISHED,
            title="بيتي الجديد",
            quote="وجدت أصدقاء هنا",
            body="وصلت في الشتاء وكان الجو باردا.",
            language="ar",
        )
        from_english = make_story(
            StoryStatus.PUBLISHED, title="The night bus", quote="I took the last bus home."
        )
        for original in (from_arabic, from_english):
            original.consents_translation = True
        db.session.commit()
        make_translation(from_arabic, "en", title="My new home", quote="I found friends here.",
                         body="I arrived in winter and it was cold.")  # fmt: skip
        make_translation(from_english, "ar", title="حافلة الليل", quote="ركبت آخر حافلة.",
                         body="كل ليلة كنت أركب آخر حافلة إلى البيت.")  # fmt: skip
        voice_pending = make_story(title="Still to transcribe", body="")
        make_recording(voice_pending, transcript="")
        # The translation desk: an Arabic story, the moderator's own French
        # draft of it; another volunteer's translation to review; one out of date.
        arabic = make_story(
            StoryStatus.PUBLISHED,
            title="رحلتي إلى فنلندا",
            quote="لم أكن أعرف أحداً",
            body="وصلت في الشتاء ولم أكن أعرف أحداً.\n\nالآن أعمل في المرفأ. " * 2,
            language="ar",
        )
        # No photo: a published portrait would change the home page and gallery
        # checked above (their first photo is not lazy-loaded, by design).
        volunteer = make_moderator(can_moderate=False, reads="fr")
        draft = make_translation(
            arabic, "fr", TranslationStatus.DRAFT, translator=moderator, title="Mon voyage"
        )
        to_review = make_translation(
            make_story(StoryStatus.PUBLISHED, title="Winter in Oulu", quote="Snow", language="en"),
            "fr",
            TranslationStatus.IN_REVIEW,
            translator=volunteer,
        )
        outdated = make_translation(published, "fr", translator=volunteer)
        revise(published, None, title="Bread from home, and salt")
        db.session.commit()
        make_translation(published, "es")  # listed on the private page
        data = {
            "draft_translation_id": draft.id,
            "review_translation_id": to_review.id,
            "outdated_translation_id": outdated.id,
            "risky_id": risky.id,
            "voice_slug": told.slug,
            "translated_slug": from_arabic.slug,
            "translated_back_slug": from_english.slug,
            "voice_pending_id": voice_pending.id,
            "voice_token": told.token,
            "photo_token": with_photo.token,
            "photo_id": with_photo.id,
            "slug": published.slug,
            "gone_slug": gone_slug,
            "token": published.token,
            "pending_id": pending.id,
            "returned_id": returned.id,
            "moderator": moderator.email,
        }
        db.session.remove()
    return data


def sign_in(context, live_server, email) -> None:
    page = context.new_page()
    page.goto(f"{live_server}/login")
    page.locator("#email").fill(email)
    page.locator("#password").fill(PASSWORD)
    submit(page)
    page.close()


def fixed_in_url(live_server, language, path) -> str:
    return f"{live_server}/{language}{path}"


STRUCTURE_SCRIPT = """() => ({
  skipLinkFirst: (() => {
    const first = document.querySelector('body a[href], body button, body input, body select');
    return !!first && first.classList.contains('skip-link')
      && first.getAttribute('href') === '#main';
  })(),
  main: document.querySelectorAll('main#main').length,
  frameMain: document.querySelectorAll('body > main[aria-label]').length,
  header: document.querySelectorAll('body > header').length,
  footer: document.querySelectorAll('body > footer').length,
  nav: document.querySelectorAll('nav[aria-label]').length,
  h1: document.querySelectorAll('h1').length,
  photosWithoutSizeOrLazy: [...document.querySelectorAll('main img')]
    .filter(img => !img.getAttribute('width') || !img.getAttribute('height')
      || img.getAttribute('loading') !== 'lazy')
    .map(img => img.outerHTML),
})"""
OVERFLOW_SCRIPT = "document.documentElement.scrollWidth - document.documentElement.clientWidth"


def is_page(response) -> bool:
    """A document, or the answer to a form that share-photo.js sent and showed as the page."""
    kind = response.request.resource_type
    if kind == "xhr":
        return response.headers.get("content-type", "").startswith("text/html")
    return kind == "document"


def new_visiting_context(browser):
    return browser.new_context(viewport=WIDE)


def inspect(page, url, then, scripts=True) -> Visit:
    documents = []
    page.on(
        "response",
        lambda response: (
            documents.append(response)
            if is_page(response) and response.frame == page.main_frame
            else None
        ),
    )
    if not scripts:
        page.route("**/static/js/*.js", lambda route: route.abort())
    page.goto(url)
    if then:
        then(page)
    page.wait_for_load_state("load")
    html = documents[-1].text()
    page.evaluate(AXE_SCRIPT)
    violations = page.evaluate(AXE_RUN)["violations"]
    overflow = {}
    for width in (320, 640):
        page.set_viewport_size({"width": width, "height": 800})
        overflow[width] = page.evaluate(OVERFLOW_SCRIPT)
    page.set_viewport_size(WIDE)
    return Visit(html, violations, overflow, page.evaluate(STRUCTURE_SCRIPT))


def visit_all(browser, live_server, sample, language) -> dict:
    """Each page in ``language``, visited once; what every check needs."""
    public = new_visiting_context(browser)
    moderating = new_visiting_context(browser)
    sign_in(moderating, live_server, sample["moderator"])
    results = {}
    for site_page in PAGES:
        page = (moderating if site_page.moderator else public).new_page()
        try:
            results[site_page.name] = inspect(
                page,
                fixed_in_url(live_server, language, site_page.path.format(**sample)),
                site_page.then,
                site_page.scripts,
            )
        except Exception as error:  # reported by each test of this page
            results[site_page.name] = Visit(failure=repr(error))
        page.close()
    public.close()
    moderating.close()
    return results


def describe(violations) -> str:
    return "\n".join(
        f"{v['id']} ({v['impact']}): {v['help']} -> "
        + "; ".join(node["target"][0] if node["target"] else "?" for node in v["nodes"][:5])
        for v in violations
    )


def nu_checker_errors(visits, folder) -> dict:
    """One run of the Nu HTML Checker over every visited page: its errors per page."""
    java = shutil.which("java")
    if java is None:
        missing("Java is not installed: cannot run the Nu HTML Checker")
    if not VNU_JAR.exists():
        missing(f"vnu.jar not found at {VNU_JAR.relative_to(ROOT)}: run `make vnu`")
    files = {}
    for number, (key, visit) in enumerate(visits.items()):
        if visit.failure:
            continue
        path = folder / f"page{number}.html"
        path.write_text(visit.html, encoding="utf-8")
        files[path.resolve().as_uri()] = key
    completed = subprocess.run(
        [
            java,
            "-jar",
            str(VNU_JAR),
            "--format",
            "json",
            "--exit-zero-always",
            *map(str, sorted(folder.iterdir())),
        ],
        capture_output=True,
        text=True,
        timeout=300,
        check=True,
    )
    report = json.loads(completed.stderr)
    errors = {key: [] for key in visits}
    for message in report["messages"]:
        if message["type"] in {"error", "non-document-error"} or message.get("subType") == "fatal":
            key = files.get(message.get("url", "").replace("file:/", "file:///", 1)) or files.get(
                message.get("url", "")
            )
            where = f"line {message.get('lastLine')}"
            errors.setdefault(key, []).append(
                f"{where}: {message['message']} [{message.get('extract', '')}]"
            )
    return errors


class Checks:
    """Every check of every page in the language of the subclass (``LANGUAGE``)."""

    LANGUAGE: str

    @pytest.fixture(scope="class")
    @classmethod
    def visits(cls, browser, live_server, sample):
        return visit_all(browser, live_server, sample, cls.LANGUAGE)

    @pytest.fixture(scope="class")
    @classmethod
    def vnu_errors(cls, visits, tmp_path_factory):
        return nu_checker_errors(visits, tmp_path_factory.mktemp(f"vnu-{cls.LANGUAGE}"))

    @pytest.mark.parametrize("site_page", PAGES, ids=NAMES)
    def test_page_has_no_accessibility_violations(self, visits, site_page):
        violations = visit_of(visits, site_page, self.LANGUAGE).violations
        assert violations == [], describe(violations)

    @pytest.mark.parametrize("site_page", PAGES, ids=NAMES)
    def test_page_has_skip_link_and_landmarks(self, visits, site_page):
        landmarks = visit_of(visits, site_page, self.LANGUAGE).structure
        if site_page.framed:  # inside another site's page, which has its own landmarks
            assert landmarks["frameMain"] == 1 and landmarks["footer"] == 1
            assert landmarks["h1"] == 1
            return
        assert landmarks["skipLinkFirst"], "the first focusable element is the skip link to #main"
        assert landmarks["main"] == 1
        assert landmarks["header"] == 1
        assert landmarks["footer"] == 1
        assert landmarks["nav"] >= 2, "main navigation and language switcher"
        assert landmarks["h1"] == 1

    @pytest.mark.parametrize("site_page", PAGES, ids=NAMES)
    def test_photos_are_lazy_loaded_with_explicit_sizes(self, visits, site_page):
        """Low bandwidth: photos load when scrolled to, and take their place at once."""
        structure = visit_of(visits, site_page, self.LANGUAGE).structure
        assert structure["photosWithoutSizeOrLazy"] == []

    @pytest.mark.parametrize("width", [320, 640], ids=["320px", "200%-zoom"])
    @pytest.mark.parametrize("site_page", PAGES, ids=NAMES)
    def test_page_fits_narrow_screens_without_horizontal_scrolling(self, visits, site_page, width):
        assert visit_of(visits, site_page, self.LANGUAGE).overflow[width] <= 0

    @pytest.mark.parametrize("site_page", PAGES, ids=NAMES)
    def test_page_is_valid_html(self, visits, vnu_errors, site_page):
        visit_of(visits, site_page, self.LANGUAGE)
        assert vnu_errors.get(None, []) == [], "messages the checker could not tie to a page"
        assert vnu_errors[site_page.name] == []


class TestLeftToRight(Checks):
    LANGUAGE = "en"


class TestRightToLeft(Checks):
    LANGUAGE = "ar"
