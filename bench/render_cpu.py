"""CPU per cold page in one process (no gunicorn, no network): `python -m bench.render_cpu`.

The page cache is off, the app is driven through Flask's test client, and the
figure is ``time.process_time()`` per request over ROUNDS requests of each page,
after WARM requests (the kept card fragments, when on, are then warm, as they are
for the visitors after a publication: the first one renders the new card, the
rest reuse the others). A quicker, less noisy figure than `make bench-cold` on a
shared machine (CPU time, not wall time), for comparing two versions of the
rendering; it reads an existing database (DATABASE_URL, e.g. one `demo seed` filled).
"""

import argparse
import logging
import os
import time

PAGES = {
    "home": "/",
    "gallery page 1": "/stories",
    "gallery page 1, fr": "/fr/stories",
    "story": None,  # the 124th newest story, resolved below
}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=50)
    parser.add_argument("--warm", type=int, default=5)
    parser.add_argument("--fragments", choices=("on", "off"), default="on")
    args = parser.parse_args()
    os.environ["FLASK_PAGE_CACHE_ENABLED"] = "false"
    os.environ["FLASK_CARD_FRAGMENTS_ENABLED"] = "true" if args.fragments == "on" else "false"
    os.environ.setdefault("CAMPAIGN_ENV", "development")
    from campaign import create_app
    from campaign.extensions import db
    from campaign.models import Story

    app = create_app()
    logging.getLogger("campaign.request").setLevel(logging.WARNING)  # one line a request
    with app.app_context():
        ordered = Story.published().order_by(Story.published_at.desc(), Story.id.desc())
        PAGES["story"] = f"/stories/{db.session.scalar(ordered.offset(123).limit(1)).slug}"
        db.session.remove()
    client = app.test_client()
    for name, path in PAGES.items():
        for _ in range(args.warm):
            assert client.get(path).status_code == 200, path
        start = time.process_time()
        for _ in range(args.rounds):
            client.get(path)
        ms = (time.process_time() - start) * 1000 / args.rounds
        print(f"{name:22} {ms:7.2f} ms CPU a request ({path})")
    print("load average:", " ".join(f"{x:.2f}" for x in os.getloadavg()))


if __name__ == "__main__":
    main()
