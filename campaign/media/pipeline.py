"""The photo pipeline: decode, check, turn upright, re-encode without metadata.

The upload is validated by decoding it (never by its name or declared type),
with an explicit list of formats. Only re-encoded renditions are stored: no
EXIF, GPS, XMP, ICC profile, comments or original file name survive, and the
original upload is never written anywhere.

Decoding, resizing and encoding run in a child process forked for each photo
(where the system can fork): the decoders are the code most exposed to hostile
files (libwebp's heap overflow of 2023 is one example), and a crash there ends
the child, not the worker serving the storyteller, who gets a clear message.
It also keeps the worker small: Pillow decodes WebP and PNG at full size (a
12-megapixel WebP takes about 180 MB while it is decoded), and memory a process
once held is rarely given back, so a long-lived worker would keep that peak.
The renditions come back as bytes and are stored by the worker itself, in the
request's own transaction bookkeeping (see files.py). A photo nobody asked to
blur is cut in two steps: the request keeps one clean copy at the largest size,
and the faces and the other renditions follow in the background (preparing.py).

The child is bounded, because a small hostile file can cost a great deal: a
progressive JPEG makes the decoder pass over the whole image once per scan, so
1.4 MB of one tiny scan repeated thousands of times was minutes of CPU. So:

- a JPEG with more than PHOTO_MAX_JPEG_SCANS scans is refused before anything
  decodes it (``count_jpeg_scans``, a walk over its segments);
- the child gets PHOTO_DECODE_CPU_SECONDS of CPU time (RLIMIT_CPU: SIGXCPU,
  then SIGKILL a second later), PHOTO_DECODE_MEMORY_MB of address space on top
  of what the worker had when it forked (RLIMIT_AS: allocations fail, Pillow
  raises MemoryError), and no core file (RLIMIT_CORE 0: it would hold the photo);
- the worker waits PHOTO_DECODE_TIMEOUT_SECONDS on the clock, then kills it
  (a decoder stuck without using CPU), well before gunicorn's timeout would
  kill the worker and lose the storyteller's form;
- on Linux the child is killed when the thread that forked it goes
  (PR_SET_PDEATHSIG), so a worker killed by gunicorn or the out-of-memory
  killer leaves no decoder running on, re-parented to PID 1.

Each ends in a ``PhotoRejected`` with a message for the person; the form is
shown again with everything typed. Without ``os.fork`` (not a POSIX system)
the photo is processed in the worker, unbounded.
"""

import contextlib
import ctypes
import functools
import io
import logging
import os
import pickle
import re
import selectors
import signal
import sys
import time
import warnings
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import NamedTuple

from flask import current_app
from flask_babel import lazy_gettext as _l
from PIL import Image, ImageOps, UnidentifiedImageError

from campaign.media import faces as face_areas
from campaign.media.storage import (
    StorageUnavailable,
    get_storage,
    new_base_name,
    rendition_name,
)

log = logging.getLogger(__name__)

try:
    import resource
except ImportError:  # not a POSIX system: no os.fork either, see in_bounded_child
    resource = None

