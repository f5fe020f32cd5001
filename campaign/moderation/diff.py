"""A readable word-level diff of two texts, escaped, for the revision history."""

import difflib
import re

from markupsafe import Markup, escape

_TOKENS = re.compile(r"\s+|\w+|[^\w\s]")


def word_diff(old: str, new: str) -> Markup:
    a, b = _TOKENS.findall(old or ""), _TOKENS.findall(new or "")
    out = Markup("")
    for tag, i1, i2, j1, j2 in difflib.SequenceMatcher(None, a, b, autojunk=False).get_opcodes():
        if tag == "equal":
            out += escape("".join(a[i1:i2]))
            continue
        if tag in ("delete", "replace"):
            out += Markup("<del>%s</del>") % "".join(a[i1:i2])
        if tag in ("insert", "replace"):
            out += Markup("<ins>%s</ins>") % "".join(b[j1:j2])
    return out
