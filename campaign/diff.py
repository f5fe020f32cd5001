"""A readable word-level diff of two texts, escaped, for the revision history."""

import difflib
import re

from markupsafe import Markup, escape

_TOKENS = re.compile(r"\s+|\w+|[^\w\s]")


def _runs(a: list[str], b: list[str]) -> list[tuple[str, str, str]]:
    """(tag, old, new) runs; a lone space between two changes joins them, so a replaced
    phrase reads as one struck-through phrase and one new one, not word by word."""
    runs: list[tuple[str, str, str]] = []
    opcodes = difflib.SequenceMatcher(None, a, b, autojunk=False).get_opcodes()
    for index, (tag, i1, i2, j1, j2) in enumerate(opcodes):
        old, new = "".join(a[i1:i2]), "".join(b[j1:j2])
        between_changes = 0 < index < len(opcodes) - 1 and runs and runs[-1][0] != "equal"
        if tag == "equal" and between_changes and not old.strip():
            tag = "replace"
        if tag != "equal" and runs and runs[-1][0] != "equal":
            _, old_before, new_before = runs.pop()
            old, new = old_before + old, new_before + new
        runs.append((tag, old, new))
    return runs


def word_diff(old: str, new: str) -> Markup:
    a, b = _TOKENS.findall(old or ""), _TOKENS.findall(new or "")
    out = Markup("")
    for tag, removed, added in _runs(a, b):
        if tag == "equal":
            out += escape(removed)
            continue
        if removed:
            out += Markup("<del>%s</del>") % removed
        if added:
            out += Markup("<ins>%s</ins>") % added
    return out
