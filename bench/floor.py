"""The libraries' floor: a process that imports what every API process imports from its
libraries and serves one route, as a service is served (embedded granian on uvloop, one
worker), with none of our code beyond the serving function. What an API process holds
above this is ours: its routes, models, settings, pools and OpenAPI document (ADR 0109).

``python -m bench.floor PORT`` serves ``GET /health`` on loopback until SIGTERM;
``python -m bench.floor --stages`` prints, as JSON, the RSS after importing each group of
``STAGES`` in turn in this fresh interpreter (a library already loaded by an earlier group
counts there).
"""

from __future__ import annotations

import importlib
import json
import sys
from pathlib import Path
from typing import Any

STAGES = (
    ("asyncio, uvloop (and the ssl module's OpenSSL)", ("asyncio", "uvloop")),
    ("granian (the serving module)", ("orchestrator.core.http.serve", "granian.server.embed")),
    ("Litestar, msgspec", ("msgspec", "litestar")),
    ("SQLAlchemy Core, PostgreSQL dialect", ("sqlalchemy", "sqlalchemy.dialects.postgresql")),
    ("psycopg (its own libpq and OpenSSL)", ("psycopg", "psycopg.pq")),
    ("SQLAlchemy asyncio, which loads the ORM", ("sqlalchemy.ext.asyncio",)),
    ("redis-py", ("redis.asyncio",)),
    (
        "cryptography, joserfc",
        (
            "cryptography.hazmat.primitives.asymmetric.ec",
            "cryptography.hazmat.primitives.ciphers.aead",
            "joserfc.jwt",
        ),
    ),
    (
        "loguru, prometheus_client, OpenTelemetry API",
        ("loguru", "prometheus_client", "opentelemetry.trace"),
    ),
)
"""What an API process imports from its libraries before any request (``python -X
importtime``), in groups: the event loop, the server, the web framework, the database and
Redis clients, the token and sealing crypto, logging, metrics and the tracing API."""


def rss_mib() -> float:
    """This process's resident memory (MiB)."""
    return int(Path("/proc/self/statm").read_text().split()[1]) * 4096 / 2**20


def import_stages() -> list[tuple[str, float]]:
    """RSS (MiB) before any group, then after each group of ``STAGES`` is imported."""
    found = [("the interpreter", rss_mib())]
    for label, modules in STAGES:
        for name in modules:
            importlib.import_module(name)
        if name == "granian.server.embed":
            from orchestrator.core.http.serve import ABSENT_WHEN_DEPLOYED

            for absent in ABSENT_WHEN_DEPLOYED:  # as ``load_factory`` does before any app
                sys.modules.setdefault(absent, None)  # type: ignore[arg-type]
        found.append((label, rss_mib()))
    return found


def create_app() -> Any:
    """A one-route Litestar app, after importing every group of ``STAGES``."""
    for _, modules in STAGES:
        for name in modules:
            importlib.import_module(name)
    from litestar import Litestar, get

    @get("/health", sync_to_thread=False)
    def health() -> dict[str, str]:
        return {"status": "ok"}

    return Litestar(route_handlers=[health], debug=False)


if __name__ == "__main__":
    if sys.argv[1] == "--stages":
        print(json.dumps(import_stages()))
    else:
        from orchestrator.core.http.serve import serve

        serve("bench.floor:create_app", host="127.0.0.1", port=int(sys.argv[1]))
