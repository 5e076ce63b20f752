"""A third-party API for the dev stack to call, so the README's walkthrough needs no
network: ``make run`` serves it on loopback (``ORCH_DEMO_UPSTREAM_PORT``, default 4005)
and its demo workspace has a connector to it. The launcher serves it from a thread of its
own (no production deployment has it, so it gets no process: ADR 0092); ``python -m
orchestrator.cli.demo_upstream`` serves it alone.

``GET /hello`` greets, ``POST /echo`` answers the JSON it was sent, ``GET /fail`` always
answers 500 (a job on it ends in the DLQ), ``GET /ready`` says it is up.
"""

from __future__ import annotations

import contextlib
import json
import os
import sys
import threading
from collections.abc import Mapping
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

PORT_VARIABLE, DEFAULT_PORT = "ORCH_DEMO_UPSTREAM_PORT", 4005
NAME = "demo-upstream"
MAX_BODY = 64 * 1024


class DemoApi(BaseHTTPRequestHandler):
    """The demo API's four routes; anything else is a 404."""

    server_version = NAME
    prefix = ""
    """Put before each logged line (the launcher's output names each part of the stack)."""

    def _answer(self, status: int, body: Any) -> None:
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def do_GET(self) -> None:
        """``/hello``, ``/fail``, ``/ready``."""
        if self.path == "/hello":
            self._answer(200, {"hello": "world"})
        elif self.path == "/fail":
            self._answer(500, {"error": "this endpoint always fails"})
        elif self.path == "/ready":
            self._answer(200, {"status": "ready"})
        else:
            self._answer(404, {"error": f"no route {self.path}"})

    def do_POST(self) -> None:
        """``/echo``: the JSON body back, under ``received``."""
        length = int(self.headers.get("Content-Length") or 0)
        if self.path != "/echo":
            self._answer(404, {"error": f"no route {self.path}"})
        elif length > MAX_BODY:
            self._answer(413, {"error": "body too large"})
        else:
            try:
                received = json.loads(self.rfile.read(length) or b"null")
            except ValueError:
                self._answer(400, {"error": "the body is not JSON"})
                return
            self._answer(200, {"received": received})

    def log_message(self, format: str, *args: Any) -> None:
        """One line a request, as the stack's other services log."""
        status = args[1] if len(args) > 1 else ""
        sys.stdout.write(f"{self.prefix}{self.command} {self.path} {status}\n")
        sys.stdout.flush()


def port_of(env: Mapping[str, str]) -> int:
    """The port ``env`` gives the demo API (else its default)."""
    return int(env.get(PORT_VARIABLE) or DEFAULT_PORT)


class _Logged(DemoApi):
    prefix = f"{NAME} | "


def serve_in_thread(port: int) -> ThreadingHTTPServer:
    """Serve on ``port`` from a daemon thread; ``shutdown()`` the result to stop."""
    server = ThreadingHTTPServer(("127.0.0.1", port), _Logged)
    threading.Thread(target=server.serve_forever, name=NAME, daemon=True).start()
    return server


def main() -> None:
    """Serve until stopped."""
    port = port_of(os.environ)
    with (
        ThreadingHTTPServer(("127.0.0.1", port), DemoApi) as server,
        contextlib.suppress(KeyboardInterrupt),
    ):
        server.serve_forever()


if __name__ == "__main__":
    main()
