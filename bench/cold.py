"""The cold benchmark behind `make bench-cold`: public pages when no cache helps.

The page cache is off (FLASK_PAGE_CACHE_ENABLED=false), so every answer is
rendered: what the first visitors after a publication get. For each database
and each size (10,000, 100,000, 1,000,000 stories by default; one database
that grows from size to size, seeded with the Zipf vocabulary of `demo seed`),
the app runs under gunicorn with 2 workers, and beside it, under the same
settings, the baseline (bench/baseline.py) serves the very same bytes. Every
figure is a ratio to the baseline measured in the same run, request by
request, because the machine is shared and noisy:

- one client: median of ROUNDS requests of each page, each followed by the
  baseline's copy of it (home, gallery page 1, a deep gallery page, a story,
  a search for one typical word, and the worst search: the commonest word);
- 16 connections (wrk): gallery page 1 and a story, requests per second as a
  share of the baseline's; a search no cache has seen (a random word of the
  vocabulary per request, bench/search_words.lua), p95 as a multiple of the
  baseline's p95.

Then a growth table (each figure per size: a figure that grows with the
number of stories is a defect) and the database size per story. Printed and
appended to BENCHMARKS.md.
"""

import argparse
import json
import os
import sqlite3
import statistics
import sys
import tempfile
import time
import urllib.parse
import urllib.request
from datetime import UTC, datetime
from pathlib import Path

from bench.run import (
    BENCH,
    Endpoint,
    app_context,
    ensure_wrk,
    flask_cli,
    free_port,
    log,
    machine,
    run_wrk,
    start_gunicorn,
    stop,
)

ROOT = Path(__file__).resolve().parent.parent
POSTGRES_ADMIN = "postgresql://postgres@127.0.0.1:5432/postgres"
# Its own name per run when asked (BENCH_COLD_POSTGRES_DB): the database is dropped and
# made again at the start, so two runs on one server must not share it.
POSTGRES_DB = os.environ.get("BENCH_COLD_POSTGRES_DB", "campaign_bench_cold")
WORKERS = 2
# Targets of issue 21, as ratios to the baseline of the same run.
PAGE_RATIO = 10  # one client: a page's median time / the baseline's
SEARCH_RATIO = 30
LOAD_SHARE = 0.1  # 16 connections: gallery and story req/s / the baseline's
SEARCH_P95_RATIO = 10  # 16 connections, a new search per request: p95 / the baseline's
PAGES = ("home", "gallery page 1", "gallery deep page", "story", "search", "search worst case")
LOADED = ("gallery page 1", "story")


def database_url(kind: str, folder: Path) -> str:
    if kind == "sqlite":
        return f"sqlite:///{folder / 'cold.sqlite3'}"
    return f"postgresql+psycopg://postgres@127.0.0.1:5432/{POSTGRES_DB}"


def fresh_database(kind: str, folder: Path) -> dict:
    """An empty, migrated database; its environment for the CLI."""
    url = database_url(kind, folder)
    if kind == "postgresql":
        import psycopg

        with psycopg.connect(POSTGRES_ADMIN, autocommit=True) as connection:
            connection.execute(f"DROP DATABASE IF EXISTS {POSTGRES_DB} WITH (FORCE)")
            connection.execute(f"CREATE DATABASE {POSTGRES_DB}")
    media = folder / f"media-{kind}"
    media.mkdir(exist_ok=True)
    env = {
        **os.environ,
        "DATABASE_URL": url,
        "SECRET_KEY": os.urandom(32).hex(),
        "CAMPAIGN_ENV": "development",
        "FLASK_RATELIMIT_ENABLED": "false",
        "FLASK_MEDIA_ROOT": str(media),
    }
    flask_cli(env, "db", "upgrade")
    return env


def grow(kind: str, env: dict, folder: Path, more: int) -> float:
    """Add ``more`` stories; return the seconds it took (the command's own figure)."""
    output = flask_cli(env, "demo", "seed", str(more), "--seed", str(more))
    log(f"{kind}: {output}")
    url = env["DATABASE_URL"]
    if kind == "postgresql":
        import psycopg

        with psycopg.connect(url.replace("+psycopg", ""), autocommit=True) as connection:
            connection.execute("VACUUM ANALYZE")
    else:
        # No ANALYZE of our own: the statistics are those a live site has, the
        # seed's and each worker's at its start (database.refresh_statistics).
        with sqlite3.connect(folder / "cold.sqlite3") as connection:
            connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    return float(output.split(" in ")[1].split(" s ")[0])


