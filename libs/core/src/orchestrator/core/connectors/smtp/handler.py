"""The ``smtp`` type as the registry knows it: ``SMTP_TYPE`` and its code handler.

The handler only delegates: config to ``config``, rendering to ``message``, the
attempt to ``sending`` and the breaker's judgement to ``outcomes``.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from orchestrator.core.connectors.handlers import SendContext
from orchestrator.core.connectors.results import AttemptResult
from orchestrator.core.connectors.smtp.config import (
    CONFIG_SCHEMA,
    SECRET_SCHEMA,
    SmtpConfig,
    check_network,
    parse_config,
)
from orchestrator.core.connectors.smtp.message import SmtpCall, render
from orchestrator.core.connectors.smtp.outcomes import TRANSIENT_STATUS, breaker_failure
from orchestrator.core.connectors.smtp.send_email import OUTPUT_SCHEMA, PAYLOAD_SCHEMA, SEND_EMAIL
from orchestrator.core.connectors.types import ConnectorType, OperationType

TYPE_NAME = "smtp"
SMTP_TYPE = ConnectorType(
    name=TYPE_NAME,
    title="SMTP",
    description=(
        "Email through an SMTP submission server (STARTTLS, implicit TLS or plain; AUTH "
        "over TLS only). One operation, send_email: to/cc/bcc, subject, text and/or html. "
        "Not idempotent: a retried send carries the same Message-ID when the call has an "
        "idempotency key or is a job."
    ),
    config_schema=CONFIG_SCHEMA,
    secret_schema=SECRET_SCHEMA,
    operations={
        SEND_EMAIL: OperationType(
            description="Send one email; some refused recipients still succeed (see refused).",
            payload_schema=PAYLOAD_SCHEMA,
            output_schema=OUTPUT_SCHEMA,
            idempotent=False,
        )
    },
)


class SmtpHandler:
    """The ``smtp`` type as a code handler (see ``handlers.CodeHandler``)."""

    connector_type = SMTP_TYPE
    transient_status = TRANSIENT_STATUS

    # The config module's functions are the handler's methods as they are.
    parse_config = staticmethod(parse_config)
    check_network = staticmethod(check_network)

    def operations(self, parsed: SmtpConfig) -> Mapping[str, OperationType]:
        """The fixed ``send_email``."""
        return SMTP_TYPE.operations

    def secret_names(self, parsed: SmtpConfig) -> set[str]:
        """None required: AUTH is optional."""
        return set()

    def render(
        self, parsed: SmtpConfig, operation: str, payload: Any, secrets: Mapping[str, str]
    ) -> SmtpCall:
        """See ``message.render``."""
        return render(parsed, operation, payload, secrets)

    def describe(self, call: SmtpCall) -> tuple[str, str]:
        """``SMTP`` and ``smtp://host:port``."""
        return "SMTP", f"smtp://{call.config.host}:{call.config.port}"

    async def send(self, call: SmtpCall, context: SendContext) -> AttemptResult:
        """See ``sending.send``."""
        # Imported on the first e-mail sent: the SMTP client is a library an idle service,
        # or one whose workspaces send no e-mail, never needs in memory (ADR 0092).
        from orchestrator.core.connectors.smtp.sending import send

        return await send(call, context)

    def breaker_failure(self, result: AttemptResult) -> bool:
        """See ``outcomes.breaker_failure``."""
        return breaker_failure(result)


HANDLER = SmtpHandler()
