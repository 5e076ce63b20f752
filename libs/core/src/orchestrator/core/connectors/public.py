"""What other domains may use of the connectors domain: its table, the registry of types and
operations, the result of an attempt, handlers, rendering and parsing of HTTP calls, payload validation and a
connector's secrets.

The only module of this domain that another domain may import (`.importlinter`, ADR 0072).
"""

from orchestrator.core.connectors.handlers import CodeHandler, SendContext
from orchestrator.core.connectors.http.rendering import render_request
from orchestrator.core.connectors.http.responses import parse_response_body
from orchestrator.core.connectors.models import Connector
from orchestrator.core.connectors.registry import (
    code_handler,
    connector_types,
    operations_of,
    parse_config,
    required_secrets,
    validate_connector_config,
)
from orchestrator.core.connectors.results import AttemptResult
from orchestrator.core.connectors.secrets import connector_secrets
from orchestrator.core.connectors.types import OperationType
from orchestrator.core.connectors.validation import instance_errors, validate_payload

__all__ = [
    "AttemptResult",
    "CodeHandler",
    "Connector",
    "OperationType",
    "SendContext",
    "code_handler",
    "connector_secrets",
    "connector_types",
    "instance_errors",
    "operations_of",
    "parse_config",
    "parse_response_body",
    "render_request",
    "required_secrets",
    "validate_connector_config",
    "validate_payload",
]
