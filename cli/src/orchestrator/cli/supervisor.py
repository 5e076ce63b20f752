"""Run several processes as one stack, foreman-style: each output line prefixed ``name |``,
and when one exits or the stack is told to stop, all of them stop together.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import sys
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import BinaryIO

_COLORS = ("36", "33", "32", "35", "34", "96", "93", "92", "95", "94")
_STOP_SIGNALS = (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)
# `make` and `uv run` relay a Ctrl-C that the terminal already sent us: within this window a
# repeated signal is the same request, not an impatient second one.
DUPLICATE_SIGNAL_WINDOW_S = 1.0
_LINE_LIMIT = 1 << 20


@dataclass(frozen=True, slots=True)
class ProcessSpec:
    """One process of the stack: its output prefix, argv, and variables laid over our env."""

    name: str
    argv: Sequence[str]
    env: Mapping[str, str] = field(default_factory=dict)
    cwd: Path | None = None


def run_stack(
    processes: Sequence[ProcessSpec],
    *,
    grace_seconds: float = 10.0,
    out: BinaryIO | None = None,
) -> int:
    """Run ``processes`` until one exits or SIGINT/SIGTERM/SIGHUP arrives, then stop them all.

    Stopping sends SIGTERM to each child's process group, waits up to ``grace_seconds`` and then
    SIGKILLs what is left (at once on a second signal). Returns 0 after a stop by signal, else
    the status of the first child to exit (128 + N if signal N killed it; 127 if one can't start).
    Must run in the main thread, which owns signal handling.
    """
    if not processes:
        raise ValueError("run_stack needs at least one process")
    stream = out if out is not None else sys.stdout.buffer
    return asyncio.run(_Stack(processes, grace_seconds, stream).run())


@dataclass
class _Child:
    spec: ProcessSpec
    process: asyncio.subprocess.Process
    pump: asyncio.Task[None]


class _Stack:
    def __init__(self, specs: Sequence[ProcessSpec], grace_seconds: float, out: BinaryIO) -> None:
        self._specs = specs
        self._grace = grace_seconds
        self._out = out
        self._width = max(len("system"), *(len(spec.name) for spec in specs))
        self._color = _wants_color(out)
        self._stop_requested = asyncio.Event()
        self._kill_now = asyncio.Event()
        self._first_signal_at = float("-inf")

    async def run(self) -> int:
        loop = asyncio.get_running_loop()
        for signum in _STOP_SIGNALS:
            loop.add_signal_handler(signum, self._on_signal, signum)
        try:
            return await self._supervise()
        finally:
            for signum in _STOP_SIGNALS:
                loop.remove_signal_handler(signum)

    def _on_signal(self, signum: int) -> None:
        now = time.monotonic()
        if not self._stop_requested.is_set():
            self._say(f"{signal.Signals(signum).name} received: stopping")
            self._first_signal_at = now
            self._stop_requested.set()
        elif now - self._first_signal_at > DUPLICATE_SIGNAL_WINDOW_S:
            self._say(f"{signal.Signals(signum).name} again: killing")
            self._kill_now.set()
        # else: the same Ctrl-C relayed by `make` or `uv run`; not a second request.

    async def _supervise(self) -> int:
        children: list[_Child] = []
        status: int | None = None
        for index, spec in enumerate(self._specs):
            try:
                children.append(await self._spawn(index, spec))
            except OSError as exc:
                self._say(f"cannot start {spec.name}: {exc}")
                status = 127
                break
        if status is None:
            status = await self._wait_for_first_exit(children)
        self._stop_requested.set()  # from here on, a signal means: kill now
        await self._stop_all(children)
        pumps = [child.pump for child in children]
        if pumps:
            # A straggler outside the process group could hold the pipe open forever.
            _, pending = await asyncio.wait(pumps, timeout=1.0)
            for pump in pending:
                pump.cancel()
        return status

    async def _spawn(self, index: int, spec: ProcessSpec) -> _Child:
        env = {**os.environ, "PYTHONUNBUFFERED": "1", **spec.env}
        # Its own session and process group: a terminal's Ctrl-C reaches only the supervisor,
        # which then stops the children in order, and killpg also reaches their children.
        process = await asyncio.create_subprocess_exec(
            *spec.argv,
            env=env,
            cwd=spec.cwd,
            stdin=asyncio.subprocess.DEVNULL,
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.STDOUT,
            start_new_session=True,
            limit=_LINE_LIMIT,
        )
        assert process.stdout is not None
        prefix = self._prefix(spec.name, _COLORS[index % len(_COLORS)])
        pump = asyncio.create_task(self._pump(prefix, process.stdout))
        self._say(f"started {spec.name} (pid {process.pid}): {' '.join(spec.argv)}")
        return _Child(spec, process, pump)

    async def _wait_for_first_exit(self, children: list[_Child]) -> int:
        waits = {asyncio.create_task(child.process.wait()): child for child in children}
        stop = asyncio.create_task(self._stop_requested.wait())
        done, _ = await asyncio.wait([*waits, stop], return_when=asyncio.FIRST_COMPLETED)
        for task in [*waits, stop]:
            task.cancel()
        exited = [waits[task] for task in waits if task in done]
        if not exited:
            return 0
        child = exited[0]
        status = _exit_status(child.process)
        self._say(f"{child.spec.name} exited with status {status}: stopping")
        return status

    async def _stop_all(self, children: list[_Child]) -> None:
        for child in children:
            _signal_group(child.process.pid, signal.SIGTERM)
        loop = asyncio.get_running_loop()
        deadline = loop.time() + self._grace
        while loop.time() < deadline and not self._kill_now.is_set():
            if not any(_running(child) for child in children):
                break
            await asyncio.sleep(0.05)
        for child in children:
            if _running(child):
                left = "did not stop" if child.process.returncode is None else "left processes"
                self._say(f"{child.spec.name} {left}: SIGKILL")
                _signal_group(child.process.pid, signal.SIGKILL)
        for child in children:
            await child.process.wait()

    async def _pump(self, prefix: bytes, stream: asyncio.StreamReader) -> None:
        while True:
            try:
                line = await stream.readline()
            except ValueError:  # longer than _LINE_LIMIT; the reader dropped it
                line = b"[line too long, dropped]\n"
            if not line:
                return
            self._write(prefix + line if line.endswith(b"\n") else prefix + line + b"\n")

    def _prefix(self, name: str, color: str) -> bytes:
        label = f"{name:<{self._width}} |"
        return (f"\x1b[{color}m{label}\x1b[0m " if self._color else f"{label} ").encode()

    def _say(self, message: str) -> None:
        self._write(self._prefix("system", "1") + message.encode() + b"\n")

    def _write(self, data: bytes) -> None:
        with contextlib.suppress(OSError):  # a closed terminal must not stop the shutdown
            self._out.write(data)
            self._out.flush()


def _running(child: _Child) -> bool:
    """Whether the child, or anything left in its process group, is still alive."""
    if child.process.returncode is None:
        return True
    try:
        os.killpg(child.process.pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _signal_group(pgid: int, signum: int) -> None:
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(pgid, signum)


def _exit_status(process: asyncio.subprocess.Process) -> int:
    code = process.returncode
    assert code is not None
    return 128 - code if code < 0 else code


def _wants_color(out: BinaryIO) -> bool:
    if os.environ.get("NO_COLOR"):
        return False
    if os.environ.get("FORCE_COLOR"):
        return True
    return out.isatty()


__all__ = ["ProcessSpec", "run_stack"]
