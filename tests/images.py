"""Images the tests make: ordinary photos, photos full of metadata, hostile files."""

import io
import random
import re
import struct
import zlib

from PIL import Image, ImageCms, ImageDraw, PngImagePlugin

GPS_IFD = 0x8825
ORIENTATION = 0x0112


def jpeg(size=(640, 480), colour=(200, 100, 50), **save_options) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, colour).save(buffer, "JPEG", **save_options)
    return buffer.getvalue()


def jpeg_with_gps_and_camera(size=(640, 480)) -> bytes:
    """Camera, editor and GPS EXIF, a comment, an XMP packet and an ICC profile."""
    exif = Image.Exif()
    exif[0x010F] = "SpyCamMaker"  # Make
    exif[0x0110] = "SpyCam Model 7"  # Model
    exif[0x0131] = "SecretEditor 1.0"  # Software
    exif[GPS_IFD] = {1: "N", 2: (60.0, 10.0, 5.0), 3: "E", 4: (24.0, 56.0, 1.0)}
    return jpeg(
        size=size,
        exif=exif.tobytes(),
        comment=b"secret-comment",
        xmp=b"<x:xmpmeta>secret-xmp-packet</x:xmpmeta>",
        icc_profile=ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes(),
    )


def rotated_jpeg() -> bytes:
    """Stored 300 wide and 200 high, top half red, bottom half blue, EXIF orientation 6.

    Shown upright (turned 90 degrees clockwise) it is 200 wide and 300 high,
    blue on the left and red on the right.
    """
    image = Image.new("RGB", (300, 200), (255, 0, 0))
    image.paste((0, 0, 255), (0, 100, 300, 200))
    exif = Image.Exif()
    exif[ORIENTATION] = 6
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", exif=exif.tobytes(), quality=95)
    return buffer.getvalue()


def png_with_text_chunks(size=(500, 400)) -> bytes:
    info = PngImagePlugin.PngInfo()
    info.add_text("Author", "secret-author-name")
    info.add_itxt("Comment", "secret-itxt-comment")
    info.add_text("Location", "secret-home-address", zip=True)
    buffer = io.BytesIO()
    Image.new("RGBA", size, (10, 200, 30, 128)).save(buffer, "PNG", pnginfo=info)
    return buffer.getvalue()


def webp(size=(500, 300)) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, (30, 60, 90)).save(buffer, "WEBP")
    return buffer.getvalue()


def twelve_megapixel_jpeg() -> bytes:
    image = Image.linear_gradient("L").resize((4000, 3000)).convert("RGB")
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", quality=85)
    return buffer.getvalue()


