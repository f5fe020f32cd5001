"""Faces: found offline in the photo child, blurred beyond recovery in every rendition.

Measured on scikit-image's real photographs: the portrait (astronaut) and the
man in profile (camera) have a face; the others (coffee, a cat, a rocket, coins,
a horse...) have none, and none is found in them.
"""

import io
import subprocess
import sys
import textwrap

import pytest
from PIL import Image

from campaign.media import faces, pipeline
from campaign.media.pipeline import Blur, PhotoRejected, process
from campaign.media.storage import get_storage
from tests import images

WITHOUT_A_FACE = ("coffee", "chelsea", "rocket", "coins", "horse", "clock", "moon", "brick")


def stored(name: str) -> Image.Image:
    image = Image.open(get_storage().path(name))
    image.load()
    return image


def inside(face) -> list[float]:
    """The middle of a face's box: eyes, nose and mouth, where the detail is."""
    x, y, w, h = face
    return [x + 0.15 * w, y + 0.15 * h, 0.7 * w, 0.7 * h]


def stored_bytes(media_dir) -> list[bytes]:
    return [path.read_bytes() for path in media_dir.iterdir() if path.is_file()]


def test_the_detector_finds_the_face_in_the_portrait(media_app, media_dir):
    processed = process(images.photograph("astronaut"))

    assert len(processed.faces) == 1
    x, y, w, h = processed.faces[0]
    # Eileen Collins' face: about 0.35-0.53 across and 0.13-0.31 down the photo.
    assert 0.3 < x + w / 2 < 0.5 and 0.15 < y + h / 2 < 0.3
    assert 0.1 < w < 0.3
    assert faces.focal_point(processed.faces) == (round(x + w / 2, 4), round(y + h / 2, 4))


def test_the_detector_finds_a_face_in_profile(media_app, media_dir):
    processed = process(images.photograph("camera"))
    assert len(processed.faces) == 1
    x, y, w, h = processed.faces[0]
    assert 0.4 < x + w / 2 < 0.65 and 0.2 < y + h / 2 < 0.45  # the cameraman's head


def test_small_faces_in_a_large_photo_are_found(media_app, media_dir):
    """Faces of a group photo, each 1/20 of the photo's width (the smallest looked
    for): the detector works on a copy scaled down to DETECT_SIDE, where they are
    about 32 px, and still finds them (lfw faces pasted into a 2000 x 1500 photo)."""
    import numpy
    from skimage import data

    group = Image.fromarray(data.coffee()).resize((2000, 1500))
    portraits = data.lfw_subset()[:4]  # the crops hold the face in their middle 60 %
    side = round(2000 / 20 / 0.6)
    centres = []
    for n, pixels in enumerate(portraits):
        face = Image.fromarray((pixels * 255).astype(numpy.uint8)).convert("RGB")
        group.paste(face.resize((side, side)), (150 + n * 450, 600))
        centres.append(((150 + n * 450 + side / 2) / 2000, (600 + side / 2) / 1500))
    buffer = io.BytesIO()
    group.save(buffer, "JPEG", quality=90)

    found = process(buffer.getvalue()).faces

    assert len(found) == 4
    for cx, cy in centres:  # each face found where it was pasted
        assert any(
            abs(x + w / 2 - cx) < 0.02 and abs(y + h / 2 - cy) < 0.03 for x, y, w, h in found
        )


@pytest.mark.parametrize("name", WITHOUT_A_FACE)
def test_no_face_is_found_in_photographs_without_one(media_app, media_dir, name):
    assert process(images.photograph(name)).faces == []


def test_a_blurred_renditions_face_has_no_detail_left(media_app, media_dir):
    plain = process(images.photograph("astronaut"))
    blurred = process(images.photograph("astronaut"), Blur(the_faces=True))
    face = inside(plain.faces[0])

    assert len(blurred.blurred) == 1
    before = {(r["width"], r["format"]): r["name"] for r in plain.renditions}
    for rendition in blurred.renditions:
        original = stored(before[(rendition["width"], rendition["format"])])
        detail_before = images.laplacian_variance(original, face)
        detail_after = images.laplacian_variance(stored(rendition["name"]), face)
        assert detail_before > 300, rendition  # a real face: eyes, lashes, mouth
        assert detail_after < 2, rendition  # nothing left to see, or to sharpen back


