from functools import wraps

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import format_timedelta
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError, OperationalError
from sqlalchemy.orm.exc import ObjectDeletedError, StaleDataError

from campaign import params
from campaign.accounts.services import must_set_up_two_factor
from campaign.diff import word_diff
from campaign.extensions import db
from campaign.i18n.countries import parse_country
from campaign.i18n.labels import status_label
from campaign.mail import send_email
from campaign.media import faces
from campaign.media.pipeline import PhotoRejected
from campaign.models import IllegalTransition, Moderator, Story, all_themes
from campaign.models._types import utcnow
from campaign.moderation.forms import (
    REJECTION_REASONS,
    BlurAreaForm,
    BulkForm,
    DecisionForm,
    DeleteForm,
    EditForm,
    FocusForm,
    NameChangeForm,
    RedactForm,
    TranscriptForm,
    UndoForm,
    VersionForm,
)
from campaign.moderation.services import (
    TABS,
    DetailGone,
    LogFilters,
    NothingToUndo,
    QueueFilters,
    StaleStory,
    StoryGone,
    TooLongAfterRemoval,
    TranscriptMissing,
    UndoTooLate,
    accept_language,
    audit_actions,
    audit_log,
    blur_area,
    blur_faces,
    bulk_decide,
    change_request,
    decide,
    decide_name_change,
    delete_for_good,
    dismiss_reports,
    edit_story,
    following_pending,
    languages_in_use,
    mark_viewing,
    next_pending,
    open_reports,
    other_viewers,
    previous_pending,
    queue_stories,
    redact_detail,
    remove_photo,
    remove_recording,
    revisions,
    save_transcript,
    set_featured,
    set_focal_point,
    tab_counts,
    undo_decision,
    undo_offer,
)
from campaign.moderation.signals import (
    DETAIL_BADGES,
    SIGNAL_FILTERS,
    highlighted_line,
    highlighted_paragraphs,
    removed_marker,
    signal_label,
    signals_for,
    watch_words,
)
from campaign.responses import csv_download, private

bp = Blueprint("moderation", __name__, url_prefix="/moderate")


@bp.before_request
@login_required
def require_moderator():
    """Every page here is for signed-in moderators only, with two-factor if required."""
    if must_set_up_two_factor(current_user):
        return redirect(url_for("accounts.two_factor_setup"))
    return None


def admin_required(view):
    @wraps(view)
    def wrapped(*args, **kwargs):
        if not current_user.is_admin:
            abort(403)
        return view(*args, **kwargs)

    return wrapped


# The queue's pages: far beyond any queue, and an offset every database can take.
MAX_QUEUE_PAGE = 100_000


def _queue_filters() -> QueueFilters:
    tab = request.args.get("tab", "pending")
    return QueueFilters(
        tab=tab if tab in TABS else "pending",
        language=params.text("language", 12),
        country=parse_country(request.args.get("country")) or "",
        theme=params.text("theme", 60),
        since=params.day("since"),
        until=params.day("until"),
        q=params.text("q", 200),
        signal=params.choice("signal", SIGNAL_FILTERS, default=""),
    )


@bp.route("")
def queue():
    filters = _queue_filters()
    size = current_app.config["QUEUE_PAGE_SIZE"]
    page = params.integer("page", default=1, maximum=MAX_QUEUE_PAGE)
    stories = queue_stories(filters, size + 1, (page - 1) * size)
    return render_template(
        "moderation/queue.html",
        stories=stories[:size],
        has_more=len(stories) > size,
        page=page,
        filters=filters,
        counts=tab_counts(filters),
        languages=languages_in_use(),
        themes=all_themes(),
        signal_labels=DETAIL_BADGES,
        bulk_form=BulkForm(),
        now=utcnow(),
        format_timedelta=format_timedelta,
    )


def _seen_version(story_id: int) -> int | None:
    """The version of a story the queue page showed (its hidden ``version-<id>`` field)."""
    return params.integer(f"version-{story_id}", values=request.form)


