"""The translation desk at /translate: the queue, the side-by-side editor, the review.

Thin views: load or 404, call one service, commit once, redirect or render. Any
signed-in account reaches these pages (``web/access.py``: translators and
moderators); what each may do to a translation is the services' rule.
"""

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm.exc import ObjectDeletedError, StaleDataError
from werkzeug.exceptions import Forbidden, NotFound

from campaign import params
from campaign.accounts.services import must_set_up_two_factor
from campaign.diff import word_diff
from campaign.extensions import db
from campaign.i18n.languages import language_name
from campaign.models import Story, Translation
from campaign.responses import private
from campaign.translating import machine
from campaign.translating.forms import SendBackForm, StartForm, TranslationForm, VersionForm
from campaign.translating.services import (
    TABS,
    AlreadyStarted,
    NotAllowed,
    NotTranslatable,
    StaleTranslation,
    changes_since,
    counts,
    desk_languages,
    may_edit,
    may_remove,
    may_reopen,
    may_review,
    missing_for_review,
    original_texts,
    queue,
    remove,
    reopen,
    save_draft,
    send_back,
    send_for_review,
    start,
)
from campaign.translating.services import machine_draft as fill_from_machine
from campaign.translating.services import publish as publish_translation

bp = Blueprint("translating", __name__, url_prefix="/translate")

MAX_QUEUE_PAGE = 100_000
ACTIONS = ("save", "send", "machine")


@bp.before_request
@login_required
def require_account():
    if must_set_up_two_factor(current_user):
        return redirect(url_for("accounts.two_factor_setup"))
    return None


@bp.errorhandler(NotAllowed)
def not_allowed(_error):
    """Not this account's to do (someone else's draft, one's own translation to review)."""
    db.session.rollback()
    return current_app.handle_http_exception(Forbidden())


@bp.errorhandler(ObjectDeletedError)  # the story (and so its translations) went meanwhile
def gone(_error):
    db.session.rollback()
    return current_app.handle_http_exception(NotFound())


@bp.route("", endpoint="queue")
def queue_view():
    languages = desk_languages(current_user)
    language = params.choice("language", languages, default=languages[0] if languages else "")
    tab = params.choice("tab", TABS, default="wanted")
    page = params.integer("page", default=1, maximum=MAX_QUEUE_PAGE)
    size = current_app.config["TRANSLATION_QUEUE_PAGE_SIZE"]
    items = queue(current_user, tab, language, size + 1, (page - 1) * size) if language else []
    return render_template(
        "translating/queue.html",
        languages=languages,
        language=language,
        tab=tab,
        page=page,
        items=items[:size],
        has_more=len(items) > size,
        counts=counts(current_user, language) if language else dict.fromkeys(TABS, 0),
        start_form=StartForm(formdata=None),
        language_name=language_name,
    )


@bp.post("/stories/<int:story_id>/start")
def start_view(story_id: int):
    story = db.session.get(Story, story_id) or abort(404)
    form = StartForm()
    if not form.validate_on_submit():
        abort(400)
    language = form.language.data
    try:
        translation = start(current_user, story, language)
        translation_id = translation.id
        db.session.commit()
    except AlreadyStarted as started:
        db.session.rollback()
        flash(_("Someone has already started this translation."))
        return redirect(
            url_for("translating.translation", translation_id=started.translation.id), code=303
        )
    except NotTranslatable:
        db.session.rollback()
        flash(_("This story cannot be translated into that language now."))
        return redirect(url_for("translating.queue", language=language), code=303)
    except IntegrityError:  # a second start at the same moment
        db.session.rollback()
        flash(_("Someone has already started this translation."))
        return redirect(url_for("translating.queue", language=language), code=303)
    return redirect(url_for("translating.translation", translation_id=translation_id), code=303)


def _load(translation_id: int) -> Translation:
    return db.session.get(Translation, translation_id) or abort(404)


def _photo(story: Story) -> dict | None:
    """The photo's smallest rendition, shown beside its description: url and size."""
    renditions = (story.photo.renditions or []) if story.photo else []
    if not renditions:
        return None
    smallest = min(renditions, key=lambda r: r.get("width", 0))
    return {
        "url": url_for("media.file", name=smallest["name"]),
        "width": smallest.get("width"),
        "height": smallest.get("height"),
    }


