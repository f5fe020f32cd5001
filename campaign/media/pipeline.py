"""The photo pipeline: decode, check, turn upright, re-encode without metadata.

The upload is validated by decoding it (never by its name or declared type),
with an explicit list of formats. Only re-encoded renditions are stored: no
EXIF, GPS, XMP, ICC profile, comments or original file name survive, and the
original upload is never written anywhere.
"""

import io
import warnings
from dataclasses import dataclass

from flask import current_app
from flask_babel import lazy_gettext as _l
from PIL import Image, ImageOps, UnidentifiedImageError

from .storage import delete_renditions, get_storage, new_base_name

FORMATS = ("JPEG", "PNG", "WEBP")
WIDTHS = (400, 800, 1600)
# (Pillow format, file extension, save options)
ENCODINGS = (
    ("WEBP", "webp", {"quality": 80, "method": 4}),
    ("JPEG", "jpg", {"quality": 82, "optimize": True, "progressive": True}),
)
_TRANSPOSED_ORIENTATIONS = {5, 6, 7, 8}  # EXIF orientations that swap width and height


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
    config = current_app.config
    return (
        config.get("PHOTO_MAX_BYTES", 10 * 1024 * 1024),
        config.get("PHOTO_MAX_SIDE", 12_000),
        config.get("PHOTO_MAX_PIXELS", 50_000_000),
    )


def read_upload(stream) -> bytes:
    """Read at most the allowed size plus one byte, so an oversized upload is refused."""
    max_bytes, _, _ = _limits()
    data = stream.read(max_bytes + 1)
    if len(data) > max_bytes:
        raise PhotoRejected(
            _l("This photo is larger than %(mb)d MB. Choose a smaller one.", mb=max_bytes // 2**20)
        )
    if not data:
        raise PhotoRejected(_l("The photo file is empty."))
    return data


def _open(data: bytes) -> Image.Image:
    _, max_side, max_pixels = _limits()
    not_a_photo = _l("This file is not a photo we can use. Choose a JPEG, PNG or WebP photo.")
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            image = Image.open(io.BytesIO(data), formats=FORMATS)
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as error:
        raise PhotoRejected(
            _l("This photo has far too many pixels. Choose a smaller photo.")
        ) from error
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError) as error:
        raise PhotoRejected(not_a_photo) from error
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
    """Load the pixels (large JPEGs at reduced size) and turn the image upright."""
    width, height = image.size
    if image.format == "JPEG":
        orientation = image.getexif().get(0x0112, 1)
        wanted = max(WIDTHS)
        # draft() decodes at 1/2, 1/4 or 1/8 scale while staying at least this size.
        if orientation in _TRANSPOSED_ORIENTATIONS:
            image.draft("RGB", (1, wanted) if height > wanted else (width, height))
        else:
            image.draft("RGB", (wanted, 1) if width > wanted else (width, height))
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            image.load()
            upright = ImageOps.exif_transpose(image)
    except (OSError, SyntaxError, ValueError, Image.DecompressionBombWarning) as error:
        raise PhotoRejected(
            _l("This photo seems damaged or incomplete. Try another photo or save it again.")
        ) from error
    if upright.mode in ("RGBA", "LA", "PA") or (
        upright.mode == "P" and "transparency" in upright.info
    ):
        rgba = upright.convert("RGBA")
        flat = Image.new("RGB", rgba.size, (255, 255, 255))
        flat.paste(rgba, mask=rgba.getchannel("A"))
        return flat
    return upright.convert("RGB")


def _clean_copy(image: Image.Image) -> Image.Image:
    """Pixels only: a brand new image, so no metadata can ride along."""
    clean = Image.new("RGB", image.size)
    clean.paste(image)
    clean.info = {}
    return clean


def _encode(image: Image.Image, pil_format: str, options: dict) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, format=pil_format, **options)
    return buffer.getvalue()


def process(data: bytes) -> ProcessedPhoto:
    """Validate and re-encode a photo; store its renditions; return what was stored."""
    with _open(data) as image:
        full_width, full_height = image.size
        if image.getexif().get(0x0112, 1) in _TRANSPOSED_ORIENTATIONS:
            full_width, full_height = full_height, full_width
        upright = _decode(image)
    width, height = upright.size
    widths = [w for w in WIDTHS if w < width] + [min(width, max(WIDTHS))]
    base = new_base_name()
    storage = get_storage()
    renditions: list[dict] = []
    try:
        for target in sorted(set(widths)):
            target_height = max(1, round(height * target / width))
            resized = upright if target == width else upright.resize((target, target_height))
            resized = _clean_copy(resized)
            for pil_format, extension, options in ENCODINGS:
                name = f"{base}-{target}.{extension}"
                storage.save(name, _encode(resized, pil_format, options))
                renditions.append(
                    {
                        "name": name,
                        "width": target,
                        "height": target_height,
                        "format": pil_format.lower(),
                    }
                )
    except Exception:
        delete_renditions(renditions)
        raise
    # The full-size dimensions of the upright photo (draft mode may have decoded less).
    return ProcessedPhoto(width=full_width, height=full_height, renditions=renditions)


def process_upload(stream) -> ProcessedPhoto:
    return process(read_upload(stream))