def detailed_jpeg(size=(3400, 2550), orientation: int = 1) -> bytes:
    """A large photo-like JPEG with detail that careless resizing would spoil.

    Smooth shapes with sharp edges (a blown-up Mandelbrot set), gradients and
    thin diagonal lines: sampling without filtering makes the lines jagged,
    decoding at too small a scale blurs them.
    """
    width, height = size
    shapes = Image.effect_mandelbrot((width // 2, height // 2), (-2.2, -1.2, 1.0, 1.2), 40)
    gradient = Image.linear_gradient("L").resize(size)
    image = Image.merge(
        "RGB",
        (
            shapes.resize(size, Image.Resampling.BICUBIC),
            gradient,
            gradient.transpose(Image.Transpose.ROTATE_180),
        ),
    )
    draw = ImageDraw.Draw(image)
    for x in range(0, width, 60):
        draw.line([(x, 0), (width - x, height)], fill=(255, 255 - x % 256, x % 256), width=2)
    exif = Image.Exif()
    exif[ORIENTATION] = orientation
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", quality=90, exif=exif.tobytes())
    return buffer.getvalue()


QUADRANT_COLOURS = ((230, 30, 30), (30, 200, 30), (30, 30, 230), (240, 240, 40))


def quadrants(size) -> Image.Image:
    """Red, green, blue and yellow quarters (top left, top right, bottom left, bottom right)."""
    width, height = size
    image = Image.new("RGB", size)
    corners = ((0, 0), (width // 2, 0), (0, height // 2), (width // 2, height // 2))
    for (left, top), colour in zip(corners, QUADRANT_COLOURS, strict=True):
        image.paste(colour, (left, top, left + width // 2, top + height // 2))
    return image


def quadrants_jpeg(size, orientation: int) -> bytes:
    """``quadrants`` stored as they are, with an EXIF orientation telling how to show them."""
    exif = Image.Exif()
    exif[ORIENTATION] = orientation
    buffer = io.BytesIO()
    quadrants(size).save(buffer, "JPEG", exif=exif.tobytes(), quality=90)
    return buffer.getvalue()


def truncated_jpeg() -> bytes:
    data = twelve_megapixel_jpeg()
    return data[: len(data) // 3]


def png_claiming(width: int, height: int) -> bytes:
    """A few bytes whose header claims an enormous picture."""

    def chunk(kind: bytes, body: bytes) -> bytes:
        return (
            struct.pack(">I", len(body))
            + kind
            + body
            + struct.pack(">I", zlib.crc32(kind + body) & 0xFFFFFFFF)
        )

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    pixels = zlib.compress(b"\x00" * 16)
    return (
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", pixels) + chunk(b"IEND", b"")
    )


TEXT_NAMED_JPG = b"This is not a photo at all, just some text in a file called photo.jpg\n"

SVG_WITH_SCRIPT = (
    b'<?xml version="1.0"?>\n<svg xmlns="http://www.w3.org/2000/svg" width="100" height="100">'
    b"<script>alert(document.cookie)</script><rect width='100' height='100'/></svg>"
)


def html_jpeg_polyglot() -> bytes:
    """HTML first, a real JPEG after: browsers sniffing it would see a web page."""
    return b"<html><body><script>alert(document.cookie)</script></body></html>\n" + jpeg()


def jpeg_with_html_comment() -> bytes:
    """A valid JPEG that carries a script in its comment segment."""
    return jpeg(comment=b"<html><script>alert(document.cookie)</script></html>")


def _png_chunk(kind: bytes, body: bytes) -> bytes:
    return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))


def decompression_bomb(width: int, height: int) -> bytes:
    """A genuine greyscale PNG of black pixels: every row is really there, compressed ~1000:1.

    Unlike ``png_claiming`` this decodes without error, so only a pixel limit stops it
    from filling the memory (10,000 by 10,000 is 100 MB of pixels in about 100 KB).
    """
    compressor = zlib.compressobj(9)
    row = b"\x00" * (1 + width)  # filter byte, then one byte per pixel
    pixels = b"".join(compressor.compress(row) for _ in range(height)) + compressor.flush()
    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + _png_chunk(b"IHDR", header)
        + _png_chunk(b"IDAT", pixels)
        + _png_chunk(b"IEND", b"")
    )


def pdf() -> bytes:
    """A real one-page PDF (with a JPEG inside it), as a phone's scanner app makes."""
    buffer = io.BytesIO()
    Image.new("RGB", (300, 400), (250, 250, 240)).save(buffer, "PDF", title="Residence permit")
    return buffer.getvalue()


def noisy_jpeg(size=(3000, 2000), seed=7) -> bytes:
    """A phone-sized photo of pure noise (about 4 MB): slow to re-encode, like a busy scene."""
    noise = random.Random(seed).randbytes(size[0] * size[1] * 3)
    buffer = io.BytesIO()
    Image.frombytes("RGB", size, noise).save(buffer, "JPEG", quality=80)
    return buffer.getvalue()


def jpeg_segments(data: bytes) -> list[tuple[int, int, int]]:
    """(marker, start, end) of every segment of a well-formed JPEG, a scan with its data."""
    segments, position = [], 2
    while position < len(data):
        marker = data[position + 1]
        if marker == 0xD9:
            segments.append((marker, position, position + 2))
            break
        end = position + 2 + int.from_bytes(data[position + 2 : position + 4], "big")
        if marker == 0xDA:  # the scan's entropy-coded data runs to the next marker
            end = re.compile(rb"\xff[^\x00\xd0-\xd7\xff]").search(data, end).start()
        segments.append((marker, position, end))
        position = end
    return segments


def progressive_jpeg(size=(640, 480)) -> bytes:
    """A real progressive JPEG: Pillow (libjpeg's standard script) writes 10 scans."""
    image = Image.linear_gradient("L").resize(size).convert("RGB")
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", progressive=True, quality=85)
    return buffer.getvalue()


def jpeg_with_repeated_scan(repeats: int, size=(640, 480)) -> bytes:
    """The CPU bomb: a progressive JPEG whose smallest scan is repeated ``repeats`` times.

    Every scan costs the decoder a pass over every block of the image, however
    little data it holds: 1.4 MB of 15-byte scans is minutes of CPU for 12 MP.
    """
    data = progressive_jpeg(size)
    scans = [(start, end) for marker, start, end in jpeg_segments(data) if marker == 0xDA]
    start, end = min(scans, key=lambda scan: scan[1] - scan[0])
    return data[:-2] + data[start:end] * repeats + data[-2:]


def jpeg_with_exif_thumbnail(size=(640, 480)) -> bytes:
    """A baseline JPEG whose EXIF holds a JPEG thumbnail (with scans of its own)."""
    thumbnail = progressive_jpeg((160, 120))
    buffer = io.BytesIO()
    Image.new("RGB", size, (90, 90, 90)).save(buffer, "JPEG", exif=_exif_with_thumbnail(thumbnail))
    return buffer.getvalue()


def _exif_with_thumbnail(thumbnail: bytes) -> bytes:
    """A little-endian TIFF header, an empty IFD0 and an IFD1 pointing at the thumbnail."""
    ifd0_offset = 8
    ifd0 = struct.pack("<H", 0) + struct.pack("<I", ifd0_offset + 6)  # no entries, then IFD1
    ifd1_offset = ifd0_offset + len(ifd0)
    entries = 2
    data_offset = ifd1_offset + 2 + entries * 12 + 4
    ifd1 = (
        struct.pack("<H", entries)
        + struct.pack("<HHII", 0x0201, 4, 1, data_offset)  # JPEGInterchangeFormat
        + struct.pack("<HHII", 0x0202, 4, 1, len(thumbnail))  # JPEGInterchangeFormatLength
        + struct.pack("<I", 0)
    )
    return b"Exif\x00\x00" + b"II*\x00" + struct.pack("<I", ifd0_offset) + ifd0 + ifd1 + thumbnail


def photograph(name: str = "astronaut", *, quality: int = 92) -> bytes:
    """One of scikit-image's real photographs (``skimage.data``), as a JPEG upload:
    ``astronaut`` is a portrait (Eileen Collins), ``camera`` a man in profile,
    ``coffee``, ``chelsea`` (a cat), ``rocket`` and the others have no face."""
    import numpy
    from skimage import data

    pixels = getattr(data, name)()
    if pixels.dtype != numpy.uint8:
        pixels = (pixels * 255).astype(numpy.uint8) if pixels.max() <= 1 else pixels.astype("uint8")
    image = Image.fromarray(pixels)
    buffer = io.BytesIO()
    image.convert("RGB").save(buffer, "JPEG", quality=quality)
    return buffer.getvalue()


def laplacian_variance(image: Image.Image, box) -> float:
    """High-frequency energy of a region (a box of fractions): the variance of the
    Laplacian of its grey levels. A detailed face gives hundreds; a blurred one about 0."""
    import numpy

    width, height = image.size
    x, y, w, h = box
    region = image.convert("L").crop(
        (int(x * width), int(y * height), int((x + w) * width), int((y + h) * height))
    )
    grey = numpy.asarray(region, dtype=float)
    laplacian = (
        -4 * grey[1:-1, 1:-1] + grey[:-2, 1:-1] + grey[2:, 1:-1] + grey[1:-1, :-2] + grey[1:-1, 2:]
    )
    return float(laplacian.var())