def bytes_per_story(kind: str, env: dict, folder: Path, stories: int) -> float:
    if kind == "sqlite":
        size = (folder / "cold.sqlite3").stat().st_size
    else:
        import psycopg

        with psycopg.connect(env["DATABASE_URL"].replace("+psycopg", "")) as connection:
            size = connection.execute("SELECT pg_database_size(current_database())").fetchone()[0]
    return size / stories


def paths(env: dict, stories: int) -> dict[str, str]:
    """The pages measured, resolved against this database's data."""
    from sqlalchemy import func, select

    from campaign.extensions import db
    from campaign.gallery.queries import FIRST, encode_cursor
    from campaign.models import Story
    from campaign.ops import vocabulary

    with app_context(env):
        ordered = Story.published().order_by(Story.published_at.desc(), Story.id.desc())
        story = db.session.scalar(ordered.offset(123).limit(1))
        # /stories shows the reader's language first (English here: the first part of
        # the walk, rank 0), so a deep page is halfway down the English stories, with
        # the cursor of that order (a cursor of another order is refused: page 1 again).
        english = ordered.where(Story.language == "en")
        told_in_english = db.session.scalar(select(func.count()).select_from(english.subquery()))
        deep = db.session.scalar(english.offset(told_in_english // 2).limit(1))
        cursor = encode_cursor(FIRST, deep.published_at, deep.id, 0)
        db.session.remove()
        db.engine.dispose()
    english = vocabulary.words("en")
    # A word of middling rank (a quarter down the list, five letters or more, so not
    # an abbreviation): what a visitor typically looks for, in few stories.
    typical = next(word for word in english[len(english) // 4 :] if len(word) >= 5)
    return {
        "home": "/",
        "gallery page 1": "/stories",
        "gallery deep page": f"/stories?after={cursor}",
        "story": f"/stories/{urllib.parse.quote(story.slug)}",
        "search": f"/stories?q={typical}",
        # The commonest word, as a prefix: in most English stories.
        "search worst case": f"/stories?q={english[0]}",
    }


def get(url: str) -> tuple[float, bytes, str]:
    started = time.perf_counter()
    with urllib.request.urlopen(url, timeout=60) as response:
        body = response.read()
        content_type = response.headers["Content-Type"]
    return (time.perf_counter() - started) * 1000, body, content_type


def search_words_file(folder: Path) -> Path:
    """Every word of the vocabulary, each language's, quoted for a URL."""
    from campaign.ops import vocabulary

    found = [
        urllib.parse.quote(word) for language in vocabulary.LANGUAGES
        for word in vocabulary.words(language)
    ]  # fmt: skip
    target = folder / "search-words.txt"
    target.write_text("\n".join(found) + "\n")
    return target


def measure(kind: str, env: dict, folder: Path, stories: int, args, wrk: str) -> dict:
    app_env = {**env, "CAMPAIGN_ENV": "production", "FLASK_PAGE_CACHE_ENABLED": "false"}
    found = paths(env, stories)
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    server = start_gunicorn("campaign:create_app()", app_env, port, WORKERS)
    figures: dict = {"stories": stories}
    try:
        pages = {}
        for number, path in enumerate(found.values()):
            _ms, body, content_type = get(base + path)
            pages[f"page{number}"] = {"body": body.decode(), "content_type": content_type}
        pages_file = folder / f"cold-pages-{kind}.json"
        pages_file.write_text(json.dumps(pages))
        baseline_port = free_port()
        baseline_base = f"http://127.0.0.1:{baseline_port}"
        baseline = start_gunicorn(
            "bench.baseline:create_app()",
            {**app_env, "BENCH_BASELINE_PAGES": str(pages_file)},
            baseline_port,
            WORKERS,
        )
        try:
            for number, (name, path) in enumerate(found.items()):
                ours, theirs = [], []
                for _ in range(2):  # warm: the worker's first look at this page
                    get(base + path)
                    get(f"{baseline_base}/page{number}")
                for _ in range(args.rounds):
                    ours.append(get(base + path)[0])
                    theirs.append(get(f"{baseline_base}/page{number}")[0])
                figures[name] = {
                    "ms": statistics.median(ours),
                    "baseline_ms": statistics.median(theirs),
                    "spread": statistics.quantiles(ours, n=4)[2] / statistics.median(ours)
                    if len(ours) > 1
                    else 1.0,
                }
                log(f"{kind} {stories:,}: {name} {figures[name]['ms']:.1f} ms")
            for number, (name, path) in enumerate(found.items()):
                if name not in LOADED:
                    continue
                result = run_wrk(
                    wrk, base + path, Endpoint(name, path), args.duration, args.connections
                )
                reference = run_wrk(
                    wrk,
                    f"{baseline_base}/page{number}",
                    Endpoint(name, f"/page{number}"),
                    args.duration,
                    args.connections,
                )
                figures[f"{name} loaded"] = {"rps": result["rps"], "baseline_rps": reference["rps"]}
                figures[f"{name} loaded"]["errors"] = result["errors"] + result["non2xx"]
            os.environ["BENCH_SEARCH_WORDS"] = str(search_words_file(folder))
            number = list(found).index("search")
            result = run_wrk(
                wrk,
                base + found["search"],
                Endpoint("new search", found["search"], script="search_words.lua"),
                args.duration,
                args.connections,
            )
            reference = run_wrk(
                wrk,
                f"{baseline_base}/page{number}",
                Endpoint("new search", f"/page{number}"),
                args.duration,
                args.connections,
            )
            figures["new search loaded"] = {
                "p95": result["p95"],
                "baseline_p95": reference["p95"],
                "rps": result["rps"],
                "errors": result["errors"] + result["non2xx"],
            }
        finally:
            stop(baseline)
    finally:
        stop(server)
    return figures


def ratios(figures: dict) -> dict[str, float]:
    """Each figure as the ratio its target is written in."""
    found = {}
    for name in PAGES:
        found[f"{name}, one client (x baseline)"] = (
            figures[name]["ms"] / figures[name]["baseline_ms"]
        )
    for name in LOADED:
        loaded = figures[f"{name} loaded"]
        found[f"{name}, 16 connections (share of baseline req/s)"] = (
            loaded["rps"] / loaded["baseline_rps"]
        )
    search = figures["new search loaded"]
    found["new search each request, 16 connections (p95 x baseline p95)"] = (
        search["p95"] / search["baseline_p95"]
    )
    return found


def target_of(label: str) -> tuple[float, str]:
    if "16 connections (share" in label:
        return LOAD_SHARE, ">="
    if label.startswith("new search"):
        return SEARCH_P95_RATIO, "<="
    if label.startswith("search"):
        return SEARCH_RATIO, "<="
    return PAGE_RATIO, "<="


def render(results: dict[str, list[dict]], args) -> tuple[str, list[str]]:
    lines, verdicts = [], []
    for kind, runs in results.items():
        sizes = [f"{run['stories']:,}" for run in runs]
        lines += [
            f"**{kind}**, cold (page cache off), gunicorn -w {WORKERS}",
            "",
            "| figure | " + " | ".join(sizes) + " | target |",
            "| --- | " + " | ".join("---:" for _ in sizes) + " | ---: |",
        ]
        table = [ratios(run) for run in runs]
        for label in table[0]:
            target, direction = target_of(label)
            cells = " | ".join(f"{row[label]:.2f}" for row in table)
            lines.append(f"| {label} | {cells} | {direction} {target} |")
            for run, row in zip(runs, table, strict=True):
                ok = row[label] >= target if direction == ">=" else row[label] <= target
                verdicts.append(
                    f"{'PASS' if ok else 'FAIL'} {kind} {run['stories']:,} {label}: "
                    f"{row[label]:.2f} (target {direction} {target})"
                )
        for name in PAGES:
            cells = " | ".join(
                f"{run[name]['ms']:.1f} ({run[name]['baseline_ms']:.2f})" for run in runs
            )
            lines.append(f"| {name}, one client: ms (baseline ms) | {cells} | |")
        for name in LOADED:
            cells = " | ".join(
                f"{run[name + ' loaded']['rps']:.0f} ({run[name + ' loaded']['baseline_rps']:.0f})"
                for run in runs
            )
            lines.append(f"| {name}, 16 connections: req/s (baseline) | {cells} | |")
        searches = [run["new search loaded"] for run in runs]
        cells = " | ".join(f"{s['p95']:.1f} ({s['baseline_p95']:.1f})" for s in searches)
        lines.append(f"| new search each request, 16 connections: p95 ms (baseline) | {cells} | |")
        cells = " | ".join(f"{max(run[name]['spread'] for name in PAGES):.2f}" for run in runs)
        lines.append(f"| noise: worst upper quartile / median, one client | {cells} | |")
        cells = " | ".join(f"{run['bytes_per_story'] / 1024:.2f}" for run in runs)
        lines.append(f"| database size per story, KiB | {cells} | |")
        cells = " | ".join(f"{run['stories_added'] / run['seed_seconds']:,.0f}" for run in runs)
        lines.append(f"| `demo seed` stories/s (this step's addition) | {cells} | ≥ 20,000 |")
        lines.append("")
    return "\n".join(lines), verdicts


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="10000,100000,1000000")
    parser.add_argument("--databases", default="sqlite,postgresql")
    parser.add_argument("--rounds", type=int, default=15, help="requests per page, one client")
    parser.add_argument("--duration", type=int, default=5, help="seconds per wrk run")
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--no-record", action="store_true", help="don't append to BENCHMARKS.md")
    args = parser.parse_args()
    sizes = sorted(int(size) for size in args.sizes.split(","))
    wrk = ensure_wrk()
    os.environ["BENCH_LATENCY_LUA"] = str(BENCH / "latency.lua")
    with tempfile.TemporaryDirectory(prefix="campaign-cold-") as name:
        folder = Path(name)
        for kind in args.databases.split(","):
            # Each database's table is recorded as soon as it is measured.
            record({kind: measure_sizes(kind, sizes, folder, args, wrk)}, args)
    return 0


def measure_sizes(kind: str, sizes: list[int], folder: Path, args, wrk: str) -> list[dict]:
    """One database grown from size to size, measured at each."""
    env = fresh_database(kind, folder)
    runs, have = [], 0
    for size in sizes:
        log(f"{kind}: growing to {size:,} stories")
        seconds = grow(kind, env, folder, size - have)
        figures = measure(kind, env, folder, size, args, wrk)
        figures.update(
            seed_seconds=seconds,
            stories_added=size - have,
            bytes_per_story=bytes_per_story(kind, env, folder, size),
        )
        runs.append(figures)
        have = size
    return runs


def record(results: dict[str, list[dict]], args) -> None:
    table, verdicts = render(results, args)
    header = (
        f"## {datetime.now(UTC):%Y-%m-%d %H:%M} UTC, cold (`make bench-cold`)\n\n"
        f"Machine: {machine()}; load average at the end {os.getloadavg()[0]:.1f}.\n"
        f"Page cache off; gunicorn -w {WORKERS} (app and baseline); one client: median of "
        f"{args.rounds}, each request followed by the baseline's; wrk 2 threads, "
        f"{args.connections} connections, {args.duration} s. Ratios to the baseline of the "
        "same run.\n"
    )
    report = f"{header}\n{table}\n" + "\n".join(f"- {v}" for v in verdicts) + "\n"
    print("\n" + report, flush=True)
    if not args.no_record:
        with (ROOT / "BENCHMARKS.md").open("a") as file:
            file.write(report + "\n")
    (ROOT / "test-artifacts").mkdir(exist_ok=True)
    for kind, runs in results.items():
        stamp = f"{datetime.now(UTC):%Y%m%d-%H%M}"
        (ROOT / "test-artifacts" / f"cold-{kind}-{stamp}.json").write_text(json.dumps(runs))


if __name__ == "__main__":
    sys.exit(main())
