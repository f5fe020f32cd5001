"""Transcoding a 5-minute recording with the voice pipeline (campaign/media/voice.py).

A phone-like 5-minute m4a (AAC, 44.1 kHz stereo: a tone gliding like a voice, under
noise) goes through the whole pipeline: probe, decode to PCM, loudness, Opus and AAC.
Prints the median wall-clock time over the runs, the CPU seconds of the ffmpeg children,
the largest child's peak memory and the peak memory of this process (the worker's share:
the PCM and the renditions in memory files), plain and with the voice masked.

    .venv/bin/python -m bench.voice_transcode [--runs 5] [--seconds 300]
"""

import argparse
import resource
import statistics
import subprocess
import tempfile
import time
from pathlib import Path

from campaign.media import voice


def phone_recording(seconds: int) -> bytes:
    with tempfile.TemporaryDirectory() as folder:
        out = Path(folder) / "phone.m4a"
        subprocess.run(
            [
                voice.ffmpeg_executable(), "-v", "error", "-f", "lavfi",
                "-i", f"aevalsrc=0.3*sin(2*PI*(180+40*sin(2*PI*0.7*t))*t)|"
                      f"0.3*sin(2*PI*(182+40*sin(2*PI*0.7*t))*t):s=44100:d={seconds}",
                "-f", "lavfi", "-i", f"anoisesrc=color=pink:amplitude=0.02:d={seconds}",
                "-filter_complex", "[0:a][1:a]amix=inputs=2:normalize=0",
                "-c:a", "aac", "-b:a", "128k", str(out),
            ],
            check=True,
        )  # fmt: skip
        return out.read_bytes()


def measure(data: bytes, runs: int, mask: str | None, seconds: int) -> dict:
    limits = voice.Limits(max_bytes=64 * 2**20, min_seconds=2, max_seconds=seconds + 5)
    bounds = voice.Bounds(cpu_seconds=120, memory_bytes=1024 * 2**20, timeout_seconds=300)
    walls, cpu = [], []
    for _ in range(runs):
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        start = time.perf_counter()
        voice.render(data, limits, bounds, mask)
        walls.append(time.perf_counter() - start)
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        cpu.append(after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime)
    return {
        "median_s": statistics.median(walls),
        "cpu_s": statistics.median(cpu),
        "child_peak_mb": resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024,
        "worker_peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
    }


def pipeline_seconds(runs: int, seconds: int = 300) -> dict[str, dict]:
    """For `make bench` (bench/run.py): plain and masked, as ``measure`` gives them."""
    data = phone_recording(seconds)
    return {
        label: measure(data, runs, mask, seconds)
        for label, mask in (("plain", None), ("masked", voice.mask_filter(-4)))
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--seconds", type=int, default=300)
    args = parser.parse_args()
    data = phone_recording(args.seconds)
    print(f"{args.seconds} s phone recording (m4a): {len(data) / 2**20:.1f} MB, {args.runs} runs")
    for label, mask in (("plain", None), ("masked", voice.mask_filter(-4))):
        result = measure(data, args.runs, mask, args.seconds)
        print(
            f"{label:>7}: median {result['median_s']:.1f} s, ffmpeg CPU {result['cpu_s']:.1f} s, "
            f"largest ffmpeg {result['child_peak_mb']:.0f} MB, "
            f"this process {result['worker_peak_mb']:.0f} MB at peak"
        )


if __name__ == "__main__":
    main()
