"""Configuration sources and their order; no database needed."""

import pytest

from campaign import create_app
from campaign.config import ConfigurationError


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
