"""An OTLP/HTTP endpoint on loopback that takes every export and keeps only counts.

The traced exec-api of ``bench/execute.py`` exports to it: a real exporter's whole cost
(batching, encoding, the HTTP post) lands on the server under test, none of a collector's.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


class OtlpSink:
    """Answers ``POST /v1/traces`` with 200 and counts the exports and their bytes."""

    def __init__(self) -> None:
        self.exports = 0
        self.bytes = 0
        self._lock = threading.Lock()
        sink = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                size = len(self.rfile.read(int(self.headers.get("Content-Length", "0"))))
                with sink._lock:
                    sink.exports += 1
                    sink.bytes += size
                # An empty ExportTraceServiceResponse is zero bytes of protobuf.
                self.send_response(200)
                self.send_header("Content-Type", "application/x-protobuf")
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, format: str, *args: Any) -> None:
                pass

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        """The endpoint for ``OTEL_EXPORTER_OTLP_ENDPOINT``."""
        return f"http://127.0.0.1:{self._server.server_address[1]}"


@contextmanager
def otlp_sink() -> Iterator[OtlpSink]:
    """A running sink, stopped on exit."""
    sink = OtlpSink()
    sink._thread.start()
    try:
        yield sink
    finally:
        sink._server.shutdown()
        sink._server.server_close()