FORMATS = ("JPEG", "PNG", "WEBP")
WIDTHS = (400, 800, 1600)
# (Pillow format, file extension, save options). WebP method 2 instead of the
# default 4 halves the encoding time (the largest cost of the pipeline) for about
# 1% more bytes at the same quality: methods 3 and up add rate-distortion passes.
# The JPEGs are the fallback for browsers without WebP and the social-media
# preview: a progressive JPEG is only 2-3% smaller, for 2-3 times the encoding time.
ENCODINGS = (
    ("WEBP", "webp", {"quality": 80, "method": 2}),
    ("JPEG", "jpg", {"quality": 82, "optimize": True}),
)
# A photo prepared later (media/preparing.py) is first kept as one clean copy at the
# largest size, from which every rendition is cut once the faces are found: a JPEG,
# the cheapest encoding (a fifth of WebP's time), at a quality that leaves the cut
# renditions as good as those cut from the upload.
MASTER_ENCODINGS = (("JPEG", "jpg", {"quality": 92}),)
_TRANSPOSED_ORIENTATIONS = {5, 6, 7, 8}  # EXIF orientations that swap width and height
_NOT_A_PHOTO = _l("This file is not a photo we can use. Choose a JPEG, PNG or WebP photo.")
_TOO_MANY_SCANS = _l(
    "This photo is saved in a way that takes far too long to read. Save it again as an "
    "ordinary JPEG, or choose another photo."
)
_TOO_SLOW = _l("This photo took too long to read. Choose a smaller photo, or save it again.")
_NO_FACE_DETECTOR = _l(
    "We could not look for faces in this photo just now. Try again in a moment, or "
    "choose a smaller photo."
)
# The object store (MEDIA_STORAGE_URL) did not answer: nothing was kept or changed.
_STORE_AWAY = _l("The photo could not be saved just now. Try again in a minute.")
_STORE_AWAY_READING = _l("The photo could not be read just now. Try again in a minute.")
_TOO_BIG = _l("This photo needs more memory to read than we can give it. Choose a smaller photo.")


class PhotoRejected(ValueError):
    """The upload is not a photo we accept; ``message`` says why, for the person."""

    def __init__(self, message):
        super().__init__(str(message))
        self.message = message


@dataclass
class ProcessedPhoto:
    width: int
    height: int
    renditions: list[dict]
    # The faces found (fractions of the upright photo, largest first, see media/faces.py)
    # and the areas blurred in every rendition.
    faces: list[list[float]] | None = field(default_factory=list)
    blurred: list[list[float]] = field(default_factory=list)
    # False: only the clean copy at the largest size is stored, faces not looked for
    # yet; media/preparing.py cuts the rest after the request.
    prepared: bool = True


class Blur(NamedTuple):
    """What to blur before any rendition is cut, handed to the child with the photo.

    ``faces`` are the faces already known (None: find them in the child); with
    ``the_faces``, each is blurred over its whole area (``faces.cover``); ``areas``
    are drawn by hand, fractions of the photo.
    """

    faces: list | None = None
    the_faces: bool = False
    areas: tuple = ()


NO_BLUR = Blur()


class Limits(NamedTuple):
    """What a photo may be; handed to the child, which has no app to ask."""

    max_bytes: int
    max_side: int
    max_pixels: int
    max_jpeg_scans: int


def _limits() -> Limits:
    """PHOTO_MAX_BYTES, _SIDE, _PIXELS and PHOTO_MAX_JPEG_SCANS (campaign/config.py)."""
    config = current_app.config
    return Limits(
        config["PHOTO_MAX_BYTES"],
        config["PHOTO_MAX_SIDE"],
        config["PHOTO_MAX_PIXELS"],
        config["PHOTO_MAX_JPEG_SCANS"],
    )


def photo_max_mb() -> int:
    """The largest photo we accept, in whole megabytes, as the forms and messages say it."""
    return current_app.config["PHOTO_MAX_BYTES"] // 2**20


def read_upload(stream) -> bytes:
    """Read at most the allowed size plus one byte, so an oversized upload is refused."""
    max_bytes = _limits().max_bytes
    data = stream.read(max_bytes + 1)
    if len(data) > max_bytes:
        raise PhotoRejected(
            _l("This photo is larger than %(mb)d MB. Choose a smaller one.", mb=photo_max_mb())
        )
    if not data:
        raise PhotoRejected(_l("The photo file is empty."))
    return data


_JPEG_START = b"\xff\xd8\xff"  # how Pillow recognises a JPEG
# What ends a scan's entropy-coded data: 0xFF and a marker, that is neither a
# stuffed 0x00, a restart marker (RST0-RST7, part of the data) nor a fill byte.
_END_OF_SCAN_DATA = re.compile(rb"\xff[^\x00\xd0-\xd7\xff]")
_SOS, _EOI = 0xDA, 0xD9
_WITHOUT_LENGTH = frozenset({0x01, 0xD8, *range(0xD0, 0xD8)})  # TEM, SOI, RST0-RST7


