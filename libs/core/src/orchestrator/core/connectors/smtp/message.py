"""Building an email: a ``send_email`` payload into an ``SmtpCall``, and its Message-ID.

Pure (no I/O): ``render`` validates the payload, checks the credentials and encodes
the message once; ``message_id`` gives each attempt the id it carries.
"""

from __future__ import annotations

import email.policy
import hashlib
from collections.abc import Mapping
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import formatdate, make_msgid
from typing import Any

from orchestrator.core.connectors.smtp.config import SmtpConfig
from orchestrator.core.connectors.smtp.send_email import PAYLOAD_SCHEMA, SEND_EMAIL
from orchestrator.core.connectors.validation import instance_errors
from orchestrator.core.errors import ValidationFailed

# Quoted-printable or base64 bodies: the message is 7-bit clean for any server.
_POLICY = email.policy.SMTP.clone(cte_type="7bit")


@dataclass(frozen=True, slots=True)
class SmtpCall:
    """One email, ready to send: envelope, encoded message (without Message-ID), server."""

    config: SmtpConfig
    sender: str
    recipients: tuple[str, ...]
    data: bytes
    """The message as sent, less the ``Message-ID`` line that ``send`` puts first."""
    fallback_message_id: str
    """The Message-ID when the call has no idempotency key (fixed for all its attempts)."""
    username: str | None = None
    password: str | None = None


def _credentials(config: SmtpConfig, secrets: Mapping[str, str]) -> tuple[str | None, str | None]:
    username, password = secrets.get("username"), secrets.get("password")
    if username is None and password is None:
        return None, None
    errors = [
        {"key": f"/secrets/{name}", "message": "is not set for this connector (both or neither)"}
        for name, value in (("username", username), ("password", password))
        if value is None
    ]
    if config.security == "none":
        errors.append({"key": "/config/security", "message": "credentials are only sent over TLS"})
    if errors:
        raise ValidationFailed("The connector cannot log in to its SMTP server.", errors=errors)
    return username, password


def build_message(config: SmtpConfig, payload: Mapping[str, Any]) -> EmailMessage:
    """The email of a ``send_email`` payload that passed the payload schema (no Message-ID)."""
    message = EmailMessage(policy=_POLICY)
    message["From"] = config.from_address
    message["To"] = ", ".join(payload["to"])
    if payload.get("cc"):
        message["Cc"] = ", ".join(payload["cc"])
    if config.reply_to:
        message["Reply-To"] = config.reply_to
    message["Subject"] = payload["subject"]
    message["Date"] = formatdate(usegmt=True)
    for name, value in (payload.get("headers") or {}).items():
        message[name] = value
    text, html = payload.get("text"), payload.get("html")
    if text is not None:
        message.set_content(text)
        if html is not None:
            message.add_alternative(html, subtype="html")
    else:
        message.set_content(html, subtype="html")
    return message


def render(
    config: SmtpConfig, operation: str, payload: Any, secrets: Mapping[str, str]
) -> SmtpCall:
    """The call for ``operation`` (pure; ``ValidationFailed`` → 422 on a problem)."""
    if operation != SEND_EMAIL:
        raise ValidationFailed(
            f"The connector has no operation {operation!r}.",
            errors=[{"key": "/operation", "message": "is not an operation of this connector"}],
        )
    errors = instance_errors(PAYLOAD_SCHEMA, payload, prefix="/payload")
    if errors:
        raise ValidationFailed(
            "The payload does not match the operation's payload schema.", errors=errors
        )
    username, password = _credentials(config, secrets)
    recipients = [*payload["to"], *payload.get("cc", ()), *payload.get("bcc", ())]
    try:
        data = build_message(config, payload).as_bytes()
    except (ValueError, TypeError) as exc:  # a header value the email package refuses
        raise ValidationFailed(
            "The email cannot be built from this payload.",
            errors=[{"key": "/payload", "message": str(exc)[:300]}],
        ) from exc
    return SmtpCall(
        config=config,
        sender=config.from_address,
        recipients=tuple(dict.fromkeys(recipients)),
        data=data,
        fallback_message_id=make_msgid(domain=config.domain),
        username=username,
        password=password,
    )


def message_id(call: SmtpCall, key: str | None, scope: str) -> str:
    """The Message-ID of ``call``: derived from ``key`` (a retry carries the same) or random."""
    if key is None:
        return call.fallback_message_id
    digest = hashlib.sha256(f"{scope}\0{key}".encode()).hexdigest()[:40]
    return f"<{digest}@{call.config.domain}>"
