"""Reusable XSS checks: the payload list, and a scan of rendered HTML.

``assert_no_xss(html, payloads)`` fails when a page holds a payload
unescaped, or anything that would run script: an inline or foreign
``<script>``, an event-handler attribute, a ``javascript:``/``vbscript:``/
``data:`` URL where a browser would follow it, a ``srcdoc``, a ``style``
attribute, or an element that loads other documents (iframe, object, embed,
base, frame, portal, meta refresh).
"""

import re
from html.parser import HTMLParser
from pathlib import Path

PAYLOADS_FILE = Path(__file__).parent / "data" / "xss_payloads.txt"

URL_ATTRIBUTES = {
    "href",
    "src",
    "action",
    "formaction",
    "xlink:href",
    "data",
    "background",
    "poster",
    "lowsrc",
    "dynsrc",
    "codebase",
    "cite",
}
FORBIDDEN_ELEMENTS = {"iframe", "object", "embed", "base", "frame", "frameset", "portal", "applet"}
SAFE_DATA_IMAGES = re.compile(r"^data:image/(png|jpeg|gif|webp|avif);", re.IGNORECASE)
_INVISIBLE = re.compile(r"[\x00-\x20\x7f]+")


def load_payloads() -> list[str]:
    payloads = []
    for line in PAYLOADS_FILE.read_text(encoding="utf-8").splitlines():
        if line.strip() and not line.startswith("# "):
            payloads.append(line)
    return payloads


class _Scanner(HTMLParser):
    def __init__(self, script_prefix: str):
        super().__init__(convert_charrefs=True)
        self.script_prefix = script_prefix
        self.problems: list[str] = []
        self._in_script = False

    def handle_starttag(self, tag, attrs):
        self._check(tag, attrs)

    def handle_startendtag(self, tag, attrs):
        self._check(tag, attrs)

    def _check(self, tag, attrs):
        attributes = dict(attrs)
        where = self.get_starttag_text() or tag
        if tag == "script":
            src = attributes.get("src") or ""
            if not src.startswith(self.script_prefix):
                self.problems.append(f"script not from {self.script_prefix}: {where}")
            self._in_script = True
        if tag in FORBIDDEN_ELEMENTS:
            self.problems.append(f"element that loads documents: {where}")
        if tag == "meta" and (attributes.get("http-equiv") or "").lower() == "refresh":
            self.problems.append(f"meta refresh: {where}")
        for name, value in attrs:
            name = name.lower()
            if name.startswith("on"):
                self.problems.append(f"event handler {name}: {where}")
            elif name in ("srcdoc", "style"):
                self.problems.append(f"{name} attribute: {where}")
            elif name in URL_ATTRIBUTES and value:
                url = _INVISIBLE.sub("", value).lower()
                if url.startswith(("javascript:", "vbscript:")):
                    self.problems.append(f"script URL in {name}: {where}")
                elif (
                    url.startswith("data:")
                    and not (tag == "img" and name == "src" and SAFE_DATA_IMAGES.match(url))
                    and url != "data:,"  # the site's own empty favicon: no content at all
                ):
                    self.problems.append(f"data: URL in {name}: {where}")

    def handle_endtag(self, tag):
        if tag == "script":
            self._in_script = False

    def handle_data(self, data):
        if self._in_script and data.strip():
            self.problems.append(f"inline script: {data[:80]!r}")


def find_xss(html: str, payloads=(), *, script_prefix: str = "/static/") -> list[str]:
    """Every way this page could run a payload; empty when it is safe."""
    scanner = _Scanner(script_prefix)
    scanner.feed(html)
    scanner.close()
    problems = scanner.problems
    for payload in payloads:
        # Text with markup or quotes must never come back verbatim: Jinja
        # escapes < > & " ', so a verbatim copy means something skipped escaping.
        if any(c in payload for c in "<>\"'") and payload in html:
            problems.append(f"payload unescaped: {payload}")
    return problems


def assert_no_xss(html: str, payloads=(), **options) -> None:
    problems = find_xss(html, payloads, **options)
    assert not problems, "\n".join(problems)
