"""Receiving a story, finding it again by its private token, and what its teller may do."""

import enum
import hashlib
import secrets
import time
from dataclasses import dataclass
from functools import partial
from typing import NamedTuple

from flask import current_app, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from itsdangerous import BadData, URLSafeSerializer
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from campaign.audit import AuditAction, record, record_deletion
from campaign.database import reads_before_writing
from campaign.extensions import db
from campaign.i18n.detect import proposed_language
from campaign.i18n.languages import STORY_LANGUAGES
from campaign.mail import send_email
from campaign.media.blurring import blur_photo
from campaign.media.files import replace_renditions
from campaign.media.pipeline import Blur, PhotoRejected, process_upload
from campaign.media.staging import (
    NO_ROOM,
    NO_ROOM_FOR_VOICE,
    claim,
    discard,
    has_room,
    stage,
    stage_recording,
    staged_photo,
    staged_recording,
)
from campaign.media.voice import ProcessedVoice, VoiceRejected, remasked
from campaign.media.voice import process_upload as process_voice_upload
from campaign.models import (
    CONSENT_COLUMNS,
    NameDisplay,
    PendingNameChange,
    Photo,
    Recording,
    Story,
    StoryStatus,
    Theme,
    TranscriptSource,
    Translation,
    TranslationStatus,
    revise,
)
from campaign.models.tokens import find_by_token, hash_secret
from campaign.submissions.forms import ShareForm
from campaign.submissions.recovery import issue_recovery_code, new_code, story_for_recovery
from campaign.text import clean_line, clean_text, slugify

TOKEN_BYTES = 32  # 256 random bits


def make_slug(title: str) -> str:
    """A readable slug with a random tail, so two stories never share one."""
    return f"{slugify(title, 'story')}-{secrets.token_hex(3)}"


# --- the form's stamp: when it was shown, and a one-time nonce -----------------


def _stamp_serializer() -> URLSafeSerializer:
    return URLSafeSerializer(current_app.config["SECRET_KEY"], salt="share-form-stamp")


def new_stamp(shown_at: float | None = None) -> str:
    """A signed (time shown, nonce) pair for the hidden field of a fresh form."""
    shown = time.time() if shown_at is None else shown_at
    return _stamp_serializer().dumps({"t": shown, "n": secrets.token_urlsafe(16)})


def read_stamp(stamp: str | None) -> tuple[float, str] | None:
    if not stamp:
        return None
    try:
        value = _stamp_serializer().loads(stamp)
    except BadData:
        return None
    if not isinstance(value, dict) or not isinstance(value.get("n"), str):
        return None
    return float(value.get("t", 0)), value["n"]


def nonce_hash(nonce: str) -> str:
    return hashlib.sha256(f"nonce:{nonce}".encode()).hexdigest()


def story_for_nonce(nonce: str) -> Story | None:
    return db.session.scalar(select(Story).where(Story.submission_nonce == nonce_hash(nonce)))


# --- creating and changing stories ---------------------------------------------


def _themes(theme_ids) -> list[Theme]:
    if not theme_ids:
        return []
    return list(db.session.scalars(select(Theme).where(Theme.id.in_(list(theme_ids)))).all())


