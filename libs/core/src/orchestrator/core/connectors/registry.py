"""The connector types this deployment knows, and what each says about a connector's config.

Error keys are JSON pointers into the body that carried the config: the
config itself sits under ``/config``.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType
from typing import Any

from orchestrator.core.connectors import http_type
from orchestrator.core.connectors.ssrf import NetworkPolicy
from orchestrator.core.connectors.types import ConnectorType, OperationType
from orchestrator.core.errors import ValidationFailed

_TYPES: Mapping[str, ConnectorType] = MappingProxyType({http_type.TYPE_NAME: http_type.HTTP_TYPE})


def connector_types() -> Mapping[str, ConnectorType]:
    """Every connector type, by name."""
    return _TYPES


def get_connector_type(name: str) -> ConnectorType:
    """The connector type called ``name``; ``ValidationFailed`` (422) when there is none."""
    found = _TYPES.get(name)
    if found is None:
        raise ValidationFailed(
            f"There is no connector type {name!r}.",
            errors=[{"key": "/type", "message": f"must be one of: {', '.join(sorted(_TYPES))}"}],
        )
    return found


def validate_connector_config(
    type_name: str, config: Mapping[str, Any], *, network: NetworkPolicy | None = None
) -> None:
    """Raise ``ValidationFailed`` listing every problem of ``config`` for the type.

    ``network`` is the deployment's address policy for tenant-set URLs
    (default: read from ``ORCH_UPSTREAM_*`` in the environment).
    """
    get_connector_type(type_name)
    if type_name == http_type.TYPE_NAME:
        parsed = http_type.parse_config(config)
        http_type.check_network(parsed, network or NetworkPolicy.from_env())


def operations_of(type_name: str, config: Mapping[str, Any]) -> Mapping[str, OperationType]:
    """The operations a connector offers: its type's, or those its config declares."""
    connector_type = get_connector_type(type_name)
    if connector_type.operations_in_config and type_name == http_type.TYPE_NAME:
        return http_type.operations(http_type.parse_config(config))
    return connector_type.operations


def required_secrets(type_name: str, config: Mapping[str, Any]) -> set[str]:
    """The secret names a connector of this config must bind."""
    get_connector_type(type_name)
    if type_name == http_type.TYPE_NAME:
        return http_type.secret_names(http_type.parse_config(config))
    return set()
