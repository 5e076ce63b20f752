"""The ``smtp`` connector type: one operation, ``send_email``, over SMTP (a code handler).

A connector's config names the submission server and the sender::

    {"host": "smtp.example.com", "port": 587, "security": "starttls",
     "from_address": "billing@example.com", "reply_to": "help@example.com"}

with the optional secrets ``username`` and ``password`` for AUTH (sent only over TLS).
The host is tenant-set, so it passes the same address policy as an ``http`` base URL:
at configuration time by name, and at call time every resolved address, the
connection going to the checked address itself (no second lookup to rebind).

Sending an email twice is two emails, so ``send_email`` is not idempotent. Each
message carries a ``Message-ID`` derived from the caller's idempotency key or the job
id when there is one, so the attempts of one job carry the same id and a receiver
can recognise a repeat. What may be retried (see ``outcome``): anything that failed
before the message content was handed over (nothing can have been delivered), and,
only when repeating is safe, a failure during or after ``DATA``.
"""

from __future__ import annotations

import asyncio
import contextlib
import email.policy
import hashlib
import socket
import ssl
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import formatdate, make_msgid
from typing import Annotated, Any, Literal

import aiosmtplib
import msgspec

from orchestrator.core.connectors.handlers import SendContext
from orchestrator.core.connectors.ssrf import AddressRefused, NetworkPolicy, resolve_allowed
from orchestrator.core.connectors.types import ConnectorType, OperationType
from orchestrator.core.connectors.validation import instance_errors
from orchestrator.core.errors import ValidationFailed
from orchestrator.core.jobs.results import AttemptResult
from orchestrator.core.policy.retry import is_retryable
from orchestrator.core.upstream.client import UpstreamRefused

TYPE_NAME = "smtp"
SEND_EMAIL = "send_email"
MAX_RECIPIENTS = 50
ALLOWED_HEADERS = (
    "X-Entity-Ref-ID",
    "List-Unsubscribe",
    "List-Unsubscribe-Post",
    "In-Reply-To",
    "References",
)
"""Headers a payload may set; the rest (From, Date, Message-ID, ...) are ours to write."""
TRANSIENT_STATUS = 503
"""SMTP 4xx ("try again later") follows the retry policy's rule for HTTP 503."""

# An ASCII addr-spec without display name, comments or IP literals: what is typed in a
# To field, and nothing a header or the SMTP envelope could be smuggled through.
ADDRESS_PATTERN = (
    r"^[A-Za-z0-9!#$%&'*+/=?^_`{|}~.-]{1,64}@[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?"
    r"(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)+$"
)
_HOST_PATTERN = r"^(?:[A-Za-z0-9.-]+|\[[0-9A-Fa-f:.]+\])$"
_ONE_LINE = r"^[^\r\n]*$"
# Quoted-printable or base64 bodies: the message is 7-bit clean for any server.
_POLICY = email.policy.SMTP.clone(cte_type="7bit")

Address = Annotated[str, msgspec.Meta(max_length=254, pattern=ADDRESS_PATTERN)]
Security = Literal["starttls", "tls", "none"]


