"""Command groups built only when used: ``orchestrator --help`` lists them by the name and
help they are registered with, without importing their modules or reading their
commands' signatures (which, for every operator command, would cost more than the rest
of the start-up)."""

from __future__ import annotations

import importlib
from typing import Any, ClassVar

from typer import _click
from typer.core import TyperCommand, TyperGroup


class LazyGroup(TyperGroup):
    """A group whose ``LAZY`` commands come from their modules' ``APPS`` when run."""

    LAZY: ClassVar[dict[str, tuple[str, str]]] = {}
    """Command name → (module, one-line help)."""

    _listing = False

    def list_commands(self, ctx: _click.Context) -> list[str]:
        return [*super().list_commands(ctx), *self.LAZY]

    def get_command(self, ctx: _click.Context, cmd_name: str) -> _click.Command | None:
        if cmd_name not in self.LAZY:
            return super().get_command(ctx, cmd_name)
        module, help_text = self.LAZY[cmd_name]
        if self._listing:  # the top-level help needs the name and help only
            return TyperCommand(name=cmd_name, help=help_text)
        return self.load(cmd_name, module, help_text)

    def format_commands(self, ctx: _click.Context, formatter: _click.HelpFormatter) -> None:
        self._listing = True
        try:
            super().format_commands(ctx, formatter)
        finally:
            self._listing = False

    @staticmethod
    def load(name: str, module: str, help_text: str) -> _click.Command:
        """The command (or group) ``name`` as typer builds it from its module's app."""
        from typer.main import get_command

        app: Any = importlib.import_module(module).APPS[name]
        command = get_command(app)
        command.name = name
        command.help = command.help or help_text
        return command
