"""A command to a Redis server and its answer, over Redis's own protocol (RESP 2), for the
launcher's checks of its embedded Redis: the client library would stay in the launcher's
memory for as long as the stack runs, for two questions asked at start (ADR 0092)."""

from __future__ import annotations

import socket
from typing import BinaryIO

Reply = bytes | list["Reply"] | None
"""A simple or bulk string, an array, or nil."""


class RespError(Exception):
    """The server answered an error (e.g. ``LOADING`` while it replays its data), or no
    well-formed answer."""


def ask(port: int, *words: str, timeout_s: float = 1.0) -> Reply:
    """Send the command ``words`` to the Redis on ``127.0.0.1:port``; its answer.

    Raises ``OSError`` when nothing answers, ``RespError`` on an error answer."""
    command = b"*%d\r\n" % len(words) + b"".join(
        b"$%d\r\n%s\r\n" % (len(word.encode()), word.encode()) for word in words
    )
    with socket.create_connection(("127.0.0.1", port), timeout=timeout_s) as connection:
        connection.sendall(command)
        with connection.makefile("rb") as answer:
            return _read(answer)


def _read(answer: BinaryIO) -> Reply:
    line = answer.readline()
    if not line.endswith(b"\r\n"):
        raise RespError("the connection closed mid-answer")
    kind, rest = line[:1], line[1:-2]
    if kind == b"+":
        return rest
    if kind == b"-":
        raise RespError(rest.decode(errors="replace"))
    if kind == b":":
        return rest
    if kind == b"$":
        size = int(rest)
        return None if size < 0 else answer.read(size + 2)[:-2]
    if kind == b"*":
        count = int(rest)
        return None if count < 0 else [_read(answer) for _ in range(count)]
    raise RespError(f"not a RESP answer: {line[:40]!r}")