def create_story(
    *,
    title: str,
    body: str,
    author_name: str,
    origin_country: str,
    residence_country: str,
    contact_email: str | None,
    quote: str = "",
    name_display: NameDisplay | str = NameDisplay.FIRST,
    moved_year: int | None = None,
    language: str = "en",
    theme_ids=(),
    on_behalf: bool = False,
    helper_relationship: str | None = None,
    age_confirmed: bool = False,
    consent_version: str | None = None,
    channels=(),
    photo: Photo | None = None,
    recording: Recording | None = None,
    transcript: str = "",
    nonce: str | None = None,
    recovery_code: str | None = None,
    is_sample: bool = False,
) -> tuple[Story, str]:
    """Add a pending story; return it with the private token (shown once, stored hashed).
    A ``recovery_code`` (``recovery.new_code``), stored hashed too, is shown with it."""
    token = secrets.token_urlsafe(TOKEN_BYTES)
    clean_title = clean_line(title)
    story = Story(
        slug=make_slug(clean_title),
        title=clean_title,
        quote=clean_line(quote or ""),
        body=clean_text(body),
        author_name=clean_line(author_name or ""),
        name_display=NameDisplay(name_display),
        origin_country=origin_country,
        residence_country=residence_country,
        moved_year=moved_year,
        language=language,
        contact_email=(contact_email or "").strip().lower() or None,
        on_behalf=bool(on_behalf),
        helper_relationship=(clean_line(helper_relationship or "") or None) if on_behalf else None,
        age_confirmed=bool(age_confirmed),
        consent_version=consent_version,
        **_consent_columns(channels),
        token_hash=hash_secret(token),
        submission_nonce=nonce_hash(nonce) if nonce else None,
        recovery_hash=hash_secret(recovery_code) if recovery_code else None,
        is_sample=is_sample,
    )
    story.proposed_language = proposed_language(story.language, story.body)
    story.themes = _themes(theme_ids)
    db.session.add(story)
    db.session.flush()
    if recording is not None:
        claim(recording)
        recording.story_id = story.id
        set_transcript(recording, transcript, TranscriptSource.STORYTELLER)
    if photo is not None:
        claim(photo)
        photo.story_id = story.id
    if photo is not None or recording is not None:
        db.session.flush()
        db.session.refresh(story)
    return story, token


def set_transcript(recording: Recording, text: str, source: TranscriptSource) -> None:
    """The recording's transcript is now ``text``, written by ``source`` (none when empty)."""
    recording.transcript = clean_text(text or "")
    recording.transcript_source = source.value if recording.transcript else None


def story_for_token(token: str) -> Story | None:
    return find_by_token(Story, token)


EDITABLE = frozenset({StoryStatus.PENDING, StoryStatus.CHANGES_REQUESTED})


def can_edit(story: Story) -> bool:
    return story.status in EDITABLE


class StoryMoved(Exception):
    """The story changed (a moderator's edit) since the storyteller's form was shown."""


def edit_story(
    story: Story, *, seen_version: int | None, theme_ids=(), photo_alt: str | None = None, **fields
) -> None:
    """The storyteller's changes, made to the version their form was shown with (else
    ``StoryMoved``: a moderator's redaction is never silently undone); each changed
    text leaves a revision, as a moderator's edit does. A story that needed changes
    goes back to the queue."""
    if not can_edit(story):
        raise ValueError("this story can no longer be edited")
    if seen_version is None or seen_version != story.version:
        raise StoryMoved()
    revise(
        story,
        None,
        title=clean_line(fields["title"]),
        quote=clean_line(fields.get("quote") or ""),
        body=clean_text(fields["body"]),
    )
    story.author_name = clean_line(fields.get("author_name") or "")
    story.name_display = NameDisplay(fields["name_display"])
    story.origin_country = fields["origin_country"]
    story.residence_country = fields["residence_country"]
    story.moved_year = fields.get("moved_year")
    story.language = fields["language"]
    story.proposed_language = proposed_language(story.language, story.body)
    story.themes = _themes(theme_ids)
    if story.photo is not None and photo_alt is not None:
        story.photo.alt_text = clean_line(photo_alt)
    if story.status is StoryStatus.CHANGES_REQUESTED:
        previous = story.move_to(StoryStatus.PENDING)
        # Dated in the log, so that their private page's timeline shows when it went back.
        record(None, AuditAction.RESUBMITTED, story, from_status=previous, to_status=story.status)
    db.session.flush()


# How much of a name each choice shows: hiding more is always allowed at once.
_SHOWS = {NameDisplay.ANONYMOUS: 0, NameDisplay.FIRST: 1, NameDisplay.FULL: 2}


def hides_only(old_display, old_name: str, new_display, new_name: str) -> bool:
    """Whether a name change only shows less than before, with no new text: anonymous,
    or the same name with less of it (full name -> first name). Anything else (a new
    or changed name, more of it) is something a moderator must read first."""

    def shown(display, name) -> int:
        return _SHOWS[NameDisplay(display)] if (name or "").strip() else 0

    if shown(new_display, new_name) == 0:
        return True
    return new_name == old_name and shown(new_display, new_name) <= shown(old_display, old_name)


