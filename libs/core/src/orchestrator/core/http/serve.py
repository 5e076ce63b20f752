"""Serve an ASGI app factory with granian (chosen by measurement: docs/decisions.md).

One worker (what every service runs, one per pod) is served in this very process, on
granian's embedded server: no supervisor process beside it holding a second copy of the
interpreter and the service's settings (ADR 0092). More workers keep granian's
supervisor, which forks them.
"""

from __future__ import annotations

import asyncio
import contextvars
import importlib
import logging
import signal
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from granian.constants import Interfaces, Loops

from orchestrator.core.http.stopping import stopping

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


@dataclass(frozen=True)
class Served:
    """One app a process serves: its service's name, its ``module:function`` factory and
    its address."""

    service: str
    factory: str
    host: str
    port: int


def serve(factory: str, *, host: str, port: int, workers: int = 1) -> None:
    """Run ``module:function`` (returning an ASGI app) until SIGINT or SIGTERM; the app's
    lifespan runs on start and on stop either way."""
    if workers == 1:
        _serve_embedded([(load_factory(factory), host, port, None)])
        return
    from granian import Granian

    Granian(target=factory, workers=workers, loop=Loops.auto, **_options(host, port)).serve()


def serve_together(apps: Sequence[Served]) -> None:
    """Serve several apps from this one process, each on its own address, on one event
    loop, until SIGINT or SIGTERM: what the development stack runs (ADR 0099). Each app's
    lifespan and requests run with ``service_var`` set to its service, so its log lines
    name it; one app stopping (its start-up failed, say) stops the others."""
    _serve_embedded([(load_factory(app.factory), app.host, app.port, app.service) for app in apps])


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


def _serve_embedded(apps: Sequence[tuple[Callable[[], Any], str, int, str | None]]) -> None:
    """Serve ``(factory, host, port, service)`` in this process on uvloop, as granian's
    worker does, stopping on a signal."""
    import uvloop
    from granian.log import LogLevels, configure_logging, logger
    from granian.server.embed import Server

    configure_logging(LogLevels.info)  # granian's own lines, as its supervisor writes them
    logger.addFilter(_QuietExperimental())
    servers = [
        (Server(target=factory, **_options(host, port)), service)
        for factory, host, port, service in apps
    ]

    def stop() -> None:
        stopping()  # endless responses end first: the servers wait for every response
        for server, _ in servers:
            server.stop()  # type: ignore[no-untyped-call]  # granian has no annotations

    async def run() -> None:
        loop = asyncio.get_running_loop()
        for signum in STOP_SIGNALS:
            loop.add_signal_handler(signum, stop)
        tasks = [
            loop.create_task(server.serve(), context=_as(service)) for server, service in servers
        ]
        await asyncio.wait(tasks, return_when=asyncio.FIRST_COMPLETED)
        stop()  # one server ended: so do the others, and the process
        for task in tasks:
            await task  # a server's own failure is the process's

    uvloop.run(run())


def _as(service: str | None) -> contextvars.Context:
    """A copy of the current context in which log lines name ``service`` (when given):
    the context every task of the server started in it inherits."""
    context = contextvars.copy_context()
    if service is not None:
        from orchestrator.core.observability.context import service_var

        context.run(service_var.set, service)
    return context
