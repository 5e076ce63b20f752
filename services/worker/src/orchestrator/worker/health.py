"""The worker's only HTTP surface: /health, /ready and /metrics on a small thread."""

from __future__ import annotations

import json
import threading
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from orchestrator.core.errors import problem_type
from orchestrator.core.observability.metrics import render_latest

ReadinessCheck = Callable[[], dict[str, bool]]


def _handler(check_ready: ReadinessCheck) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            if self.path == "/health":
                self._send(200, "application/json", json.dumps({"status": "ok"}).encode())
            elif self.path == "/ready":
                state = check_ready()
                if all(state.values()):
                    self._send(
                        200, "application/json", json.dumps({"status": "ready", **state}).encode()
                    )
                else:
                    self._problem(503, "unavailable", "A dependency is unreachable.", state)
            elif self.path == "/metrics":
                body, content_type = render_latest()
                self._send(200, content_type, body)
            else:
                self._problem(
                    404, "not-found", "The worker serves only /health, /ready and /metrics.", {}
                )

        def _problem(self, status: int, code: str, detail: str, extra: dict[str, bool]) -> None:
            body = {"type": problem_type(code), "title": code, "status": status, "detail": detail}
            body.update(extra)
            # A dependency that did not answer: probe again in a second.
            headers = {"Retry-After": "1"} if status == 503 else {}
            self._send(status, "application/problem+json", json.dumps(body).encode(), headers)

        def _send(
            self,
            status: int,
            content_type: str,
            body: bytes,
            headers: dict[str, str] | None = None,
        ) -> None:
            self.send_response(status)
            self.send_header("Content-Type", content_type)
            for name, value in (headers or {}).items():
                self.send_header(name, value)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, format: str, *args: object) -> None:
            """Silence per-request logging: scrapes would flood the logs."""

    return Handler


def start_health_server(host: str, port: int, check_ready: ReadinessCheck) -> ThreadingHTTPServer:
    """Serve the probes in a daemon thread; call ``shutdown()`` to stop."""
    server = ThreadingHTTPServer((host, port), _handler(check_ready))
    threading.Thread(target=server.serve_forever, name="health", daemon=True).start()
    return server