class NameChange(enum.Enum):
    """What became of a storyteller's name change."""

    APPLIED = "applied"  # shown at once: the story is not public, or the change hides more
    WAITING = "waiting"  # a published story's new or fuller name: waits for a moderator
    UNCHANGED = "unchanged"  # as it is now (a waiting request, if any, is withdrawn)


def change_name_display(story: Story, name_display: str, author_name: str) -> NameChange:
    """How the storyteller wants to be named. On a published story a change that only
    hides more applies at once (someone at risk must be able to hide their name now)
    and is recorded; a new or fuller name waits, as a PendingNameChange, while the
    public keeps the reviewed name. Any newer request replaces a waiting one."""
    display, name = NameDisplay(name_display), clean_line(author_name or "")
    waiting = story.pending_name_change
    if waiting is not None:
        story.pending_name_change = None  # replaced or withdrawn by this request
        db.session.flush()
    if (display, name) == (story.name_display, story.author_name):
        return NameChange.UNCHANGED
    published = story.status is StoryStatus.PUBLISHED
    if published and not hides_only(story.name_display, story.author_name, display, name):
        story.pending_name_change = PendingNameChange(name_display=display, author_name=name)
        # The note says what kind of change, never the name: the log is not a copy of it.
        record(None, AuditAction.NAME_CHANGE_REQUESTED, story, note=display.value)
        db.session.flush()
        return NameChange.WAITING
    previous = story.name_display
    story.name_display, story.author_name = display, name
    if published:
        record(None, AuditAction.NAME_HIDDEN, story, note=f"{previous.value} → {display.value}")
    db.session.flush()
    return NameChange.APPLIED


def blur_faces_in_photo(story: Story) -> list:
    """The storyteller blurs the faces found in their photo, in every rendition, at once
    (it shows less); recorded when the photo was public, like its removal. Returns the
    areas blurred (none when no face was found). Raises ``PhotoRejected``."""
    if story.photo is None:
        return []
    if story.photo.faces and not story.photo.faces_left:
        return story.photo.blurred  # done already: nothing is cut again
    blurred = blur_photo(story.photo, the_faces=True)
    if blurred and story.status is StoryStatus.PUBLISHED:
        note = f"{len(blurred)} area(s)"
        record(None, AuditAction.PHOTO_BLURRED_BY_STORYTELLER, story, note=note)
    db.session.flush()
    return blurred


def remove_photo(story: Story) -> None:
    """Detach and delete the photo row (its files go after the commit). At once, as it
    shows less; recorded when the photo was public."""
    if story.photo is not None:
        story.photo = None
        if story.status is StoryStatus.PUBLISHED:
            record(None, AuditAction.PHOTO_REMOVED_BY_STORYTELLER, story)
        db.session.flush()


def _consent_columns(channels) -> dict[str, bool]:
    """The consent columns for these channels: on for each given, off for the others."""
    return {column: channel in channels for channel, column in CONSENT_COLUMNS.items()}


def change_channels(story: Story, channels) -> bool:
    """The storyteller's new consent per channel, with the consent text's version they
    agreed to now. At once everywhere: the public version follows it (publishing.hooks),
    and a card made while share images were allowed goes with its file (media.files).
    Returns whether anything changed."""
    wanted = _consent_columns(channels)
    if all(getattr(story, column) == on for column, on in wanted.items()):
        return False
    for column, on in wanted.items():
        setattr(story, column, on)
    story.consent_version = current_app.config["CONSENT_VERSION"]
    if not story.consents_share_images:
        story.share_cards = []
    record(None, AuditAction.CONSENT_CHANGED, story, note=_channel_note(story))
    db.session.flush()
    return True


def _channel_note(story: Story) -> str:
    """Which channels are on now, by their codes (no word of the story)."""
    return " ".join(sorted(channel.value for channel in story.channels))


class RecordingIsTheStory(ValueError):
    """A voice story without written text: deleting its recording would leave nothing;
    the storyteller withdraws the story instead."""


