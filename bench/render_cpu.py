"""CPU per cold page in one process, kept cards off and on: `python -m bench.render_cpu`.

The page cache is off, the app is driven through Flask's test client (no gunicorn,
no network), and each figure is the median ``time.process_time()`` of one request
over ROUNDS requests of the page. The two settings of ``CARD_FRAGMENTS_ENABLED``
take turns request by request, so that both see the same moments of a shared,
noisy machine (CPU time, not wall time: waits for the CPU do not count). With the
kept cards on, the cards are warm after the first request, as for the visitors
after a publication (the first renders the new card, the rest reuse the others).
It reads an existing database (DATABASE_URL, e.g. one `demo seed` filled).
"""

import argparse
import logging
import os
import statistics
import time


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=50)
    parser.add_argument("--warm", type=int, default=5)
    args = parser.parse_args()
    os.environ["FLASK_PAGE_CACHE_ENABLED"] = "false"
    os.environ.setdefault("CAMPAIGN_ENV", "development")
    from campaign import create_app
    from campaign.extensions import db
    from campaign.models import Story

    app = create_app()
    logging.getLogger("campaign.request").setLevel(logging.WARNING)  # one line a request
    with app.app_context():
        ordered = Story.published().order_by(Story.published_at.desc(), Story.id.desc())
        story = db.session.scalar(ordered.offset(123).limit(1))
        db.session.remove()
    pages = {
        "home": "/",
        "gallery page 1": "/stories",
        "gallery page 1, fr": "/fr/stories",
        "story": f"/stories/{story.slug}",
    }
    print(f"{'page':20} {'off ms':>8} {'on ms':>8}  (median CPU a request, {args.rounds} each)")
    for name, path in pages.items():
        client = app.test_client()  # a reader of its own: /fr sets a language cookie
        times = {False: [], True: []}
        for number in range(args.warm + args.rounds):
            for enabled in (False, True):
                app.config["CARD_FRAGMENTS_ENABLED"] = enabled
                start = time.process_time()
                assert client.get(path).status_code == 200, path
                if number >= args.warm:
                    times[enabled].append(time.process_time() - start)
        off, on = (statistics.median(times[key]) * 1000 for key in (False, True))
        print(f"{name:20} {off:8.2f} {on:8.2f}  {path}")
    print("load average:", " ".join(f"{x:.2f}" for x in os.getloadavg()))


if __name__ == "__main__":
    main()
