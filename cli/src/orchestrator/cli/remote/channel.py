"""``channel watch`` and ``channel send``: the workspace status channel (docs/channels.md)
from a terminal, as the stored login's operator. ``watch`` opens a channel session, prints
each event of its stream as a line until Ctrl-C, and closes the session on the way out."""

from __future__ import annotations

import contextlib
import json
from typing import TYPE_CHECKING, Annotated, Any

import typer

from orchestrator.cli.remote.events import messages
from orchestrator.cli.remote.options import ProfileName, Workspace, group, remote

if TYPE_CHECKING:
    from orchestrator.cli.remote.client import Remote

app = group()

SILENCE_S = 45.0
"""A stream silent this long is taken as lost (the server sends a heartbeat every 15 s)."""
PAUSE_S = 0.5
"""The wait before reconnecting a lost stream (its session is still open)."""


def describe(event: dict[str, Any]) -> str:
    """An event as one readable line: when, its type, who, and what."""
    import datetime as dt

    at = event.get("at")
    when = dt.datetime.fromtimestamp(at, dt.UTC).strftime("%H:%M:%S") if at else "-"
    kind = event.get("type", "?")
    actor = (event.get("actor") or {}).get("name", "")
    if kind == "snapshot":
        counts = " ".join(f"{c['action']}={c['count']}" for c in event.get("counters") or [])
        what = f"sessions={event.get('sessions', 0)} {counts}".strip()
    elif kind == "presence":
        what = f"sessions={event.get('sessions', 0)}"
    elif kind == "action" and event.get("action") == "vote":
        what = f"vote {event.get('poll')}={event.get('choice')} (count {event.get('count')})"
    elif kind == "action":
        what = f"{event.get('action')} (count {event.get('count')})"
    elif kind == "status":
        figures = " ".join(f"{k}={v}" for k, v in (event.get("figures") or {}).items())
        what = f"{event.get('status')} {event.get('subject', '')} {figures}".strip()
    else:
        what = ""
    return "  ".join(part for part in (when, kind, actor, what) if part)


def watch_session(api: Remote, session: str, json_output: bool) -> str:
    """Print the session's events until it ends; why it ended (``closed``, or the refusal
    of a reconnect). A lost connection is reopened on the same session."""
    import time

    import httpx

    url = f"{api.base('control')}/api/v1/channel/stream"
    params = {"session": session, **({"workspace": api.workspace} if api.workspace else {})}
    timeout = httpx.Timeout(10.0, read=SILENCE_S)
    fresh = False
    while True:
        try:
            headers = {"Authorization": f"Bearer {api.token('control', fresh=fresh)}"}
            with api.http.stream(
                "GET", url, params=params, headers=headers, timeout=timeout
            ) as answer:
                if answer.status_code == 401 and not fresh:
                    fresh = True  # the token expired: a new one, at once
                    continue
                if not answer.is_success:
                    return f"the stream was refused ({answer.status_code})"
                fresh = False
                for message in messages(answer.iter_lines()):
                    text = "\n".join(message.data)
                    event = json.loads(text)
                    typer.echo(text if json_output else describe(event))
                    if event.get("type") == "closed":
                        return "closed"
        except httpx.TransportError as exc:
            typer.echo(f"disconnected ({type(exc).__name__}); reconnecting", err=True)
        time.sleep(PAUSE_S)


@app.command("watch")
def watch(
    profile: ProfileName = None,
    workspace: Workspace = None,
    json_output: Annotated[
        bool, typer.Option("--json", help="Print each event's JSON, a line each")
    ] = False,
) -> None:
    """Open a session on the workspace's status channel and print its events as they come
    (actions, votes, presence, the orchestrator's statuses) until Ctrl-C, which closes the
    session. Opening a fourth session of yours closes your oldest (a console tab, say)."""
    from orchestrator.cli.remote.client import ApiError

    with remote(profile, workspace) as api:
        opened = api.call("control", "POST", "/channel/sessions")
        session = str(opened["id"])
        typer.echo(f"session {session} open ({opened['sessions']} on the channel)", err=True)
        try:
            why = watch_session(api, session, json_output)
        except KeyboardInterrupt:
            # closed already, perhaps (another took its place, or it sat idle)
            with contextlib.suppress(ApiError):
                api.send("control", "DELETE", f"/channel/sessions/{session}")
            typer.echo(f"session {session} closed", err=True)
            return
        typer.echo(f"session {session} ended: {why}", err=True)
        raise typer.Exit(1)


@app.command("send")
def send(
    action: Annotated[str, typer.Argument(help="A canned action: thumbs_up, ready, vote, …")],
    poll: Annotated[str | None, typer.Option("--poll", help="The poll a vote is in")] = None,
    choice: Annotated[str | None, typer.Option("--choice", help="The vote's choice")] = None,
    session: Annotated[
        str | None,
        typer.Option(
            "--session", help="An open session of yours (default: a new one, closed after)"
        ),
    ] = None,
    profile: ProfileName = None,
    workspace: Workspace = None,
    json_output: Annotated[bool, typer.Option("--json", help="Print the API's JSON")] = False,
) -> None:
    """Send a canned action (or a vote: ``vote --poll P --choice C``) to the workspace's
    status channel; every watcher sees it live."""
    body: dict[str, Any] = {"action": action, "poll": poll, "choice": choice}
    with remote(profile, workspace) as api:
        own = session is None
        if session is None:
            session = str(api.call("control", "POST", "/channel/sessions")["id"])
        try:
            sent = api.call(
                "control",
                "POST",
                "/channel/actions",
                json={"session": session, **{k: v for k, v in body.items() if v is not None}},
            )
        finally:
            if own:
                api.send("control", "DELETE", f"/channel/sessions/{session}")
    typer.echo(json.dumps(sent) if json_output else describe(sent))


APPS = {"channel": app}