def remove_recording(story: Story) -> None:
    """Like ``remove_photo``: at once, as it shows less; recorded when it was public.
    Raises ``RecordingIsTheStory`` when the story has no written text."""
    if story.recording is None:
        return
    if not (story.body or "").strip():
        raise RecordingIsTheStory()
    story.recording = None
    if story.status is StoryStatus.PUBLISHED:
        record(None, AuditAction.RECORDING_REMOVED_BY_STORYTELLER, story)
    db.session.flush()


def shown_translations(story: Story) -> list[Translation]:
    """The story's reviewed translations, for its teller's private page (also while the
    teller does not allow translation, which hides them from everyone else)."""
    return list(
        db.session.scalars(
            select(Translation)
            .where(Translation.story_id == story.id)
            .where(Translation.status == TranslationStatus.PUBLISHED)
            .order_by(Translation.language)
        )
    )


def remove_translation(story: Story, translation_id: int) -> bool:
    """The storyteller deletes a translation of their story at once (safety first: no
    moderator is asked). Returns False when the story has no such translation."""
    translation = db.session.scalar(
        select(Translation).where(
            Translation.id == translation_id, Translation.story_id == story.id
        )
    )
    if translation is None:
        return False
    record(None, AuditAction.TRANSLATION_REMOVED_BY_STORYTELLER, story, note=translation.language)
    db.session.delete(translation)
    db.session.flush()
    return True


def withdraw(story: Story) -> None:
    """Delete the story for good, leaving only anonymous audit records
    (its photo's files go after the commit)."""
    previous = story.move_to(StoryStatus.WITHDRAWN)
    # By the storyteller, who is nobody's account: no actor.
    record_deletion(
        None, AuditAction.WITHDRAWN, story, from_status=previous, to_status=StoryStatus.WITHDRAWN
    )
    db.session.delete(story)
    db.session.flush()


def discard_staged(row: Photo | Recording | None) -> None:
    if row is not None and row.story_id is None:
        discard(row)


def chose_a_file(upload) -> bool:
    return upload is not None and bool(getattr(upload, "filename", None))


class TakenPhoto(NamedTuple):
    photo: Photo | None
    key: str
    blurred_now: bool = False  # faces were blurred on this try: show the result first


def take_photo(
    upload,
    kept: Photo | None,
    key: str,
    *,
    remove: bool = False,
    room: bool = True,
    blur_faces: bool = False,
) -> TakenPhoto:
    """The photo the share form holds now, and the key the form carries for it.

    A new upload replaces the photo kept from an earlier try; ticking "remove"
    drops the kept one. With ``blur_faces`` a new upload's faces are blurred
    before anything is stored (only the blurred renditions are ever written), and
    a kept photo's faces not yet blurred are blurred in its files. Raises
    ``PhotoRejected`` (and keeps the kept photo) when the upload is not a photo we
    accept, or when there is no ``room`` (``staging.has_room``, asked before the
    write transaction) for it.
    """
    if chose_a_file(upload):
        if not room:
            raise PhotoRejected(NO_ROOM)
        processed = process_upload(
            upload.stream,
            Blur(the_faces=blur_faces),
            later=current_app.config["PHOTO_PREPARE_LATER"],
        )
        discard_staged(kept)
        return TakenPhoto(*stage(processed), blurred_now=blur_faces)
    if remove and kept is not None:
        discard_staged(kept)
        return TakenPhoto(None, "")
    if kept is None:
        return TakenPhoto(None, "")
    if blur_faces and kept.faces_left:
        blur_photo(kept, the_faces=True)
        db.session.flush()
        return TakenPhoto(kept, key, blurred_now=True)
    return TakenPhoto(kept, key)


class TakenVoice(NamedTuple):
    recording: Recording | None
    key: str
    masked_now: bool = False  # masked on this try: listen to it before sending


def process_voice(upload, *, room: bool, masked: bool) -> ProcessedVoice | None:
    """A new recording's renditions (stored, no row yet), or None when none was chosen.

    Done before anything is written (``receive_story``): transcoding takes seconds,
    which a write transaction must not wait for. Raises ``VoiceRejected``."""
    if not chose_a_file(upload):
        return None
    if not room:
        raise VoiceRejected(NO_ROOM_FOR_VOICE)
    return process_voice_upload(upload.stream, masked=masked)