def _page(template: str, translation: Translation, *, status: int = 200, **context):
    story = translation.story
    context.setdefault("form", None)
    context.setdefault("send_back_form", SendBackForm(formdata=None))
    action_form = VersionForm(formdata=None, data={"version": translation.version})
    for form in (context["form"], context["send_back_form"]):
        if form is not None:
            form.version.data = translation.version
    page = render_template(
        template,
        translation=translation,
        story=story,
        original=original_texts(story),
        photo=_photo(story),
        action_form=action_form,
        changes=[(rev, word_diff(rev.old_text, rev.new_text)) for rev in changes_since(translation)]
        if translation.original_version != story.text_version
        or translation.status.value == "outdated"
        else [],
        can_edit=may_edit(current_user, translation),
        can_review=may_review(current_user, translation),
        can_reopen=may_reopen(current_user, translation),
        can_remove=may_remove(current_user, translation),
        machine_on=machine.configured(),
        language_name=language_name,
        **context,
    )
    return private(current_app.make_response((page, status)))


def _editor(translation: Translation, form=None, *, status: int = 200, **context):
    form = form or TranslationForm(formdata=None, obj=translation)
    return _page("translating/editor.html", translation, form=form, status=status, **context)


@bp.route("/<int:translation_id>")
def translation(translation_id: int):
    translation = _load(translation_id)
    if may_edit(current_user, translation):
        return _editor(translation)
    return _page("translating/review.html", translation)


@bp.post("/<int:translation_id>")
def save(translation_id: int):
    translation = _load(translation_id)
    form = TranslationForm()
    action = params.choice("action", ACTIONS, default="save", values=request.form)
    if not form.validate_on_submit():
        return _editor(translation, form, status=400)
    try:
        if action == "machine":
            filled = fill_from_machine(current_user, translation, form.version.data, form.typed())
        elif action == "send":
            save_draft(current_user, translation, form.version.data, form.typed())
            missing = missing_for_review(translation)
            if missing:
                db.session.rollback()
                for name in missing:
                    form[name].errors = [_("Translate this too before sending it for review.")]
                return _editor(translation, form, status=400)
            send_for_review(current_user, translation, translation.version, {})
        else:
            save_draft(current_user, translation, form.version.data, form.typed())
        db.session.commit()
    except (StaleTranslation, StaleDataError):
        db.session.rollback()
        translation = _load(translation_id)
        return _editor(translation, form, status=409, stale=True)
    except machine.MachineUnavailable:
        db.session.rollback()
        translation = _load(translation_id)
        return _editor(translation, form, machine_failed=True)
    if action == "send":
        flash(_("Sent for review. Someone else who reads this language will check it."))
        return redirect(url_for("translating.queue", language=translation.language), code=303)
    if action == "machine":
        if filled:
            flash(_("The empty fields have a machine draft now. Read and correct every word."))
        else:
            flash(_("Every field already had words: nothing was filled in."))
    else:
        flash(_("Draft saved."))
    return redirect(url_for("translating.translation", translation_id=translation_id), code=303)


def _review_action(translation_id: int, action, done: str, *, form=None):
    translation = _load(translation_id)
    form = form or VersionForm()
    if not form.validate_on_submit():
        if isinstance(form, SendBackForm):
            return _page("translating/review.html", translation, send_back_form=form, status=400)
        abort(400)
    language = translation.language
    try:
        action(translation, form)
        db.session.commit()
    except (StaleTranslation, StaleDataError):
        db.session.rollback()
        translation = _load(translation_id)
        kept = {"send_back_form": form} if isinstance(form, SendBackForm) else {}
        return _page("translating/review.html", translation, status=409, stale=True, **kept)
    flash(done)
    return redirect(url_for("translating.queue", language=language), code=303)


@bp.post("/<int:translation_id>/publish")
def publish(translation_id: int):
    return _review_action(
        translation_id,
        lambda t, form: publish_translation(current_user, t, form.version.data),
        _("Published. Readers see the translation beside the original now."),
    )


@bp.post("/<int:translation_id>/send-back")
def send_back_view(translation_id: int):
    return _review_action(
        translation_id,
        lambda t, form: send_back(current_user, t, form.version.data, form.note.data),
        _("Sent back to the translator with your note."),
        form=SendBackForm(),
    )


@bp.post("/<int:translation_id>/remove")
def remove_view(translation_id: int):
    return _review_action(
        translation_id,
        lambda t, form: remove(current_user, t, form.version.data),
        _("The translation is removed."),
    )


@bp.post("/<int:translation_id>/reopen")
def reopen_view(translation_id: int):
    translation = _load(translation_id)
    form = VersionForm()
    if not form.validate_on_submit():
        abort(400)
    try:
        reopen(current_user, translation, form.version.data)
        db.session.commit()
    except (StaleTranslation, StaleDataError):
        db.session.rollback()
        return _page("translating/review.html", _load(translation_id), status=409, stale=True)
    flash(_("The translation is your draft again: bring it up to date with the original."))
    return redirect(url_for("translating.translation", translation_id=translation_id), code=303)
