"""``login``, ``logout`` and ``profiles``: the stored logins other commands act as."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

import typer

from orchestrator.cli.remote.options import Json, single

if TYPE_CHECKING:
    from orchestrator.cli.remote.profiles import Profile

NamedProfile = Annotated[
    str | None,
    typer.Option("--profile", envvar="ORCH_PROFILE", help="Profile name (default: `default`)"),
]


def login(
    profile: NamedProfile = None,
    control_url: Annotated[
        str | None, typer.Option("--control-url", help="The control-api's base URL")
    ] = None,
    exec_url: Annotated[
        str | None, typer.Option("--exec-url", help="The exec-api's base URL")
    ] = None,
    client_id: Annotated[
        str | None, typer.Option("--client-id", help="An operator identity (op_…)")
    ] = None,
    client_secret: Annotated[
        str | None,
        typer.Option(
            "--client-secret",
            envvar="ORCH_CLIENT_SECRET",
            help="Its secret (asked for when not given)",
            show_default=False,
        ),
    ] = None,
    exec_client_id: Annotated[
        str | None,
        typer.Option("--exec-client-id", help="An exec identity (svc_…), for the exec plane"),
    ] = None,
    exec_client_secret: Annotated[
        str | None,
        typer.Option(
            "--exec-client-secret",
            envvar="ORCH_EXEC_CLIENT_SECRET",
            help="Its secret (asked for when an exec identity is given without it)",
            show_default=False,
        ),
    ] = None,
    from_dev_stack: Annotated[
        bool,
        typer.Option("--from-dev-stack", help="Log in to the demo workspace of `make run`"),
    ] = False,
) -> None:
    """Check an identity's credentials (a token is fetched) and store them as a profile."""
    from orchestrator.cli.remote.client import Remote
    from orchestrator.cli.remote.profiles import Profile, chosen, config_file, store

    if from_dev_stack:
        entered = dev_stack_profile()
    else:
        missing = [
            flag
            for flag, value in (
                ("--control-url", control_url),
                ("--exec-url", exec_url),
                ("--client-id", client_id),
            )
            if not value
        ]
        if missing:
            raise typer.BadParameter(
                f"give {', '.join(missing)} (or --from-dev-stack)", param_hint=missing[0]
            )
        if client_secret is None:
            client_secret = typer.prompt("Client secret", hide_input=True)
        if exec_client_id and exec_client_secret is None:
            exec_client_secret = typer.prompt("Exec client secret", hide_input=True)
        entered = Profile(
            control_url=str(control_url),
            exec_url=str(exec_url),
            client_id=str(client_id),
            client_secret=client_secret,
            exec_client_id=exec_client_id or "",
            exec_client_secret=exec_client_secret or "",
        )
    with Remote(entered) as api:
        api.token("control")
        if entered.exec_client_id:
            api.token("exec")
    name = chosen(profile)
    store(name, entered)
    planes = f" and {entered.exec_client_id}" if entered.exec_client_id else ""
    typer.echo(f"logged in as {entered.client_id}{planes}: profile {name!r} ({config_file()})")


def dev_stack_profile() -> Profile:
    """The demo workspace's login, from ``.data/demo.env`` of the checkout's dev stack."""
    import os
    from pathlib import Path

    from orchestrator.cli import devstack
    from orchestrator.cli.remote.profiles import ProfileError, from_dev_stack

    data_dir = Path(os.environ.get("ORCH_DATA_DIR") or devstack.nearest(Path.cwd(), Path(".data")))
    path = data_dir / devstack.DEMO_FILE
    try:
        return from_dev_stack(path.read_text())
    except FileNotFoundError:
        raise ProfileError(f"no {path}: is `make run` running in another shell?") from None


def logout(profile: NamedProfile = None) -> None:
    """Forget a stored login."""
    from orchestrator.cli.remote.profiles import chosen, forget

    name = chosen(profile)
    typer.echo(f"profile {name!r} removed" if forget(name) else f"no profile {name!r}")


def profiles(json_output: Json = False) -> None:
    """List the stored logins (no secrets); `*` marks the one commands use by default."""
    from orchestrator.cli.remote.output import field, show
    from orchestrator.cli.remote.profiles import chosen, load_all

    default = chosen(None)
    rows = [
        {"name": name, "default": name == default, **p.public()} for name, p in load_all().items()
    ]
    columns = [
        ("", lambda r: "*" if r["default"] else " "),
        *map(field, ("name", "control_url", "exec_url", "client_id", "exec_client_id")),
    ]
    show(rows, json_output, columns)


APPS = {"login": single(login), "logout": single(logout), "profiles": single(profiles)}
