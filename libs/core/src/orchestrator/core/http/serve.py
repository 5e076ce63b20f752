"""Serve an ASGI app factory with granian (chosen by measurement: docs/decisions.md).

One worker (what every service runs, one per pod) is served in this very process, on
granian's embedded server: no supervisor process beside it holding a second copy of the
interpreter and the service's settings (ADR 0092). More workers keep granian's
supervisor, which forks them.
"""

from __future__ import annotations

import asyncio
import importlib
import logging
import signal
import sys
from collections.abc import Callable
from typing import Any

from granian.constants import Interfaces, Loops

STOP_SIGNALS = (signal.SIGINT, signal.SIGTERM)
BACKLOG = 2048
ABSENT_WHEN_DEPLOYED = ("httpx._main", "pydantic", "psutil")
"""Installed in a checkout, never in a service's image (``--no-dev --package``:
``deploy/docker/Dockerfile``), and imported only because installed: httpx's command-line
client (Rich, Pygments, Click, for the CLI: some 4 MiB), pydantic (for the client
generator), which Litestar loads plugins for (some 9 MiB), and psutil (for pgserver),
which OpenTelemetry's SDK reads when present. Made unimportable before the app loads, so
a service holds in a checkout what it holds deployed; httpx, Litestar and OpenTelemetry
do without them by design (ADR 0092)."""


def serve(factory: str, *, host: str, port: int, workers: int = 1) -> None:
    """Run ``module:function`` (returning an ASGI app) until SIGINT or SIGTERM; the app's
    lifespan runs on start and on stop either way."""
    if workers == 1:
        _serve_embedded(load_factory(factory), host=host, port=port)
        return
    from granian import Granian

    Granian(target=factory, workers=workers, loop=Loops.auto, **_options(host, port)).serve()


def _options(host: str, port: int) -> dict[str, Any]:
    """What either server is given: an ASGI app factory on ``host:port``, no access log."""
    return {
        "factory": True,
        "address": host,
        "port": port,
        "interface": Interfaces.ASGI,
        "log_access": False,
        "backlog": BACKLOG,
    }


def load_factory(factory: str) -> Callable[[], Any]:
    """The function ``module:function`` names."""
    for name in ABSENT_WHEN_DEPLOYED:
        sys.modules.setdefault(name, None)  # type: ignore[arg-type]  # None: "not importable"
    module, _, name = factory.partition(":")
    function: Callable[[], Any] = getattr(importlib.import_module(module), name)
    return function


class _QuietExperimental(logging.Filter):
    """Drops granian's one-line notice that its embedded server is experimental: the
    decision is recorded (ADR 0092) and the line would lead every service's output."""

    def filter(self, record: logging.LogRecord) -> bool:
        return "experimental" not in record.getMessage()


def _serve_embedded(factory: Callable[[], Any], *, host: str, port: int) -> None:
    """Serve in this process on uvloop, as granian's worker does, stopping on a signal."""
    import uvloop
    from granian.log import LogLevels, configure_logging, logger
    from granian.server.embed import Server

    configure_logging(LogLevels.info)  # granian's own lines, as its supervisor writes them
    logger.addFilter(_QuietExperimental())
    server = Server(target=factory, **_options(host, port))

    async def run() -> None:
        loop = asyncio.get_running_loop()
        for signum in STOP_SIGNALS:
            loop.add_signal_handler(signum, server.stop)
        await server.serve()

    uvloop.run(run())
