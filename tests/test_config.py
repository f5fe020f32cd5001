"""Configuration sources and their order; no database needed."""

import json
import re
from pathlib import Path

import pytest

from campaign import create_app
from campaign.config import ConfigurationError, Defaults


@pytest.fixture(autouse=True)
def clean_environment(monkeypatch):
    for name in ("SECRET_KEY", "DATABASE_URL", "CAMPAIGN_ENV", "FLASK_STORIES_PER_PAGE"):
        monkeypatch.delenv(name, raising=False)


def sqlite_in(tmp_path):
    return {"SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'c.sqlite3'}"}


def test_production_without_secret_key_refuses_to_start(tmp_path):
    with pytest.raises(ConfigurationError, match="SECRET_KEY is not set"):
        create_app(sqlite_in(tmp_path), instance_path=str(tmp_path))


def test_development_key_is_generated_once_and_kept(tmp_path, monkeypatch):
    monkeypatch.setenv("CAMPAIGN_ENV", "development")
    first = create_app(sqlite_in(tmp_path), instance_path=str(tmp_path)).config["SECRET_KEY"]
    second = create_app(sqlite_in(tmp_path), instance_path=str(tmp_path)).config["SECRET_KEY"]
    assert first == second and len(first) >= 64
    assert (tmp_path / "secret_key").stat().st_mode & 0o777 == 0o600


def test_default_database_is_sqlite_in_instance_folder(tmp_path, monkeypatch):
    monkeypatch.setenv("SECRET_KEY", "x" * 40)
    app = create_app(instance_path=str(tmp_path))
    assert app.config["SQLALCHEMY_DATABASE_URI"] == f"sqlite:///{tmp_path / 'campaign.sqlite3'}"


def test_instance_config_then_environment_take_precedence(tmp_path, monkeypatch):
    (tmp_path / "config.py").write_text(
        "STORIES_PER_PAGE = 30\nSECRET_KEY = 'from-instance-file-0123456789'\n"
        "SQLALCHEMY_DATABASE_URI = 'sqlite:///from-instance.sqlite3'\n"
    )
    app = create_app(instance_path=str(tmp_path))
    assert app.config["STORIES_PER_PAGE"] == 30
    assert app.config["SECRET_KEY"] == "from-instance-file-0123456789"

    monkeypatch.setenv("FLASK_STORIES_PER_PAGE", "40")
    monkeypatch.setenv("SECRET_KEY", "from-environment-0123456789")
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'env.sqlite3'}")
    app = create_app(instance_path=str(tmp_path))
    assert app.config["STORIES_PER_PAGE"] == 40
    assert app.config["SECRET_KEY"] == "from-environment-0123456789"
    assert app.config["SQLALCHEMY_DATABASE_URI"].endswith("env.sqlite3")


# Rate limits under several workers (issue 14, finding 8) ------------------------------

SHARED_STORE = "redis://127.0.0.1:6379/9"  # not contacted: the check reads the setting


def production_with(tmp_path, **settings) -> dict:
    return {**sqlite_in(tmp_path), "SECRET_KEY": "x" * 40, **settings}


def test_production_with_several_workers_refuses_limits_counted_per_process(tmp_path):
    """memory:// counts in each process: 3 workers let 3 x 5 password guesses through."""
    config = production_with(tmp_path, SERVER_WORKERS=3)
    with pytest.raises(ConfigurationError, match="RATELIMIT_STORAGE_URI") as refused:
        create_app(config, instance_path=str(tmp_path))
    assert "3 worker processes" in str(refused.value)
    assert "redis://" in str(refused.value)


def test_production_with_several_workers_starts_when_limits_are_shared(tmp_path):
    config = production_with(tmp_path, SERVER_WORKERS=3, RATELIMIT_STORAGE_URI=SHARED_STORE)
    app = create_app(config, instance_path=str(tmp_path))
    assert app.config["RATELIMIT_STORAGE_URI"] == SHARED_STORE


@pytest.mark.parametrize(
    "settings",
    [
        {"SERVER_WORKERS": 1},  # one process: its memory is the only counter
        {"SERVER_WORKERS": 3, "CAMPAIGN_ENV": "development"},
        {"SERVER_WORKERS": 3, "RATELIMIT_ENABLED": False},  # nothing is counted at all
    ],
    ids=["one worker", "development", "limits off"],
)
def test_memory_limits_are_allowed_where_nothing_is_split_between_processes(tmp_path, settings):
    create_app(production_with(tmp_path, **settings), instance_path=str(tmp_path))


