"""The baseline: a minimal Flask app returning pre-rendered pages of the same size.

Run under the same gunicorn settings as the real app, it shows what the
machine, the server and Flask cost before any of our work.
"""

import json
import os
from pathlib import Path

from flask import Flask, Response


def create_app() -> Flask:
    app = Flask(__name__)
    pages = json.loads(Path(os.environ["BENCH_BASELINE_PAGES"]).read_text())
    bodies = {name: (page["body"].encode(), page["content_type"]) for name, page in pages.items()}

    @app.route("/<name>", methods=["GET", "POST"])
    def page(name: str) -> Response:
        body, content_type = bodies[name]
        return Response(body, content_type=content_type)

    return app