def count_jpeg_scans(data: bytes, stop_after: int | None = None) -> int:
    """The scans (SOS markers) of a JPEG's image, counted without decoding it.

    Walks the segments as a decoder reads them, each skipped by its length, so a
    marker inside another segment (an EXIF thumbnail is a JPEG of its own) is not
    counted; a scan's data runs to the next marker. Stops at the end of the image,
    at anything that is not a segment (the decoder refuses that), or as soon as
    the count passes ``stop_after``. Linear in the file, in C for the scan data.
    """
    scans, position, end = 0, 2, len(data)
    while position + 1 < end:
        if data[position] != 0xFF:  # stray bytes between segments, skipped like libjpeg
            position = data.find(b"\xff", position)
            if position < 0:
                break
            continue
        marker = data[position + 1]
        if marker == 0xFF:  # fill byte before a marker
            position += 1
            continue
        if marker in _WITHOUT_LENGTH:
            position += 2
            continue
        if marker == _EOI or position + 4 > end:
            break
        length = int.from_bytes(data[position + 2 : position + 4], "big")
        if length < 2:
            break
        position += 2 + length
        if marker == _SOS:
            scans += 1
            if stop_after is not None and scans > stop_after:
                break
            found = _END_OF_SCAN_DATA.search(data, position)
            if found is None:
                break
            position = found.start()
    return scans


def _refuse_absurd_scans(data: bytes, max_scans: int) -> None:
    """A progressive JPEG costs one pass over the whole image per scan. Encoders write
    1 (baseline) to about a dozen (libjpeg's progressive script: 10; mozjpeg's
    optimised ones are about as many), and even a scan per coefficient band and bit
    of precision stays under 100: more is only a way to burn CPU."""
    if data.startswith(_JPEG_START) and count_jpeg_scans(data, stop_after=max_scans) > max_scans:
        raise PhotoRejected(_TOO_MANY_SCANS)


def _open(data: bytes, limits: Limits) -> Image.Image:
    max_side, max_pixels = limits.max_side, limits.max_pixels
    _refuse_absurd_scans(data, limits.max_jpeg_scans)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            image = Image.open(io.BytesIO(data), formats=FORMATS)
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as error:
        raise PhotoRejected(
            _l("This photo has far too many pixels. Choose a smaller photo.")
        ) from error
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError) as error:
        raise PhotoRejected(_NOT_A_PHOTO) from error
    width, height = image.size
    if width < 1 or height < 1 or max(width, height) > max_side or width * height > max_pixels:
        raise PhotoRejected(
            _l(
                "This photo is %(width)d by %(height)d pixels, which is more than we accept. "
                "Choose a photo at most %(side)d pixels wide and high.",
                width=width,
                height=height,
                side=max_side,
            )
        )
    return image


def _decode(image: Image.Image) -> Image.Image:
    """Load the pixels (large JPEGs at reduced size), turned upright, in RGB.

    Works on ``image`` itself where it can: every copy of a decoded photo costs
    time and megabytes, and none of these pixels is stored as they are.
    """
    width, height = image.size
    if image.format == "JPEG":
        orientation = image.getexif().get(0x0112, 1)
        wanted = max(WIDTHS)
        # draft() decodes at 1/2, 1/4 or 1/8 scale (DCT scaling, much faster than
        # decoding everything) while staying at least this size.
        if orientation in _TRANSPOSED_ORIENTATIONS:
            image.draft("RGB", (1, wanted) if height > wanted else (width, height))
        else:
            image.draft("RGB", (wanted, 1) if width > wanted else (width, height))
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            image.load()
            ImageOps.exif_transpose(image, in_place=True)
    except (OSError, SyntaxError, ValueError, Image.DecompressionBombWarning) as error:
        raise PhotoRejected(
            _l("This photo seems damaged or incomplete. Try another photo or save it again.")
        ) from error
    if image.mode in ("RGBA", "LA", "PA") or (image.mode == "P" and "transparency" in image.info):
        rgba = image.convert("RGBA")
        flat = Image.new("RGB", rgba.size, (255, 255, 255))
        flat.paste(rgba, mask=rgba.getchannel("A"))
        return flat
    return image if image.mode == "RGB" else image.convert("RGB")


