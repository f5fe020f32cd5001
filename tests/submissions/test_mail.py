"""The private link by email, through a real SMTP server on a free local port."""

from email import message_from_bytes, policy

import pytest
from aiosmtpd.controller import Controller

from tests.factories import make_story
from tests.servers import free_port
from tests.submissions.helpers import form_data, submit


class Inbox:
    def __init__(self):
        self.messages = []

    async def handle_DATA(self, server, session, envelope):
        self.messages.append(
            (envelope.rcpt_tos, message_from_bytes(envelope.content, policy=policy.default))
        )
        return "250 Message accepted"


PORT = free_port()


@pytest.fixture
def inbox():
    handler = Inbox()
    controller = Controller(handler, hostname="127.0.0.1", port=PORT)
    controller.start()
    yield handler.messages
    controller.stop()


@pytest.fixture
def config_overrides():
    return {"MAIL_SERVER": "127.0.0.1", "MAIL_PORT": PORT}


def test_private_link_is_emailed_when_asked_for(client, inbox):
    assert submit(client, send_link="y", contact_email="Layla@Example.org").status_code == 303
    [(recipients, message)] = inbox
    assert recipients == ["layla@example.org"]
    text = message.get_content()
    assert "http://localhost/my-story/" in text
    assert "Keep this link safe" in text
    token = text.split("http://localhost/my-story/")[1].split()[0]
    assert client.get(f"/my-story/{token}").status_code == 200
    thanks = client.get("/share/thanks").get_data(as_text=True)
    assert "We have also sent this link to your email address." in thanks


def test_no_email_is_sent_without_the_tick(client, inbox):
    submit(client, contact_email="layla@example.org")
    assert inbox == []
    assert "sent this link" not in client.get("/share/thanks").get_data(as_text=True)


def test_private_page_can_email_the_link_again(client, inbox):
    story = make_story(contact_email="sam@example.org")
    response = client.post(f"/my-story/{story.token}/send-link", follow_redirects=True)
    assert "We have sent the link" in response.get_data(as_text=True)
    [(recipients, message)] = inbox
    assert recipients == ["sam@example.org"]
    assert f"/my-story/{story.token}" in message.get_content()


def test_private_link_asked_for_on_the_french_site_comes_in_french(client, inbox):
    data = form_data(send_link="y", contact_email="layla@example.org")
    assert client.post("/fr/share", data=data).status_code == 303
    [(_recipients, message)] = inbox
    text = message.get_content()
    assert message["Subject"] == "Le lien privé vers votre récit"
    assert text.startswith("Bonjour,")
    assert "Gardez ce lien en sécurité et privé" in text
    assert "Keep this link safe" not in text
    assert "http://localhost/fr/my-story/" in text
