from urllib.parse import urlsplit

import segno
from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    jsonify,
    make_response,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import gettext as _
from sqlalchemy.orm.exc import StaleDataError
from werkzeug.exceptions import RequestEntityTooLarge

from campaign import params
from campaign.extensions import csrf, db, limiter
from campaign.i18n.detect import READ_CHARS, proposed_language
from campaign.i18n.languages import language_name
from campaign.i18n.locale import ENVIRON_SCRIPT_ROOT
from campaign.media import voice
from campaign.media.pipeline import PhotoRejected
from campaign.models import NameDisplay
from campaign.responses import private
from campaign.submissions.forms import (
    ChannelsForm,
    ConfirmForm,
    EditStoryForm,
    LostLinkForm,
    NameDisplayForm,
    SendLinkForm,
    ShareForm,
    WithdrawForm,
)
from campaign.submissions.services import (
    NameChange,
    Received,
    RecordingIsTheStory,
    StoryMoved,
    blur_faces_in_photo,
    can_edit,
    change_channels,
    change_name_display,
    edit_story,
    new_stamp,
    receive_story,
    remove_photo,
    remove_recording,
    remove_translation,
    restore_access,
    send_private_link,
    shown_translations,
    story_details,
    story_for_token,
    withdraw,
)
from campaign.submissions.timeline import timeline

bp = Blueprint("submissions", __name__)

_TOKEN_KEY = "new_story_token"  # noqa: S105 - a session key name, not a secret
_EMAILED_KEY = "new_story_link_emailed"
_CODE_KEY = "new_story_recovery_code"


def _share_limit() -> str:
    return current_app.config["SHARE_RATE_LIMIT"]


def _render_share(form, photo=None, notice=None, status=200, proposal=None, recording=None):
    return (
        render_template(
            "submissions/share.html",
            form=form,
            staged=photo,
            staged_recording=recording,
            notice=notice,
            proposal=proposal,
        ),
        status,
    )


def _expired_form_notice(form) -> str:
    if form.voice.data and form.voice.data.filename:
        return _(
            "For your safety, the form was not sent: it was open for a long time, or it did "
            "not come from this website. Everything you wrote is still here, but please "
            "choose your recording again. Then check the form and send it again."
        )
    if form.photo.data and form.photo.data.filename:
        return _(
            "For your safety, the form was not sent: it was open for a long time, or it did "
            "not come from this website. Everything you wrote is still here, but please "
            "choose your photo again. Then check the form and send it again."
        )
    return _(
        "For your safety, the form was not sent: it was open for a long time, or it did "
        "not come from this website. Everything you wrote is still here. Please check it "
        "and send it again."
    )


def _counts_against_the_share_limit(response) -> bool:
    """A stored story counts, and so does every try that sent a photo or a recording,
    whatever became of it: decoding one costs up to PHOTO_DECODE_CPU_SECONDS (a
    recording, seconds of ffmpeg), refused or kept for the next try, and without this
    a refused file could be sent again and again for free."""
    if response.status_code == 303:
        return True
    try:
        uploads = [request.files.get("photo"), request.files.get("voice")]
    except RequestEntityTooLarge:  # refused unread (413): nothing was decoded
        return False
    return any(upload and upload.filename for upload in uploads)


@bp.route("/share", methods=["GET", "POST"])
@csrf.exempt  # the form checks its own token, so an expired one re-shows the filled-in form
@limiter.limit(_share_limit, methods=["POST"], deduct_when=_counts_against_the_share_limit)
def share():
    if request.method == "GET":
        form = ShareForm()
        form.stamp.data = new_stamp()
        return _render_share(form)

    # A photo or recording over its limit is refused beside its field, the rest kept.
    config = current_app.config
    largest_file = max(config["PHOTO_MAX_BYTES"], config["VOICE_MAX_BYTES"])
    params.read_oversized_files(largest_file + 1, config["SHARE_MAX_REQUEST_BYTES"])
    sent = receive_story()
    db.session.commit()  # the new story, or a photo accepted on this try, kept for the next
    if sent.received is Received.ACCEPTED:
        # Kept in this browser's session cookie only until the thank-you page
        # shows it once (see thanks()): on a shared computer the next person must
        # not find it there, and it must not travel with every later request.
        session[_TOKEN_KEY] = sent.token
        session[_CODE_KEY] = sent.recovery_code
        session[_EMAILED_KEY] = bool(sent.link_to) and send_private_link(sent.link_to, sent.token)
    if sent.received in (Received.ACCEPTED, Received.ALREADY_STORED):
        return redirect(url_for("submissions.thanks"), code=303)
    if sent.received is Received.LANGUAGE_PROPOSED:
        notice = _(
            "Your story seems to be in %(language)s. Please check its language below, "
            "then send it.",
            language=language_name(sent.proposal),
        )
        return _render_share(
            sent.form, sent.photo, notice, proposal=sent.proposal, recording=sent.recording
        )
    if sent.received is Received.FORM_EXPIRED:
        notice = _expired_form_notice(sent.form)
        return _render_share(sent.form, sent.photo, notice, 400, recording=sent.recording)
    return _render_share(sent.form, sent.photo, _notice(sent.received), recording=sent.recording)