def test_the_worker_count_gunicorn_passes_reaches_the_settings(tmp_path, monkeypatch):
    """gunicorn.conf.py exports its worker count as FLASK_SERVER_WORKERS (on_starting)."""
    monkeypatch.setenv("FLASK_SERVER_WORKERS", "4")
    with pytest.raises(ConfigurationError, match="4 worker processes"):
        create_app(production_with(tmp_path), instance_path=str(tmp_path))


# README's documented defaults (issue 14, finding 20) ----------------------------------

README = Path(__file__).resolve().parent.parent / "README.md"
_UNITS = {"MB": 1024 * 1024, "million": 1_000_000, "px": 1}
_SPANS = {"minutes": 60, "hours": 3600, "days": 24 * 3600}
# A documented value: `code` (not another setting's name), a rate ("30 per minute"), a
# number with a unit, one year.
_VALUE = (
    r"(?P<value>`(?![A-Z][A-Z0-9_]*`)[^`]+`|\d[\d_]* per \w+"
    r"|\d[\d_.]*(?: (?:MB|million|px|minutes|hours|days)\b)?|one year)"
)
_INLINE = [
    rf"`(?P<name>[A-Z][A-Z0-9_]+)`\s*\((?:default\s+)?{_VALUE}",  # `NAME` (12), (default `x`)
    rf"`(?P<name>[A-Z][A-Z0-9_]+)`,\s+(?:default\s+)?{_VALUE}",  # `NAME`, default 30 per ...
    rf"`(?P<name>[A-Z][A-Z0-9_]+)`:\s+{_VALUE}\s+by default",  # `NAME`: `memory://` by default
    rf"`(?P<name>[A-Z][A-Z0-9_]+)`\s+is\s+{_VALUE}[^.;]*?by default",  # `NAME` is `x`... by default
]


def _in_code_units(name: str, text: str):
    """A documented value in the unit its setting is kept in (or the text of a string)."""
    if text.startswith("`"):
        return text.strip("`")
    if text == "one year":
        return 365 * 24 * 3600
    number, _space, unit = text.partition(" ")
    if unit.startswith("per "):
        return text
    value = float(number.replace("_", ""))
    if unit in _SPANS:  # "6 hours" of a setting in seconds; "72" of one in hours
        kept_in = next((span for span in _SPANS if name.endswith(f"_{span.upper()}")), None)
        value *= _SPANS[unit] / (_SPANS[kept_in] if kept_in else 1)
    return value * _UNITS.get(unit, 1)


def _same(code_default, documented) -> bool:
    if isinstance(documented, str) and not isinstance(code_default, str):
        try:
            documented = json.loads(documented)  # `false`, `12`
        except ValueError:
            return False
    if isinstance(code_default, bool) or isinstance(documented, bool):
        return code_default is documented
    if isinstance(code_default, int | float):
        return isinstance(documented, int | float) and float(code_default) == float(documented)
    return code_default == documented


def readme_defaults() -> dict[str, str]:
    """Every default README states for a setting of campaign/config.py, as written."""
    text = README.read_text(encoding="utf-8")
    found: dict[str, str] = {}
    # Tables with a "default" column: | `A` / `B` | 200 / 6000 | meaning |
    for table in re.findall(r"(?m)^\| setting \| default \|.*\n(?:\|.*\n?)+", text):
        for row in table.splitlines()[2:]:
            cells = [cell.strip() for cell in row.strip("|").split("|")]
            names = re.findall(r"`([A-Z][A-Z0-9_]+)`", cells[0])
            values = [value.strip() for value in cells[1].split(" / ")]
            if len(names) == len(values):
                for name, value in zip(names, values, strict=True):
                    if re.fullmatch(_VALUE, value):
                        found[name] = value
    prose = " ".join(text.split())  # lines wrap anywhere
    for pattern in _INLINE:
        for match in re.finditer(pattern, prose):
            found.setdefault(match["name"], match["value"])
    return {name: value for name, value in found.items() if hasattr(Defaults, name)}


def test_readme_states_the_defaults_the_code_has():
    documented = readme_defaults()
    # The parser must keep finding them: a README rewrite that hides them fails here.
    assert len(documented) >= 30, sorted(documented)
    assert "EMBED_FRAME_ANCESTORS" in documented
    wrong = {
        name: (text, getattr(Defaults, name))
        for name, text in documented.items()
        if getattr(Defaults, name) is not None  # None means "derived": README says from what
        and not _same(getattr(Defaults, name), _in_code_units(name, text))
    }
    assert not wrong, f"README says (documented, code): {wrong}"
