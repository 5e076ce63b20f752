"""What commands print: a table or a record for people, the API's JSON with ``--json``."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any

import typer

Column = tuple[str, Callable[[Mapping[str, Any]], Any]]
"""A table column: its header and how a row's cell is read from an item."""


def field(name: str) -> Column:
    """A column showing one field of the item, headed by its name."""
    return name.upper(), lambda item: item.get(name)


def cell(value: Any) -> str:
    """A value as a table cell: ``-`` for none, compact JSON for structures."""
    if value is None:
        return "-"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, dict | list):
        return json.dumps(value, separators=(",", ":"))
    return str(value)


def as_json(data: Any) -> str:
    """The API's JSON, indented."""
    return json.dumps(data, indent=2, ensure_ascii=False)


def table(items: Iterable[Mapping[str, Any]], columns: Sequence[Column]) -> None:
    """Print ``items`` as aligned columns under their headers."""
    rows = [[h for h, _ in columns]] + [[cell(read(i)) for _, read in columns] for i in items]
    widths = [max(len(row[n]) for row in rows) for n in range(len(columns))]
    for row in rows:
        typer.echo("  ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)).rstrip())


def record(item: Mapping[str, Any]) -> None:
    """Print one item, a field a line."""
    width = max((len(k) for k in item), default=0)
    for key, value in item.items():
        typer.echo(f"{key.ljust(width)}  {cell(value)}")


def show(data: Any, json_wanted: bool, columns: Sequence[Column] | None = None) -> None:
    """``data`` as JSON, or as a table (a list, with ``columns``) or a record (an object)."""
    if json_wanted:
        typer.echo(as_json(data))
    elif isinstance(data, list):
        table(data, columns or [])
    else:
        record(data)
