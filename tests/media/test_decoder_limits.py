"""One upload cannot burn minutes of CPU, fill the memory or outlive its worker.

A JPEG with an absurd number of scans is refused before it is decoded; the
decoder runs in a child under CPU-time, address-space and core-file limits,
is killed after a wall-clock timeout and when its worker dies. The suite never
burns more than about one second of CPU to prove it.
"""

import os
import resource
import signal
import time
from pathlib import Path

import pytest

from campaign.media import pipeline
from campaign.media.pipeline import PhotoRejected, count_jpeg_scans, process
from tests import images

TOO_MANY_SCANS = "This photo is saved in a way that takes far too long to read."
TOO_SLOW = "This photo took too long to read."
TOO_BIG = "This photo needs more memory to read than we can give it."


def stored_files(media_dir: Path) -> list[str]:
    return sorted(p.name for p in media_dir.iterdir()) if media_dir.exists() else []


# --- counting scans ---------------------------------------------------------------


def test_scans_are_counted_in_baseline_progressive_and_hostile_jpegs():
    assert count_jpeg_scans(images.jpeg()) == 1
    assert count_jpeg_scans(images.progressive_jpeg()) == 10  # libjpeg's standard script
    assert count_jpeg_scans(images.jpeg_with_repeated_scan(150)) == 160


def test_the_scans_of_an_exif_thumbnail_are_not_the_photos():
    data = images.jpeg_with_exif_thumbnail()
    assert data.count(b"\xff\xda") == 11  # a naive count would see the thumbnail's ten
    assert count_jpeg_scans(data) == 1


def test_counting_stops_past_the_limit_and_survives_garbage():
    assert count_jpeg_scans(images.jpeg_with_repeated_scan(5000), stop_after=100) == 101
    for damaged in (b"\xff\xd8", b"\xff\xd8\xff", b"\xff\xd8\xff\xda\x00", images.truncated_jpeg()):
        assert count_jpeg_scans(damaged) <= 1


def test_a_jpeg_with_an_absurd_number_of_scans_is_refused_before_decoding(
    media_app, media_dir, monkeypatch
):
    hostile = images.jpeg_with_repeated_scan(150)
    decoded = []
    monkeypatch.setattr(pipeline, "_decode", lambda image: decoded.append(image))

    with pytest.raises(PhotoRejected) as rejected:
        process(hostile)

    assert str(rejected.value.message).startswith(TOO_MANY_SCANS)
    assert decoded == []
    assert stored_files(media_dir) == []


def test_an_ordinary_progressive_jpeg_is_accepted(media_app, media_dir):
    assert len(process(images.progressive_jpeg((1200, 900))).renditions) == 6


# --- the child's limits -----------------------------------------------------------


def test_the_decoder_runs_under_cpu_memory_and_core_file_limits(
    media_app, media_dir, tmp_path, monkeypatch
):
    render, noted = pipeline._render, tmp_path / "limits"

    def noting_the_limits(data, limits, *rest):
        noted.write_text(
            repr(
                [
                    resource.getrlimit(resource.RLIMIT_CPU),
                    resource.getrlimit(resource.RLIMIT_AS),
                    resource.getrlimit(resource.RLIMIT_CORE),
                ]
            )
        )
        return render(data, limits, *rest)

    monkeypatch.setattr(pipeline, "_render", noting_the_limits)
    media_app.config.update(PHOTO_DECODE_CPU_SECONDS=7, PHOTO_DECODE_MEMORY_MB=900)
    process(images.jpeg())

    cpu, address_space, core = eval(noted.read_text())  # noqa: S307 - our own file
    assert cpu[0] == 7 and cpu[1] <= 8
    assert address_space[0] != resource.RLIM_INFINITY
    assert address_space[0] <= pipeline._address_space_in_use() + 900 * 2**20 + 2**30
    assert core == (0, 0)  # no core file holds a photo
    assert resource.getrlimit(resource.RLIMIT_CPU)[0] == resource.RLIM_INFINITY  # not the worker


def test_a_decode_over_its_cpu_time_is_stopped_with_a_clear_message(
    media_app, media_dir, monkeypatch
):
    def spinning(data, limits, *rest):
        started = time.process_time()
        while time.process_time() - started < 5:  # unbounded, it ends after 5 s
            pass
        raise AssertionError("the CPU limit did not stop the decoder")

    monkeypatch.setattr(pipeline, "_render", spinning)
    media_app.config["PHOTO_DECODE_CPU_SECONDS"] = 1

    started = time.monotonic()
    with pytest.raises(PhotoRejected) as rejected:
        process(images.jpeg())

    assert time.monotonic() - started < 10  # 1 s of CPU, however busy the machine
    assert str(rejected.value.message).startswith(TOO_SLOW)
    monkeypatch.undo()  # the worker goes on
    assert len(process(images.jpeg(size=(1200, 900))).renditions) == 6


def test_a_decode_over_its_wall_clock_time_is_killed(media_app, media_dir, tmp_path, monkeypatch):
    where = tmp_path / "pid"

    def waiting(data, limits, *rest):
        where.write_text(str(os.getpid()))
        time.sleep(5)
        raise AssertionError("the timeout did not stop the decoder")

    monkeypatch.setattr(pipeline, "_render", waiting)
    media_app.config["PHOTO_DECODE_TIMEOUT_SECONDS"] = 0.5

    started = time.monotonic()
    with pytest.raises(PhotoRejected) as rejected:
        process(images.jpeg())

    assert time.monotonic() - started < 3
    assert str(rejected.value.message).startswith(TOO_SLOW)
    assert not alive(int(where.read_text()))
    assert stored_files(media_dir) == []


def test_a_decode_over_its_memory_is_refused_cleanly(media_app, media_dir):
    media_app.config["PHOTO_DECODE_MEMORY_MB"] = 64
    # 7,000 x 7,000 is within the pixel limit; decoded and turned to RGB it is 200 MB.
    with pytest.raises(PhotoRejected) as rejected:
        process(images.decompression_bomb(7_000, 7_000))
    assert str(rejected.value.message).startswith(TOO_BIG)
    media_app.config["PHOTO_DECODE_MEMORY_MB"] = 1024
    assert len(process(images.jpeg(size=(1200, 900))).renditions) == 6


def test_the_decoder_dies_with_its_worker(media_app, media_dir, tmp_path, monkeypatch):
    where = tmp_path / "pid"

    def waiting(data, limits, *rest):
        where.write_text(str(os.getpid()))
        time.sleep(10)

    monkeypatch.setattr(pipeline, "_render", waiting)
    worker = os.fork()
    if worker == 0:  # a stand-in for a gunicorn worker, killed while the decoder runs
        try:
            process(images.jpeg())
        finally:
            os._exit(0)
    try:
        deadline = time.monotonic() + 5
        while not (where.exists() and where.read_text()) and time.monotonic() < deadline:
            time.sleep(0.02)
        decoder = int(where.read_text())
        os.kill(worker, signal.SIGKILL)  # gunicorn's timeout, or the out-of-memory killer
    finally:
        os.waitpid(worker, 0)

    deadline = time.monotonic() + 3
    while alive(decoder) and time.monotonic() < deadline:
        time.sleep(0.02)
    assert not alive(decoder)


def alive(pid: int) -> bool:
    """Running, and not a zombie waiting for a parent (or PID 1) to reap it."""
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (FileNotFoundError, ProcessLookupError):
        return False
    return state not in {"Z", "X"}
