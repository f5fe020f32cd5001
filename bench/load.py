"""The load targets of issue 21, behind `make bench-load` (and `make bench`).

For each database (SQLite, PostgreSQL): a fresh database with N published
synthetic stories (`flask demo seed`, as bench/run.py does), the app under
gunicorn with the project's settings and the page cache on, and, with the same
gunicorn settings, the baseline (bench/baseline.py: a bare Flask endpoint
returning the same bytes). Every figure is a ratio to the baseline measured in
the same run, because the machine is shared.

Unlike bench/run.py the per-address rate limits stay ON, counted in Redis as in
production (a limit too high to be reached, so the cost of counting is paid but
nobody is refused); each storyteller comes from an address of its own
(X-Forwarded-For, one proxy trusted).

1. API list: wrk on /api/v1/stories; req/s over the baseline's, target >= 0.6.
   py-spy samples one worker meanwhile: its top lines are printed and recorded.
2. Publication storm: a side process publishes a pending story every 2 s through
   the desk's service (moderation.services.decide, "approve", then a commit);
   meanwhile wrk on home, gallery and a story page; p95 over the baseline's p95,
   target <= 10.
3. 20 storytellers at once, each visiting the share form (its CSRF token and
   cookie) and sending a story with a photo as the browser sends it (the form's
   script shrinks it to 2000 px on its long side, JPEG); p95 <= 1.5 s; the stories
   and photos are counted after: none lost, none doubled. Each photo is then
   prepared in the background (media/preparing.py: faces found, every rendition
   cut); the time until the last one is ready is recorded, and every photo must be.
4. Worker peak memory (VmHWM, as bench/run.py's worker_peak_memory_mb) after a
   12 MP JPEG, a 12 MP WebP, a 5-minute voice recording and share cards of every
   size: <= 150 MB.
"""

import argparse
import contextlib
import html
import io
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from datetime import UTC, datetime
from http.cookiejar import CookieJar
from pathlib import Path

from bench import voice_transcode
from bench.run import (
    BIN,
    ROOT,
    Endpoint,
    _KeepRedirects,
    _verdict,
    app_context,
    cookie_header,
    ensure_wrk,
    free_port,
    log,
    machine,
    multipart,
    prepare_database,
    run_wrk,
    start_gunicorn,
    stop,
    story_fields,
    twelve_megapixel_photo,
    worker_count,
    worker_peak_memory_mb,
)

API_RATIO_TARGET = 0.6
STORM_P95_FACTOR = 10
STORYTELLERS = 20
UPLOAD_P95_S = 1.5
WORKER_PEAK_MB = 150
PUBLISH_EVERY_S = 2.0
# A Redis database of its own for the limits' counters (the tests use 8 and 9).
LIMITS_REDIS = "redis://127.0.0.1:6379/12"
STORM_PAGES = ("home", "gallery page 1", "story page")


def limited_env(env: dict) -> dict:
    """The production settings, with the rate limits on and counted in Redis."""
    return {
        **env,
        "FLASK_RATELIMIT_ENABLED": "true",
        "FLASK_RATELIMIT_STORAGE_URI": LIMITS_REDIS,
        # Counted, never reached by the benchmark's own traffic.
        "FLASK_API_RATE_LIMIT": "100000000 per minute",
        "FLASK_PROXY_FIX_X_FOR": "1",
    }


def empty_limits() -> None:
    import redis

    connection = redis.Redis.from_url(LIMITS_REDIS)
    for key in connection.scan_iter("LIMITS:*", count=1000):
        connection.delete(key)