def _notice(received: Received) -> str | None:
    """What to say above a form shown again; field errors speak for themselves."""
    if received is Received.ROBOT:
        return _("Your story could not be sent. Please try again.")
    if received is Received.NO_STAMP:
        return _("Please check your story and send it again.")
    if received is Received.TOO_QUICK:
        return _("That was very quick. Please check your story and send it again.")
    if received is Received.PHOTO_BLURRED:
        return _(
            "Your story is not sent yet. Look at your photo with the faces blurred, "
            "then send your story."
        )
    if received is Received.VOICE_MASKED:
        return _(
            "Your story is not sent yet. Listen to your recording with your voice changed, "
            "then send your story."
        )
    return None


def _qr_data_uri(link: str) -> str:
    """The link as a QR code to photograph: an SVG data: address (the CSP's img-src
    allows data:), dark on white with the standard four-module quiet zone."""
    return segno.make(link, error="m").svg_data_uri(scale=5, border=4, light="#fff")


def _new_link_page(template: str):
    """A page that shows a new private link and its recovery code once.

    Both are taken out of the session as they are shown: a reload, or the next
    person at a shared computer, gets the page without them.
    """
    token = session.pop(_TOKEN_KEY, None)
    code = session.pop(_CODE_KEY, None)
    emailed = session.pop(_EMAILED_KEY, False)
    story = story_for_token(token) if token else None
    context = {"private_link": None}
    if story is not None:
        link = url_for("submissions.my_story", token=token, _external=True)
        context = {
            "private_link": link,
            "token": token,
            "recovery_code": code,
            "emailed": emailed,
            "has_email": bool(story.contact_email),
            "qr": _qr_data_uri(link),
            "link_form": SendLinkForm(formdata=None),
        }
    return private(make_response(render_template(template, **context)))


def _voice_preview_limit() -> str:
    return current_app.config["VOICE_PREVIEW_RATE_LIMIT"]


@bp.post("/share/voice-preview")
@limiter.limit(_voice_preview_limit)
def voice_preview():
    """The share form's recorder asks how the voice will sound masked, before the story
    is sent: the recording masked, in Opus, stored nowhere; or the reason it cannot be.
    CSRF-checked like any POST; rate-limited, each costs seconds of ffmpeg."""
    config = current_app.config
    params.read_oversized_files(config["VOICE_MAX_BYTES"] + 1, config["VOICE_MAX_BYTES"] * 2)
    upload = request.files.get("voice")
    if upload is None or not upload.filename:
        return jsonify(error=_("Record or choose a recording first.")), 400
    try:
        masked = voice.masked_preview(upload.stream)
    except voice.VoiceRejected as rejected:
        return jsonify(error=str(rejected.message)), 422
    response = make_response(masked)
    response.mimetype = "audio/ogg"
    return private(response)


def _language_guess_limit() -> str:
    return current_app.config["LANGUAGE_GUESS_RATE_LIMIT"]


@bp.post("/share/language")
@limiter.limit(_language_guess_limit)
def language_guess():
    """The share form's script asks as they write: the language their text seems to
    be in, when it is not the one chosen. Nothing is stored; CSRF-checked like any POST."""
    chosen = request.form.get("language", "")
    proposal = proposed_language(chosen, request.form.get("body", "")[:READ_CHARS])
    if proposal is None:
        return jsonify(language=None)
    name = language_name(proposal)
    return jsonify(
        language=proposal,
        message=_("Your story seems to be in %(language)s.", language=name),
        change=_("Change to %(language)s", language=name),
    )


@bp.route("/share/thanks")
def thanks():
    return _new_link_page("submissions/thanks.html")


def _recovery_limit() -> str:
    return current_app.config["RECOVERY_RATE_LIMIT"]


@bp.route("/lost-link", methods=["GET", "POST"])
@limiter.limit(_recovery_limit, methods=["POST"])
def lost_link():
    form = LostLinkForm()
    if form.validate_on_submit():
        restored = restore_access(form.code.data, form.email.data)
        if restored is not None:
            db.session.commit()
            session[_TOKEN_KEY] = restored.token
            session[_CODE_KEY] = restored.recovery_code
            return redirect(url_for("submissions.link_restored"), code=303)
        # The same words whatever did not match: the code, the e-mail, or both.
        form.code.errors.append(
            _(
                "We found no story with this recovery code and email address. Check each "
                "word, and the email address if you gave one with your story, then try again."
            )
        )
    page = render_template("submissions/lost_link.html", form=form)
    return private(make_response(page))


