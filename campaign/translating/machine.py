"""Machine help for volunteers: a draft from the campaign's own LibreTranslate server.

Off unless ``LIBRETRANSLATE_URL`` is set. When it is, the text of the story being
translated (its title, quote, story and photo description) is sent to that server,
which the campaign runs; nothing else is, and nothing goes anywhere by itself: a
volunteer presses "Draft with machine help". The draft only fills the fields that
are still empty, the translation's source becomes MACHINE_DRAFT, and it is published
only after a person sent it and a second person reviewed it, like any other.

The API (https://libretranslate.com/docs): ``POST {url}/translate`` with JSON
``{"q", "source", "target", "format": "text", "api_key"?}`` answers
``{"translatedText": "..."}``. Every failure (no answer in time, an error status, an
answer that is not that) is ``MachineUnavailable``, which the editor says in words.
"""

import json
import logging
import urllib.error
import urllib.request
from urllib.parse import urlsplit

from flask import current_app

log = logging.getLogger(__name__)

# Seconds to wait for the server: a volunteer is waiting on the page.
TIMEOUT_SECONDS = 8
# The longest answer read (a story is at most STORY_MAX_CHARS; a translation may be longer).
MAX_ANSWER_BYTES = 512 * 1024


class MachineUnavailable(Exception):
    """The translation server gave no usable answer."""


def configured() -> bool:
    return bool(current_app.config.get("LIBRETRANSLATE_URL"))


def server_host() -> str:
    """The host the text goes to, for the privacy page ("" when machine help is off)."""
    url = current_app.config.get("LIBRETRANSLATE_URL") or ""
    return urlsplit(url).hostname or ""


def _language(code: str) -> str:
    """LibreTranslate knows base languages: "fa-AF" (Dari) is sent as "fa"."""
    return code.split("-")[0]


def translate(text: str, source: str, target: str) -> str:
    """``text`` from ``source`` into ``target``; "" for an empty text (nothing is sent)."""
    if not text.strip():
        return ""
    url = current_app.config.get("LIBRETRANSLATE_URL") or ""
    if not url:
        raise MachineUnavailable("machine help is off")
    payload = {"q": text, "source": _language(source), "target": _language(target)}
    payload["format"] = "text"
    api_key = current_app.config.get("LIBRETRANSLATE_API_KEY") or ""
    if api_key:
        payload["api_key"] = api_key
    request = urllib.request.Request(  # noqa: S310 - the campaign's own server, http(s) only
        url.rstrip("/") + "/translate",
        data=json.dumps(payload).encode(),
        headers={"Content-Type": "application/json", "Accept": "application/json"},
        method="POST",
    )
    if urlsplit(request.full_url).scheme not in ("http", "https"):
        raise MachineUnavailable("LIBRETRANSLATE_URL is not an http(s) address")
    try:
        with urllib.request.urlopen(request, timeout=TIMEOUT_SECONDS) as response:  # noqa: S310
            body = response.read(MAX_ANSWER_BYTES + 1)
    except (urllib.error.URLError, TimeoutError, OSError, ValueError) as error:
        log.warning("machine_translation.failed", extra={"error": type(error).__name__})
        raise MachineUnavailable(type(error).__name__) from error
    if len(body) > MAX_ANSWER_BYTES:
        raise MachineUnavailable("answer too large")
    try:
        answer = json.loads(body)
    except ValueError as error:
        raise MachineUnavailable("not JSON") from error
    translated = answer.get("translatedText") if isinstance(answer, dict) else None
    if not isinstance(translated, str):
        raise MachineUnavailable("no translatedText")
    return translated
