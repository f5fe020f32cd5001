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
request's own transaction bookkeeping (see files.py).
"""

import io
import os
import pickle
import warnings
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

from flask import current_app
from flask_babel import lazy_gettext as _l
from PIL import Image, ImageOps, UnidentifiedImageError

from campaign.media.storage import get_storage, new_base_name

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
_TRANSPOSED_ORIENTATIONS = {5, 6, 7, 8}  # EXIF orientations that swap width and height
_NOT_A_PHOTO = _l("This file is not a photo we can use. Choose a JPEG, PNG or WebP photo.")


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


def _limits():
    """PHOTO_MAX_BYTES, PHOTO_MAX_SIDE and PHOTO_MAX_PIXELS, set in campaign/config.py only."""
    config = current_app.config
    return config["PHOTO_MAX_BYTES"], config["PHOTO_MAX_SIDE"], config["PHOTO_MAX_PIXELS"]


def photo_max_mb() -> int:
    """The largest photo we accept, in whole megabytes, as the forms and messages say it."""
    return current_app.config["PHOTO_MAX_BYTES"] // 2**20


def read_upload(stream) -> bytes:
    """Read at most the allowed size plus one byte, so an oversized upload is refused."""
    max_bytes, _, _ = _limits()
    data = stream.read(max_bytes + 1)
    if len(data) > max_bytes:
        raise PhotoRejected(
            _l("This photo is larger than %(mb)d MB. Choose a smaller one.", mb=photo_max_mb())
        )
    if not data:
        raise PhotoRejected(_l("The photo file is empty."))
    return data


def _open(data: bytes, limits: tuple) -> Image.Image:
    _, max_side, max_pixels = limits
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


def _encode_all(image: Image.Image) -> list[bytes]:
    """One rendition in every format, one after the other: save() keeps its
    options on the image itself, so one image is never saved by two threads."""
    return [_encode(image, pil_format, options) for pil_format, _, options in ENCODINGS]


def _render(data: bytes, limits: tuple) -> tuple[int, int, list[tuple[int, int, list[bytes]]]]:
    """Decode, check, turn upright and encode every rendition: pixels in, bytes out.

    Returns the full-size upright dimensions and, largest first, each size with
    its encodings (in the order of ENCODINGS).
    """
    with _open(data, limits) as image:
        full_width, full_height = image.size
        if image.getexif().get(0x0112, 1) in _TRANSPOSED_ORIENTATIONS:
            full_width, full_height = full_height, full_width
        # All inside the with block: the upright photo may be the opened image itself.
        upright = _decode(image)
        # Pillow lets go of the GIL while it resizes and encodes, so two threads
        # encode each size while this one resizes the next: the same CPU work,
        # done sooner whenever the other core is free (no gain on a busy machine).
        with ThreadPoolExecutor(max_workers=2) as pool:
            jobs = [
                (width, height, pool.submit(_encode_all, resized))
                for width, height, resized in _sized(upright)
            ]
            sizes = [(width, height, job.result()) for width, height, job in jobs]
    return full_width, full_height, sizes


def _in_child(function, *args):
    """``function(*args)`` in a forked child; its result, or its exception, here.

    A child that dies without an answer (a decoder crash, the out-of-memory
    killer) means the file could not be read as a photo.
    """
    if not hasattr(os, "fork"):
        return function(*args)
    reading, writing = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: answer through the pipe, then leave at once
        try:
            os.close(reading)
            try:
                answer = (True, function(*args))
            except BaseException as error:  # handed to the parent
                answer = (False, _picklable(error))
            with os.fdopen(writing, "wb") as out:
                pickle.dump(answer, out, protocol=pickle.HIGHEST_PROTOCOL)
        finally:
            os._exit(0)  # no atexit handlers, no flushing of the parent's buffers
    os.close(writing)
    try:
        with os.fdopen(reading, "rb") as answers:
            received = answers.read()
    finally:
        os.waitpid(pid, 0)
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


def process(data: bytes) -> ProcessedPhoto:
    """Validate and re-encode a photo; store its renditions; return what was stored."""
    full_width, full_height, sizes = _in_child(_render, data, _limits())
    base = new_base_name()
    storage = get_storage()
    renditions: list[dict] = []
    try:
        for width, height, encodings in sizes:
            for (pil_format, extension, _), encoded in zip(ENCODINGS, encodings, strict=True):
                name = f"{base}-{width}.{extension}"
                storage.save(name, encoded)
                renditions.append(
                    {"name": name, "width": width, "height": height, "format": pil_format.lower()}
                )
    except Exception:  # no row will ever name them
        for rendition in renditions:
            storage.delete(rendition["name"])
        raise
    # Listed smallest first, as the API has always shown them (made largest first).
    renditions.sort(key=lambda rendition: rendition["width"])
    # The full-size dimensions of the upright photo (draft mode may have decoded less).
    return ProcessedPhoto(width=full_width, height=full_height, renditions=renditions)


def process_upload(stream) -> ProcessedPhoto:
    return process(read_upload(stream))