def profile_worker(server: subprocess.Popen, seconds: int, out: Path) -> subprocess.Popen | None:
    """py-spy on the first worker for `seconds`, writing its raw (collapsed) stacks."""
    spy = shutil.which("py-spy", path=str(BIN)) or shutil.which("py-spy")
    children = Path(f"/proc/{server.pid}/task/{server.pid}/children").read_text().split()
    if not spy or not children:
        return None
    return subprocess.Popen(
        [spy, "record", "--pid", children[0], "--duration", str(seconds), "--rate", "200",
         "--format", "raw", "--output", str(out), "--nonblocking"],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip


def profile_top(raw: Path, lines: int = 14) -> list[str]:
    """The functions holding the most samples: inclusive (below gunicorn's own frames)
    and self (where the time is spent)."""
    if not raw.exists():
        return ["(no profile: py-spy could not attach)"]
    inclusive: dict[str, int] = {}
    own: dict[str, int] = {}
    total = 0
    for row in raw.read_text().splitlines():
        stack, _, count = row.rpartition(" ")
        if not count.isdigit():
            continue
        total += int(count)
        names = []
        for frame in stack.split(";"):
            function, _, where = frame.partition(" (")
            path = where.rstrip(")").rsplit(":", 1)[0]
            names.append(f"{function} ({'/'.join(path.split('/')[-2:])})")
        for name in set(names):
            if "gunicorn" not in name and "workers/" not in name and "app/" not in name:
                inclusive[name] = inclusive.get(name, 0) + int(count)
        own[names[-1]] = own.get(names[-1], 0) + int(count)
    if not total:
        return []

    def top(counts):
        ranked = sorted(counts.items(), key=lambda item: -item[1])[:lines]
        return [f"{count / total:6.1%}  {name}" for name, count in ranked]

    return ["inclusive:", *top(inclusive), "", "self:", *top(own)]


def pages(env: dict) -> dict[str, str]:
    from campaign.extensions import db
    from campaign.models import Story

    with app_context(env):
        ordered = Story.published().order_by(Story.published_at.desc(), Story.id.desc())
        a_story = db.session.scalar(ordered.offset(123).limit(1))
        path = f"/stories/{urllib.parse.quote(a_story.slug)}"
        db.session.remove()
        db.engine.dispose()
    return {
        "home": "/",
        "gallery page 1": "/stories",
        "story page": path,
        "API list": "/api/v1/stories",
    }


def baseline_pages(base: str, paths: dict[str, str], folder: Path, kind: str) -> Path:
    kept = {}
    for name, path in paths.items():
        with urllib.request.urlopen(base + path, timeout=30) as response:
            kept[_slot(name)] = {
                "body": response.read().decode(),
                "content_type": response.headers["Content-Type"],
            }
    out = folder / f"load-pages-{kind}.json"
    out.write_text(json.dumps(kept))
    return out


def _median(runs: list[dict]) -> dict:
    """The median of each figure over wrk runs (errors summed)."""
    merged = {key: statistics.median(run[key] for run in runs) for key in ("rps", "p50", "p95")}
    merged["errors"] = sum(run["errors"] for run in runs)
    merged["non2xx"] = sum(run["non2xx"] for run in runs)
    return merged


def _slot(name: str) -> str:
    return name.replace(" ", "-")


# The side process that publishes ----------------------------------------------------


def publisher(every: float, stop_file: Path) -> None:
    """Publish one pending story every `every` seconds through the desk's service,
    until `stop_file` exists. Prints how many it published."""

    from sqlalchemy import func, select, update

    from campaign.extensions import db
    from campaign.models import Moderator, Story, StoryStatus
    from campaign.moderation import services
    from campaign.ops.demo import seed_stories
    from campaign.publishing import stats

    with app_context(dict(os.environ)):
        moderator = db.session.scalar(select(Moderator).where(Moderator.email == "desk@bench"))
        if moderator is None:
            moderator = Moderator(email="desk@bench", password_hash="!", is_admin=False)  # noqa: S106
            db.session.add(moderator)
            db.session.commit()
        moderator_id = moderator.id
        first = (db.session.scalar(select(func.max(Story.id))) or 0) + 1
        # 400 stories loaded as the seed loads them, then sent back to the queue.
        seed_stories(400, seed=7)
        db.session.execute(
            update(Story)
            .where(Story.id >= first)
            .values(status=StoryStatus.PENDING, published_at=None, public_updated_at=None)
        )
        stats.recount(db.session.connection())
        db.session.commit()
        rows = [{"id": story_id} for story_id in range(first, first + 400)]
        published = 0
        print("ready", flush=True)
        for row in rows:
            if stop_file.exists():
                break
            started = time.monotonic()
            story = db.session.get(Story, row["id"])
            desk = db.session.get(Moderator, moderator_id)
            services.decide(story, "approve", desk, seen_version=story.version)
            db.session.commit()
            db.session.expunge_all()
            published += 1
            time.sleep(max(0.0, every - (time.monotonic() - started)))
        print(json.dumps({"published": published}), flush=True)


def start_publisher(env: dict, stop_file: Path) -> subprocess.Popen:
    app_env = {**env, "CAMPAIGN_ENV": "development"}
    return subprocess.Popen(
        [sys.executable, "-m", "bench.load", "--publisher", str(stop_file)],
        env=app_env, cwd=ROOT, stdout=subprocess.PIPE, text=True,
    )  # fmt: skip


# Storytellers ------------------------------------------------------------------------


def phone_photo(seed: int) -> bytes:
    """What share-photo.js sends: 2000 x 1500, JPEG, with detail all over."""
    from PIL import Image, ImageDraw

    image = Image.new("RGB", (2000, 1500), (160 + seed % 60, 120, 90))
    draw = ImageDraw.Draw(image)
    for step in range(0, 2000, 25):
        draw.line([(step, 0), (2000 - step, 1500)], fill=((step + seed) % 255, 90, 200), width=5)
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", quality=85)
    return buffer.getvalue()


def visit_from(base: str, address: str) -> tuple[dict, CookieJar]:
    """The share form's hidden fields and the cookie of one visit from `address`."""
    jar = CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    request = urllib.request.Request(f"{base}/share", headers={"X-Forwarded-For": address})
    page = opener.open(request, timeout=30).read().decode()
    fields = {}
    for tag in re.findall(r"<input[^>]*>", page):
        attributes = dict(re.findall(r'([\w-]+)="([^"]*)"', tag))
        if attributes.get("type") == "hidden" and "name" in attributes:
            fields[html.unescape(attributes["name"])] = html.unescape(attributes.get("value", ""))
    return fields, jar


def send_story(base: str, address: str, stamp: str, upload: tuple, **more: str) -> dict:
    """A fresh visit of the share form from `address`, then the story with one file,
    ``upload`` = (field, file name, content type, bytes). Times the sending."""
    jar_fields, jar = visit_from(base, address)
    fields = {**jar_fields, **story_fields(), "stamp": stamp, **more}
    body, content_type = multipart(fields, upload)
    request = urllib.request.Request(
        f"{base}/share",
        data=body,
        headers={
            "Content-Type": content_type,
            "Cookie": cookie_header(jar),
            "X-Forwarded-For": address,
        },
    )
    started = time.perf_counter()
    status, stored = 0, False
    try:
        urllib.request.build_opener(_KeepRedirects).open(request, timeout=120).close()
    except urllib.error.HTTPError as answer:
        status = answer.code
        stored = answer.code == 303 and answer.headers["Location"].endswith("/share/thanks")
    except OSError as error:
        log(f"a story was not sent: {error}")
    return {"seconds": time.perf_counter() - started, "stored": stored, "status": status}


def one_storyteller(base: str, stamp: str, number: int, photo: bytes, result: dict) -> None:
    result[number] = send_story(
        base,
        f"198.51.100.{number + 10}",
        stamp,
        ("photo", "photo.jpg", "image/jpeg", photo),
        title=f"Storyteller {number} of the load benchmark",
        photo_alt="A photo",
    )


def storytellers(base: str, env: dict) -> dict:
    from sqlalchemy import func, select

    from campaign.extensions import db
    from campaign.models import Photo, Story
    from campaign.submissions.services import new_stamp

    def counts():
        with app_context(env):
            title = Story.title.like("Storyteller % of the load benchmark")
            stories = db.session.scalar(select(func.count()).where(title))
            of_them = select(func.count()).select_from(Photo).join(Story).where(title)
            photos = db.session.scalar(of_them)
            # Prepared: the faces looked for and all six renditions cut.
            prepared = db.session.scalar(
                of_them.where(
                    Photo.prepare_at.is_(None), func.json_array_length(Photo.renditions) == 6
                )
            )
            db.session.remove()
            db.engine.dispose()
            return stories, photos, prepared

    before = counts()
    with app_context(env):
        stamps = [new_stamp(shown_at=time.time() - 60) for _ in range(STORYTELLERS)]
    photos = [phone_photo(n) for n in range(STORYTELLERS)]
    results: dict = {}
    threads = [
        threading.Thread(target=one_storyteller, args=(base, stamps[n], n, photos[n], results))
        for n in range(STORYTELLERS)
    ]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    after = counts()
    while after[2] - before[2] < after[1] - before[1] and time.perf_counter() - started < 300:
        time.sleep(0.5)
        after = counts()
    prepared_seconds = time.perf_counter() - started
    times = sorted(r["seconds"] for r in results.values())
    return {
        "p50": statistics.median(times),
        "p95": times[max(0, round(0.95 * len(times)) - 1)],
        "max": times[-1],
        "answered_stored": sum(r["stored"] for r in results.values()),
        "statuses": sorted({r["status"] for r in results.values()}),
        "stories": after[0] - before[0],
        "photos": after[1] - before[1],
        "prepared": after[2] - before[2],
        "prepared_seconds": prepared_seconds,
        "photo_bytes": statistics.median(len(p) for p in photos),
    }


# Memory ------------------------------------------------------------------------------


def every_upload_kind(base: str, env: dict, server, steps: dict) -> list[str]:
    """A 12 MP JPEG, a 12 MP WebP, a 5-minute voice recording, and share cards of
    every size; returns what did not go through. `steps`: the worker peak after each."""
    from campaign.submissions.services import new_stamp

    with app_context(env):
        stamps = [new_stamp(shown_at=time.time() - 60) for _ in range(3)]
    uploads = {
        "12 MP JPEG": ("photo", "photo.jpg", "image/jpeg", twelve_megapixel_photo("JPEG")),
        "12 MP WebP": ("photo", "photo.webp", "image/webp", twelve_megapixel_photo("WEBP")),
        "5-minute voice": (
            "voice", "recording.m4a", "audio/mp4", voice_transcode.phone_recording(300),
        ),
    }  # fmt: skip
    failed = []
    for number, (name, upload) in enumerate(uploads.items()):
        more = {"photo_alt": "A benchmark photo"} if upload[0] == "photo" else {}
        sent = send_story(base, f"203.0.113.{number + 1}", stamps[number], upload, **more)
        log(f"memory run: {name} {'stored' if sent['stored'] else 'NOT stored'} "
            f"in {sent['seconds']:.1f} s")  # fmt: skip
        if not sent["stored"]:
            failed.append(f"{name} (answer {sent['status']})")
        steps[name] = worker_peak_memory_mb(server)
    from campaign.cards.render import SIZES
    from campaign.extensions import db
    from campaign.models import Story

    with app_context(env):
        slugs = [s.slug for s in db.session.scalars(Story.published().order_by(Story.id).limit(3))]
        db.session.remove()
        db.engine.dispose()
    for slug in slugs:
        for size in SIZES:
            url = f"{base}/stories/{urllib.parse.quote(slug)}/card-{size}.jpg"
            try:
                with urllib.request.urlopen(url, timeout=60) as answer:
                    answer.read()
            except urllib.error.HTTPError as error:
                failed.append(f"card {size}: {error.code}")
    for path in ("/cards/home.jpg", "/cards/stories.jpg"):
        try:
            urllib.request.urlopen(base + path, timeout=60).read()
        except urllib.error.HTTPError as error:
            failed.append(f"{path}: {error.code}")
    steps["share cards"] = worker_peak_memory_mb(server)
    return failed


# One database ------------------------------------------------------------------------


def measure(kind: str, args, wrk: str, folder: Path) -> dict:
    env = limited_env(prepare_database(kind, args.stories, folder))
    empty_limits()
    workers = worker_count()
    port, baseline_port = free_port(), free_port()
    base = f"http://127.0.0.1:{port}"
    server = start_gunicorn("campaign:create_app()", env, port, workers)
    out: dict = {"profile": []}
    try:
        paths = pages(env)
        kept = baseline_pages(base, paths, folder, kind)
        baseline = start_gunicorn(
            "bench.baseline:create_app()", {**env, "BENCH_BASELINE_PAGES": str(kept)},
            baseline_port, workers,
        )  # fmt: skip
        try:
            measured: dict = {}

            def both(name: str, label: str = "") -> tuple[dict, dict]:
                """Ours and the baseline in turns (args.rounds each), so that a burst
                of the machine's other work falls on both; the median of each."""
                rounds: tuple[list, list] = ([], [])
                for _ in range(args.rounds):
                    rounds[0].append(
                        run_wrk(wrk, base + paths[name], Endpoint(name, paths[name]),
                                args.duration, args.connections)
                    )  # fmt: skip
                    rounds[1].append(
                        run_wrk(wrk, f"http://127.0.0.1:{baseline_port}/{_slot(name)}",
                                Endpoint(name, _slot(name)), args.duration, args.connections)
                    )  # fmt: skip
                ours, theirs = (_median(runs) for runs in rounds)
                measured[label or name] = (ours, theirs)
                log(f"{kind}: {label or name}: {ours['rps']:.0f} req/s (baseline "
                    f"{theirs['rps']:.0f}), p95 {ours['p95']:.1f} ms (baseline "
                    f"{theirs['p95']:.1f}), errors {ours['errors'] + ours['non2xx']}")  # fmt: skip
                return ours, theirs

            if "api" in args.targets:
                log(f"{kind}: API list, limits counted in Redis")
                raw = folder / f"profile-{kind}.txt"
                spy = profile_worker(server, args.duration * args.rounds, raw)
                both("API list")
                if spy:
                    spy.wait(timeout=60)
                out["profile"] = profile_top(raw)
            if "storm" in args.targets:
                for name in STORM_PAGES:  # the same pages, nothing published meanwhile
                    log(f"{kind}: {name}, quiet")
                    both(name, f"{name}, quiet")
                stop_file = folder / f"stop-{kind}"
                stop_file.unlink(missing_ok=True)
                side = start_publisher(env, stop_file)
                assert side.stdout.readline().strip() == "ready", "the publisher did not start"
                time.sleep(PUBLISH_EVERY_S + 1)  # the first publications made
                for name in STORM_PAGES:
                    log(f"{kind}: {name}, a publication every {PUBLISH_EVERY_S:g} s")
                    both(name, f"{name}, storm")
                stop_file.touch()
                printed, _ = side.communicate(timeout=60)
                last = (printed.strip().splitlines() or ["{}"])[-1]
                out["published"] = json.loads(last).get("published", 0) if "{" in last else 0
            out["wrk"] = measured
        finally:
            stop(baseline)
        if "uploads" in args.targets:
            log(f"{kind}: {STORYTELLERS} storytellers at once, a photo each")
            out["uploads"] = storytellers(base, env)
            log(f"{kind}: storytellers: {out['uploads']}")
        if "memory" in args.targets:
            log(f"{kind}: every upload kind, then share cards")
            out["memory_steps"] = {"before the uploads": worker_peak_memory_mb(server)}
            out["memory_failed"] = every_upload_kind(base, env, server, out["memory_steps"])
            out["memory"] = worker_peak_memory_mb(server)
            log(f"{kind}: worker peak {out['memory']:.0f} MB; failed: {out['memory_failed']}; "
                f"after each step: {out['memory_steps']}")  # fmt: skip
    finally:
        stop(server)
    return out


def render(results: dict, args) -> tuple[str, list[str]]:
    lines = [
        "| database | measure | ours | baseline | ratio | p50 ms | p95 ms | baseline p95 ms |",
        "| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    verdicts = []
    for kind, out in results.items():
        for label, (ours, theirs) in out.get("wrk", {}).items():
            ratio = ours["rps"] / theirs["rps"] if theirs["rps"] else float("nan")
            p95_ratio = ours["p95"] / theirs["p95"] if theirs["p95"] else float("nan")
            errors = ours["errors"] + ours["non2xx"]
            lines.append(
                f"| {kind} | {label} (req/s) | {ours['rps']:.0f} | {theirs['rps']:.0f} "
                f"| {ratio:.2f} | {ours['p50']:.1f} | {ours['p95']:.1f} | {theirs['p95']:.1f} |"
            )
            if label == "API list":
                verdicts.append(
                    _verdict(f"{kind} API list req/s ratio", ratio, API_RATIO_TARGET, ">=")
                )
            if label.endswith(", storm"):
                verdicts.append(
                    _verdict(f"{kind} {label} p95 / baseline p95", p95_ratio, STORM_P95_FACTOR)
                )
            if errors:
                verdicts.append(f"FAIL {kind} {label}: {errors} errors or non-2xx answers")
        if "published" in out:
            lines.append(
                f"| {kind} | stories published during the storm | {out['published']} | | | | | |"
            )
        if "uploads" in out:
            u = out["uploads"]
            lines.append(
                f"| {kind} | {STORYTELLERS} storytellers at once, a photo each "
                f"({u['photo_bytes'] / 1024:.0f} KB) "
                f"| {u['stories']} stories, {u['photos']} photos "
                f"| | | {u['p50'] * 1000:.0f} | {u['p95'] * 1000:.0f} | |"
            )
            verdicts.append(_verdict(f"{kind} storytellers p95 s", u["p95"], UPLOAD_P95_S))
            whole = u["stories"] == u["photos"] == u["answered_stored"] == STORYTELLERS
            verdicts.append(
                f"{'PASS' if whole else 'FAIL'} {kind} storytellers none lost, none doubled: "
                f"{u['answered_stored']} answered stored, {u['stories']} stories, "
                f"{u['photos']} photos (target {STORYTELLERS} each; answers {u['statuses']})"
            )
            verdicts.append(
                f"{'PASS' if u['prepared'] == STORYTELLERS else 'FAIL'} {kind} storytellers' "
                f"photos prepared after the answers: {u['prepared']} of {STORYTELLERS}, the last "
                f"{u['prepared_seconds']:.1f} s after the first was sent"
            )
        if "memory" in out:
            lines.append(
                f"| {kind} | worker peak memory (12 MP JPEG and WebP, 5-minute voice, "
                f"share cards) | {out['memory']:.0f} MB | | | | | |"
            )
            steps = ", ".join(f"{name} {mb:.0f} MB" for name, mb in out["memory_steps"].items())
            lines.append(f"| {kind} | worker peak memory after each step: {steps} | | | | | | |")
            verdicts.append(_verdict(f"{kind} worker peak MB", out["memory"], WORKER_PEAK_MB))
            for failed in out["memory_failed"]:
                verdicts.append(f"FAIL {kind} memory run: {failed} did not go through")
    return "\n".join(lines), verdicts


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--stories", type=int, default=100_000)
    parser.add_argument("--duration", type=int, default=4, help="seconds per wrk run")
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--rounds", type=int, default=3, help="turns of ours and the baseline")
    parser.add_argument("--databases", default="sqlite,postgresql")
    parser.add_argument("--targets", default="api,storm,uploads,memory")
    parser.add_argument("--no-record", action="store_true", help="don't append to BENCHMARKS.md")
    parser.add_argument("--publisher", help=argparse.SUPPRESS)  # the side process
    args = parser.parse_args()
    if args.publisher:
        publisher(PUBLISH_EVERY_S, Path(args.publisher))
        return 0
    wrk = ensure_wrk()
    results = {}
    with tempfile.TemporaryDirectory(prefix="campaign-load-") as folder:
        for kind in args.databases.split(","):
            results[kind] = measure(kind, args, wrk, Path(folder))
    table, verdicts = render(results, args)
    profiles = "\n".join(
        f"\nProfile of one worker during the API list ({kind}, py-spy, inclusive share of "
        f"samples):\n\n```\n" + "\n".join(out["profile"]) + "\n```"
        for kind, out in results.items()
        if out.get("profile")
    )
    header = (
        f"## {datetime.now(UTC):%Y-%m-%d %H:%M} UTC: load (bench/load.py)\n\n"
        f"Machine: {machine()}.\n"
        f"{args.stories:,} published stories; gunicorn with {worker_count()} sync workers; "
        f"page cache on; rate limits on, counted in Redis; wrk, 2 threads, "
        f"{args.connections} connections, {args.duration} s per run.\n"
    )
    report = f"{header}\n{table}\n" + profiles + "\n\n" + "\n".join(f"- {v}" for v in verdicts)
    print("\n" + report)
    if not args.no_record:
        with (ROOT / "BENCHMARKS.md").open("a") as file:
            file.write(report + "\n\n")
    return 0


if __name__ == "__main__":
    with contextlib.suppress(KeyboardInterrupt):
        sys.exit(main())
