"""The private token never appears in a log line."""

import logging
import threading
import urllib.request

from werkzeug.serving import make_server

from campaign.web import access, logs
from campaign.web import logs as observability
from tests.factories import PASSWORD, make_story


def test_dev_server_access_log_hides_the_private_token(app, caplog):
    story = make_story()
    server = make_server("127.0.0.1", 0, app, threaded=False)
    thread = threading.Thread(target=server.handle_request, daemon=True)
    thread.start()
    with caplog.at_level(logging.INFO, logger="werkzeug"):
        url = f"http://127.0.0.1:{server.server_port}/my-story/{story.token}"
        with urllib.request.urlopen(url) as response:
            assert response.status == 200
        thread.join(5)
    server.server_close()
    lines = [record.getMessage() for record in caplog.records]
    assert any("/my-story/[redacted]" in line for line in lines), lines
    assert not any(story.token in line for line in lines)


def test_gunicorn_access_log_and_app_errors_hide_the_private_token(app, caplog):
    token = "s3cr3t-token-value"
    with caplog.at_level(logging.INFO):
        logging.getLogger("gunicorn.access").info(
            '%(h)s "%(r)s" %(s)s',
            {"h": "127.0.0.1", "r": f"GET /my-story/{token} HTTP/1.1", "s": "200"},
        )
        app.logger.error(f"Exception on /my-story/{token}/edit [POST]")
    lines = [record.getMessage() for record in caplog.records]
    assert len(lines) == 2
    assert all("/my-story/[redacted]" in line for line in lines), lines
    assert not any(token in line for line in lines)


def test_every_route_with_a_token_is_redacted_in_every_log(app):
    """Any route the access map classifies as a token route: a new one must be
    added to the redaction, or this fails."""
    token = "s3cr3t-token-value"
    token_rules = [
        rule.rule
        for rule in app.url_map.iter_rules()
        if access.classify(rule.endpoint, rule.rule) is access.Access.TOKEN
    ]
    assert {"/my-story/<token>", "/invitations/<token>"} <= set(token_rules)
    for rule in token_rules:
        for path in (rule, f"/fr{rule}"):
            path = path.replace("<token>", token)
            assert token not in observability.redact_path(path), path
            assert token not in logs.redact(f"GET {path} HTTP/1.1"), path


def test_sign_ins_are_logged_by_moderator_id_never_by_address(client, moderator, caplog):
    with caplog.at_level(logging.INFO, logger="campaign.security"):
        client.post("/login", data={"email": moderator.email, "password": "wrong password!"})
        client.post("/login", data={"email": moderator.email, "password": PASSWORD})
    events = [
        (record.getMessage(), getattr(record, "moderator_id", None))
        for record in caplog.records
        if record.name == "campaign.security"
    ]
    assert events == [("sign_in.failed", None), ("sign_in.succeeded", moderator.id)]
    assert not any(moderator.email in record.getMessage() for record in caplog.records)
