"""JSON logs through loguru, each line carrying ``request_id``, ``trace_id`` and ``tenant_id``."""

from __future__ import annotations

import logging
import sys
from typing import TYPE_CHECKING, Any

import msgspec
from loguru import logger

from orchestrator.core.observability.context import (
    impersonator_var,
    request_id_var,
    tenant_id_var,
)
from orchestrator.core.observability.tracing import current_trace_id

if TYPE_CHECKING:
    from loguru import Message, Record

    from orchestrator.core.settings import ObservabilitySettings

_encoder = msgspec.json.Encoder()
_FIXED = frozenset({"request_id", "trace_id", "tenant_id"})


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
    return _encoder.encode(entry) + b"\n"


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


def configure_logging(settings: ObservabilitySettings, service: str) -> None:
    """Send JSON (or plain, for a terminal) logs to stderr."""
    logger.remove()
    if settings.json:

        def sink(message: Message) -> None:
            sys.stderr.buffer.write(_json_line(message.record, service))
            sys.stderr.buffer.flush()

        logger.add(sink, level=settings.level, backtrace=False, diagnose=False)
    else:
        logger.add(sys.stderr, level=settings.level, backtrace=False, diagnose=False)
    logger.configure(patcher=_patch)
    logging.basicConfig(handlers=[_InterceptHandler()], level=settings.level, force=True)
