"""A real SMTP server on loopback (``aiosmtpd``) that records mail and fails on demand, in
plain text or with STARTTLS and AUTH (a certificate made for the test, for 127.0.0.1)."""

from __future__ import annotations

import gc
import ssl
import threading
import time
import warnings
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from email import message_from_bytes, policy
from email.message import EmailMessage
from typing import Any, Literal

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, AuthResult, Envelope, LoginPassword, Session

from tests.support.stack import free_port

Command = Literal["MAIL", "RCPT", "DATA"]


@dataclass(frozen=True)
class Received:
    """One message the server accepted."""

    mail_from: str
    rcpt_tos: list[str]
    content: bytes

    @property
    def message(self) -> EmailMessage:
        """The message parsed (modern API: ``get_body``, ``get_content``)."""
        parsed = message_from_bytes(self.content, policy=policy.default)
        assert isinstance(parsed, EmailMessage)
        return parsed


@dataclass
class _Failure:
    reply: str
    times: int | None
    """None: every time."""
    address: str | None = None
    """For RCPT: only this recipient (None: any)."""


@dataclass
class RecordingHandler:
    """Accepts everything unless told to fail the next commands; counts what it saw."""

    received: list[Received] = field(default_factory=list)
    data_attempts: list[bytes] = field(default_factory=list)
    """Every message content that reached the DATA stage, accepted or not."""
    mails: int = 0
    """MAIL commands seen: one per attempted transaction."""
    logins: list[tuple[str, bool]] = field(default_factory=list)
    """Every AUTH attempt: (username, over TLS)."""
    failures: dict[Command, list[_Failure]] = field(default_factory=dict)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def _failure(self, command: Command, address: str | None = None) -> str | None:
        with self.lock:
            for failure in self.failures.get(command, []):
                if failure.address is not None and failure.address != address:
                    continue
                if failure.times == 0:
                    continue
                if failure.times is not None:
                    failure.times -= 1
                return failure.reply
        return None

    async def handle_MAIL(
        self, server: SMTP, session: Session, envelope: Envelope, address: str, options: Any
    ) -> str:
        with self.lock:
            self.mails += 1
        reply = self._failure("MAIL")
        if reply:
            return reply
        envelope.mail_from = address
        return "250 OK"

    def authenticate(
        self, credentials: tuple[str, str], *, answer_failures: bool = True
    ) -> Callable[[SMTP, Session, Envelope, str, Any], AuthResult]:
        """An aiosmtpd authenticator that accepts only ``credentials`` and records attempts;
        a failed login gets ``535``, or no answer at all unless ``answer_failures``."""

        def check(
            server: SMTP, session: Session, envelope: Envelope, mechanism: str, data: Any
        ) -> AuthResult:
            if not isinstance(data, LoginPassword):
                return AuthResult(success=False, handled=False)
            login = (data.login.decode(), data.password.decode())
            with self.lock:
                self.logins.append((login[0], session.ssl is not None))
            if login == credentials:
                return AuthResult(success=True)
            # "handled" means the handler replied itself: a server that never answers.
            return AuthResult(success=False, handled=not answer_failures)

        return check

    async def handle_RCPT(
        self, server: SMTP, session: Session, envelope: Envelope, address: str, options: Any
    ) -> str:
        reply = self._failure("RCPT", address)
        if reply:
            return reply
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        content = envelope.original_content or b""
        with self.lock:
            self.data_attempts.append(content)
        reply = self._failure("DATA")
        if reply:
            return reply
        with self.lock:
            self.received.append(
                Received(str(envelope.mail_from), list(envelope.rcpt_tos), content)
            )
        return "250 Message accepted for delivery"


@dataclass
class SmtpServer:
    """The running server and its handler."""

    host: str
    port: int
    handler: RecordingHandler

    def fail(
        self, command: Command, reply: str, *, times: int | None = 1, address: str | None = None
    ) -> None:
        """Answer ``reply`` (e.g. ``"451 4.3.0 try later"``) to the next ``times`` commands."""
        with self.handler.lock:
            self.handler.failures.setdefault(command, []).append(_Failure(reply, times, address))

    @property
    def received(self) -> list[Received]:
        """The messages accepted so far."""
        with self.handler.lock:
            return list(self.handler.received)

    @property
    def data_attempts(self) -> list[bytes]:
        """Every content that reached DATA, accepted or not."""
        with self.handler.lock:
            return list(self.handler.data_attempts)

    @property
    def mails(self) -> int:
        """Transactions started (MAIL commands)."""
        with self.handler.lock:
            return self.handler.mails

    def wait_for(self, count: int, wait_s: float = 10.0) -> list[Received]:
        """The accepted messages once there are ``count`` (or what there is at the deadline)."""
        deadline = time.monotonic() + wait_s
        while len(self.received) < count and time.monotonic() < deadline:
            time.sleep(0.02)
        return self.received

    def config(self, **overrides: Any) -> dict[str, Any]:
        """An ``smtp`` connector config for this server (plain: tests have no certificate)."""
        return {
            "host": self.host,
            "port": self.port,
            "security": "none",
            "from_address": "billing@example.com",
            "timeout": 5,
            **overrides,
        }


@contextmanager
def smtp_server(
    *,
    tls: ssl.SSLContext | None = None,
    credentials: tuple[str, str] | None = None,
    answer_failed_logins: bool = True,
) -> Iterator[SmtpServer]:
    """An SMTP server on 127.0.0.1 for the duration of the block; with ``tls`` it offers and
    requires STARTTLS, with ``credentials`` it requires AUTH (only after STARTTLS)."""
    handler = RecordingHandler()
    port = free_port()
    options: dict[str, Any] = {}
    if tls is not None:
        options |= {"tls_context": tls, "require_starttls": True}
    if credentials is not None:
        options |= {
            "authenticator": handler.authenticate(
                credentials, answer_failures=answer_failed_logins
            ),
            "auth_required": True,
            "auth_require_tls": True,
        }
    controller = Controller(handler, hostname="127.0.0.1", port=port, **options)
    controller.start()
    try:
        yield SmtpServer("127.0.0.1", port, handler)
    finally:
        controller.stop()
        # Stopping the server's own loop drops the transports of connections it was still
        # closing (their close callbacks never run): collected here, they are this server's
        # leftovers, not a ResourceWarning charged to whichever test runs next.
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ResourceWarning)
            gc.collect()
