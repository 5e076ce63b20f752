"""A third-party API for the dev stack to call, so the README's walkthrough needs no
network: ``make run`` serves it on loopback (``ORCH_DEMO_UPSTREAM_PORT``, default 4005)
and its demo workspace has a connector to it.

``GET /hello`` greets, ``POST /echo`` answers the JSON it was sent, ``GET /fail`` always
answers 500 (a job on it ends in the DLQ), ``GET /ready`` says it is up.
"""

from __future__ import annotations

import contextlib
import json
import os
import sys
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

PORT_VARIABLE, DEFAULT_PORT = "ORCH_DEMO_UPSTREAM_PORT", 4005
MAX_BODY = 64 * 1024


class DemoApi(BaseHTTPRequestHandler):
    """The demo API's four routes; anything else is a 404."""

    server_version = "demo-upstream"

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
        sys.stdout.write(f"{self.command} {self.path} {status}\n")
        sys.stdout.flush()


def main() -> None:
    """Serve until stopped."""
    port = int(os.environ.get(PORT_VARIABLE) or DEFAULT_PORT)
    with (
        ThreadingHTTPServer(("127.0.0.1", port), DemoApi) as server,
        contextlib.suppress(KeyboardInterrupt),
    ):
        server.serve_forever()


if __name__ == "__main__":
    main()
