"""Serve an ASGI app factory with granian (chosen by measurement: docs/decisions.md)."""

from __future__ import annotations

from granian import Granian
from granian.constants import Interfaces, Loops


def serve(factory: str, *, host: str, port: int, workers: int = 1) -> None:
    """Run ``module:function`` (returning an ASGI app) until SIGINT or SIGTERM."""
    Granian(
        target=factory,
        factory=True,
        address=host,
        port=port,
        interface=Interfaces.ASGI,
        workers=workers,
        loop=Loops.auto,
        log_access=False,
        backlog=2048,
    ).serve()
