"""The photo pipeline on photos and hostile files made by the tests."""

import io
import time

import pytest
from PIL import Image

from campaign.media.pipeline import PhotoRejected, process, process_upload
from tests import images


def stored_files(media_dir):
    return sorted(media_dir.iterdir()) if media_dir.exists() else []


def assert_no_metadata(path):
    data = path.read_bytes()
    with Image.open(path) as image:
        assert len(image.getexif()) == 0, f"{path.name} has EXIF"
        for key in ("exif", "xmp", "XML:com.adobe.xmp", "icc_profile", "comment", "dpi"):
            assert key not in image.info, f"{path.name} carries {key}"
        if image.format == "JPEG":
            # Only the segments a bare re-encoding needs: no APPn (EXIF, XMP, ICC) nor COM.
            assert not image.applist or all(
                marker == "APP0" and body.startswith(b"JFIF") for marker, body in image.applist
            ), image.applist
    return data


def test_photo_becomes_renditions_in_webp_and_jpeg(media_app, media_dir):
    result = process(images.jpeg(size=(2000, 1500)))
    assert (result.width, result.height) == (2000, 1500)
    assert sorted((r["width"], r["format"]) for r in result.renditions) == [
        (400, "jpeg"),
        (400, "webp"),
        (800, "jpeg"),
        (800, "webp"),
        (1600, "jpeg"),
        (1600, "webp"),
    ]
    for rendition in result.renditions:
        with Image.open(media_dir / rendition["name"]) as image:
            assert image.format == rendition["format"].upper()
            assert image.size == (rendition["width"], rendition["height"])
    assert rendition["height"] == round(1500 * rendition["width"] / 2000)


def test_names_are_generated_by_the_server(media_app, media_dir):
    upload = io.BytesIO(images.jpeg())
    upload.name = "my-home-in-Kabul.jpg"
    result = process_upload(upload)
    for path in stored_files(media_dir):
        assert "Kabul" not in path.name
    assert {r["name"] for r in result.renditions} == {p.name for p in stored_files(media_dir)}


def test_gps_and_camera_details_are_stripped(media_app, media_dir):
    result = process(images.jpeg_with_gps_and_camera())
    assert len(result.renditions) == 4  # 400 and the full 640 width, in two formats
    for path in stored_files(media_dir):
        data = assert_no_metadata(path)
        for secret in (b"SpyCam", b"SecretEditor", b"secret-comment", b"secret-xmp", b"GPS"):
            assert secret not in data


def test_rotated_jpeg_is_stored_upright(media_app, media_dir):
    result = process(images.rotated_jpeg())
    assert (result.width, result.height) == (200, 300)
    largest = next(r for r in result.renditions if r["format"] == "jpeg" and r["width"] == 200)
    assert largest["height"] == 300
    with Image.open(media_dir / largest["name"]) as image:
        assert image.size == (200, 300)
        left = image.getpixel((30, 150))
        right = image.getpixel((170, 150))
    assert left[2] > 200 and left[0] < 60  # blue on the left
    assert right[0] > 200 and right[2] < 60  # red on the right


def test_png_text_chunks_are_not_kept(media_app, media_dir):
    process(images.png_with_text_chunks())
    for path in stored_files(media_dir):
        data = assert_no_metadata(path)
        for secret in (b"secret-author", b"secret-itxt", b"secret-home", b"tEXt", b"iTXt"):
            assert secret not in data


def test_webp_is_accepted(media_app, media_dir):
    result = process(images.webp())
    assert result.width == 500
    assert len(stored_files(media_dir)) == 4


def test_twelve_megapixel_phone_photo_is_processed_quickly(media_app, media_dir):
    data = images.twelve_megapixel_jpeg()
    started = time.perf_counter()
    result = process(data)
    elapsed = time.perf_counter() - started
    assert (result.width, result.height) == (4000, 3000)
    assert max(r["width"] for r in result.renditions) == 1600
    assert len(stored_files(media_dir)) == 6
    assert elapsed < 5, f"took {elapsed:.1f} s"


def test_jpeg_carrying_html_in_its_comment_is_stored_without_it(media_app, media_dir):
    process(images.jpeg_with_html_comment())
    for path in stored_files(media_dir):
        assert b"<script" not in assert_no_metadata(path)


HOSTILE = {
    "truncated file": (images.truncated_jpeg, "damaged or incomplete"),
    "tiny file claiming enormous dimensions": (
        lambda: images.png_claiming(100_000, 100_000),
        "far too many pixels",
    ),
    "absurdly wide picture": (lambda: images.png_claiming(40_000, 2), "more than we accept"),
    "text named .jpg": (lambda: images.TEXT_NAMED_JPG, "not a photo we can use"),
    "SVG with a script": (lambda: images.SVG_WITH_SCRIPT, "not a photo we can use"),
    "HTML/JPEG polyglot": (images.html_jpeg_polyglot, "not a photo we can use"),
    "empty file": (lambda: b"", "empty"),
}


@pytest.mark.parametrize("kind", HOSTILE)
def test_hostile_file_gets_clear_error_and_leaves_no_file(media_app, media_dir, kind):
    make, message = HOSTILE[kind]
    upload = io.BytesIO(make())
    upload.name = "photo.jpg"
    with pytest.raises(PhotoRejected) as rejected:
        process_upload(upload)
    assert message in str(rejected.value.message)
    assert stored_files(media_dir) == []


def test_photo_over_the_size_limit_is_refused(media_app, media_dir):
    media_app.config["PHOTO_MAX_BYTES"] = 2000
    with pytest.raises(PhotoRejected) as rejected:
        process_upload(io.BytesIO(images.twelve_megapixel_jpeg()))
    assert "larger than" in str(rejected.value.message)
    assert stored_files(media_dir) == []