@bp.route("/bulk", methods=["POST"])
def bulk():
    form = BulkForm()
    ids = params.integers("story_ids")
    back = request.form.get("back", "")
    back = back if back.startswith("/moderate") else url_for("moderation.queue")
    if not form.validate_on_submit() or not ids:
        flash(_("Select at least one story and an action."))
        return redirect(back, code=303)
    if form.action.data == "reject" and not form.reason.data:
        flash(_("Choose a reason for not publishing."))
        return redirect(back, code=303)
    seen = {story_id: _seen_version(story_id) for story_id in ids}
    try:
        outcome = bulk_decide(seen, form.action.data, current_user, form.reason.data)
        db.session.commit()
    except (StaleDataError, IntegrityError):
        db.session.rollback()
        flash(_("Someone else changed one of these stories meanwhile. Nothing was changed."))
        return redirect(back, code=303)
    flash(
        _(
            "%(done)s stories done, %(skipped)s skipped.",
            done=outcome.done,
            skipped=outcome.skipped + len(outcome.changed),
        )
    )
    for title in outcome.changed:
        # First-strong isolates: the title's direction cannot reorder the sentence.
        flash(
            _(
                "“%(title)s” changed since you loaded the queue — review it again. "
                "It was left as it is.",
                title=f"\u2068{title}\u2069",
            )
        )
    return redirect(back, code=303)


def _photo_url(story: Story) -> str | None:
    """The photo's largest rendition."""
    if story.photo is None:
        return None
    renditions = story.photo.renditions or []
    if not renditions:
        return None
    best = max(renditions, key=lambda r: r.get("width", 0))
    return url_for("media.file", name=best["name"])


def _face_areas(story: Story) -> list[list[float]]:
    """What "Blur detected faces" would blur, to outline on the photo."""
    if story.photo is None:
        return []
    return [faces.cover(face) for face in story.photo.faces or []]


def _focus_now(story: Story) -> dict:
    """The focus form's starting values: the photo's focal point in percent, or the
    stylesheet's default crop (the middle, the upper third) when none is set."""
    photo = story.photo
    if photo is None or photo.focal_x is None or photo.focal_y is None:
        return {"x": 50, "y": 30}
    return {"x": round(photo.focal_x * 100), "y": round(photo.focal_y * 100)}


def _render_review(story: Story, *, status: int = 200, **forms):
    forms.setdefault("form", DecisionForm())
    forms.setdefault(
        "edit_form",
        EditForm(obj=story, formdata=None, voice_story=story.recording is not None),
    )
    forms.setdefault("delete_form", DeleteForm(formdata=None))
    forms.setdefault("redact_form", RedactForm(formdata=None))
    forms.setdefault("blur_form", BlurAreaForm(formdata=None))
    if story.recording is not None:
        forms.setdefault(
            "transcript_form",
            TranscriptForm(formdata=None, data={"transcript": story.recording.transcript}),
        )
    forms.setdefault("focus_form", FocusForm(formdata=None, data=_focus_now(story), prefix="focus"))
    for form in forms.values():
        form.version.data = story.version
    words = watch_words()
    signals = signals_for(story, words, current_app.config)
    pending = following_pending(story)
    response = current_app.make_response(
        (
            render_template(
                "moderation/review.html",
                story=story,
                action_form=VersionForm(formdata=None, data={"version": story.version}),
                body_html=highlighted_paragraphs(story.body, words, signals.details_in("body")),
                title_html=highlighted_line(story.title, signals.details_in("title")),
                quote_html=highlighted_line(story.quote, signals.details_in("quote")),
                alt_html=highlighted_line(
                    story.photo.alt_text if story.photo else "", signals.details_in("alt_text")
                ),
                transcript_html=highlighted_paragraphs(
                    story.recording.transcript if story.recording else "",
                    words,
                    signals.details_in("transcript"),
                ),
                signals=signals,
                history=[(rev, word_diff(rev.old_text, rev.new_text)) for rev in revisions(story)],
                decisions=audit_log(LogFilters(story_id=story.id), limit=50),
                came_back=change_request(story),
                reports=open_reports(story),
                viewers=other_viewers(
                    story, current_user, current_app.config["VIEWING_WINDOW_MINUTES"]
                ),
                photo_url=_photo_url(story),
                face_areas=_face_areas(story),
                next_story=pending,
                previous_story=previous_pending(story),
                reasons=dict(REJECTION_REASONS),
                signal_label=signal_label,
                removed_marker=removed_marker,
                **forms,
            ),
            status,
        )
    )
    return private(response)


