"""Real servers for reliability tests: gunicorn on a free loopback port."""

import html
import http.cookiejar
import json
import os
import re
import secrets
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
GUNICORN = Path(sys.executable).with_name("gunicorn")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _environment(database_url: str, tmp_path: Path, env: dict | None) -> dict:
    environment = {
        **os.environ,
        "CAMPAIGN_ENV": "development",
        "SECRET_KEY": "gunicorn-test-secret-key",
        "DATABASE_URL": database_url,
        "FLASK_RATELIMIT_ENABLED": "false",
        # Fifty stories from one address, sent as soon as the form is open.
        "FLASK_SHARE_MIN_FILL_SECONDS": "0",
        "FLASK_MEDIA_ROOT": f'"{tmp_path / "media"}"',
        **(env or {}),
    }
    environment.pop("FLASK_DEBUG", None)
    environment.pop("FLASK_SERVER_WORKERS", None)  # gunicorn.conf.py says how many
    return environment


def _command(port: int, workers: int) -> list[str]:
    return [
        str(GUNICORN),
        "-c",
        str(ROOT / "gunicorn.conf.py"),
        "--workers",
        str(workers),
        "--bind",
        f"127.0.0.1:{port}",
        "--timeout",
        "30",
        "campaign:create_app()",
    ]


@contextmanager
def gunicorn(database_url: str, tmp_path: Path, *, workers: int = 3, env: dict | None = None):
    """Serve the app with gunicorn (our gunicorn.conf.py) until the block ends.

    Yields (base_url, log_path); the log holds gunicorn's error and access log.
    """
    port = free_port()
    log_path = tmp_path / f"gunicorn-{port}.log"
    with log_path.open("wb") as log:
        process = subprocess.Popen(
            _command(port, workers),
            cwd=ROOT,
            env=_environment(database_url, tmp_path, env),
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        base_url = f"http://127.0.0.1:{port}"
        try:
            _wait_until_healthy(base_url, process, log_path)
            yield base_url, log_path
        finally:
            stop(process)


def stop(process: subprocess.Popen) -> None:
    """Ask a server to stop, and kill it if it takes longer than 15 s."""
    process.terminate()
    try:
        process.wait(timeout=15)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


def gunicorn_refusing(
    database_url: str, tmp_path: Path, *, workers: int, env: dict | None = None
) -> tuple[int | None, str]:
    """Start gunicorn expecting it to refuse: (exit status, its log). None: still serving."""
    port = free_port()
    process = subprocess.Popen(
        _command(port, workers),
        cwd=ROOT,
        env=_environment(database_url, tmp_path, env),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    try:
        output, _ = process.communicate(timeout=30)
        return process.returncode, output.decode(errors="replace")
    except subprocess.TimeoutExpired:
        process.kill()
        output, _ = process.communicate()
        return None, output.decode(errors="replace")


def _wait_until_healthy(base_url: str, process, log_path: Path) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"gunicorn exited:\n{log_path.read_text()}")
        try:
            with urllib.request.urlopen(f"{base_url}/healthz", timeout=2) as response:  # noqa: S310
                if response.status == 200:
                    return
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            time.sleep(0.2)
    raise RuntimeError(f"gunicorn did not become healthy:\n{log_path.read_text()}")


class Browser:
    """One visitor: its own cookies, so its own session and CSRF token."""

    def __init__(self, base_url: str):
        self.base_url = base_url
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar())
        )

    def get(self, path: str):
        return self._open(urllib.request.Request(self.base_url + path))  # noqa: S310

    def post(self, path: str, data: dict):
        body = urllib.parse.urlencode(data).encode()
        request = urllib.request.Request(self.base_url + path, data=body, method="POST")  # noqa: S310
        return self._open(request)

    def post_with_file(self, path: str, data: dict, field: str, filename: str, content: bytes):
        """A form with one file, sent as multipart/form-data like a browser's."""
        boundary = f"----campaign-test-{secrets.token_hex(8)}"
        parts = [
            f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n'.encode()
            + f"{value}\r\n".encode()
            for name, value in data.items()
        ]
        parts.append(
            f'--{boundary}\r\nContent-Disposition: form-data; name="{field}"; '
            f'filename="{filename}"\r\nContent-Type: application/octet-stream\r\n\r\n'.encode()
            + content
            + b"\r\n"
        )
        body = b"".join(parts) + f"--{boundary}--\r\n".encode()
        request = urllib.request.Request(  # noqa: S310
            self.base_url + path,
            data=body,
            method="POST",
            headers={"Content-Type": f"multipart/form-data; boundary={boundary}"},
        )
        return self._open(request)

    def get_bytes(self, path: str) -> tuple[int, bytes]:
        """Status and body of a file (a photo), not decoded as text."""
        try:
            with self.opener.open(self.base_url + path, timeout=60) as response:
                return response.status, response.read()
        except urllib.error.HTTPError as error:
            with error:
                return error.code, error.read()

    def _open(self, request):
        try:
            with self.opener.open(request, timeout=60) as response:
                return response.status, response.geturl(), response.read().decode()
        except urllib.error.HTTPError as error:
            return error.code, error.geturl(), error.read().decode()

    def hidden_fields(self, path: str) -> dict:
        """The hidden fields of the form at ``path`` (CSRF token, form stamp...)."""
        _status, _url, page = self.get(path)
        fields = {}
        for tag in re.findall(r"<input[^>]*>", page):
            attributes = dict(re.findall(r'([\w-]+)="([^"]*)"', tag))
            if attributes.get("type") == "hidden" and "name" in attributes:
                fields[attributes["name"]] = html.unescape(attributes.get("value", ""))
        return fields

    def csrf_token(self, path: str) -> str:
        _status, _url, page = self.get(path)
        match = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page) or re.search(
            r'value="([^"]+)"[^>]*name="csrf_token"', page
        )
        assert match, f"no CSRF token on {path}"
        return match.group(1)


@contextmanager
def libretranslate(mode: str = "ok"):
    """A small LibreTranslate in this process: ``POST /translate`` with its JSON.

    ``mode`` "ok" answers ``{"translatedText": "[target] q"}``; "error" a 500;
    "garbage" a page that is not JSON; "slow" nothing for two seconds. Yields
    (base_url, requests): every JSON body received, in order.
    """
    received: list[dict] = []

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):
            length = int(self.headers.get("Content-Length", "0"))
            body = json.loads(self.rfile.read(length) or b"{}")
            received.append({"path": self.path, **body})
            if mode == "slow":
                time.sleep(2)
            if self.path != "/translate" or mode == "error":
                self._answer(500, b'{"error": "boom"}')
            elif mode == "garbage":
                self._answer(200, b"<html>not json</html>")
            else:
                answer = {"translatedText": f"[{body['target']}] {body['q']}"}
                self._answer(200, json.dumps(answer).encode())

        def _answer(self, status: int, payload: bytes):
            try:
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)
            except OSError:
                pass  # the client gave up (the slow mode)

        def log_message(self, *_args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}", received
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)