@bp.route("/lost-link/new")
def link_restored():
    return _new_link_page("submissions/link_restored.html")


@bp.route("/privacy")
def privacy():
    return render_template(
        "submissions/privacy.html",
        min_age=current_app.config["MIN_AGE"],
        consent_version=current_app.config["CONSENT_VERSION"],
        translation_server=_translation_server(),
    )


def _translation_server() -> str:
    """The host of the campaign's LibreTranslate server, when machine help is on (the
    same setting campaign/translating/machine.py reads; submissions do not import it)."""
    return urlsplit(current_app.config.get("LIBRETRANSLATE_URL") or "").hostname or ""


# --- the storyteller's private page ------------------------------------------


def _load(token: str):
    story = story_for_token(token)
    if story is None:
        abort(404)
    return story


def _channels_form_for(story) -> ChannelsForm:
    return ChannelsForm(
        formdata=None,
        **{channel.value: True for channel in story.channels if channel.value != "website"},
    )


def _private_page(story, token, *, name_form=None, link_form=None, channels_form=None, status=200):
    if name_form is None:
        name_form = NameDisplayForm(
            name_display=story.name_display.value, author_name=story.author_name
        )
    page = render_template(
        "submissions/my_story.html",
        story=story,
        token=token,
        can_edit=can_edit(story),
        steps=timeline(story),
        name_form=name_form,
        link_form=link_form or SendLinkForm(formdata=None),
        channels_form=channels_form or _channels_form_for(story),
        has_email=bool(story.contact_email),
        confirm_form=ConfirmForm(),
        translations=shown_translations(story),
        page_in=page_in,
    )
    return private(make_response(page, status))


def page_in(language: str, endpoint: str, **values) -> str:
    """A public page in one language: ``/fr/stories/<slug>`` (the prefix chooses it)."""
    path = url_for(endpoint, **values)
    root = request.environ.get(ENVIRON_SCRIPT_ROOT, "")
    script = request.script_root
    if script and path.startswith(script):
        path = path[len(script) :]
    return f"{root}/{language}{path}"


@bp.route("/my-story/<token>")
def my_story(token: str):
    story = _load(token)
    return _private_page(story, token)


def _edit_form_for(story):
    """The edit form filled in with the story as it is now."""
    return EditStoryForm(
        formdata=None,
        obj=story,
        voice_story=story.recording is not None,
        name_display=story.name_display.value,
        themes=[theme.id for theme in story.themes],
        photo_alt=story.photo.alt_text if story.photo else "",
    )


def _edit_page(story, token, form, *, typed=None, status=200):
    page = render_template(
        "submissions/edit.html", form=form, story=story, token=token, typed=typed
    )
    return private(make_response(page, status))


@bp.route("/my-story/<token>/edit", methods=["GET", "POST"])
def edit(token: str):
    story = _load(token)
    if not can_edit(story):
        flash(_("Your story can no longer be changed; you can still withdraw it."))
        return private(redirect(url_for("submissions.my_story", token=token), code=303))
    if request.method == "GET":
        return _edit_page(story, token, _edit_form_for(story))
    form = EditStoryForm(voice_story=story.recording is not None)
    if not form.validate_on_submit():
        return _edit_page(story, token, form)
    try:
        edit_story(
            story,
            seen_version=form.version.data,
            **story_details(form),
            photo_alt=form.photo_alt.data,
        )
        db.session.commit()
    except (StoryMoved, StaleDataError):
        # A moderator changed it meanwhile: the form shows the story as it is now,
        # and what they typed beside it, to copy from. Nothing of theirs is saved.
        db.session.rollback()
        story = _load(token)
        typed = {"title": form.title.data, "quote": form.quote.data, "body": form.body.data}
        return _edit_page(story, token, _edit_form_for(story), typed=typed, status=409)
    flash(_("Your changes are saved. A moderator will read your story again."))
    return private(redirect(url_for("submissions.my_story", token=token), code=303))


@bp.post("/my-story/<token>/name")
def name(token: str):
    story = _load(token)
    form = NameDisplayForm()
    if not form.validate_on_submit():
        return _private_page(story, token, name_form=form, status=200)
    outcome = change_name_display(story, form.name_display.data, form.author_name.data)
    db.session.commit()
    if outcome is NameChange.WAITING:
        flash(
            _(
                "Thank you. Your new name is waiting for a moderator to read it; until then "
                "your story is shown with the name it has now."
            )
        )
    elif story.name_display is NameDisplay.ANONYMOUS:
        flash(_("Your story is now shown without a name."))
    else:
        flash(_("How your name is shown has been changed."))
    return private(redirect(url_for("submissions.my_story", token=token), code=303))


