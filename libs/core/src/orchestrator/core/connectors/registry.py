"""The connector types this deployment knows, and what each says about a connector's config.

Each type is registered with its handler (``handlers.ConnectorHandler``): ``http`` is
served by templates and the upstream HTTP client, a *code handler* (``smtp``,
``stripe``) renders and sends its calls itself (``handlers.CodeHandler``). Error keys are JSON pointers
into the body that carried the config: the config itself sits under ``/config``.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType
from typing import Any

from orchestrator.core.connectors.handlers import CodeHandler, ConnectorHandler
from orchestrator.core.connectors.http import handler as http_handler
from orchestrator.core.connectors.smtp import handler as smtp_handler
from orchestrator.core.connectors.stripe import handler as stripe_handler
from orchestrator.core.connectors.types import ConnectorType, OperationType
from orchestrator.core.errors import ValidationFailed
from orchestrator.core.upstream.ssrf import NetworkPolicy

_HANDLERS: Mapping[str, ConnectorHandler] = MappingProxyType(
    {
        http_handler.TYPE_NAME: http_handler.HANDLER,
        smtp_handler.TYPE_NAME: smtp_handler.HANDLER,
        stripe_handler.TYPE_NAME: stripe_handler.HANDLER,
    }
)
_CODE_HANDLERS: Mapping[str, CodeHandler] = MappingProxyType(
    {
        smtp_handler.TYPE_NAME: smtp_handler.HANDLER,
        stripe_handler.TYPE_NAME: stripe_handler.HANDLER,
    }
)
_TYPES: Mapping[str, ConnectorType] = MappingProxyType(
    {name: handler.connector_type for name, handler in _HANDLERS.items()}
)


def connector_types() -> Mapping[str, ConnectorType]:
    """Every connector type, by name."""
    return _TYPES


def get_connector_type(name: str) -> ConnectorType:
    """The connector type called ``name``; ``ValidationFailed`` (422) when there is none."""
    return _handler(name).connector_type


def _handler(name: str) -> ConnectorHandler:
    found = _HANDLERS.get(name)
    if found is None:
        raise ValidationFailed(
            f"There is no connector type {name!r}.",
            errors=[{"key": "/type", "message": f"must be one of: {', '.join(sorted(_TYPES))}"}],
        )
    return found


def code_handler(type_name: str) -> CodeHandler | None:
    """The code handler serving ``type_name``; None for ``http`` (the executor's own path)."""
    return _CODE_HANDLERS.get(type_name)


def parse_config(type_name: str, config: Mapping[str, Any]) -> Any:
    """The config parsed by its type (``ValidationFailed`` listing every problem)."""
    return _handler(type_name).parse_config(config)


def validate_connector_config(
    type_name: str, config: Mapping[str, Any], *, network: NetworkPolicy | None = None
) -> None:
    """Raise ``ValidationFailed`` listing every problem of ``config`` for the type.

    ``network`` is the deployment's address policy for tenant-set hosts and URLs
    (default: read from ``ORCH_UPSTREAM_*`` in the environment).
    """
    handler = _handler(type_name)
    handler.check_network(handler.parse_config(config), network or NetworkPolicy.from_env())


def operations_of(type_name: str, config: Mapping[str, Any]) -> Mapping[str, OperationType]:
    """The operations a connector offers: its type's, or those its config declares."""
    handler = _handler(type_name)
    if handler.connector_type.operations_in_config:
        return handler.operations(handler.parse_config(config))
    return handler.connector_type.operations


def required_secrets(type_name: str, config: Mapping[str, Any]) -> set[str]:
    """The secret names a connector of this config must bind."""
    handler = _handler(type_name)
    return handler.secret_names(handler.parse_config(config))