@bp.errorhandler(StoryGone)
@bp.errorhandler(ObjectDeletedError)  # a story read again after a commit, gone in between
def story_gone(_error):
    db.session.rollback()  # nothing of the moderator's action is kept
    return render_template("moderation/story_gone.html"), 404


# What a write on a story row that vanished mid-request raises: an update or delete
# that matches no row, or a row of its own pointing at the story (a revision, a viewing).
VANISHED = (StaleStory, StaleDataError, IntegrityError)


def _stale(story_id: int, message: str | None = None) -> None:
    """Undo the refused action and say why: the story is gone, or someone changed it."""
    db.session.rollback()
    if db.session.scalar(select(Story.id).where(Story.id == story_id)) is None:
        raise StoryGone()
    flash(
        message or _("Someone else changed this story while you were reading it. Check it again.")
    )


def _load(story_id: int) -> Story:
    return db.session.get(Story, story_id) or abort(404)


@bp.route("/stories/<int:story_id>", methods=["GET", "POST"])
def review(story_id: int):
    story = _load(story_id)
    if request.method == "GET":
        try:
            mark_viewing(story, current_user)
            db.session.commit()
        except OperationalError:  # a busy database: who is viewing is only a hint
            db.session.rollback()
            story = _load(story_id)
        except IntegrityError:  # the story went between loading it and marking it viewed
            _stale(story_id)
        return _render_review(story)
    form = DecisionForm()
    if not form.validate_on_submit():
        return _render_review(story, form=form)
    try:
        decide(
            story,
            form.decision.data,
            current_user,
            seen_version=form.version.data,
            note=form.note.data,
            reason=form.reason.data if form.decision.data in ("reject", "unpublish") else None,
            message=form.message.data,
            undoable=True,
        )
        decided_version = story.version  # read before the commit (see below)
        db.session.commit()
    except VANISHED:
        _stale(story_id)
        return redirect(url_for("moderation.review", story_id=story_id), code=303)
    except IllegalTransition:
        db.session.rollback()
        flash(_("That decision is not possible for a story in this state."))
        return redirect(url_for("moderation.review", story_id=story_id), code=303)
    except TranscriptMissing:
        db.session.rollback()
        flash(_("Write the transcript first: a voice story is published only with one."))
        return redirect(url_for("moderation.review", story_id=story_id) + "#voice", code=303)
    # Nothing below reads the story again: its teller may withdraw it right after the commit.
    # The next page says what was decided, with an Undo button (undo_message below).
    session["undo"] = [story_id, decided_version]
    following = next_pending(after_id=story_id)
    if following is not None:
        return redirect(url_for("moderation.review", story_id=following.id), code=303)
    return redirect(url_for("moderation.queue"), code=303)


def _decision_done(decision: str, title: str) -> str:
    """What the flash after a decision says, the title isolated from the sentence."""
    title = f"\u2068{title}\u2069"
    if decision == "approve":
        return _("Published “%(title)s”.", title=title)
    if decision == "reject":
        return _("Not published: “%(title)s”.", title=title)
    if decision == "request_changes":
        return _("Asked for changes to “%(title)s”.", title=title)
    return _("Unpublished “%(title)s”.", title=title)


