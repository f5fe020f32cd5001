"""The photo pipeline on photos and hostile files made by the tests."""

import io
import os
import signal
import time

import pytest
from PIL import Image, ImageChops, ImageOps, ImageStat

from campaign.media import pipeline
from campaign.media.pipeline import PhotoRejected, process, process_upload
from campaign.media.storage import FileSystemStorage
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
    # Smallest first, whatever order they were made in.
    assert [r["width"] for r in result.renditions] == [400, 400, 800, 800, 1600, 1600]


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


@pytest.mark.parametrize(
    "make",
    [
        lambda: images.jpeg_with_gps_and_camera(size=(3400, 2550)),
        lambda: images.png_with_text_chunks(size=(2000, 1500)),
    ],
    ids=["JPEG decoded at reduced size", "PNG"],
)
def test_metadata_is_stripped_from_large_photos_too(media_app, media_dir, make):
    """Large photos are resized straight from the opened file, which holds the metadata."""
    result = process(make())
    assert len(result.renditions) == 6
    for path in stored_files(media_dir):
        data = assert_no_metadata(path)
        for secret in (b"SpyCam", b"secret-comment", b"secret-xmp", b"GPS", b"secret-author"):
            assert secret not in data


def colour_at(image, x_fraction, y_fraction):
    return image.getpixel((int(image.width * x_fraction), int(image.height * y_fraction)))


@pytest.mark.parametrize("orientation", range(1, 9))
def test_every_exif_orientation_is_applied_to_large_photos(media_app, media_dir, orientation):
    """Large JPEGs are decoded at reduced size, so the orientation must be applied after."""
    stored = (4000, 3300)
    result = process(images.quadrants_jpeg(stored, orientation))
    # What the photo looks like upright, on a small copy turned by Pillow itself.
    small = images.quadrants((40, 33))
    exif = small.getexif()
    exif[images.ORIENTATION] = orientation
    small.info["exif"] = exif.tobytes()
    expected = ImageOps.exif_transpose(small)
    upright_size = stored if expected.size == (40, 33) else stored[::-1]
    assert (result.width, result.height) == upright_size
    for rendition in result.renditions:
        assert rendition["height"] == round(upright_size[1] * rendition["width"] / upright_size[0])
        with Image.open(media_dir / rendition["name"]) as image:
            assert image.size == (rendition["width"], rendition["height"])
            for x, y in ((0.25, 0.25), (0.75, 0.25), (0.25, 0.75), (0.75, 0.75)):
                got, wanted = colour_at(image, x, y), colour_at(expected, x, y)
                assert all(abs(a - b) < 20 for a, b in zip(got, wanted, strict=True)), (x, y)


@pytest.mark.parametrize(
    ("size", "orientation"),
    # Turned upright, the second is 1700 wide: decoded at half size by mistake
    # (its stored width is 3400), it would have to be blown up to 1600.
    [((3400, 2550), 1), ((3400, 1700), 6)],
)
def test_renditions_stay_close_to_a_careful_resize(media_app, media_dir, size, orientation):
    """Speed-ups (reduced-size decoding, resizing from the previous rendition, faster
    encoder settings) must not visibly spoil the photo: each stored rendition is
    compared with the full-size photo resized with Lanczos, on brightness (both
    formats halve the colour resolution, by design). Careless sampling, decoding
    at too small a scale (also when the photo is turned) or much lower quality
    settings all exceed the limit."""
    data = images.detailed_jpeg(size, orientation)
    result = process(data)
    assert [r["width"] for r in result.renditions] == [400, 400, 800, 800, 1600, 1600]
    with Image.open(io.BytesIO(data)) as opened:
        original = ImageOps.exif_transpose(opened)  # full size: no draft mode here
        for rendition in result.renditions:
            size = (rendition["width"], rendition["height"])
            reference = original.resize(size, Image.Resampling.LANCZOS)
            with Image.open(media_dir / rendition["name"]) as stored:
                stored = stored.convert("RGB")
            difference = ImageChops.difference(stored.convert("L"), reference.convert("L"))
            assert ImageStat.Stat(difference).mean[0] < 2.5, rendition
            # And no colour shift overall.
            for got, wanted in zip(
                ImageStat.Stat(stored).mean, ImageStat.Stat(reference).mean, strict=True
            ):
                assert abs(got - wanted) < 2, rendition


@pytest.mark.parametrize("failing", ["encoding the smallest size", "storing the fourth file"])
def test_a_failure_half_way_leaves_no_file(media_app, media_dir, monkeypatch, failing):
    """Sizes are encoded in other threads: their errors still reach the caller,
    and the files already stored are deleted."""
    if failing == "encoding the smallest size":
        encode = pipeline._encode

        def failing_encode(image, pil_format, options):
            if image.width == 400:
                raise OSError("encoder failed")
            return encode(image, pil_format, options)

        monkeypatch.setattr(pipeline, "_encode", failing_encode)
    else:
        save = FileSystemStorage.save
        saved = []

        def failing_save(storage, name, data):
            saved.append(name)
            if len(saved) == 4:
                raise OSError("disk full")
            save(storage, name, data)

        monkeypatch.setattr(FileSystemStorage, "save", failing_save)
    with pytest.raises(OSError):
        process(images.jpeg(size=(2000, 1500)))
    assert stored_files(media_dir) == []


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


def test_the_photo_is_decoded_in_a_child_process_not_in_the_worker(
    media_app, media_dir, tmp_path, monkeypatch
):
    render = pipeline._render
    where = tmp_path / "pid"

    def noting_the_process(data, limits, *rest):
        where.write_text(str(os.getpid()))
        return render(data, limits, *rest)

    monkeypatch.setattr(pipeline, "_render", noting_the_process)
    result = process(images.jpeg(size=(1200, 900)))
    assert int(where.read_text()) != os.getpid()
    assert len(result.renditions) == 6  # stored here, by the worker
    assert len(stored_files(media_dir)) == 6


def test_a_decoder_crash_ends_the_child_and_the_person_gets_a_clear_message(
    media_app, media_dir, monkeypatch
):
    def crashing(data, limits, *rest):
        os.kill(os.getpid(), signal.SIGSEGV)

    monkeypatch.setattr(pipeline, "_render", crashing)
    with pytest.raises(PhotoRejected) as rejected:
        process(images.jpeg())
    assert "not a photo we can use" in str(rejected.value.message)
    assert stored_files(media_dir) == []
    # The worker goes on: the next photo is processed as usual.
    monkeypatch.undo()
    assert len(process(images.jpeg(size=(1200, 900))).renditions) == 6
