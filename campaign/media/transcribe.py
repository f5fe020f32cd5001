"""Speech to text for voice stories: a draft transcript for the moderator to check.

Off by default (``SPEECH_TO_TEXT_BACKEND`` empty). A backend is anything with
``transcribe(pcm: bytes, sample_rate: int, language: str) -> str | None``: 16-bit
mono PCM in, the words heard out (None: this backend has nothing for that
language). ``SPEECH_TO_TEXT_BACKEND`` is ``"vosk"`` (the one adapter shipped, see
``VoskBackend``) or ``"package.module:factory"``, a callable taking the app's
config and returning a backend (how tests plug in a fake one).

Nothing leaves the server: the Vosk adapter reads a model folder the operator
downloaded (``SPEECH_TO_TEXT_MODELS``, one per story language) and is never
given a language name to fetch one with. Transcribing takes about a tenth to a
third of a recording's length on one core, too long for a request, so it runs
from ``flask --app campaign media transcribe`` (a timer, like the purge), on the
recordings of stories waiting for review that have no transcript. A machine's
transcript is marked as such (``TranscriptSource.SPEECH_TO_TEXT``): the queue
and the review page say it is to be checked.
"""

import importlib
import json
import logging
from pathlib import Path
from typing import Protocol

from flask import current_app
from sqlalchemy import select

from campaign.extensions import db
from campaign.media import voice
from campaign.models import Recording, Story, StoryStatus, TranscriptSource
from campaign.text import clean_text

log = logging.getLogger(__name__)

SAMPLE_RATE = 16_000  # what speech models are trained on


class Backend(Protocol):
    def transcribe(self, pcm: bytes, sample_rate: int, language: str) -> str | None: ...


class VoskBackend:
    """Vosk (Kaldi) from local model folders: {"en": "/srv/vosk/vosk-model-small-en-us-0.15"}.
    The ``vosk`` package is the operator's to install (``pip install vosk``)."""

    def __init__(self, models: dict[str, str]):
        self._folders = {language: Path(folder) for language, folder in models.items()}
        self._loaded: dict = {}

    def _model(self, language: str):
        folder = self._folders.get(language) or self._folders.get(language.split("-")[0])
        if folder is None:
            return None
        if folder not in self._loaded:
            if not folder.is_dir():
                raise FileNotFoundError(f"no Vosk model folder at {folder}")
            import vosk  # the operator's install; imported only when switched on

            vosk.SetLogLevel(-1)
            self._loaded[folder] = vosk.Model(model_path=str(folder))  # a path: never a download
        return self._loaded[folder]

    def transcribe(self, pcm: bytes, sample_rate: int, language: str) -> str | None:
        model = self._model(language)
        if model is None:
            return None
        import vosk

        recognizer = vosk.KaldiRecognizer(model, sample_rate)
        words = []
        step = sample_rate * 2 * 4  # four seconds at a time
        for start in range(0, len(pcm), step):
            if recognizer.AcceptWaveform(pcm[start : start + step]):
                words.append(json.loads(recognizer.Result()).get("text", ""))
        words.append(json.loads(recognizer.FinalResult()).get("text", ""))
        return " ".join(word for word in words if word).strip()


def backend() -> Backend | None:
    """The configured backend, made once per app; None when speech to text is off."""
    app = current_app._get_current_object()
    name = (app.config.get("SPEECH_TO_TEXT_BACKEND") or "").strip()
    if not name:
        return None
    made = app.extensions.get("speech_to_text")
    if made is None:
        if name == "vosk":
            made = VoskBackend(app.config.get("SPEECH_TO_TEXT_MODELS") or {})
        else:
            module, _, factory = name.partition(":")
            made = getattr(importlib.import_module(module), factory)(app.config)
        app.extensions["speech_to_text"] = made
    return made


def pcm_of(recording: Recording) -> bytes:
    """The recording's Opus rendition decoded to 16 kHz mono PCM, by the bounded ffmpeg."""
    opus = recording.rendition("opus")
    if opus is None:
        raise FileNotFoundError("the recording has no Opus rendition")
    return voice.pcm_of(voice.stored_bytes(opus["name"]), SAMPLE_RATE)


def waiting_recordings(limit: int) -> list[Recording]:
    """Recordings of stories waiting for review that have no transcript yet."""
    query = (
        select(Recording)
        .join(Story, Story.id == Recording.story_id)
        .where(
            Story.status.in_((StoryStatus.PENDING, StoryStatus.CHANGES_REQUESTED)),
            Recording.transcript == "",
        )
        .order_by(Recording.id)
        .limit(limit)
    )
    return list(db.session.scalars(query))


def draft_transcript(recording: Recording, engine: Backend) -> bool:
    """Write the machine's transcript on a recording that has none; whether it did."""
    if (recording.transcript or "").strip():
        return False  # a person's words are never replaced by a machine's
    heard = engine.transcribe(pcm_of(recording), SAMPLE_RATE, recording_language(recording))
    text = clean_text(heard or "")
    if not text:
        return False
    recording.transcript = text
    recording.transcript_source = TranscriptSource.SPEECH_TO_TEXT.value
    return True


def recording_language(recording: Recording) -> str:
    story = db.session.get(Story, recording.story_id)
    return story.language if story is not None else "en"


def transcribe_waiting(limit: int = 20) -> tuple[int, int]:
    """Draft transcripts for the waiting recordings, one commit each; (drafted, failed)."""
    engine = backend()
    if engine is None:
        return 0, 0
    drafted = failed = 0
    for recording in waiting_recordings(limit):
        try:
            if draft_transcript(recording, engine):
                drafted += 1
            db.session.commit()
        except Exception:  # one bad file or model never stops the others
            db.session.rollback()
            failed += 1
            log.exception("speech_to_text.failed", extra={"recording": recording.id})
    return drafted, failed