@bp.post("/my-story/<token>/channels")
def channels(token: str):
    story = _load(token)
    form = ChannelsForm()
    if not form.validate_on_submit():
        return _private_page(story, token, channels_form=form, status=400)
    if change_channels(story, form.channels()):
        db.session.commit()
        flash(_("Saved. Your story now appears only where you allowed it."))
    else:
        flash(_("Nothing changed: your story already appears only where you allowed it."))
    return private(redirect(url_for("submissions.my_story", token=token), code=303))


def _delete_media(token: str, remove, *, removed: str, kept: str = ""):
    """The private page's "Delete my photo" and "Delete my recording": ``remove`` the
    story's media (it may refuse with ``RecordingIsTheStory``: then ``kept`` is said)."""
    story = _load(token)
    if ConfirmForm().validate_on_submit():
        try:
            remove(story)
            db.session.commit()
        except RecordingIsTheStory:
            db.session.rollback()
            flash(kept)
        else:
            flash(removed)
    return private(redirect(url_for("submissions.my_story", token=token), code=303))


@bp.post("/my-story/<token>/translations/<int:translation_id>/remove")
def remove_translation_view(token: str, translation_id: int):
    """Safety first: a translation its teller does not want goes at once."""
    story = _load(token)
    if ConfirmForm().validate_on_submit() and remove_translation(story, translation_id):
        db.session.commit()
        flash(_("The translation has been deleted."))
    return private(redirect(url_for("submissions.my_story", token=token), code=303))


@bp.post("/my-story/<token>/photo/remove")
def remove_photo_view(token: str):
    return _delete_media(token, remove_photo, removed=_("Your photo has been deleted."))


@bp.post("/my-story/<token>/recording/remove")
def remove_recording_view(token: str):
    return _delete_media(
        token,
        remove_recording,
        removed=_("Your recording has been deleted."),
        kept=_(
            "Your story has no written text, so its recording is the story. To remove "
            "your voice, withdraw your story."
        ),
    )


def _send_link_limit() -> str:
    return current_app.config["SEND_LINK_RATE_LIMIT"]


@bp.post("/my-story/<token>/photo/blur")
def blur_photo_view(token: str):
    story = _load(token)
    if ConfirmForm().validate_on_submit() and story.photo is not None:
        try:
            blurred = blur_faces_in_photo(story)
            db.session.commit()
        except PhotoRejected as rejected:
            db.session.rollback()
            flash(str(rejected.message))
        else:
            if blurred:
                flash(_("The faces in your photo are blurred, for good, everywhere it is shown."))
            else:
                flash(
                    _(
                        "We found no face in your photo, so nothing was blurred. If a face "
                        "can be seen, delete the photo."
                    )
                )
    return private(
        redirect(url_for("submissions.my_story", token=token) + "#photo-heading", code=303)
    )


@bp.post("/my-story/<token>/send-link")
@limiter.limit(_send_link_limit)
def send_link(token: str):
    """E-mail the link to the story's address, or when it has none to the one typed
    (on the thank-you page or the private page), which is used once and not kept."""
    story = _load(token)
    if story.contact_email:
        if ConfirmForm().validate_on_submit():
            _send_link_and_say(story.contact_email, token)
        return private(redirect(url_for("submissions.my_story", token=token), code=303))
    form = SendLinkForm()
    if form.validate_on_submit() and not form.email.data:
        form.email.errors.append(_("Give your email address, so we can send you the link."))
    if form.errors:
        return _private_page(story, token, link_form=form)
    _send_link_and_say(form.email.data, token)
    return private(redirect(url_for("submissions.my_story", token=token), code=303))


def _send_link_and_say(address: str, token: str) -> None:
    if send_private_link(address, token):
        flash(_("We have sent the link to your email address."))
    else:
        flash(_("Sorry, we could not send the email just now. Please copy the link instead."))


@bp.route("/my-story/<token>/withdraw", methods=["GET", "POST"])
def withdraw_view(token: str):
    story = _load(token)
    form = WithdrawForm()
    if form.validate_on_submit():
        withdraw(story)
        db.session.commit()
        return private(redirect(url_for("submissions.withdrawn"), code=303))
    page = render_template("submissions/withdraw.html", form=form, story=story, token=token)
    return private(make_response(page))


@bp.route("/share/withdrawn")
def withdrawn():
    return private(make_response(render_template("submissions/withdrawn.html")))
