"""``events tail``: the workspace's event stream (SSE) from the exec-api, followed across
disconnects: each reconnect sends the last event's id as ``Last-Event-ID``, so the
stream resumes after it, with no event missed or printed twice."""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Annotated

import typer

from orchestrator.cli.remote.options import ProfileName, group, remote

if TYPE_CHECKING:
    from orchestrator.cli.remote.client import Remote

app = group()

FIRST_PAUSE_S = 0.2
"""The first wait before reconnecting; it doubles up to the server's ``retry:`` hint."""
SILENCE_S = 45.0
"""A stream silent this long is taken as lost (the server sends a heartbeat every 15 s)."""
UNAVAILABLE = {502, 503, 504}


@dataclass
class Message:
    """One SSE message."""

    id: str | None = None
    event: str | None = None
    data: list[str] = field(default_factory=list)
    retry_ms: int | None = None


def messages(lines: Iterable[str]) -> Iterator[Message]:
    """SSE messages with data (comments and heartbeats are skipped; ``retry:`` is kept)."""
    current = Message()
    for line in lines:
        if not line:
            if current.data:
                yield current
            current = Message(retry_ms=current.retry_ms)
            continue
        name, _, value = line.partition(":")
        value = value.removeprefix(" ")
        if name == "id":
            current.id = value
        elif name == "event":
            current.event = value
        elif name == "data":
            current.data.append(value)
        elif name == "retry" and value.isdigit():
            current.retry_ms = int(value)


def line_for(message: Message, json_output: bool) -> str:
    """How an event is printed: its JSON on one line, or a readable line."""
    text = "\n".join(message.data)
    if json_output:
        return text
    try:
        event = json.loads(text)
    except ValueError:
        return f"{message.event or 'message'} {text}"
    job = f"  job={event['job_id']}" if event.get("job_id") else ""
    data = json.dumps(event.get("data"), separators=(",", ":"))
    return f"{event.get('created_at', '-')}  {event.get('type', message.event)}{job}  {data}"


def follow(api: Remote, after: str | None, json_output: bool) -> None:
    """Print events until interrupted, reconnecting after every disconnect."""
    import time

    import httpx

    from orchestrator.cli.remote.client import ApiError, api_error

    last_id, pause, cap_s, fresh, lost = after, FIRST_PAUSE_S, 2.0, False, False
    url = f"{api.base('exec')}/api/v1/events/stream"
    timeout = httpx.Timeout(10.0, read=SILENCE_S)
    while True:
        try:
            headers = {"Authorization": f"Bearer {api.token('exec', fresh=fresh)}"}
            if last_id:
                headers["Last-Event-ID"] = last_id
            with api.http.stream("GET", url, headers=headers, timeout=timeout) as answer:
                if answer.status_code == 401 and not fresh:
                    fresh = True  # the token expired: a new one, at once
                    continue
                if not answer.is_success and answer.status_code not in UNAVAILABLE:
                    answer.read()
                    raise api_error(answer)
                if answer.is_success:
                    fresh, pause = False, FIRST_PAUSE_S
                    typer.echo(f"{'resumed' if lost else 'following'} {url}", err=True)
                    lost = False
                    for message in messages(answer.iter_lines()):
                        if message.retry_ms is not None:
                            cap_s = message.retry_ms / 1000
                        last_id = message.id or last_id
                        typer.echo(line_for(message, json_output))
                why = f"{answer.status_code}" if not answer.is_success else "stream ended"
        except httpx.TransportError as exc:
            why = type(exc).__name__
        except ApiError as exc:  # the token's, or the stream's refusal
            if exc.status not in UNAVAILABLE:
                raise
            why = str(exc.status)
        if not lost:
            typer.echo(f"disconnected ({why}); reconnecting", err=True)
            lost = True
        time.sleep(pause)
        pause = min(pause * 2, max(cap_s, FIRST_PAUSE_S))


@app.command("tail")
def tail(
    after: Annotated[
        str | None,
        typer.Option("--after", help="Start after this event id (default: from now on)"),
    ] = None,
    profile: ProfileName = None,
    json_output: Annotated[
        bool, typer.Option("--json", help="Print each event's JSON, a line each")
    ] = False,
) -> None:
    """Print the workspace's events as they happen, until Ctrl-C; a lost connection is
    resumed after the last event printed."""
    try:
        with remote(profile) as api:
            follow(api, after, json_output)
    except KeyboardInterrupt:
        typer.echo("", err=True)


APPS = {"events": app}
