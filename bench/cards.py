"""Share cards: the time to draw each size as a request does (in the bounded child,
from the stored 1600 px portrait or as a quote card), and the worker's peak memory.

    .venv/bin/python -m bench.cards [--rounds 15]

Prints per size and design the median wall-clock time of a card drawn as a request
draws it (forked, bounded child) and the median CPU time of the drawing itself (in
this process: on a shared, busy machine the wall clock mostly measures the others).
The target is a median of at most 150 ms per card, and a worker that stays under
150 MB with cards.
"""

import argparse
import io
import resource
import statistics
import tempfile
import time
from pathlib import Path

from PIL import Image

from campaign import create_app
from campaign.cards import fonts, render, services
from campaign.media.pipeline import process

QUOTE = (
    "I left with a small bag and a big hope. Today my children laugh in a language I am "
    "still learning, and I have learnt to laugh in it too."
)
ARABIC = "تركت بيتي وفي قلبي أمل كبير، واليوم يضحك أطفالي بلغة ما زلت أتعلمها، وتعلمت أن أضحك بها."


def portrait() -> bytes:
    photo = Image.effect_noise((1600, 2133), 50).convert("RGB")  # the largest kept size
    buffer = io.BytesIO()
    photo.save(buffer, "JPEG", quality=90)
    return buffer.getvalue()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=15)
    rounds = parser.parse_args().rounds
    with tempfile.TemporaryDirectory() as folder:
        app = create_app(
            {
                "CAMPAIGN_ENV": "development",
                "SECRET_KEY": "bench-cards",
                "SQLALCHEMY_DATABASE_URI": f"sqlite:///{Path(folder) / 'bench.sqlite3'}",
                "MEDIA_ROOT": str(Path(folder) / "media"),
                "SERVER_NAME": "example.org",
            },
            instance_path=folder,
        )
        with app.test_request_context():
            processed = process(portrait())
            largest = max(
                (r for r in processed.renditions if r["format"] == "jpeg"),
                key=lambda r: r["width"],
            )
            photo = (Path(folder) / "media" / largest["name"]).read_bytes()
            started = time.perf_counter()
            fonts.load_all()
            print(f"fonts read once per worker: {(time.perf_counter() - started) * 1000:.0f} ms")
            designs = {
                "portrait, English": (QUOTE, "en", False, photo),
                "quote card, Arabic": (ARABIC, "ar", True, None),
            }
            results, contents = {}, {}
            for design, (quote, language, rtl, data) in designs.items():
                content = contents[design] = render.CardContent(
                    quote=quote, name="Amina", distance="3,214 km from home",
                    campaign="I am a migrant", address="example.org", language=language,
                    rtl=rtl, colours=services.identity.colours(),
                )  # fmt: skip
                for size in render.SIZES:
                    wall = []
                    for _ in range(rounds):
                        started = time.perf_counter()
                        services.draw(content, size, data, (0.5, 0.35))
                        wall.append((time.perf_counter() - started) * 1000)
                    results[design, size] = statistics.median(wall), max(wall)
            # The worker's peak with cards (drawn in children), before this process
            # draws any itself below.
            peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
            for (design, size), (median, slowest) in results.items():
                quote, language, rtl, data = designs[design]
                content = contents[design]
                cpu = []
                for _ in range(rounds):
                    started = time.process_time()
                    render.render(content, size, data, (0.5, 0.35))
                    cpu.append((time.process_time() - started) * 1000)
                print(
                    f"{design:20} {size:10} in the child: median {median:6.1f} ms "
                    f"(slowest {slowest:6.1f})   CPU: median {statistics.median(cpu):6.1f} ms"
                )
        print(f"worker peak memory: {peak:.0f} MB (the cards are drawn in children)")


if __name__ == "__main__":
    main()