def mask_recording(recording: Recording) -> None:
    """The voice masked in every rendition; the unmasked files go after the commit."""
    processed = remasked(recording.renditions)
    replace_renditions(recording, processed.renditions)
    recording.masked = True


def take_voice(
    processed: ProcessedVoice | None,
    kept: Recording | None,
    key: str,
    *,
    remove: bool = False,
    mask: bool = False,
) -> TakenVoice:
    """The recording the share form holds now, like ``take_photo``: a new one replaces
    the kept one, "remove" drops it; asked to mask a kept recording that is not, it is
    masked in its files. Raises ``VoiceRejected`` when that cannot be done."""
    if processed is not None:
        discard_staged(kept)
        return TakenVoice(*stage_recording(processed), masked_now=processed.masked)
    if kept is None or remove:
        discard_staged(kept)
        return TakenVoice(None, "")
    if mask and not kept.masked:
        mask_recording(kept)
        db.session.flush()
        return TakenVoice(kept, key, masked_now=True)
    return TakenVoice(kept, key)


# --- receiving the share form ----------------------------------------------------


class Received(enum.Enum):
    """What became of a sent share form."""

    ACCEPTED = "accepted"  # stored as a pending story; its private token is shown once
    ALREADY_STORED = "already_stored"  # this very form was stored before (sent twice)
    ROBOT = "robot"  # the field people never see was filled in: nothing is stored
    FORM_EXPIRED = "form_expired"  # its CSRF token expired or is foreign: shown again
    NO_STAMP = "no_stamp"  # no genuine stamp: shown again with a fresh one
    TOO_QUICK = "too_quick"  # sent faster than a person fills it in: shown again
    PHOTO_REFUSED = "photo_refused"  # the photo is not one we accept: shown again
    PHOTO_GONE = "photo_gone"  # the photo kept from an earlier try is not there: shown again
    PHOTO_BLURRED = "photo_blurred"  # faces were just blurred: shown again to see the result
    VOICE_REFUSED = "voice_refused"  # the recording is not one we accept: shown again
    VOICE_GONE = "voice_gone"  # the recording kept from an earlier try is not there
    VOICE_MASKED = "voice_masked"  # the voice was just masked: shown again to listen first
    # Its text seems to be in another language than the one chosen: shown again once,
    # with the proposal beside the language field and a way to keep their choice.
    LANGUAGE_PROPOSED = "language_proposed"
    INVALID = "invalid"  # fields to fix: shown again with their errors


@dataclass(frozen=True)
class StagedKind:
    """A kind of media the share form keeps across tries (a photo, a recording): its
    fields (``<name>``, ``staged_<name>``, ``remove_staged_<name>``), the refusal its
    processing raises, and what is said when the one kept before is not there."""

    name: str
    rejected: type[PhotoRejected] | type[VoiceRejected]
    gone_message: str


PHOTO = StagedKind(
    "photo",
    PhotoRejected,
    _l(
        "We could not keep the photo you chose before. Choose it again, or send your "
        "story without a photo."
    ),
)
VOICE = StagedKind(
    "voice",
    VoiceRejected,
    _l(
        "We could not keep the recording you made before. Record or choose it again, or "
        "write your story instead."
    ),
)


class Staged(NamedTuple):
    """What the share form holds of one kind after this try."""

    row: Photo | Recording | None
    key: str
    changed_now: bool  # blurred or masked on this try: seen or heard before sending
    refused: bool  # the new file was refused (its reason is said next to the field)
    gone: bool  # the one kept before is not there (said next to the field)


def _say(form, kind: StagedKind, message) -> None:
    field = getattr(form, kind.name)
    field.errors = [*field.errors, message]


def keep_staged(form, kind: StagedKind, row, key: str, *, gone: bool) -> None:
    """The form shown again as it came: it names the kept file only while it is there,
    and says so next to its field when it is gone."""
    getattr(form, f"staged_{kind.name}").data = key if row is not None else ""
    if gone:
        _say(form, kind, kind.gone_message)


