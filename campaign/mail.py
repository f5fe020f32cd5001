"""Sending e-mail through the configured SMTP server.

Every message is written from a template, ``templates/mail/<name>.txt``, in
the language of the request that sends it (plain text: Jinja does not escape
``.txt`` templates, and nothing in a text message is markup). Call
``send_email`` after the database commit, so that a failed send never undoes a
saved change; it returns whether the message left. A service that decides to
write to someone calls ``send_after_commit``: the message leaves once the
transaction commits, written in the language given, and never when it rolls back.
"""

import logging
import smtplib
from email.message import EmailMessage
from email.utils import formatdate, make_msgid

from flask import current_app, has_app_context, render_template
from flask_babel import force_locale
from sqlalchemy import event

from campaign.config import is_production
from campaign.extensions import db

log = logging.getLogger(__name__)

_OUTBOX = "mail.outbox"  # session.info: messages to send once this transaction commits


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


def send_after_commit(to: str, subject, template: str, *, locale: str, **context) -> None:
    """Send ``templates/mail/<template>.txt`` in ``locale`` once the session commits.
    ``subject`` is a lazy string (``_l``): it is translated in ``locale`` too."""
    db.session.info.setdefault(_OUTBOX, []).append((to, subject, template, locale, context))


def _after_commit(session) -> None:
    outbox = session.info.pop(_OUTBOX, [])
    if not outbox or not has_app_context():
        return
    for to, subject, template, locale, context in outbox:
        try:
            with force_locale(locale):
                deliver(build_message(to, str(subject), template, **context))
        except Exception as error:
            log.error("writing an e-mail failed: %s", type(error).__name__)


def _after_rollback(session) -> None:
    session.info.pop(_OUTBOX, None)  # nothing happened: nothing to tell


def init_app(app) -> None:
    """Listen on the session once per process (apps made again must not send twice)."""
    for name, listener in (("after_commit", _after_commit), ("after_rollback", _after_rollback)):
        if not event.contains(db.session, name, listener):
            event.listen(db.session, name, listener)
