"""A local HTTP server that answers as HashiCorp Vault's KV v2 read API does.

Vault itself cannot run here (no package on PyPI, npm or Debian); this is a real HTTP
server on loopback that speaks the part of its API the orchestrator uses:
``GET /v1/{mount}/data/{path}`` with ``X-Vault-Token``, answered
``{"data": {"data": {...}, "metadata": {...}}}``, 404 for an unknown path and 403 for
a wrong token, as Vault answers them.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

TOKEN = "test-vault-token"


class VaultServer:
    """KV v2 secrets by full path (``{mount}/data/{path}``) and the reads it served."""

    def __init__(self) -> None:
        self.secrets: dict[str, dict[str, Any]] = {}
        self.reads: list[str] = []
        server = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                server.reads.append(self.path)
                if self.headers.get("X-Vault-Token") != TOKEN:
                    self._answer(403, {"errors": ["permission denied"]})
                    return
                found = server.secrets.get(self.path.removeprefix("/v1/"))
                if found is None:
                    self._answer(404, {"errors": []})
                    return
                self._answer(200, {"data": {"data": found, "metadata": {"version": 1}}})

            def _answer(self, status: int, body: dict[str, Any]) -> None:
                raw = json.dumps(body).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(raw)))
                self.end_headers()
                self.wfile.write(raw)

            def log_message(self, format: str, *args: Any) -> None:
                pass

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self._server.server_address[1]}"

    def put(self, path: str, data: dict[str, Any], *, mount: str = "secret") -> None:
        """Store a secret at ``path`` (the full path, prefix included)."""
        self.secrets[f"{mount}/data/{path}"] = data

    def environ(self, **extra: str) -> dict[str, str]:
        """The orchestrator's settings for this server."""
        return {"ORCH_VAULT_ADDR": self.url, "ORCH_VAULT_TOKEN": TOKEN, **extra}


@contextmanager
def running_vault() -> Iterator[VaultServer]:
    """A ``VaultServer`` serving on a thread until the block ends."""
    vault = VaultServer()
    thread = threading.Thread(target=vault._server.serve_forever, daemon=True)
    thread.start()
    try:
        yield vault
    finally:
        vault._server.shutdown()
        vault._server.server_close()
