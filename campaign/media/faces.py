"""Faces in a photo: found offline, and blurred beyond recovery.

The detector is OpenCV's Haar cascades as the ``opencv-python-headless`` 4.x
wheels ship them (``cv2.data.haarcascades``; the 5.0 wheels dropped them, hence
the pin below 5): the frontal-face cascade ``alt2`` and the profile cascade, run
on the photo and on its mirror image (the profile cascade knows faces turned one
way only). They come inside a package installed from PyPI under OpenCV's own
licence (BSD-style, Intel's licence text in each file), nothing is fetched at run
time, and nothing leaves the machine. YuNet finds more faces (small, turned,
partly hidden), but needs a model file of its own kept in the repository; the
cascades find the frontal and profile faces of ordinary portraits, which is what
storytellers send, and a moderator blurs by hand what they miss. Measured figures
are in ARCHITECTURE.md ("Faces").

Everything here runs in the photo pipeline's bounded child process
(``pipeline.in_bounded_child``), which is why ``cv2`` is imported inside
``detect``: importing it costs about 60 MB of address space, which the
long-lived worker must not keep, and a hostile photo only ever meets OpenCV in
the child.

Boxes are fractions of the upright photo, (x, y, width, height) each from 0 to
1, so they fit every rendition. A blurred area is replaced by a Gaussian blur of
itself whose radius is a third of the area's longer side, twice: what is left is
the average colour and a gradient, with no feature at all (a mosaic keeps a
coarse picture of the face, and can partly be undone). The detector's box runs
from the eyebrows to the mouth; ``cover`` enlarges it from the forehead to
below the chin before anything is blurred.
"""

from PIL import Image, ImageFilter

# What the detector looks at: the photo scaled down to at most this many pixels on
# its longer side (a face smaller than 1/20 of that, 32 px here, is not looked for).
# Faces big enough to recognise are found as well there as in the full photo, in a
# fraction of the time: lfw faces pasted into a 2000 x 1500 photo at 1/20 to 1/8 of
# its width, 393 of 400 found at 800 px and 395 at 640, in three quarters of the time
# (ARCHITECTURE.md, "Faces").
DETECT_SIDE = 640
_MIN_FACE_FRACTION = 1 / 20
_SCALE_STEP = 1.1  # each pass looks for faces this much larger than the one before
_CASCADES = ("haarcascade_frontalface_alt2.xml", "haarcascade_profileface.xml")
# Two boxes that overlap this much (intersection over the smaller) are one face.
_SAME_FACE = 0.5


def _overlap(a, b) -> float:
    ax, ay, aw, ah = a
    bx, by, bw, bh = b
    width = min(ax + aw, bx + bw) - max(ax, bx)
    height = min(ay + ah, by + bh) - max(ay, by)
    if width <= 0 or height <= 0:
        return 0.0
    return width * height / min(aw * ah, bw * bh)


def _merged(boxes) -> list[tuple[float, float, float, float]]:
    """One box per face, the largest of those that overlap."""
    kept: list[tuple[float, float, float, float]] = []
    for box in sorted(boxes, key=lambda b: b[2] * b[3], reverse=True):
        if all(_overlap(box, other) < _SAME_FACE for other in kept):
            kept.append(box)
    return kept


def detect(image: Image.Image) -> list[list[float]]:
    """The faces in an upright RGB photo, largest first, as fractions of its size."""
    # In the photo child only (see the module's docstring).
    import cv2
    import numpy

    cv2.setNumThreads(1)  # the child's CPU limit counts every thread
    width, height = image.size
    scale = min(1.0, DETECT_SIDE / max(width, height))
    small = image.convert("L")
    if scale < 1:
        small = small.resize(
            (max(1, round(width * scale)), max(1, round(height * scale))), Image.Resampling.BOX
        )
    gray = cv2.equalizeHist(numpy.asarray(small))
    side = max(24, round(max(gray.shape) * _MIN_FACE_FRACTION))
    found = []
    for name in _CASCADES:
        cascade = cv2.CascadeClassifier(cv2.data.haarcascades + name)
        mirrors = (False, True) if "profile" in name else (False,)
        for mirrored in mirrors:
            view = cv2.flip(gray, 1) if mirrored else gray
            boxes = cascade.detectMultiScale(
                view, scaleFactor=_SCALE_STEP, minNeighbors=5, minSize=(side, side)
            )
            for x, y, w, h in boxes:
                if mirrored:
                    x = gray.shape[1] - x - w
                found.append((float(x), float(y), float(w), float(h)))
    columns, rows = gray.shape[1], gray.shape[0]
    return [
        [round(x / columns, 4), round(y / rows, 4), round(w / columns, 4), round(h / rows, 4)]
        for x, y, w, h in _merged(found)
    ]


def cover(face) -> list[float]:
    """The area to blur for a detected face: from the forehead to below the chin,
    ear to ear (the detector's box is the eyebrows to the mouth), within the photo."""
    x, y, w, h = face
    left, top = x - 0.2 * w, y - 0.3 * h
    right, bottom = x + 1.2 * w, y + 1.45 * h
    return clamp([left, top, right - left, bottom - top])


def clamp(box) -> list[float]:
    """A box of fractions kept inside the photo."""
    x, y, w, h = (float(value) for value in box)
    left, top = min(max(x, 0.0), 1.0), min(max(y, 0.0), 1.0)
    right, bottom = min(max(x + w, 0.0), 1.0), min(max(y + h, 0.0), 1.0)
    return [round(left, 4), round(top, 4), round(right - left, 4), round(bottom - top, 4)]


def focal_point(faces) -> tuple[float, float] | None:
    """The centre of the largest face: where a portrait crop is cut around."""
    if not faces:
        return None
    x, y, w, h = max(faces, key=lambda face: face[2] * face[3])
    return round(x + w / 2, 4), round(y + h / 2, 4)


def _pixels(image: Image.Image, box) -> tuple[int, int, int, int]:
    """The pixel rectangle of a box of fractions, rounded outwards (never smaller)."""
    width, height = image.size
    x, y, w, h = box
    left, top = int(x * width), int(y * height)
    right, bottom = -int(-(x + w) * width // 1), -int(-(y + h) * height // 1)
    return left, top, min(max(right, left + 1), width), min(max(bottom, top + 1), height)


def blur(image: Image.Image, boxes) -> None:
    """Blur each box of the photo in place, beyond recovery."""
    for box in boxes:
        left, top, right, bottom = _pixels(image, box)
        if right <= left or bottom <= top:
            continue
        area = image.crop((left, top, right, bottom))
        radius = max(right - left, bottom - top) / 3
        for _ in range(2):
            area = area.filter(ImageFilter.GaussianBlur(radius))
        image.paste(area, (left, top))
