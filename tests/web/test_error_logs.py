"""A server error's log line says where it failed, never what a visitor typed.

Exception messages quote values (``invalid literal for int(): '...'``) and a
database error's text carries the statement's parameters (a report's text,
a story's words): neither may reach a log (issue 14, finding 11).
"""

import logging

import pytest
from sqlalchemy import text

from campaign.config import ConfigurationError
from campaign.extensions import db
from campaign.web.logs import JsonFormatter, safe_traceback

pytestmark = pytest.mark.both_databases

SECRET = "my brother is still hiding in Kherson"


@pytest.fixture
def config_overrides():
    return {"PROPAGATE_EXCEPTIONS": False}  # the error page and its log, as in production


def _failing_statement():
    statement = text("SELECT missing_column FROM story WHERE title = :title")
    db.session.execute(statement, {"title": SECRET})
    return "unreachable"


def _failing_parse():
    raise ValueError(f"could not read {SECRET!r}")


@pytest.mark.parametrize("view", [_failing_statement, _failing_parse])
def test_a_server_error_logs_where_it_failed_but_no_user_text(app, client, add_route, caplog, view):
    add_route(app, f"/boom-{view.__name__}", view)
    with caplog.at_level(logging.ERROR):
        response = client.get(f"/boom-{view.__name__}")
    assert response.status_code == 500
    records = [record for record in caplog.records if record.exc_info]
    assert records, "the error was logged with its traceback"
    for record in records:
        for line in (logging.Formatter().format(record), JsonFormatter().format(record)):
            assert SECRET not in line
            assert view.__name__ in line  # where it failed is still there


def test_a_server_error_on_the_api_or_oembed_is_json_and_elsewhere_a_page(app, client, add_route):
    add_route(app, "/api/v1/boom", _failing_parse, endpoint="api_boom")
    add_route(app, "/boom", _failing_parse, endpoint="page_boom")
    response = client.get("/api/v1/boom")
    assert response.status_code == 500
    assert response.get_json()["error"]["status"] == 500
    assert client.get("/boom").mimetype == "text/html"


def test_a_refused_configuration_keeps_its_message_so_the_operator_knows_what_to_fix():
    # Our own words naming a setting, never a visitor's: the one message kept.
    try:
        raise ConfigurationError("set RATELIMIT_STORAGE_URI to a shared store")
    except ConfigurationError as error:
        logged = safe_traceback((type(error), error, error.__traceback__))
    assert "set RATELIMIT_STORAGE_URI to a shared store" in logged