@bp.app_template_global()
def undo_message() -> dict | None:
    """The message after a decision ("Published ‘…’" and its Undo button), shown once
    by the page that follows it (base.html calls this; an e-mail rendered during the
    decision must not take it, nor query after the commit). The session keeps only the
    story's id and version: the words come from the moderator's undoable decision."""
    kept = session.pop("undo", None) if current_user.is_authenticated else None
    if not isinstance(kept, list) or len(kept) != 2:
        return None
    offer = undo_offer(current_user, *kept, current_app.config["UNDO_SECONDS"])
    if offer is None:
        return None
    return {
        "story_id": offer.story_id,
        "version": offer.story_version,
        "message": _decision_done(offer.decision, offer.story.title),
    }


@bp.route("/undo", methods=["POST"])
def undo():
    """Take back one's own latest decision, within UNDO_SECONDS (the Undo button of the
    flash after a decision; the `u` key presses it)."""
    form = UndoForm()
    if not form.validate_on_submit():
        abort(400)
    story_id = form.story_id.data
    seconds = current_app.config["UNDO_SECONDS"]
    try:
        story = undo_decision(current_user, story_id, form.version.data, seconds)
        title, status = f"\u2068{story.title}\u2069", status_label(story.status)
        db.session.commit()
    except NothingToUndo:
        db.session.rollback()
        flash(_("Nothing to undo: that decision was undone already, or you made another since."))
    except UndoTooLate:
        db.session.rollback()
        flash(
            _(
                "Too late to undo: a decision can be taken back for %(seconds)s seconds. "
                "Decide again below if needed.",
                seconds=seconds,
            )
        )
    except VANISHED:
        # The story is gone (a page says so), or someone acted on it since the decision.
        _stale(story_id, _("Not undone: the story changed since your decision. Check it again."))
    else:
        flash(_("Undone: “%(title)s” is back to “%(status)s”.", title=title, status=status))
    return redirect(url_for("moderation.review", story_id=story_id), code=303)


@bp.route("/stories/<int:story_id>/edit", methods=["POST"])
def edit(story_id: int):
    story = _load(story_id)
    form = EditForm(voice_story=story.recording is not None)
    if not form.validate_on_submit():
        return _render_review(story, edit_form=form)
    try:
        changed = edit_story(
            story,
            current_user,
            seen_version=form.version.data,
            title=form.title.data,
            quote=form.quote.data,
            body=form.body.data,
        )
        db.session.commit()
    except VANISHED:
        _stale(story_id)
    else:
        flash(_("Changes saved.") if changed else _("Nothing was changed."))
    return redirect(url_for("moderation.review", story_id=story_id), code=303)


@bp.route("/stories/<int:story_id>/redact", methods=["POST"])
def redact(story_id: int):
    story = _load(story_id)
    form = RedactForm()
    if not form.validate_on_submit():
        abort(400)
    email, title = story.contact_email, story.title
    try:
        finding = redact_detail(
            story,
            current_user,
            seen_version=form.version.data,
            key=form.detail.data,
            marker=removed_marker(story.language),
        )
        db.session.commit()
    except VANISHED:
        _stale(story_id)
    except DetailGone:
        db.session.rollback()
        flash(_("That detail is no longer in the text as it was flagged. Check it again."))
    except TooLongAfterRemoval:
        db.session.rollback()
        flash(_("The field would be too long with the marker in it. Edit the text instead."))
    else:
        message = form.message.data
        if email and message:
            # After the commit, with what was read before it (a withdrawal may follow).
            send_email(
                email,
                _("A moderator removed a personal detail from your story"),
                "moderator_message",
                title=title,
                message=message,
            )
        flash(
            _(
                "Removed: %(kind)s. The change is in the revision history.",
                kind=signal_label(finding.kind),
            )
        )
    return redirect(url_for("moderation.review", story_id=story_id), code=303)


