"""Where a process's JSON log lines go: stderr, access lines written in batches.

An access line is written on every request; a write (and flush) of its own cost the
exec-api a third of its throughput once loguru's record building came with it. Access
lines are appended to a buffer that goes out when it holds ``BATCH_BYTES``, every
``INTERVAL_S`` (a daemon thread), before any other line and at exit. Any other line
(startup, warnings, errors: rare, and read by people as they happen) goes out at once,
after what was buffered, so the log stays in order. A process killed with SIGKILL loses
at most the last ``INTERVAL_S`` of access lines.
"""

from __future__ import annotations

import atexit
import sys
import threading
import time

BATCH_BYTES = 64 * 1024
INTERVAL_S = 0.1


class LineSink:
    """Appends lines for stderr; ``urgent`` ones flush everything before them at once."""

    def __init__(self, interval_s: float = INTERVAL_S) -> None:
        self._buffer = bytearray()
        self._lock = threading.Lock()
        self._interval_s = interval_s
        self._flusher: threading.Thread | None = None

    def write(self, line: bytes, *, urgent: bool) -> None:
        """Add ``line``; write it (and all before it) now when ``urgent``."""
        with self._lock:
            self._buffer += line
            if urgent or len(self._buffer) >= BATCH_BYTES:
                self._flush_locked()
            elif self._flusher is None:
                self._start_flusher()

    def flush(self) -> None:
        """Write whatever is buffered."""
        with self._lock:
            self._flush_locked()

    def _flush_locked(self) -> None:
        if not self._buffer:
            return
        try:
            # Looked up at each flush: tests and the CLI swap sys.stderr.
            stream = sys.stderr.buffer
            stream.write(self._buffer)
            stream.flush()
        except (OSError, ValueError):  # stderr closed or gone: a log must not fail a request
            pass
        self._buffer.clear()

    def _start_flusher(self) -> None:
        self._flusher = threading.Thread(target=self._flush_forever, name="log-flush", daemon=True)
        self._flusher.start()

    def _flush_forever(self) -> None:
        while True:
            time.sleep(self._interval_s)
            self.flush()


SINK = LineSink()
"""The process's one sink, flushed at exit."""
atexit.register(SINK.flush)
