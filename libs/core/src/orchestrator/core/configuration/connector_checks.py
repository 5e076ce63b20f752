"""A connector checked against its type (the registry) and the workspace's secret refs."""

from __future__ import annotations

from collections.abc import Container, Mapping, Sequence
from typing import Any

from orchestrator.core.configuration.validation import FieldErrors
from orchestrator.core.configuration.validation import at as pointer
from orchestrator.core.connectors.public import (
    connector_types,
    operations_of,
    required_secrets,
    validate_connector_config,
)
from orchestrator.core.errors import ValidationFailed


def connector_errors(
    type_name: str,
    config: Mapping[str, Any],
    secrets: Mapping[str, str],
    *,
    at: str,
    known_refs: Container[str],
) -> FieldErrors:
    """Errors of a connector at the pointer ``at``: unknown type, config against the type's
    schema, a secret the type needs with no ref mapped, a mapped ref that does not exist."""
    types = connector_types()
    if type_name not in types:
        return [
            {
                "key": pointer(at, "type"),
                "message": f"unknown connector type `{type_name}`; "
                f"known: {', '.join(sorted(types))}",
            }
        ]
    errors: FieldErrors = []
    try:
        validate_connector_config(type_name, config)
    except ValidationFailed as exc:
        errors.extend(_rebased(exc, at))
        return errors  # required secrets may depend on a config that does not check out
    for secret in sorted(required_secrets(type_name, config) - secrets.keys()):
        errors.append(
            {
                "key": pointer(at, "secrets", secret),
                "message": f"type `{type_name}` needs the secret `{secret}`: "
                "map it to a secret ref",
            }
        )
    for secret, ref in sorted(secrets.items()):
        if ref not in known_refs:
            errors.append(
                {"key": pointer(at, "secrets", secret), "message": f"no secret ref called `{ref}`"}
            )
    return errors


def bound_operation_errors(
    type_name: str, config: Mapping[str, Any], bound: Mapping[str, Sequence[str]], *, at: str
) -> FieldErrors:
    """Operations webhook bindings start (``bound``: operation → source names) that a
    replacement connector (of a type and config that check out) would no longer offer."""
    offered = operations_of(type_name, config)
    # Where the operation went: out of the config's operations, or with a change of type.
    declared_in_config = connector_types()[type_name].operations_in_config
    return [
        {
            "key": pointer(at, "config", "operations", operation)
            if declared_in_config
            else pointer(at, "type"),
            "message": f"operation `{operation}` is bound to events of webhook sources: "
            f"{', '.join(sources)}; delete those bindings first",
        }
        for operation, sources in sorted(bound.items())
        if operation not in offered
    ]


def _rebased(exc: ValidationFailed, prefix: str) -> FieldErrors:
    """The registry's field errors under ``prefix``."""
    listed = exc.extensions.get("errors") or [{"key": "/config", "message": exc.detail}]
    return [
        {"key": prefix + str(error.get("key", "/config")), "message": str(error["message"])}
        for error in listed
    ]
