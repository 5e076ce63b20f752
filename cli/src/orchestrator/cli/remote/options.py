"""What every remote command shares: ``--profile``, ``--json``, ``--reason``, and the
client for the chosen profile (imported when a command runs, not when it is declared)."""

from __future__ import annotations

import functools
import inspect
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Annotated, Any, get_type_hints

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


@dataclass(frozen=True)
class Target:
    """What every remote command's common options say: the stored login to act as, the
    workspace on the control plane, and whether to print the API's JSON."""

    profile: str | None = None
    workspace: str | None = None
    json: bool = False

    def remote(self) -> Remote:
        """The client acting as the login's identities, in ``workspace`` when given."""
        return remote(self.profile, self.workspace)


_COMMON = {"workspace": (Workspace, None), "profile": (ProfileName, None), "json": (Json, False)}
"""The common options, after a command's own: name, declaration, default."""


def acting(
    *, plane: str = "control", prints: bool = True
) -> Callable[[Callable[..., None]], Callable[..., None]]:
    """Make ``command(target, …)`` a Typer command that also takes ``--profile``,
    ``--json`` (unless it never ``prints`` JSON) and, on the control ``plane``,
    ``--workspace``: declared once here, passed to it as one ``Target``."""
    common = [
        name
        for name in _COMMON
        if (name != "workspace" or plane == "control") and (name != "json" or prints)
    ]

    def declare(command: Callable[..., None]) -> Callable[..., None]:
        hints = get_type_hints(command, include_extras=True)
        own = list(inspect.signature(command).parameters.values())[1:]
        parameters = [p.replace(annotation=hints[p.name]) for p in own] + [
            inspect.Parameter(
                name,
                inspect.Parameter.KEYWORD_ONLY,
                default=_COMMON[name][1],
                annotation=_COMMON[name][0],
            )
            for name in common
        ]

        @functools.wraps(command)
        def declared(**given: Any) -> None:
            options = {name: given.pop(name) for name in common}
            command(Target(**options), **given)

        declared.__signature__ = inspect.Signature(parameters, return_annotation=None)  # type: ignore[attr-defined]
        declared.__annotations__ = {p.name: p.annotation for p in parameters} | {"return": None}
        return declared

    return declare
