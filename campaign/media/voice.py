"""The voice pipeline: probe, decode, check, optionally mask, normalise, transcode.

The counterpart of the photo pipeline (pipeline.py) for sound, built on ffmpeg:
the static build the ``imageio-ffmpeg`` wheel ships (libopus, AAC, ebur128 and
rubberband are in it; see README, "Voice stories"), so ``make run`` and
``make test`` need nothing from the system.

The upload is validated by decoding it, never by its name or declared type:

1. probe: ffmpeg reads the container; only the demuxers in ``CONTAINERS``
   pass (m4a/AAC, MP3, Ogg, WAV, WebM/Matroska), a video stream is refused
   (a cover picture in an MP3 or m4a is not video, and is dropped), and so is
   a declared duration over VOICE_MAX_SECONDS;
2. decode the first audio stream, and nothing else, to raw 48 kHz mono PCM
   (bounded by ``-t``: a lying header cannot make it decode for hours), with
   the mask applied there when asked for, so the voice as it was spoken never
   leaves that process; silence, a recording too short or too long, and one
   much shorter than its container claims (cut off, damaged) are refused;
   its loudness (EBU R128) is measured on the way;
3. encode the PCM twice, normalised to -16 LUFS (one gain, peaks limited to
   -1.5 dBFS): Opus in Ogg for most browsers, AAC in MP4 for Safari and iOS.

Raw PCM carries no tag, chapter, cover or GPS position, so nothing of the
upload's metadata can reach the renditions; ``-map_metadata -1`` and
``+bitexact`` keep the encoders from adding their own names and versions.

The upload, the PCM and the renditions live in anonymous memory files
(``memfd``): nothing of the upload is ever written to a disk, only the
renditions, by the worker, through the media storage (``_store``). The request
keeps the uploaded file in one (``params.Request``), and ``uploaded_file`` copies
it into another a chunk at a time, so the worker never holds a whole recording.

Each ffmpeg is a child process bounded like the photo child: CPU seconds
(RLIMIT_CPU), address space (RLIMIT_AS), no core file, killed with the thread
that started it (PR_SET_PDEATHSIG), and a clock (``timeout``), well within
gunicorn's timeout. Everything ends in a ``VoiceRejected`` with a message for
the person, and the form comes back with everything they typed.
"""

import contextlib
import functools
import os
import re
import signal
import subprocess
import tempfile
from dataclasses import dataclass, field
from typing import NamedTuple

import imageio_ffmpeg
from flask import current_app
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext

from campaign.media.pipeline import _lower_limit, _prctl
from campaign.media.storage import (
    StorageUnavailable,
    get_storage,
    new_base_name,
    rendition_name,
)

try:
    import resource
except ImportError:  # not a POSIX system: ffmpeg runs unbounded but for the clock
    resource = None

# ffmpeg's demuxer names (what "Input #0, <name>, from" says) of the formats we accept.
CONTAINERS = frozenset({"mov,mp4,m4a,3gp,3g2,mj2", "mp3", "ogg", "wav", "matroska,webm", "aac"})
SAMPLE_RATE = 48_000  # Opus's own rate; the PCM between the steps is s16le mono at this rate
_PCM_BYTES_PER_SECOND = SAMPLE_RATE * 2
# (format, file extension, content type, kbit/s, encoder options). Speech needs little:
# Opus at 48 kbit/s mono is transparent for a voice; AAC-LC needs about twice that.
ENCODINGS = (
    ("opus", "ogg", "audio/ogg", 48, ["-c:a", "libopus", "-application", "audio", "-f", "ogg"]),
    ("aac", "m4a", "audio/mp4", 96, ["-c:a", "aac", "-movflags", "+faststart", "-f", "mp4"]),
)
TARGET_LUFS = -16.0  # EBU R128 integrated loudness for speech heard on phones and in podcasts
PEAK_CEILING_DB = -1.5
MAX_GAIN_DB = 30.0  # a whisper is raised, a room's hum not blown up without bound
SILENCE_DB = -50.0  # a peak below this is no voice, only a room's noise or nothing
# A recording decoded to less than this share of the duration its container declares
# was cut off or damaged (VBR MP3s without an index estimate a little high).
_COMPLETE_SHARE = 0.8

