"""Recordings made for the tests with the wheel's ffmpeg (the one the app uses)."""

import functools
import struct
import subprocess
import tempfile
from pathlib import Path

from campaign.media.voice import ffmpeg_executable


def _ffmpeg(*arguments: str) -> bytes:
    """ffmpeg's output, written to a file: MP4 goes back to write its index at the start."""
    with tempfile.TemporaryDirectory() as folder:
        output = Path(folder) / "out"
        subprocess.run(
            [ffmpeg_executable(), "-nostdin", "-v", "error", *arguments, str(output)],
            check=True,
            capture_output=True,
        )
        return output.read_bytes()


@functools.cache
def tone(
    seconds: float = 3,
    frequency: int = 220,
    container: str = "ipod",
    codec: str = "aac",
    gain_db: float = -17,
) -> bytes:
    """A sine tone at ``frequency`` Hz (-35 dB below full scale by default, a quiet
    voice), in ``container`` (ffmpeg's muxer name: ipod is m4a), ``codec`` its codec."""
    return _ffmpeg(
        "-f", "lavfi", "-i", f"sine=frequency={frequency}:duration={seconds}:sample_rate=48000",
        "-af", f"volume={gain_db}dB", "-c:a", codec,
        *(["-movflags", "+faststart"] if container == "ipod" else []),
        "-f", container,
    )  # fmt: skip


@functools.cache
def wav(seconds: float = 3, frequency: int = 220) -> bytes:
    return tone(seconds, frequency, "wav", "pcm_s16le")


@functools.cache
def silence(seconds: float = 3) -> bytes:
    return _ffmpeg(
        "-f", "lavfi", "-i", f"anullsrc=r=48000:cl=mono:d={seconds}", "-c:a", "pcm_s16le",
        "-f", "wav",
    )  # fmt: skip


@functools.cache
def video(seconds: float = 2) -> bytes:
    return _ffmpeg(
        "-f", "lavfi", "-i", f"sine=frequency=300:duration={seconds}",
        "-f", "lavfi", "-i", f"testsrc=duration={seconds}:size=160x120:rate=10",
        "-c:v", "mpeg4", "-c:a", "aac", "-shortest", "-f", "mp4",
    )  # fmt: skip


GPS = "+60.1699+024.9384/"
NAME = "Layla Hassan"


@functools.cache
def tagged_m4a(seconds: float = 3) -> bytes:
    """An m4a as a phone makes it: a GPS position, the speaker's name, a title, a cover."""
    return _ffmpeg(
        "-f", "lavfi", "-i", f"sine=frequency=220:duration={seconds}",
        "-f", "lavfi", "-i", "color=red:size=64x64:duration=0.04:rate=25",
        "-map", "0:a", "-map", "1:v", "-t", str(seconds),
        "-c:a", "aac", "-c:v", "mjpeg", "-disposition:v", "attached_pic",
        "-metadata", f"location={GPS}", "-metadata", f"artist={NAME}",
        "-metadata", f"title=Recorded by {NAME}", "-metadata", "comment=Kalevankatu 4",
        "-f", "ipod",
    )  # fmt: skip


def lying_wav(real_seconds: float = 2, rate: int = 48_000) -> bytes:
    """A WAV whose header says its data lasts hours (2 GB), followed by only a little."""
    data = tone(real_seconds, 220, "s16le", "pcm_s16le")  # raw samples, no header
    claimed = 0x7FFF0000
    header = (
        b"RIFF" + struct.pack("<I", claimed + 36) + b"WAVE"
        + b"fmt " + struct.pack("<IHHIIHH", 16, 1, 1, rate, rate * 2, 2, 16)
        + b"data" + struct.pack("<I", claimed)
    )  # fmt: skip
    return header + data


def truncated(seconds: float = 12) -> bytes:
    """An m4a cut off at half: an interrupted upload, whose index still says 12 seconds."""
    whole = tone(seconds)
    return whole[: len(whole) // 2]


def probe(data: bytes) -> str:
    """What ffmpeg says about a file: its container, streams and every tag left in it."""
    finished = subprocess.run(
        [ffmpeg_executable(), "-nostdin", "-hide_banner", "-i", "pipe:0", "-f", "ffmetadata", "-"],
        input=data,
        capture_output=True,
        check=False,
    )
    return finished.stderr.decode() + finished.stdout.decode()
