"""Access lines go out in batches, any other line at once, and the log stays in order."""

from __future__ import annotations

import io
import sys
import time

import pytest

from orchestrator.core.observability import line_sink
from orchestrator.core.observability.line_sink import LineSink


class Buffer(io.BytesIO):
    """Bytes written, and how many writes brought them."""

    writes = 0

    def write(self, data: bytes) -> int:  # type: ignore[override]
        self.writes += 1
        return super().write(data)


class Stderr:
    """A stand-in for ``sys.stderr``."""

    def __init__(self) -> None:
        self.buffer = Buffer()


def fake_stderr(monkeypatch: pytest.MonkeyPatch) -> Stderr:
    """Swap ``sys.stderr`` for a ``Stderr``; in the test's body, since pytest's own capture
    sets ``sys.stderr`` again between a fixture's set-up and the test."""
    fake = Stderr()
    monkeypatch.setattr(sys, "stderr", fake)
    return fake


def test_access_lines_wait_and_an_urgent_line_takes_them_out_first(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    stderr = fake_stderr(monkeypatch)
    sink = LineSink(interval_s=60)
    for n in range(3):
        sink.write(b"access %d\n" % n, urgent=False)
    assert stderr.buffer.getvalue() == b""
    sink.write(b"warning\n", urgent=True)
    assert stderr.buffer.getvalue() == b"access 0\naccess 1\naccess 2\nwarning\n"
    assert stderr.buffer.writes == 1


def test_a_full_batch_goes_out_without_waiting(monkeypatch: pytest.MonkeyPatch) -> None:
    stderr = fake_stderr(monkeypatch)
    monkeypatch.setattr(line_sink, "BATCH_BYTES", 100)
    sink = LineSink(interval_s=60)
    line = b"x" * 49 + b"\n"
    sink.write(line, urgent=False)
    assert stderr.buffer.writes == 0
    sink.write(line, urgent=False)
    assert stderr.buffer.getvalue() == line * 2


def test_buffered_lines_go_out_within_the_interval(monkeypatch: pytest.MonkeyPatch) -> None:
    stderr = fake_stderr(monkeypatch)
    sink = LineSink(interval_s=0.05)
    sink.write(b"access\n", urgent=False)
    deadline = time.monotonic() + 2
    while stderr.buffer.getvalue() == b"" and time.monotonic() < deadline:
        time.sleep(0.01)
    assert stderr.buffer.getvalue() == b"access\n"


def test_a_closed_stderr_fails_no_request(monkeypatch: pytest.MonkeyPatch) -> None:
    closed = io.TextIOWrapper(io.BytesIO())
    closed.close()
    monkeypatch.setattr(sys, "stderr", closed)
    sink = LineSink(interval_s=60)
    sink.write(b"lost\n", urgent=True)  # dropped, not raised
    sink.flush()