def _clean_copy(image: Image.Image) -> Image.Image:
    """Pixels only: a brand new image, so no metadata can ride along."""
    clean = Image.new("RGB", image.size)
    clean.paste(image)
    clean.info = {}
    return clean


def _pixels_only(image: Image.Image) -> Image.Image:
    """An image made by resize() is new, but it carries a copy of its source's info
    (JPEG save, for one, still reads the comment there): drop it."""
    image.info = {}
    return image


def _sized(upright: Image.Image):
    """Yield (width, height, image) for each rendition, from the largest down.

    Only the largest is resized from the decoded photo; each smaller one is
    resized from the one before, which has far fewer pixels to read. Bicubic
    from the decoded photo (already scaled down by the JPEG decoder) is the
    closest to a full-size Lanczos; Lanczos is the closest for the halvings after.
    """
    width, height = upright.size
    targets = sorted({min(width, max(WIDTHS)), *(w for w in WIDTHS if w < width)}, reverse=True)
    previous = None
    for target in targets:
        size = (target, max(1, round(height * target / width)))
        if previous is None:
            if size == upright.size:
                current = _clean_copy(upright)
            else:
                current = _pixels_only(upright.resize(size, Image.Resampling.BICUBIC))
        else:
            current = _pixels_only(previous.resize(size, Image.Resampling.LANCZOS))
        yield target, size[1], current
        previous = current


def _encode(image: Image.Image, pil_format: str, options: dict) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, format=pil_format, **options)
    return buffer.getvalue()


def _encode_all(image: Image.Image, encodings=ENCODINGS) -> list[bytes]:
    """One rendition in every format, one after the other: save() keeps its
    options on the image itself, so one image is never saved by two threads."""
    return [_encode(image, pil_format, options) for pil_format, _, options in encodings]


def _faces_in(upright: Image.Image) -> list | None:
    """The faces found, or None when the detector could not run: OpenCV's libraries
    need about 300 MB of address space (PHOTO_DECODE_MEMORY_MB is far more by default),
    and a photo nobody asked to blur is not refused for that."""
    try:
        return face_areas.detect(upright)
    except (ImportError, OSError, MemoryError):
        return None


class Rendered(NamedTuple):
    width: int  # of the full-size upright photo
    height: int
    sizes: list[tuple[int, int, list[bytes]]]  # largest first, encoded in ENCODINGS' order
    faces: list[list[float]] | None  # None: the detector could not run
    blurred: list[list[float]]


def _upright_size(image: Image.Image) -> tuple[int, int]:
    """The full-size width and height of the photo turned upright (before any draft)."""
    width, height = image.size
    if image.getexif().get(0x0112, 1) in _TRANSPOSED_ORIENTATIONS:
        return height, width
    return width, height


def _render_master(data: bytes, limits: Limits) -> Rendered:
    """Decode, check, turn upright and encode the clean copy at the largest size only
    (MASTER_ENCODINGS): all a request does for a photo prepared later."""
    with _open(data, limits) as image:
        full_width, full_height = _upright_size(image)
        width, height, largest = next(_sized(_decode(image)))
        encoded = _encode_all(largest, MASTER_ENCODINGS)
    return Rendered(full_width, full_height, [(width, height, encoded)], None, [])


