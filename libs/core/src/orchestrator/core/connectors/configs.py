"""Parsing a connector config of a fixed shape (a ``msgspec.Struct``), as code handlers do,
and refusing the address a config names when the deployment's policy forbids it.

The JSON Schema first, so that every problem is listed at once under its pointer; then
the conversion, which the schema should already have made sure of.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar

import msgspec

from orchestrator.core.connectors.validation import instance_errors
from orchestrator.core.errors import ValidationFailed

T = TypeVar("T", bound=msgspec.Struct)


def parse_struct(
    config: Mapping[str, Any] | T, kind: type[T], schema: Mapping[str, Any], *, prefix: str
) -> T:
    """``config`` as a ``kind``, or ``ValidationFailed`` listing every problem."""
    if isinstance(config, kind):
        return config
    errors = instance_errors(schema, config, prefix=prefix)
    if errors:
        raise ValidationFailed("The connector config is not valid.", errors=errors)
    try:
        return msgspec.convert(config, kind)
    except msgspec.ValidationError as exc:  # the schema above should have caught it
        raise ValidationFailed(
            "The connector config is not valid.", errors=[{"key": prefix, "message": str(exc)}]
        ) from exc


def refuse_address(problem: str | None, field: str, *, prefix: str) -> None:
    """Refuse (422) the config's ``field`` when the address policy found a ``problem`` in it."""
    if problem:
        raise ValidationFailed(
            f"The connector's {field} is not allowed.",
            errors=[{"key": f"{prefix}/{field}", "message": problem}],
        )
