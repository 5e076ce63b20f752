"""The ``http`` type as the registry knows it: ``HTTP_TYPE`` and its config-side handler.

Its calls are not made here: the executor renders them (``rendering.render_request``)
and sends them through the pooled upstream client.
"""

from __future__ import annotations

from orchestrator.core.connectors.http.auth import ApiKeyAuth, BasicAuth, BearerAuth
from orchestrator.core.connectors.http.config import CONFIG_SCHEMA, SECRET_SCHEMA, HttpConfig
from orchestrator.core.connectors.http.parsing import check_network, parse_config
from orchestrator.core.connectors.types import ConnectorType, OperationType

TYPE_NAME = "http"
HTTP_TYPE = ConnectorType(
    name=TYPE_NAME,
    title="HTTP",
    description=(
        "Any HTTP API: each operation maps to a method, a path template under base_url, "
        "query, headers and a JSON body. Placeholders {member} take the payload's top-level "
        "members ({member?} when optional, {$} for the whole payload as a body value)."
    ),
    config_schema=CONFIG_SCHEMA,
    secret_schema=SECRET_SCHEMA,
    operations_in_config=True,
)


def operations(config: HttpConfig) -> dict[str, OperationType]:
    """The operations a config declares, as connector-type data."""
    return {
        name: OperationType(
            description=op.description,
            payload_schema=op.payload_schema,
            output_schema=op.output_schema,
            idempotent=op.is_idempotent,
        )
        for name, op in config.operations.items()
    }


def secret_names(config: HttpConfig) -> set[str]:
    """The secret names the config's auth reads."""
    auth = config.auth
    if isinstance(auth, BearerAuth | ApiKeyAuth):
        return {auth.secret}
    if isinstance(auth, BasicAuth):
        return {auth.password_secret} | ({auth.username_secret} if auth.username_secret else set())
    return set()


class HttpHandler:
    """The ``http`` type's config side; its calls take the executor's HTTP path."""

    connector_type = HTTP_TYPE

    # The module's functions are the handler's methods as they are: no wrapper to pass through.
    parse_config = staticmethod(parse_config)
    check_network = staticmethod(check_network)
    operations = staticmethod(operations)
    secret_names = staticmethod(secret_names)


HANDLER = HttpHandler()