class SmtpConfig(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """A connector of type ``smtp``."""

    host: Annotated[str, msgspec.Meta(min_length=1, max_length=253, pattern=_HOST_PATTERN)]
    port: Annotated[int, msgspec.Meta(ge=1, le=65535)]
    security: Security = "starttls"
    """``starttls`` (upgrade, required), ``tls`` (implicit TLS, e.g. 465) or ``none``."""
    from_address: Address
    reply_to: Address | None = None
    timeout: Annotated[float, msgspec.Meta(gt=0, le=300)] = 30.0
    """Seconds to wait for each SMTP reply (the policy's timeouts cap it)."""

    @property
    def domain(self) -> str:
        """The sender's domain: the right-hand side of Message-IDs and the EHLO name."""
        return self.from_address.rsplit("@", 1)[1].lower()


CONFIG_SCHEMA: dict[str, Any] = msgspec.json.schema(SmtpConfig)
SECRET_SCHEMA: dict[str, Any] = {
    "type": "object",
    "description": "AUTH credentials, both or neither; only ever sent over TLS.",
    "properties": {"username": {"type": "string"}, "password": {"type": "string"}},
    "additionalProperties": False,
    "dependentRequired": {"username": ["password"], "password": ["username"]},
}
_ADDRESS_SCHEMA: dict[str, Any] = {
    "type": "string",
    "format": "email",
    "maxLength": 254,
    "pattern": ADDRESS_PATTERN,
}


def _addresses_schema(min_items: int) -> dict[str, Any]:
    return {
        "type": "array",
        "items": _ADDRESS_SCHEMA,
        "minItems": min_items,
        "maxItems": MAX_RECIPIENTS,
    }


PAYLOAD_SCHEMA: dict[str, Any] = {
    "type": "object",
    "required": ["to", "subject"],
    "additionalProperties": False,
    "properties": {
        "to": _addresses_schema(1),
        "cc": _addresses_schema(0),
        "bcc": _addresses_schema(0),
        "subject": {"type": "string", "maxLength": 998, "pattern": _ONE_LINE},
        "text": {"type": "string", "maxLength": 1_000_000},
        "html": {"type": "string", "maxLength": 1_000_000},
        "headers": {
            "type": "object",
            "propertyNames": {"enum": list(ALLOWED_HEADERS)},
            "additionalProperties": {"type": "string", "maxLength": 998, "pattern": _ONE_LINE},
        },
    },
    "anyOf": [{"required": ["text"]}, {"required": ["html"]}],
}
OUTPUT_SCHEMA: dict[str, Any] = {
    "type": "object",
    "required": ["message_id", "accepted", "refused"],
    "properties": {
        "message_id": {"type": "string", "description": "The Message-ID header sent"},
        "accepted": {"type": "array", "items": {"type": "string"}},
        "refused": {
            "type": "object",
            "description": "Recipients the server refused, by address",
            "additionalProperties": {
                "type": "object",
                "properties": {"code": {"type": "integer"}, "message": {"type": "string"}},
            },
        },
    },
}
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


# -- configuration -------------------------------------------------------------------------


def parse_config(config: Mapping[str, Any] | SmtpConfig, *, prefix: str = "/config") -> SmtpConfig:
    """The config as an ``SmtpConfig``, or ``ValidationFailed`` listing every problem."""
    if isinstance(config, SmtpConfig):
        return config
    errors = instance_errors(CONFIG_SCHEMA, config, prefix=prefix)
    if errors:
        raise ValidationFailed("The connector config is not valid.", errors=errors)
    try:
        return msgspec.convert(config, SmtpConfig)
    except msgspec.ValidationError as exc:  # the schema above should have caught it
        raise ValidationFailed(
            "The connector config is not valid.", errors=[{"key": prefix, "message": str(exc)}]
        ) from exc


def check_network(config: SmtpConfig, network: NetworkPolicy, *, prefix: str = "/config") -> None:
    """Refuse (422) a ``host`` the deployment's address policy forbids."""
    problem = network.host_problem(config.host)
    if problem:
        raise ValidationFailed(
            "The connector's host is not allowed.",
            errors=[{"key": f"{prefix}/host", "message": problem}],
        )


# -- rendering -----------------------------------------------------------------------------


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


# -- outcomes ------------------------------------------------------------------------------

Stage = Literal["connect", "envelope", "data"]
"""How far an attempt got: until ``data`` nothing of the message can have been delivered."""


def reply_outcome(
    code: int, message: str, stage: Stage, context: SendContext, *, duration_ms: float
) -> AttemptResult:
    """An SMTP error reply as an attempt result.

    4xx is transient: retried under the rule for HTTP 503, freely before ``DATA`` (the
    server took nothing) and only when repeating is safe from ``DATA`` on. 5xx (and any
    other code) is permanent: failed, not retried.
    """
    transient = 400 <= code < 500
    safe = context.may_repeat or stage != "data"
    retryable = (
        transient
        and safe
        and is_retryable(
            context.retry, status=TRANSIENT_STATUS, connect_error=False, timed_out=False
        )
    )
    return AttemptResult(
        outcome="retryable" if retryable else "failed",
        output={"smtp_code": code, "smtp_message": message, "stage": stage},
        error=f"smtp_{code}",
        duration_ms=duration_ms,
    )


def lost_outcome(
    kind: Literal["connect_error", "timeout"],
    stage: Stage,
    context: SendContext,
    *,
    duration_ms: float,
) -> AttemptResult:
    """No usable reply: the connection failed or a timeout expired at ``stage``."""
    safe = context.may_repeat or stage != "data"
    retryable = safe and is_retryable(
        context.retry,
        status=None,
        connect_error=kind == "connect_error",
        timed_out=kind == "timeout",
    )
    return AttemptResult(
        outcome="retryable" if retryable else "failed",
        output={"stage": stage},
        error=kind,
        duration_ms=duration_ms,
    )


def refused_outcome(
    refused: Mapping[str, tuple[int, str]], context: SendContext, *, duration_ms: float
) -> AttemptResult:
    """Every recipient refused: transient if any refusal is (nothing was sent)."""
    codes = [code for code, _ in refused.values()]
    code = next((c for c in codes if 400 <= c < 500), codes[0])
    result = reply_outcome(code, "all recipients refused", "envelope", context, duration_ms=0.0)
    return msgspec.structs.replace(
        result, output={**result.output, "refused": _refusals(refused)}, duration_ms=duration_ms
    )


def _refusals(refused: Mapping[str, tuple[int, str]]) -> dict[str, dict[str, Any]]:
    return {address: {"code": code, "message": text} for address, (code, text) in refused.items()}


def breaker_failure(result: AttemptResult) -> bool:
    """No answer or a transient refusal says the server is unwell; a 5xx is about the email."""
    error = result.error
    if result.outcome == "succeeded" or error is None:
        return False
    return error in ("connect_error", "timeout") or error.startswith("smtp_4")


# -- sending -------------------------------------------------------------------------------


async def _open_socket(addresses: Sequence[str], port: int) -> socket.socket:
    """A socket connected to the first of ``addresses`` that answers."""
    loop = asyncio.get_running_loop()
    last: OSError | None = None
    for address in addresses:
        family = socket.AF_INET6 if ":" in address else socket.AF_INET
        sock = socket.socket(family, socket.SOCK_STREAM)
        sock.setblocking(False)
        try:
            await loop.sock_connect(sock, (address, port))
        except OSError as exc:
            sock.close()
            last = exc
            continue
        except BaseException:
            sock.close()
            raise
        return sock
    raise last or OSError(f"no address to connect to on port {port}")


class _Session(aiosmtplib.SMTP):
    """An SMTP client that remembers the transports it dropped, to tear them down at once.

    On a failure aiosmtplib closes its transport gracefully: over TLS that waits for the
    peer's close_notify (up to 30 s) while the plain transport under it keeps the socket's
    descriptor registered with the event loop. ``abort`` ends every one of them now.
    """

    def __init__(self, **options: Any) -> None:
        super().__init__(**options)
        self.dropped: list[asyncio.BaseTransport] = []

    def close(self) -> None:
        """Close as aiosmtplib does, remembering the transport."""
        if self.transport is not None:
            self.dropped.append(self.transport)
        super().close()

    def abort(self) -> None:
        """Drop the connection at once, whatever state its TLS layer is in."""
        for transport in (*self.dropped, self.transport):
            if isinstance(transport, asyncio.Transport):
                transport.abort()
        self.close()


async def _transaction(
    call: SmtpCall, context: SendContext, data: bytes, progress: list[Stage]
) -> tuple[list[str], dict[str, tuple[int, str]]]:
    """Connect, log in, send; ``progress`` holds the stage reached (for the caller's errors)."""
    config = call.config
    timeouts = context.timeouts
    async with asyncio.timeout(timeouts.connect_s):
        addresses = await resolve_allowed(context.network, config.host, config.port)
        sock = await _open_socket(addresses, config.port)
    smtp = _Session(
        hostname=config.host.strip("[]"),
        sock=sock,
        use_tls=config.security == "tls",
        # True, not None: a server that does not offer STARTTLS is an error, never plaintext.
        start_tls=config.security == "starttls",
        timeout=min(config.timeout, timeouts.read_s),
        local_hostname=config.domain,
        username=call.username,
        password=call.password,
    )
    try:
        await smtp.connect()
        progress.append("envelope")
        await smtp.mail(call.sender)
        refused: dict[str, tuple[int, str]] = {}
        for recipient in call.recipients:
            try:
                await smtp.rcpt(recipient)
            except aiosmtplib.SMTPRecipientRefused as exc:
                refused[recipient] = (exc.code, exc.message)
        accepted = [r for r in call.recipients if r not in refused]
        if accepted:
            progress.append("data")
            await smtp.data(data)
        with contextlib.suppress(aiosmtplib.SMTPException, OSError, TimeoutError):
            await smtp.quit(timeout=1.0)
        return accepted, refused
    finally:
        smtp.abort()  # after QUIT, or on any failure: nothing is left to say
        sock.close()  # already closed by its transport, unless none was ever made


async def send(call: SmtpCall, context: SendContext) -> AttemptResult:
    """One attempt at sending ``call``, classified for the retry policy and the breaker."""
    started = time.monotonic()
    mid = message_id(call, context.idempotency_key, context.scope)
    data = b"Message-ID: " + mid.encode("ascii") + b"\r\n" + call.data
    progress: list[Stage] = ["connect"]

    def elapsed_ms() -> float:
        return (time.monotonic() - started) * 1000

    try:
        async with asyncio.timeout(context.timeouts.total_s):
            accepted, refused = await _transaction(call, context, data, progress)
    except AddressRefused as exc:
        raise UpstreamRefused(
            str(exc), host=exc.host, address=exc.address, reason=exc.reason
        ) from exc
    except aiosmtplib.SMTPResponseException as exc:
        return reply_outcome(exc.code, exc.message, progress[-1], context, duration_ms=elapsed_ms())
    except (TimeoutError, aiosmtplib.SMTPTimeoutError):
        return lost_outcome("timeout", progress[-1], context, duration_ms=elapsed_ms())
    except (OSError, ssl.SSLError):  # refused, unresolvable, disconnected, TLS failed
        return lost_outcome("connect_error", progress[-1], context, duration_ms=elapsed_ms())
    except aiosmtplib.SMTPException as exc:
        # The server lacks what the config requires (STARTTLS, an AUTH method): final.
        return AttemptResult(
            outcome="failed",
            output={"smtp_message": str(exc), "stage": progress[-1]},
            error="smtp_unsupported",
            duration_ms=elapsed_ms(),
        )
    if not accepted:
        return refused_outcome(refused, context, duration_ms=elapsed_ms())
    return AttemptResult(
        outcome="succeeded",
        output={"message_id": mid, "accepted": accepted, "refused": _refusals(refused)},
        duration_ms=elapsed_ms(),
    )


class SmtpHandler:
    """The ``smtp`` type as a code handler (see ``handlers.CodeHandler``)."""

    connector_type = SMTP_TYPE
    transient_status = TRANSIENT_STATUS

    def parse_config(self, config: Mapping[str, Any]) -> SmtpConfig:
        """See ``parse_config``."""
        return parse_config(config)

    def check_network(self, parsed: SmtpConfig, network: NetworkPolicy) -> None:
        """See ``check_network``."""
        check_network(parsed, network)

    def operations(self, parsed: SmtpConfig) -> Mapping[str, OperationType]:
        """The fixed ``send_email``."""
        return SMTP_TYPE.operations

    def secret_names(self, parsed: SmtpConfig) -> set[str]:
        """None required: AUTH is optional."""
        return set()

    def render(
        self, parsed: SmtpConfig, operation: str, payload: Any, secrets: Mapping[str, str]
    ) -> SmtpCall:
        """See ``render``."""
        return render(parsed, operation, payload, secrets)

    def describe(self, call: SmtpCall) -> tuple[str, str]:
        """``SMTP`` and ``smtp://host:port``."""
        return "SMTP", f"smtp://{call.config.host}:{call.config.port}"

    async def send(self, call: SmtpCall, context: SendContext) -> AttemptResult:
        """See ``send``."""
        return await send(call, context)

    def breaker_failure(self, result: AttemptResult) -> bool:
        """See ``breaker_failure``."""
        return breaker_failure(result)


HANDLER = SmtpHandler()