def _render(data: bytes, limits: Limits, blur: Blur = NO_BLUR) -> Rendered:
    """Decode, check, turn upright, find the faces, blur what ``blur`` asks for and
    encode every rendition from the blurred pixels: photo in, bytes out. Nothing
    unblurred leaves the child when a blur is asked for."""
    with _open(data, limits) as image:
        full_width, full_height = _upright_size(image)
        # All inside the with block: the upright photo may be the opened image itself.
        upright = _decode(image)
        faces = _faces_in(upright) if blur.faces is None else blur.faces
        if faces is None and blur.the_faces:
            raise PhotoRejected(_NO_FACE_DETECTOR)
        areas = [face_areas.clamp(area) for area in blur.areas]
        if blur.the_faces:
            areas += [face_areas.cover(face) for face in faces or []]
        if areas:
            face_areas.blur(upright, areas)  # in place: these pixels are never stored as they are
        # Pillow lets go of the GIL while it resizes and encodes, so two threads
        # encode each size while this one resizes the next: the same CPU work,
        # done sooner whenever the other core is free (no gain on a busy machine).
        with ThreadPoolExecutor(max_workers=2) as pool:
            jobs = [
                (width, height, pool.submit(_encode_all, resized))
                for width, height, resized in _sized(upright)
            ]
            sizes = [(width, height, job.result()) for width, height, job in jobs]
    return Rendered(full_width, full_height, sizes, faces, areas)


class _Bounds(NamedTuple):
    cpu_seconds: int
    memory_bytes: int
    timeout_seconds: float


def _bounds() -> _Bounds:
    config = current_app.config
    return _Bounds(
        int(config["PHOTO_DECODE_CPU_SECONDS"]),
        int(config["PHOTO_DECODE_MEMORY_MB"]) * 2**20,
        float(config["PHOTO_DECODE_TIMEOUT_SECONDS"]),
    )


def _address_space_in_use() -> int | None:
    """This process's virtual memory size in bytes (Linux), or None where unknown."""
    try:
        with open("/proc/self/statm", "rb") as statm:
            pages = int(statm.read().split()[0])
    except (OSError, ValueError, IndexError):
        return None
    return pages * os.sysconf("SC_PAGE_SIZE")


@functools.cache
def _prctl():
    """libc's prctl on Linux, else None. Looked up in the worker, before any fork:
    loading a library in the child of a threaded process can deadlock."""
    if not sys.platform.startswith("linux"):
        return None
    try:
        return ctypes.CDLL(None, use_errno=True).prctl
    except (OSError, AttributeError):
        return None


_PR_SET_PDEATHSIG = 1  # <linux/prctl.h>


def _lower_limit(kind: int, soft: int, hard: int) -> None:
    """Set a resource limit, never above the hard limit the process already has."""
    _, current_hard = resource.getrlimit(kind)
    if current_hard != resource.RLIM_INFINITY:
        soft, hard = min(soft, current_hard), min(hard, current_hard)
    resource.setrlimit(kind, (soft, hard))