def test_the_blurred_area_runs_from_forehead_to_chin(media_app, media_dir):
    face = process(images.photograph("astronaut")).faces[0]
    x, y, w, h = faces.cover(face)
    assert x < face[0] and x + w > face[0] + face[2]
    assert y < face[1] - 0.2 * face[3]  # the forehead
    assert y + h > face[1] + 1.3 * face[3]  # below the chin


def test_with_blurring_chosen_no_unblurred_photo_is_stored(media_app, media_dir, monkeypatch):
    upload = images.photograph("astronaut")
    # What the unblurred renditions would be, encoded but never stored.
    unblurred = [
        encoded
        # In a child like any photo: OpenCV never enters this process (see below).
        for _, _, encodings in pipeline.in_bounded_child(
            pipeline._render, upload, pipeline._limits()
        ).sizes
        for encoded in encodings
    ]

    processed = process(upload, Blur(the_faces=True))

    files = stored_bytes(media_dir)
    assert len(files) == len(processed.renditions) == 4  # 400 and 512 wide, WebP and JPEG
    assert not any(upload in data or data in upload for data in files)
    assert not any(encoded == data for encoded in unblurred for data in files)
    # And no stored file has the face's detail, whichever it is.
    face = inside(processed.faces[0])
    for path in media_dir.iterdir():
        assert images.laplacian_variance(Image.open(path), face) < 2, path.name


def test_a_hand_drawn_area_is_blurred_in_every_size(media_app, media_dir):
    area = [0.55, 0.45, 0.3, 0.35]  # the suit's badges and the flag: no face, much detail
    # Every size there is: 1600, 800 and 400 wide from a 2048-wide photo, in both formats.
    large = Image.open(io.BytesIO(images.photograph("astronaut"))).resize((2048, 2048))
    buffer = io.BytesIO()
    large.save(buffer, "JPEG", quality=92)
    processed = process(buffer.getvalue(), Blur(areas=(area,)))

    widths = sorted({r["width"] for r in processed.renditions})
    assert widths == [400, 800, 1600]
    assert processed.blurred == [area]
    outside = [0.05, 0.55, 0.3, 0.3]  # the rest of the photo keeps its detail
    for rendition in processed.renditions:
        image = stored(rendition["name"])
        assert images.laplacian_variance(image, [0.57, 0.47, 0.26, 0.31]) < 5, rendition
        assert images.laplacian_variance(image, outside) > 20, rendition


def test_areas_beyond_the_photo_are_cut_to_it():
    assert faces.clamp([0.9, -0.1, 0.5, 0.5]) == [0.9, 0.0, 0.1, 0.4]
    assert faces.cover([0.0, 0.0, 0.5, 0.5])[:2] == [0.0, 0.0]


def test_the_worker_never_loads_opencv():
    """Detection runs in the photo child: the worker's memory stays as it was."""
    script = textwrap.dedent(
        """
        import sys, tempfile
        from campaign import create_app
        from campaign.media.pipeline import process
        from tests import images
        from tests.helpers import app_config
        app = create_app(app_config("sqlite://"), instance_path=tempfile.mkdtemp())
        with app.test_request_context():
            found = process(images.photograph("astronaut")).faces
        print(len(found), "cv2" in sys.modules)
        """
    )
    result = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=True, timeout=120
    )
    assert result.stdout.split() == ["1", "False"]


def test_detection_runs_within_the_childs_memory_limit(media_app, media_dir):
    # The default limit leaves room for OpenCV's libraries; 600 MB does too.
    media_app.config["PHOTO_DECODE_MEMORY_MB"] = 600
    assert len(process(images.photograph("astronaut")).faces) == 1


def test_without_room_for_the_detector_a_blur_is_refused_and_a_plain_photo_kept(
    media_app, media_dir
):
    # Too little address space to load OpenCV at all (its libraries fail to map).
    media_app.config["PHOTO_DECODE_MEMORY_MB"] = 40
    plain = process(images.photograph("astronaut"))
    assert plain.faces is None  # never looked for: a moderator's button looks again
    with pytest.raises(PhotoRejected) as refused:
        process(images.photograph("coffee"), Blur(the_faces=True))
    assert "could not look for faces" in str(refused.value.message)
