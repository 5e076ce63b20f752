"""JSON logs through loguru, each line carrying ``request_id``, ``trace_id`` and ``tenant_id``.

Every line passes ``redaction.scrub`` in the sink: the one place between a failure
anywhere and the log, so a request head or a secret value in an exception's message
never reaches a line, whichever code logged it. The access line, one per request on
the hot path, is the exception: its fields are fixed (method, route, status, duration,
and the caller's own path), so in JSON it is encoded directly, without loguru's record
(40 µs a line), and written in batches (``line_sink.py``).
"""

from __future__ import annotations

import datetime as dt
import logging
import sys
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

import msgspec
from loguru import logger

from orchestrator.core.observability.context import (
    impersonator_var,
    request_id_var,
    service_var,
    tenant_id_var,
)
from orchestrator.core.observability.line_sink import SINK
from orchestrator.core.observability.redaction import remember_secrets, scrub
from orchestrator.core.observability.tracing import current_trace_id

if TYPE_CHECKING:
    from loguru import Message, Record

    from orchestrator.core.settings import ObservabilitySettings

_encoder = msgspec.json.Encoder()
_FIXED = frozenset({"request_id", "trace_id", "tenant_id"})
ACCESS_LOGGER = "orchestrator.core.http.observe"
"""The module that writes the access line, and nothing else."""


def needs_scrub(record: Record) -> bool:
    """Whether a record may hold text we did not write: any but an access line."""
    return record["name"] != ACCESS_LOGGER or record["exception"] is not None


def _scrubbed(value: Any) -> Any:
    return scrub(value) if isinstance(value, str) else value


def _json_line(record: Record, service: str) -> bytes:
    entry: dict[str, Any] = {
        "ts": record["time"].isoformat(),
        "level": record["level"].name,
        "service": service,
        "msg": record["message"],
        "logger": record["name"],
        "request_id": record["extra"].get("request_id"),
        "trace_id": record["extra"].get("trace_id"),
        "tenant_id": record["extra"].get("tenant_id"),
    }
    entry.update((k, v) for k, v in record["extra"].items() if k not in _FIXED)
    if record["exception"] is not None:
        entry["exception"] = repr(record["exception"].value)
    if needs_scrub(record):
        entry = {key: _scrubbed(value) for key, value in entry.items()}
    return _encoder.encode(entry) + b"\n"


_json_service: str | None = None
"""The service named in JSON lines; None when logs are plain text (or not configured)."""


def log_access(method: str, path: str, route: str, status: int, duration_ms: float) -> None:
    """One access line, for a request that ended (its ids still in the context)."""
    service = _json_service and (service_var.get() or _json_service)
    if service is None:  # plain text for a terminal, through loguru like any other line
        logger.bind(
            method=method, path=path, route=route, status=status, duration_ms=duration_ms
        ).info("request")
        return
    entry: dict[str, Any] = {
        "ts": dt.datetime.now(dt.UTC).isoformat(),
        "level": "INFO",
        "service": service,
        "msg": "request",
        "logger": ACCESS_LOGGER,
        "request_id": request_id_var.get(),
        "trace_id": current_trace_id(),
        "tenant_id": tenant_id_var.get(),
        "method": method,
        "path": path,
        "route": route,
        "status": status,
        "duration_ms": duration_ms,
    }
    impersonator = impersonator_var.get()
    if impersonator is not None:
        entry["impersonator"] = impersonator
    SINK.write(_encoder.encode(entry) + b"\n", urgent=False)


def flush_logs() -> None:
    """Write the buffered access lines (a server stopping: its workers may skip ``atexit``)."""
    SINK.flush()


def _plain_sink(message: Message) -> None:
    # The formatted text holds the traceback and the exception's message.
    sys.stderr.write(scrub(message) if needs_scrub(message.record) else message)


def _patch(record: Record) -> None:
    record["extra"].setdefault("request_id", request_id_var.get())
    record["extra"].setdefault("tenant_id", tenant_id_var.get())
    record["extra"].setdefault("trace_id", current_trace_id())
    impersonator = impersonator_var.get()
    if impersonator is not None:  # only on impersonated requests: no null on every line
        record["extra"].setdefault("impersonator", impersonator)


class _InterceptHandler(logging.Handler):
    """Route stdlib logging (uvicorn, dramatiq, sqlalchemy) through loguru."""

    def emit(self, record: logging.LogRecord) -> None:
        logger.opt(depth=6, exception=record.exc_info).log(record.levelname, record.getMessage())


def configure_logging(
    settings: ObservabilitySettings, service: str, *, secrets: Iterable[str] = ()
) -> None:
    """Send JSON (or plain, for a terminal) logs to stderr, never showing ``secrets``."""
    global _json_service
    remember_secrets(secrets)
    logger.remove()
    if settings.json:

        def sink(message: Message) -> None:
            SINK.write(_json_line(message.record, service_var.get() or service), urgent=True)

        logger.add(sink, level=settings.level, backtrace=False, diagnose=False)
        _json_service = service
    else:
        logger.add(_plain_sink, level=settings.level, backtrace=False, diagnose=False)
        _json_service = None
    logger.configure(patcher=_patch)
    logging.basicConfig(handlers=[_InterceptHandler()], level=settings.level, force=True)