_NOT_AUDIO = _l(
    "This file is not a recording we can use. Choose an m4a, MP3, Ogg, WAV or WebM file."
)
_VIDEO = _l("This file is a video. Choose a sound recording only (m4a, MP3, Ogg, WAV or WebM).")
_DAMAGED = _l(
    "This recording seems damaged or incomplete. Record it again, or choose another file."
)
_SILENT = _l("We could not hear anything in this recording. Check the microphone and record again.")
_TOO_SLOW = _l("This recording took too long to read. Choose a shorter recording.")
_FAILED = _l("We could not prepare this recording just now. Try again in a moment.")
_MISSING = _l("This recording's file is missing. Record or choose it again.")


class VoiceRejected(ValueError):
    """The upload is not a recording we accept; ``message`` says why, for the person."""

    def __init__(self, message):
        super().__init__(str(message))
        self.message = message


class Limits(NamedTuple):
    max_bytes: int
    min_seconds: float
    max_seconds: float


class Bounds(NamedTuple):
    cpu_seconds: int
    memory_bytes: int
    timeout_seconds: float


@dataclass
class ProcessedVoice:
    duration_seconds: float
    masked: bool
    renditions: list[dict] = field(default_factory=list)


class Rendered(NamedTuple):
    duration_seconds: float
    encoded: list[bytes]  # in ENCODINGS' order


def limits() -> Limits:
    config = current_app.config
    return Limits(
        int(config["VOICE_MAX_BYTES"]),
        float(config["VOICE_MIN_SECONDS"]),
        float(config["VOICE_MAX_SECONDS"]),
    )


def _bounds() -> Bounds:
    config = current_app.config
    return Bounds(
        int(config["VOICE_PROCESS_CPU_SECONDS"]),
        int(config["VOICE_PROCESS_MEMORY_MB"]) * 2**20,
        float(config["VOICE_PROCESS_TIMEOUT_SECONDS"]),
    )


def voice_max_mb() -> int:
    return current_app.config["VOICE_MAX_BYTES"] // 2**20


def voice_max_minutes() -> int:
    return max(1, round(current_app.config["VOICE_MAX_SECONDS"] / 60))


def mask_filter(semitones: float) -> str:
    """Pitch and formants shifted together by ``semitones`` (rubberband's default keeps
    formants with the pitch: both move, so the voice's timbre is not the speaker's)."""
    ratio = 2 ** (semitones / 12)
    return f"rubberband=pitch={ratio:.6f}:formant=shifted:transients=smooth"


@functools.cache
def ffmpeg_executable() -> str:
    """The wheel's static ffmpeg (IMAGEIO_FFMPEG_EXE, its own setting, may name another)."""
    return imageio_ffmpeg.get_ffmpeg_exe()


_CHUNK = 256 * 1024  # an upload is copied into its memory file this much at a time


def _too_large() -> VoiceRejected:
    return VoiceRejected(
        _l("This recording is larger than %(mb)d MB. Choose a shorter one.", mb=voice_max_mb())
    )


@contextlib.contextmanager
def uploaded_file(stream):
    """The upload copied into a memory file a chunk at a time (the worker never holds
    the whole recording, which may be tens of MB); yields its descriptor. At most the
    allowed size plus one byte is read, so an oversized upload is refused."""
    max_bytes = limits().max_bytes
    with _memory_file("voice-upload") as fd:
        size = 0
        while size <= max_bytes:
            chunk = stream.read(min(_CHUNK, max_bytes + 1 - size))
            if not chunk:
                break
            _write_all(fd, chunk)
            size += len(chunk)
        if size > max_bytes:
            raise _too_large()
        if not size:
            raise VoiceRejected(_l("The recording file is empty."))
        yield fd


# --- memory files ------------------------------------------------------------------


@contextlib.contextmanager
def _memory_file(name: str, data: bytes = b""):
    """An anonymous file in memory (Linux memfd), else an unlinked temporary file;
    yields its descriptor, which ffmpeg opens as /dev/fd/N (seekable: MP4 needs it)."""
    if hasattr(os, "memfd_create"):
        fd = os.memfd_create(name, 0)  # inheritable on purpose: passed to ffmpeg
    else:  # pragma: no cover - not Linux
        fd, path = tempfile.mkstemp(prefix="voice-")
        os.unlink(path)
    try:
        _write_all(fd, data)
        yield fd
    finally:
        os.close(fd)


def _write_all(fd: int, data: bytes) -> None:
    view = memoryview(data)
    while view:  # one write may take less than all of it
        view = view[os.write(fd, view) :]