def _versioned_action(story_id: int, action, done_message: str):
    story = _load(story_id)
    form = VersionForm()
    if not form.validate_on_submit():
        abort(400)
    try:
        action(story, form.version.data)
        db.session.commit()
    except VANISHED:
        _stale(story_id)
    except ValueError:
        db.session.rollback()
        flash(_("That is not possible for a story in this state."))
    else:
        flash(done_message)
    return redirect(url_for("moderation.review", story_id=story_id), code=303)


@bp.route("/stories/<int:story_id>/recording/remove", methods=["POST"])
def recording_remove(story_id: int):
    return _versioned_action(
        story_id,
        lambda story, version: remove_recording(story, current_user, seen_version=version),
        _("The recording was removed."),
    )


@bp.route("/stories/<int:story_id>/transcript", methods=["POST"])
def transcript_save(story_id: int):
    story = _load(story_id)
    form = TranscriptForm()
    if not form.validate_on_submit():
        return _render_review(story, status=400, transcript_form=form)
    try:
        changed = save_transcript(
            story, current_user, seen_version=form.version.data, text=form.transcript.data
        )
        db.session.commit()
    except VANISHED:
        _stale(story_id)
    else:
        flash(_("The transcript is saved.") if changed else _("The transcript is unchanged."))
    return redirect(url_for("moderation.review", story_id=story_id) + "#voice", code=303)


@bp.route("/stories/<int:story_id>/photo/remove", methods=["POST"])
def photo_remove(story_id: int):
    return _versioned_action(
        story_id,
        lambda story, version: remove_photo(story, current_user, seen_version=version),
        _("The photo was removed."),
    )


def _photo_action(story_id: int, form, action, done, *, shown_as: str | None = None):
    """A change to the photo (a blur, the crop's point); the review page again, at the
    photo. ``done(result)`` is the message after it; a form with fields of its own
    comes back beside them with its errors (``shown_as``: its name on the page)."""
    story = _load(story_id)
    if not form.validate_on_submit():
        if shown_as and "csrf_token" not in form.errors:
            return _render_review(story, status=400, **{shown_as: form})
        abort(400)
    try:
        result = action(story, form)
        db.session.commit()
    except VANISHED:
        _stale(story_id)
    except PhotoRejected as rejected:
        db.session.rollback()
        flash(str(rejected.message))
    except ValueError:
        db.session.rollback()
        flash(_("That is not possible for a story in this state."))
    else:
        flash(done(result))
    return redirect(url_for("moderation.review", story_id=story_id) + "#photo-blur", code=303)


def _blurred_message(blurred: int) -> str:
    if blurred:
        return _("Blurred in every size of the photo; the unblurred files are deleted.")
    return _("No face was found in the photo: nothing was blurred.")


@bp.route("/stories/<int:story_id>/photo/blur-faces", methods=["POST"])
def photo_blur_faces(story_id: int):
    return _photo_action(
        story_id,
        VersionForm(),
        lambda story, form: blur_faces(story, current_user, seen_version=form.version.data),
        _blurred_message,
    )


@bp.route("/stories/<int:story_id>/photo/blur-area", methods=["POST"])
def photo_blur_area(story_id: int):
    return _photo_action(
        story_id,
        BlurAreaForm(),
        lambda story, form: blur_area(
            story, current_user, seen_version=form.version.data, area=form.area()
        ),
        _blurred_message,
        shown_as="blur_form",
    )


@bp.route("/stories/<int:story_id>/photo/focus", methods=["POST"])
def photo_focus(story_id: int):
    """Move the point portrait crops are cut around."""
    return _photo_action(
        story_id,
        FocusForm(prefix="focus"),  # prefixed: its fields sit beside the blur form's x and y
        lambda story, form: set_focal_point(
            story, current_user, seen_version=form.version.data, point=form.point()
        ),
        lambda _result: _("The portrait crop is cut around the new point on every page."),
        shown_as="focus_form",
    )