def take_staged(form, kind: StagedKind, take, kept, key: str, *, gone: bool, refused=False):
    """One kind's steps on a sent share form: take (``take(remove=...)``, which returns
    the row, key and whether it changed it now, or raises ``kind.rejected``), refused
    (the reason next to the field, the kept one stays), kept (the form names it for the
    next try; "remove" is unticked) and gone (the kept one vanished and nothing replaced
    it). ``refused``: the new file was refused before (a recording is processed first)."""
    removed = getattr(form, f"remove_staged_{kind.name}").data
    row, changed_now = kept, False
    try:
        row, key, changed_now = take(remove=removed and not refused)
    except kind.rejected as rejection:
        _say(form, kind, rejection.message)
        refused = True
    getattr(form, f"remove_staged_{kind.name}").data = False
    gone = gone and row is None and not removed and not refused
    keep_staged(form, kind, row, key, gone=gone)
    return Staged(row, key, changed_now, refused, gone)


@dataclass(frozen=True)
class Submission:
    received: Received
    form: ShareForm
    photo: Photo | None = None  # the photo the form holds now, to show when it is shown again
    story: Story | None = None  # ACCEPTED only, like the token
    token: str | None = None
    recovery_code: str | None = None  # ACCEPTED only: shown once with the token
    # Where to e-mail the private link after the commit, when the storyteller asked for it.
    link_to: str | None = None
    proposal: str | None = None  # LANGUAGE_PROPOSED only: the language the text seems to be in
    recording: Recording | None = None  # the recording the form holds now, like ``photo``


_DETAIL_FIELDS = (
    "title",
    "quote",
    "body",
    "name_display",
    "author_name",
    "origin_country",
    "residence_country",
    "moved_year",
    "language",
)


def story_details(form) -> dict:
    """What the share and edit forms have in common, as arguments of the services."""
    details = {name: getattr(form, name).data for name in _DETAIL_FIELDS}
    details["theme_ids"] = form.themes.data
    return details


def receive_story() -> Submission:
    """Screen the share form of this request; store the story when it passes.

    Checked in this order: the form's CSRF token, the field robots fill in, the
    stamp (genuine, not sent before, not sent too fast), the fields, the photo.
    The caller commits in every case: the new story, or a photo accepted on
    this try, which the form then keeps for the next one.

    The reads and checks stay out of the write transaction, and so does the
    photo's processing, which happens before its row is written (see
    ``reads_before_writing``). Two copies of one form arriving at the same
    moment both pass the early check; the unique nonce lets one story in, and
    the other copy rolls back here, and its photo files go with the rollback.
    """
    with reads_before_writing():
        form = ShareForm()
        valid = form.validate()
        key = form.staged_photo.data or ""
        photo = staged_photo(key)
        voice_key = form.staged_voice.data or ""
        recording = staged_recording(voice_key)
        # The form names a kept photo (or recording) this browser does not have (any
        # more): said next to its field, never stored without it in silence.
        gone = bool(key) and photo is None
        voice_gone = bool(voice_key) and recording is None
        if getattr(form, "csrf_token", None) and form.csrf_token.errors:
            form.csrf_token.errors = []
            keep_staged(form, PHOTO, photo, key, gone=gone)
            keep_staged(form, VOICE, recording, voice_key, gone=voice_gone)
            return Submission(Received.FORM_EXPIRED, form, photo, recording=recording)
        if form.website.data:
            return Submission(Received.ROBOT, form, photo, recording=recording)
        stamp = read_stamp(form.stamp.data)
        held_back, nonce = None, None
        if stamp is None:
            form.stamp.data = new_stamp()
            held_back = Received.NO_STAMP
        else:
            shown_at, nonce = stamp
            if story_for_nonce(nonce) is not None:
                return Submission(Received.ALREADY_STORED, form)
            if time.time() - shown_at < current_app.config["SHARE_MIN_FILL_SECONDS"]:
                held_back = Received.TOO_QUICK
        room = not chose_a_file(form.photo.data) or has_room(replacing=photo)
        voice_room = not chose_a_file(form.voice.data) or has_room(recording, Recording)

    # The recording is transcoded before anything is written (seconds of work that
    # no write lock waits for); it is staged with the photo below.
    voice_refused = False
    try:
        processed_voice = process_voice(
            form.voice.data, room=voice_room, masked=form.mask_voice.data
        )
    except VoiceRejected as rejected:
        _say(form, VOICE, rejected.message)
        processed_voice, voice_refused = None, True

    photo, key, blurred_now, refused, gone = take_staged(
        form,
        PHOTO,
        partial(
            take_photo, form.photo.data, photo, key, room=room, blur_faces=form.blur_faces.data
        ),
        photo,
        key,
        gone=gone,
    )
    recording, voice_key, masked_now, voice_refused, voice_gone = take_staged(
        form,
        VOICE,
        partial(take_voice, processed_voice, recording, voice_key, mask=form.mask_voice.data),
        recording,
        voice_key,
        gone=voice_gone,
        refused=voice_refused,
    )

    def shown_again(received: Received, **more) -> Submission:
        return Submission(received, form, photo, recording=recording, **more)

    if refused or gone or voice_refused or voice_gone or not valid or held_back:
        # Field errors say enough; a stamp's notice is for a form that was otherwise fine.
        if refused or voice_refused:
            return shown_again(Received.PHOTO_REFUSED if refused else Received.VOICE_REFUSED)
        if gone or voice_gone:
            return shown_again(Received.PHOTO_GONE if gone else Received.VOICE_GONE)
        return shown_again(Received.INVALID if not valid else held_back)
    if blurred_now or masked_now:
        # The storyteller sees the blurred photo, or hears the masked voice, before
        # the story is sent.
        return shown_again(Received.PHOTO_BLURRED if blurred_now else Received.VOICE_MASKED)

    proposal = language_to_propose(form)
    if proposal is not None:
        return shown_again(Received.LANGUAGE_PROPOSED, proposal=proposal)

    if photo is not None:
        photo.alt_text = clean_line(form.photo_alt.data or "")
    code = new_code()
    try:
        story, token = create_story(
            **story_details(form),
            recovery_code=code,
            contact_email=form.contact_email.data,
            on_behalf=form.on_behalf.data,
            helper_relationship=form.helper_relationship.data,
            age_confirmed=form.age_confirmed.data,
            consent_version=current_app.config["CONSENT_VERSION"],
            channels=form.channels(),
            photo=photo,
            recording=recording,
            transcript=form.transcript.data or "",
            nonce=nonce,
        )
    except IntegrityError:
        # The same form arrived twice at the same moment: the other copy was stored.
        db.session.rollback()  # and with it the files of the photo stored for it (media.files)
        return Submission(Received.ALREADY_STORED, form)
    link_to = story.contact_email if form.send_link.data else None
    return Submission(
        Received.ACCEPTED, form, photo, story, token, code, link_to, recording=recording
    )


