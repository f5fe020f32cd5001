"""Sending e-mail through the configured SMTP server.

Every message is written from a template, ``templates/mail/<name>.txt``, in
the language of the request that sends it (plain text: Jinja does not escape
``.txt`` templates, and nothing in a text message is markup). Call
``send_email`` after the database commit, so that a failed send never undoes a
saved change; it returns whether the message left.
"""

import logging
import smtplib
from email.message import EmailMessage
from email.utils import formatdate, make_msgid

from flask import current_app, render_template

from campaign.config import is_production

log = logging.getLogger(__name__)


def build_message(to: str, subject: str, template: str, **context) -> EmailMessage:
    config = current_app.config
    message = EmailMessage()
    message["From"] = config["MAIL_SENDER"]
    message["To"] = to
    message["Subject"] = subject
    message["Date"] = formatdate(localtime=False)
    message["Message-ID"] = make_msgid(domain="campaign.invalid")
    message.set_content(render_template(f"mail/{template}.txt", **context))
    return message


def send_email(to: str, subject: str, template: str, **context) -> bool:
    """Send ``templates/mail/<template>.txt``, rendered with ``context``, to one address."""
    return deliver(build_message(to, subject, template, **context))


def deliver(message: EmailMessage) -> bool:
    config = current_app.config
    if not config["MAIL_SERVER"]:
        if is_production(current_app):
            log.warning("MAIL_SERVER is not set; an e-mail was not sent")
            return False
        # Development: show the message instead of sending it.
        print(message.as_string(), flush=True)
        return True
    smtp_class = smtplib.SMTP_SSL if config["MAIL_USE_SSL"] else smtplib.SMTP
    try:
        with smtp_class(
            config["MAIL_SERVER"], config["MAIL_PORT"], timeout=config["MAIL_TIMEOUT_SECONDS"]
        ) as smtp:
            if config["MAIL_USE_TLS"]:
                smtp.starttls()
            if config["MAIL_USERNAME"]:
                smtp.login(config["MAIL_USERNAME"], config["MAIL_PASSWORD"] or "")
            smtp.send_message(message)
    except (OSError, smtplib.SMTPException) as error:
        # Never log the address or the content: only that it failed, and why.
        log.error("sending an e-mail failed: %s", type(error).__name__)
        return False
    return True