@bp.route("/stories/<int:story_id>/feature", methods=["POST"])
def feature(story_id: int):
    return _versioned_action(
        story_id,
        lambda story, version: set_featured(
            story, current_user, seen_version=version, featured=True
        ),
        _("The story is featured on the home page."),
    )


@bp.route("/stories/<int:story_id>/unfeature", methods=["POST"])
def unfeature(story_id: int):
    return _versioned_action(
        story_id,
        lambda story, version: set_featured(
            story, current_user, seen_version=version, featured=False
        ),
        _("The story is no longer featured."),
    )


@bp.route("/stories/<int:story_id>/reports/dismiss", methods=["POST"])
def reports_dismiss(story_id: int):
    return _versioned_action(
        story_id,
        lambda story, version: dismiss_reports(story, current_user, seen_version=version),
        _("Reports reviewed; the story is visible again if it is published."),
    )


@bp.route("/stories/<int:story_id>/language", methods=["POST"])
def accept_language_view(story_id: int):
    return _versioned_action(
        story_id,
        lambda story, version: accept_language(story, current_user, seen_version=version),
        _("The story's language is changed to the one proposed."),
    )


def _name_change_decision(story_id: int, *, approve: bool, done_message: str):
    story = _load(story_id)
    form = NameChangeForm()
    if not form.validate_on_submit():
        abort(400)
    try:
        decide_name_change(
            story,
            current_user,
            seen_version=form.version.data,
            change_id=form.change_id.data,
            approve=approve,
        )
        db.session.commit()
    except VANISHED:
        _stale(story_id)
    else:
        flash(done_message)
    return redirect(url_for("moderation.review", story_id=story_id), code=303)


@bp.route("/stories/<int:story_id>/name/approve", methods=["POST"])
def name_change_approve(story_id: int):
    return _name_change_decision(
        story_id, approve=True, done_message=_("The new name is shown from now on.")
    )


@bp.route("/stories/<int:story_id>/name/reject", methods=["POST"])
def name_change_reject(story_id: int):
    return _name_change_decision(
        story_id, approve=False, done_message=_("The name change was rejected; the name stays.")
    )


@bp.route("/stories/<int:story_id>/delete", methods=["POST"])
@admin_required
def delete(story_id: int):
    story = _load(story_id)
    form = DeleteForm()
    if not form.validate_on_submit():
        return _render_review(story, delete_form=form)
    try:
        delete_for_good(
            story, current_user, seen_version=form.version.data, reason=form.reason.data
        )
        db.session.commit()
    except VANISHED:
        _stale(story_id)
        return redirect(url_for("moderation.review", story_id=story_id), code=303)
    flash(_("The story was deleted for good."))
    return redirect(url_for("moderation.queue"), code=303)


# The audit log --------------------------------------------------------------------


def _log_filters() -> LogFilters:
    return LogFilters(
        action=params.text("action", 40),
        actor_id=params.integer("actor"),
        story_id=params.integer("story"),
        since=params.day("since"),
        until=params.day("until"),
    )


@bp.route("/log")
def log():
    filters = _log_filters()
    moderators = db.session.scalars(select(Moderator).order_by(Moderator.email)).all()
    return render_template(
        "moderation/log.html",
        lines=audit_log(filters),
        filters=filters,
        actions=audit_actions(),
        moderators=moderators,
    )


@bp.route("/log.csv")
@admin_required
def log_csv():
    rows = (
        [
            line.entry.created_at.isoformat(),
            line.who,
            line.action,
            _story_cell(line),
            line.status_change,
            line.entry.note or "",
        ]
        for line in audit_log(_log_filters(), limit=None)
    )
    return csv_download("audit-log.csv", ["time", "who", "action", "story", "status", "note"], rows)


def _story_cell(line) -> str:
    if line.story_title is not None:
        return line.story_title
    return _("deleted story") if line.entry.story_id else ""