@dataclass(frozen=True)
class Restored:
    story: Story
    token: str  # the new private link's token, shown once
    recovery_code: str  # the new recovery code, shown once


def restore_access(typed_code: str | None, typed_email: str | None) -> Restored | None:
    """A new private link and a new recovery code for the story these match
    (``recovery.story_for_recovery``): the old link and code stop working at once.
    None when nothing matched, whatever did not: the caller says the same in every
    case. By the storyteller, who is nobody's account: no actor."""
    story = story_for_recovery(typed_code, typed_email)
    if story is None:
        return None
    token = secrets.token_urlsafe(TOKEN_BYTES)
    story.token_hash = hash_secret(token)
    code = issue_recovery_code(story)
    record(None, AuditAction.PRIVATE_LINK_RESTORED, story)
    db.session.flush()
    return Restored(story, token, code)


def language_to_propose(form: ShareForm) -> str | None:
    """The language to propose before the story is stored, or None to store it as it is.

    Its button ("Change to Arabic and send") sets the language; a language kept once
    after a proposal is not questioned again; else the text is read."""
    if form.use_language.data in STORY_LANGUAGES:
        form.language.data = form.use_language.data
        return None
    if form.language_kept.data and form.language_kept.data == form.language.data:
        return None
    proposal = proposed_language(form.language.data, form.body.data)
    if proposal is not None:
        # Sent again with this language, it was seen and kept.
        form.language_kept.data = form.language.data
    return proposal


def send_private_link(address: str, token: str) -> bool:
    """E-mail the private link; call it after the commit. Returns whether it left."""
    link = url_for("submissions.my_story", token=token, _external=True)
    return send_email(address, _("The private link to your story"), "private_link", link=link)
