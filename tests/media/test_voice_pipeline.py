"""The voice pipeline on honest and hostile recordings (campaign/media/voice.py).

Every refusal is a ``VoiceRejected`` with words for the person; what passes comes
out as Opus in Ogg and AAC in MP4, at one loudness, without a tag of the upload.
"""

import re
import subprocess

import numpy as np
import pytest

from campaign.media import voice
from tests import sounds

LIMITS = voice.Limits(max_bytes=25 * 2**20, min_seconds=2, max_seconds=300)
BOUNDS = voice.Bounds(cpu_seconds=30, memory_bytes=768 * 2**20, timeout_seconds=40)


def render(data: bytes, **changes) -> voice.Rendered:
    return voice.render(data, LIMITS._replace(**changes), BOUNDS)


def refusal(data: bytes, **changes) -> str:
    with pytest.raises(voice.VoiceRejected) as refused:
        render(data, **changes)
    return str(refused.value.message)


def decoded(data: bytes) -> np.ndarray:
    """A rendition decoded again, as 48 kHz mono floats."""
    pcm = subprocess.run(
        [voice.ffmpeg_executable(), "-v", "error", "-i", "pipe:0", "-f", "f32le", "-ac", "1",
         "-ar", "48000", "pipe:1"],
        input=data, capture_output=True, check=True,
    ).stdout  # fmt: skip
    return np.frombuffer(pcm, dtype="<f4")


def fundamental(samples: np.ndarray) -> float:
    """The strongest frequency, in Hz, over the middle of the recording."""
    middle = samples[len(samples) // 4 : 3 * len(samples) // 4]
    spectrum = np.abs(np.fft.rfft(middle * np.hanning(len(middle))))
    return float(np.fft.rfftfreq(len(middle), 1 / 48_000)[np.argmax(spectrum)])


def test_a_recording_becomes_opus_in_ogg_and_aac_in_mp4():
    rendered = render(sounds.tone(3))
    opus, aac = rendered.encoded
    assert rendered.duration_seconds == pytest.approx(3, abs=0.1)
    assert "Input #0, ogg" in sounds.probe(opus) and "Audio: opus" in sounds.probe(opus)
    assert "Input #0, mov,mp4" in sounds.probe(aac) and "Audio: aac" in sounds.probe(aac)
    assert fundamental(decoded(aac)) == pytest.approx(220, abs=3)


@pytest.mark.parametrize(
    "make", [sounds.wav, lambda: sounds.tone(3, 220, "mp3", "libmp3lame"),
             lambda: sounds.tone(3, 220, "webm", "libopus")],
    ids=["wav", "mp3", "webm"],
)  # fmt: skip
def test_every_accepted_format_passes(make):
    assert render(make()).duration_seconds == pytest.approx(3, abs=0.1)


def test_loudness_is_normalised_to_the_same_level():
    """A quiet and a loud recording come out at the same EBU R128 loudness."""
    levels = []
    for gain in (-17, 0):
        data = sounds.tone(3, 220, "wav", "pcm_s16le", gain)
        report = subprocess.run(
            [voice.ffmpeg_executable(), "-hide_banner", "-nostats", "-i", "pipe:0",
             "-af", "ebur128", "-f", "null", "-"],
            input=render(data).encoded[0], capture_output=True, check=True,
        ).stderr.decode()  # fmt: skip
        levels.append(float(re.findall(r"I:\s+(-?[0-9.]+) LUFS", report)[-1]))
    assert levels[0] == pytest.approx(voice.TARGET_LUFS, abs=1.5)
    assert levels[1] == pytest.approx(levels[0], abs=1)


def test_tags_gps_name_and_cover_do_not_survive():
    assert sounds.GPS in sounds.probe(sounds.tagged_m4a())  # the upload has them
    for rendition in render(sounds.tagged_m4a()).encoded:
        report = sounds.probe(rendition)
        stream_lines = [line for line in report.splitlines() if "Stream #0:" in line]
        assert len(stream_lines) == 1 and "Audio" in stream_lines[0]  # no cover picture
        for secret in (sounds.GPS, "60.1699", sounds.NAME, "Layla", "Kalevankatu", "location"):
            assert secret not in report
            assert secret.encode() not in rendition


def test_a_text_file_named_mp3_is_refused():
    assert "not a recording we can use" in refusal(b"ID3 not really\n" * 50)


def test_a_video_is_refused():
    assert "is a video" in refusal(sounds.video())


def test_silence_is_refused():
    assert "could not hear anything" in refusal(sounds.silence())


def test_a_truncated_recording_is_refused():
    assert "damaged or incomplete" in refusal(sounds.truncated())


def test_a_header_claiming_hours_is_not_believed():
    """The WAV header says two gigabytes (hours); only the two real seconds are
    decoded, never more than the limit allows, and the real length is what counts."""
    assert render(sounds.lying_wav(2)).duration_seconds == pytest.approx(2, abs=0.05)


def test_too_long_and_too_short_are_refused():
    assert "too long. Keep it to 1 minute or less" in refusal(sounds.tone(5), max_seconds=3)
    assert "too short" in refusal(sounds.tone(1))


def test_ffmpeg_out_of_time_is_a_clear_refusal():
    with pytest.raises(voice.VoiceRejected) as refused:
        voice.render(sounds.tone(3), LIMITS, BOUNDS._replace(timeout_seconds=0.001))
    assert "took too long" in str(refused.value.message)


def test_the_mask_shifts_the_pitch_by_the_chosen_amount():
    """Measured: a 220 Hz tone masked by -4 semitones comes out at 220 * 2^(-4/12)."""
    masked = voice.render(sounds.tone(4), LIMITS, BOUNDS, voice.mask_filter(-4))
    assert masked.duration_seconds == pytest.approx(4, abs=0.1)  # the same length
    expected = 220 * 2 ** (-4 / 12)  # 174.6 Hz
    for rendition in masked.encoded:
        assert fundamental(decoded(rendition)) == pytest.approx(expected, rel=0.02)


def test_process_stores_only_the_renditions(media_app, media_dir):
    upload = sounds.tagged_m4a()
    processed = voice.process(upload)
    names = sorted(r["name"] for r in processed.renditions)
    assert sorted(n.rsplit(".", 1)[1] for n in names) == ["m4a", "ogg"]
    assert sorted(p.name for p in media_dir.iterdir() if p.is_file()) == names
    for name in names:
        stored = voice.stored_bytes(name)
        assert upload[1000:1064] not in stored  # no piece of the original upload


def test_masked_process_stores_no_unmasked_file(media_app, media_dir):
    processed = voice.process(sounds.tone(3), masked=True)
    assert processed.masked
    for rendition in processed.renditions:
        samples = decoded(voice.stored_bytes(rendition["name"]))
        assert fundamental(samples) == pytest.approx(220 * 2 ** (-4 / 12), rel=0.02)