def _bound_this_child(
    parent: int, bounds: _Bounds, memory_limit: int | None, prctl, *, yielding: bool
) -> None:
    """In the child, first thing: die with the parent, and keep within the bounds
    (and, ``yielding``, give the CPU to everything else: work no one waits for)."""
    if yielding:
        os.nice(19)
    if prctl is not None:
        prctl(_PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
        if os.getppid() != parent:  # the parent died before the line above
            os._exit(1)
    with contextlib.suppress(ValueError):  # a handler the worker set must not catch it
        signal.signal(signal.SIGXCPU, signal.SIG_DFL)
    _lower_limit(resource.RLIMIT_CPU, bounds.cpu_seconds, bounds.cpu_seconds + 1)
    _lower_limit(resource.RLIMIT_CORE, 0, 0)
    if memory_limit is not None:
        _lower_limit(resource.RLIMIT_AS, memory_limit, memory_limit)


def _read_answer(reading: int, timeout: float) -> tuple[bytes, bool]:
    """What the child writes until it closes the pipe; and whether the time ran out first."""
    deadline = time.monotonic() + timeout
    chunks = []
    with selectors.DefaultSelector() as selector, os.fdopen(reading, "rb", buffering=0) as pipe:
        selector.register(pipe, selectors.EVENT_READ)
        while True:
            left = deadline - time.monotonic()
            if left <= 0 or not selector.select(left):
                return b"".join(chunks), True
            chunk = pipe.read(1 << 20)
            if not chunk:
                return b"".join(chunks), False
            chunks.append(chunk)


def _out_of_time(status: int, rusage, bounds: _Bounds) -> bool:
    """Whether the child was ended by its CPU limit (SIGXCPU, or the hard limit's SIGKILL)."""
    if not os.WIFSIGNALED(status):
        return False
    ended_by = os.WTERMSIG(status)
    used = rusage.ru_utime + rusage.ru_stime
    return ended_by == signal.SIGXCPU or (ended_by == signal.SIGKILL and used >= bounds.cpu_seconds)


def in_bounded_child(function, *args, yielding: bool = False):
    """``function(*args)`` in a forked, bounded child; its result, or its exception, here.

    For photos, and for anything else drawn from them (the share cards, cards.services).
    A ``yielding`` child runs at the lowest priority (nice 19): the requests of
    this machine are served first, and it takes whatever CPU they leave.

    A child that dies without an answer (a decoder crash, the out-of-memory
    killer) means the file could not be read as a photo; one stopped by its CPU
    limit or the clock, that it took too long.
    """
    if not hasattr(os, "fork"):
        return function(*args)
    bounds = _bounds()
    in_use = _address_space_in_use()
    memory_limit = None if in_use is None else in_use + bounds.memory_bytes
    prctl = _prctl()
    parent = os.getpid()
    reading, writing = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: answer through the pipe, then leave at once
        try:
            os.close(reading)
            _bound_this_child(parent, bounds, memory_limit, prctl, yielding=yielding)
            try:
                answer = (True, function(*args))
            except MemoryError:
                answer = (False, PhotoRejected(str(_TOO_BIG)))
            except BaseException as error:  # handed to the parent
                answer = (False, _picklable(error))
            with os.fdopen(writing, "wb") as out:
                pickle.dump(answer, out, protocol=pickle.HIGHEST_PROTOCOL)
        finally:
            os._exit(0)  # no atexit handlers, no flushing of the parent's buffers
    os.close(writing)
    timed_out = True  # until the answer is complete
    try:
        received, timed_out = _read_answer(reading, bounds.timeout_seconds)
    finally:
        if timed_out:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
        _, status, rusage = os.wait4(pid, 0)
    if timed_out or _out_of_time(status, rusage, bounds):
        raise PhotoRejected(_TOO_SLOW)
    if not received:
        raise PhotoRejected(_NOT_A_PHOTO)
    succeeded, value = pickle.loads(received)  # noqa: S301 - our own child's answer
    if not succeeded:
        raise value
    return value


def _picklable(error: BaseException) -> BaseException:
    if isinstance(error, PhotoRejected):
        return PhotoRejected(str(error.message))  # translated in the child, as here
    try:
        pickle.dumps(error)
    except Exception:  # replaced by a description of it
        return RuntimeError(f"photo processing failed: {error!r}")
    return error


def process(data: bytes, blur: Blur = NO_BLUR, *, later: bool = False) -> ProcessedPhoto:
    """Validate and re-encode a photo; store its renditions; return what was stored.

    ``later`` (only without a blur: nothing unblurred is written when one is asked
    for): store the clean copy at the largest size alone, and leave the faces and
    the other renditions to media/preparing.py, after the request.
    """
    if later and blur == NO_BLUR:
        rendered = in_bounded_child(_render_master, data, _limits())
        return _processed(rendered, _store(rendered.sizes, MASTER_ENCODINGS), prepared=False)
    return stored(render(data, blur))


def render(data: bytes, blur: Blur = NO_BLUR) -> Rendered:
    """Every rendition of a photo encoded, its faces found and blurred as asked, in a
    bounded child; nothing stored yet (``stored`` does)."""
    return in_bounded_child(_render, data, _limits(), blur)


def stored(rendered: Rendered) -> ProcessedPhoto:
    """A rendered photo's renditions stored under a new name: what ``process`` returns."""
    return _processed(rendered, _store(rendered.sizes))


def _processed(rendered: Rendered, renditions: list[dict], *, prepared=True) -> ProcessedPhoto:
    # The full-size dimensions of the upright photo (draft mode may have decoded less).
    return ProcessedPhoto(
        width=rendered.width,
        height=rendered.height,
        renditions=renditions,
        faces=rendered.faces,
        blurred=rendered.blurred,
        prepared=prepared,
    )


def _store(sizes, encodings_used=ENCODINGS, *, kept: dict | None = None) -> list[dict]:
    """Each rendition under a new base name, listed smallest first; ``kept``, a stored
    rendition, stands for the one of its width and format (which is not written)."""
    base = new_base_name()
    storage = get_storage()
    renditions: list[dict] = []
    written: list[dict] = []
    try:
        for width, height, encodings in sizes:
            for (pil_format, extension, _), encoded in zip(encodings_used, encodings, strict=True):
                if kept and (kept["width"], kept.get("format")) == (width, pil_format.lower()):
                    renditions.append(kept)
                    continue
                name = rendition_name(base, width, extension)
                storage.save(name, encoded)
                rendition = {
                    "name": name,
                    "width": width,
                    "height": height,
                    "format": pil_format.lower(),
                }
                renditions.append(rendition)
                written.append(rendition)
    except Exception as error:  # no row will ever name them
        for rendition in written:
            # The store may be away for this too: the journal's note lets recovery finish.
            with contextlib.suppress(StorageUnavailable):
                storage.delete(rendition["name"])
        if isinstance(error, StorageUnavailable):  # said next to the photo, never a 500
            log.warning("media.store_unavailable", extra={"error": str(error)})
            raise PhotoRejected(_STORE_AWAY) from error
        raise
    # Listed smallest first, as the API has always shown them (made largest first).
    renditions.sort(key=lambda rendition: rendition["width"])
    return renditions


def process_upload(stream, blur: Blur = NO_BLUR, *, later: bool = False) -> ProcessedPhoto:
    return process(read_upload(stream), blur, later=later)


def _largest(renditions: list[dict]) -> dict | None:
    """The rendition every size is cut again from: the widest, WebP before JPEG."""
    return max(
        (r for r in renditions if isinstance(r.get("width"), int)),
        key=lambda r: (r["width"], r.get("format") == "webp"),
        default=None,
    )


def reblurred(
    renditions: list[dict], blur: Blur, *, yielding: bool = False, keep_largest: bool = False
) -> ProcessedPhoto:
    """New renditions of a stored photo with more of it blurred (their width and
    height are those of the largest: the photo's own do not change).

    The original upload is never kept, so every size is cut again from the
    largest stored rendition, blurred in the same bounded child as an upload;
    the caller replaces the old files (``files.replace_renditions``). Raises
    ``PhotoRejected`` when that file is missing or unreadable.
    """
    storage = get_storage()
    largest = _largest(renditions)
    try:
        stored = storage.open(largest["name"]) if largest else None
    except StorageUnavailable as error:
        log.warning("media.store_unavailable", extra={"error": str(error)})
        raise PhotoRejected(_STORE_AWAY_READING) from error
    if stored is None:
        raise PhotoRejected(_l("This photo's file is missing. Remove the photo instead."))
    with stored.body:
        data = stored.body.read()
    rendered = in_bounded_child(_render, data, _limits(), blur, yielding=yielding)
    # ``keep_largest`` (nothing blurred: the same pixels): the file read stays as the
    # rendition of its size and format, so an address of it already shown keeps working.
    return _processed(rendered, _store(rendered.sizes, kept=largest if keep_largest else None))
