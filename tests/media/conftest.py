import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from campaign import create_app
from tests.helpers import app_config


@pytest.fixture
def media_app(tmp_path):
    """An app without a database, for the photo pipeline alone."""
    app = create_app(app_config("sqlite://"), instance_path=str(tmp_path))
    with app.test_request_context():
        yield app


@pytest.fixture
def media_dir(media_app, tmp_path):
    return tmp_path / "media"


@pytest.fixture
def purge_endpoint():
    """A stand-in for a CDN's purge API: the JSON bodies and headers it was sent."""
    received = []

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):
            body = self.rfile.read(int(self.headers["Content-Length"]))
            received.append((json.loads(body), dict(self.headers)))
            self.send_response(200)
            self.end_headers()

        def log_message(self, *_args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/purge", received
    server.shutdown()
    server.server_close()
