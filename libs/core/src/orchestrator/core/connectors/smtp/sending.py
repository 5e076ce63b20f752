"""Sending one ``SmtpCall``: connect to a checked address, log in, hand the message over.

Each attempt is classified by ``outcomes`` for the retry policy and the breaker; an
address the deployment's policy forbids is ``UpstreamRefused``, as for ``http``.
"""

from __future__ import annotations

import asyncio
import contextlib
import socket
import ssl
import time
from collections.abc import Sequence
from typing import Any

import aiosmtplib

from orchestrator.core.connectors.handlers import SendContext
from orchestrator.core.connectors.results import AttemptResult
from orchestrator.core.connectors.smtp.message import SmtpCall, message_id
from orchestrator.core.connectors.smtp.outcomes import (
    Stage,
    lost_outcome,
    refusals,
    refused_outcome,
    reply_outcome,
)
from orchestrator.core.upstream.client import UpstreamRefused
from orchestrator.core.upstream.ssrf import AddressRefused, resolve_allowed


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
        output={"message_id": mid, "accepted": accepted, "refused": refusals(refused)},
        duration_ms=elapsed_ms(),
    )
