"""What every remote command shares: ``--profile``, ``--json``, ``--reason``, and the
client for the chosen profile (imported when a command runs, not when it is declared)."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Annotated

import typer

if TYPE_CHECKING:
    from orchestrator.cli.remote.client import Remote

ProfileName = Annotated[
    str | None,
    typer.Option(
        "--profile",
        envvar="ORCH_PROFILE",
        help="Stored login to use (default: `default`)",
        show_default=False,
    ),
]
Workspace = Annotated[
    str | None,
    typer.Option(
        "--workspace",
        envvar="ORCH_WORKSPACE",
        help="Another workspace of your organization, by id (default: your login's)",
        show_default=False,
    ),
]
Json = Annotated[bool, typer.Option("--json", help="Print the API's JSON")]
Reason = Annotated[str, typer.Option("--reason", help="Why (recorded in the audit log; required)")]
Most = Annotated[
    int | None,
    typer.Option("--limit", min=1, help="At most this many (default: every page)"),
]
Yes = Annotated[bool, typer.Option("--yes", "-y", help="Do not ask for confirmation")]


def group() -> typer.Typer:
    """A command group (its help is the one ``main`` registers it with); a group even
    with one command (``events tail``), which typer would otherwise make the command."""
    app = typer.Typer(no_args_is_help=True, rich_markup_mode=None, add_completion=False)
    app.callback()(_no_options)
    return app


def _no_options() -> None:
    pass


def single(command: Callable[..., None]) -> typer.Typer:
    """An app of one command, for a command registered at the top level."""
    app = typer.Typer(rich_markup_mode=None, add_completion=False)
    app.command()(command)
    return app


def remote(profile: str | None, workspace: str | None = None) -> Remote:
    """A client acting as the chosen profile's identities (on the control plane, in
    ``workspace`` when given)."""
    from orchestrator.cli.remote.client import Remote
    from orchestrator.cli.remote.profiles import load

    return Remote(load(profile)[1], workspace=workspace)