def _contents(fd: int) -> bytes:
    size = os.fstat(fd).st_size
    return os.pread(fd, size, 0) if size else b""


def _path(fd: int) -> str:
    return f"/dev/fd/{fd}"


# --- bounded ffmpeg ----------------------------------------------------------------

_PR_SET_PDEATHSIG = 1


def _bound_child(bounds: Bounds, prctl) -> None:
    """In the child, before ffmpeg starts: die with the worker, keep within the bounds."""
    if prctl is not None:
        prctl(_PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
    if resource is not None:
        _lower_limit(resource.RLIMIT_CPU, bounds.cpu_seconds, bounds.cpu_seconds + 1)
        _lower_limit(resource.RLIMIT_CORE, 0, 0)
        _lower_limit(resource.RLIMIT_AS, bounds.memory_bytes, bounds.memory_bytes)


def run_ffmpeg(arguments: list[str], fds: tuple[int, ...], bounds: Bounds) -> tuple[int, str]:
    """ffmpeg with ``arguments``, bounded; (exit code, what it wrote on stderr).

    Raises ``VoiceRejected`` when it ran out of time (the clock or its CPU limit).
    """
    command = [ffmpeg_executable(), "-nostdin", "-hide_banner", "-nostats", "-threads", "1"]
    prctl = _prctl()  # looked up here, never in the child
    try:
        finished = subprocess.run(  # noqa: S603 - our own executable and arguments
            [*command, *arguments],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            pass_fds=fds,
            timeout=bounds.timeout_seconds,
            preexec_fn=functools.partial(_bound_child, bounds, prctl),
            check=False,
        )
    except subprocess.TimeoutExpired as error:
        raise VoiceRejected(_TOO_SLOW) from error
    if finished.returncode in (-signal.SIGXCPU, -signal.SIGKILL):
        raise VoiceRejected(_TOO_SLOW)
    return finished.returncode, finished.stderr.decode("utf-8", "replace")


# --- the steps ---------------------------------------------------------------------

_INPUT = re.compile(r"^Input #0, (?P<format>[^,]+(?:,[^,\s]+)*), from ", re.MULTILINE)
_DURATION = re.compile(r"^\s*Duration: (?P<h>\d+):(?P<m>\d\d):(?P<s>\d\d(?:\.\d+)?)", re.M)
_STREAM = re.compile(
    r"^\s*Stream #0:\d+.*?: (?P<kind>Audio|Video|Subtitle|Data): (?P<rest>.*)$", re.M
)
_MAX_VOLUME = re.compile(r"max_volume: (?P<db>-?(?:inf|[0-9.]+)) dB")
_INTEGRATED = re.compile(r"^\s*I:\s+(-?[0-9.]+|-inf) LUFS", re.MULTILINE)


class Probe(NamedTuple):
    container: str
    declared_seconds: float | None  # None: the container does not say (MediaRecorder's WebM)


def probe(fd: int, bounds: Bounds) -> Probe:
    """What the container says it holds; refuses what is not one sound recording."""
    _, report = run_ffmpeg(["-i", _path(fd)], (fd,), bounds)  # no output: exit 1 by design
    found = _INPUT.search(report)
    if found is None or found["format"] not in CONTAINERS:
        raise VoiceRejected(_NOT_AUDIO)
    streams = [(m["kind"], m["rest"]) for m in _STREAM.finditer(report)]
    if any(kind == "Video" and "(attached pic)" not in rest for kind, rest in streams):
        raise VoiceRejected(_VIDEO)
    if not any(kind == "Audio" for kind, _ in streams):
        raise VoiceRejected(_NOT_AUDIO)
    duration = _DURATION.search(report)
    declared = None
    if duration is not None:
        declared = int(duration["h"]) * 3600 + int(duration["m"]) * 60 + float(duration["s"])
    return Probe(found["format"], declared)


def _too_long(limit: float) -> VoiceRejected:
    return VoiceRejected(
        ngettext(
            "This recording is too long. Keep it to %(num)d minute or less.",
            "This recording is too long. Keep it to %(num)d minutes or less.",
            max(1, round(limit / 60)),
        )
    )


def decode(
    upload_fd: int, pcm_fd: int, limit: Limits, bounds: Bounds, mask: str | None
) -> tuple[float, float]:
    """The first audio stream as 48 kHz mono PCM into ``pcm_fd`` (masked when asked);
    after the checks, its duration in seconds and the gain that normalises it."""
    chain = [f"aformat=sample_fmts=fltp:sample_rates={SAMPLE_RATE}:channel_layouts=mono"]
    if mask:
        chain.append(mask)
    chain += ["aformat=sample_fmts=s16", "volumedetect", "ebur128"]
    code, report = run_ffmpeg(
        [
            "-i", _path(upload_fd),
            "-map", "0:a:0", "-vn", "-sn", "-dn",
            "-t", f"{limit.max_seconds + 1:.0f}",
            "-af", ",".join(chain),
            "-c:a", "pcm_s16le", "-f", "s16le", "-y", _path(pcm_fd),
        ],
        (upload_fd, pcm_fd),
        bounds,
    )  # fmt: skip
    seconds = os.fstat(pcm_fd).st_size / _PCM_BYTES_PER_SECOND
    if code != 0 or seconds == 0:
        raise VoiceRejected(_DAMAGED)
    if seconds > limit.max_seconds + 0.5:
        raise _too_long(limit.max_seconds)
    if seconds < limit.min_seconds:
        raise VoiceRejected(
            _l(
                "This recording is too short. Speak for at least %(seconds)d seconds.",
                seconds=round(limit.min_seconds),
            )
        )
    peak = _MAX_VOLUME.search(report)
    if peak is None or peak["db"] == "-inf" or float(peak["db"]) < SILENCE_DB:
        raise VoiceRejected(_SILENT)
    return seconds, _gain(report)


def _raw_input(pcm_fd: int) -> list[str]:
    return ["-f", "s16le", "-ar", str(SAMPLE_RATE), "-ac", "1", "-i", _path(pcm_fd)]


def _gain(report: str) -> float:
    """The gain, in dB, that brings the decoded sound to the target loudness (EBU R128
    integrated loudness, measured by ``ebur128`` while it was decoded)."""
    measured = _INTEGRATED.findall(report)
    if not measured:
        raise VoiceRejected(_FAILED)
    loudness = float(measured[-1])  # the summary comes last
    if loudness <= -70:  # R128's absolute gate: nothing above it is only noise
        raise VoiceRejected(_SILENT)
    return min(TARGET_LUFS - loudness, MAX_GAIN_DB)


def encode(pcm_fd: int, output_fds: list[int], gain_db: float, bounds: Bounds) -> None:
    """Both renditions at once from the PCM, normalised, with no metadata at all.

    Normalised as EBU R128 asks: one linear gain to the target loudness, and a
    limiter that keeps the peaks under the ceiling (loudnorm's linear mode does the
    same, at four times the sample rate: three times the CPU for a voice)."""
    normalise = (
        f"volume={gain_db:.2f}dB,"
        f"alimiter=limit={10 ** (PEAK_CEILING_DB / 20):.4f}:level=false:attack=5:release=50"
    )
    outputs = [f"[out{index}]" for index in range(len(ENCODINGS))]
    graph = f"[0:a]{normalise},aresample={SAMPLE_RATE},asplit={len(outputs)}{''.join(outputs)}"
    arguments = [*_raw_input(pcm_fd), "-filter_complex", graph]
    for label, fd, (_, _, _, kbps, options) in zip(outputs, output_fds, ENCODINGS, strict=True):
        arguments += [
            "-map", label, "-b:a", f"{kbps}k", *options,
            "-map_metadata", "-1", "-map_chapters", "-1",
            "-fflags", "+bitexact", "-flags:a", "+bitexact",
            "-y", _path(fd),
        ]  # fmt: skip
    code, _ = run_ffmpeg(arguments, (pcm_fd, *output_fds), bounds)
    if code != 0 or not all(os.fstat(fd).st_size for fd in output_fds):
        raise VoiceRejected(_FAILED)


def render(data: bytes, limit: Limits, bounds: Bounds, mask: str | None = None) -> Rendered:
    """Recording in, renditions out (bytes, ENCODINGS' order); nothing written to a disk."""
    with _memory_file("voice-upload", data) as upload:
        return render_file(upload, limit, bounds, mask)


def render_file(upload: int, limit: Limits, bounds: Bounds, mask: str | None = None) -> Rendered:
    """``render`` for a recording already in a memory file (an upload, see ``uploaded_file``)."""
    with contextlib.ExitStack() as files:
        found = probe(upload, bounds)
        if found.declared_seconds and found.declared_seconds > limit.max_seconds + 1:
            raise _too_long(limit.max_seconds)
        pcm = files.enter_context(_memory_file("voice-pcm"))
        seconds, gain_db = decode(upload, pcm, limit, bounds, mask)
        if found.declared_seconds and seconds < _COMPLETE_SHARE * found.declared_seconds:
            raise VoiceRejected(_DAMAGED)
        outputs = [files.enter_context(_memory_file(f"voice-{e[0]}")) for e in ENCODINGS]
        encode(pcm, outputs, gain_db, bounds)
        return Rendered(round(seconds, 2), [_contents(fd) for fd in outputs])


def _mask() -> str:
    return mask_filter(float(current_app.config["VOICE_MASK_SEMITONES"]))


def process(data: bytes, *, masked: bool = False) -> ProcessedVoice:
    """Validate and transcode a recording; store its renditions; return what was stored."""
    with _memory_file("voice-upload", data) as upload:
        return _process_file(upload, masked)


def process_upload(stream, *, masked: bool = False) -> ProcessedVoice:
    with uploaded_file(stream) as upload:
        return _process_file(upload, masked)


def _process_file(upload: int, masked: bool) -> ProcessedVoice:
    rendered = render_file(upload, limits(), _bounds(), _mask() if masked else None)
    return ProcessedVoice(rendered.duration_seconds, masked, _store(rendered.encoded))


def remasked(renditions: list[dict]) -> ProcessedVoice:
    """New renditions of a stored recording with the voice masked, cut from its Opus
    rendition (the upload is never kept); the caller replaces the old files
    (``files.replace_renditions``), which then go after the commit."""
    opus = next((r for r in renditions if r.get("format") == "opus"), None)
    return process(stored_bytes(opus["name"]) if opus else _missing(), masked=True)


def _missing():
    raise VoiceRejected(_MISSING)


def stored_bytes(name: str) -> bytes:
    """A stored rendition's bytes, from whichever storage holds them; ``VoiceRejected``
    when it is missing or the store is away (said to the person, never a 500)."""
    try:
        stored = get_storage().open(name)
    except StorageUnavailable as error:
        raise VoiceRejected(_FAILED) from error
    if stored is None:
        raise VoiceRejected(_MISSING)
    with stored.body:
        return stored.body.read()


def masked_preview(stream) -> bytes:
    """The upload as it would sound masked, in Opus, stored nowhere (the preview the
    storyteller hears before sending)."""
    with uploaded_file(stream) as upload:
        return render_file(upload, limits(), _bounds(), _mask()).encoded[0]


def pcm_of(data: bytes, sample_rate: int) -> bytes:
    """A rendition's bytes decoded to 16-bit mono PCM at ``sample_rate`` (for speech to
    text), by the same bounded ffmpeg, in memory files."""
    with _memory_file("voice-rendition", data) as source, _memory_file("voice-pcm") as out:
        code, _ = run_ffmpeg(
            ["-i", _path(source), "-ac", "1", "-ar", str(sample_rate), "-f", "s16le", "-y",
             _path(out)],
            (source, out),
            _bounds(),
        )  # fmt: skip
        if code != 0:
            raise VoiceRejected(_FAILED)
        return _contents(out)


def _store(encoded: list[bytes]) -> list[dict]:
    """Each rendition under one new base name (``storage.rendition_name``: the number is
    the bit rate, as a photo rendition's is its width)."""
    base = new_base_name()
    storage = get_storage()
    renditions: list[dict] = []
    try:
        for (audio_format, extension, content_type, kbps, _), data in zip(
            ENCODINGS, encoded, strict=True
        ):
            name = rendition_name(base, kbps, extension)
            storage.save(name, data)
            renditions.append(
                {
                    "name": name,
                    "format": audio_format,
                    "content_type": content_type,
                    "bytes": len(data),
                }
            )
    except Exception as error:  # no row will ever name them
        for rendition in renditions:
            # The store may be away for this too: the journal's note lets recovery finish.
            with contextlib.suppress(StorageUnavailable):
                storage.delete(rendition["name"])
        if isinstance(error, StorageUnavailable):  # said beside the recording, never a 500
            raise VoiceRejected(_FAILED) from error
        raise
    return renditions
