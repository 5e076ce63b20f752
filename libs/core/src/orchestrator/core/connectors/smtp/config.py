"""The ``smtp`` connector's config: the ``SmtpConfig`` struct, its schemas and its checks.

``parse_config`` lists every problem of a config at once; ``check_network`` applies
the deployment's address policy to the tenant-set host.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Annotated, Any, Literal

import msgspec

from orchestrator.core.connectors.configs import parse_struct, refuse_address
from orchestrator.core.upstream.ssrf import NetworkPolicy

# An ASCII addr-spec without display name, comments or IP literals: what is typed in a
# To field, and nothing a header or the SMTP envelope could be smuggled through.
ADDRESS_PATTERN = (
    r"^[A-Za-z0-9!#$%&'*+/=?^_`{|}~.-]{1,64}@[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?"
    r"(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)+$"
)
_HOST_PATTERN = r"^(?:[A-Za-z0-9.-]+|\[[0-9A-Fa-f:.]+\])$"

Address = Annotated[str, msgspec.Meta(max_length=254, pattern=ADDRESS_PATTERN)]
Security = Literal["starttls", "tls", "none"]


class SmtpConfig(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """A connector of type ``smtp``."""

    host: Annotated[str, msgspec.Meta(min_length=1, max_length=253, pattern=_HOST_PATTERN)]
    port: Annotated[int, msgspec.Meta(ge=1, le=65535)]
    security: Security = "starttls"
    """``starttls`` (upgrade, required), ``tls`` (implicit TLS, e.g. 465) or ``none``."""
    from_address: Address
    reply_to: Address | None = None
    timeout: Annotated[float, msgspec.Meta(gt=0, le=300)] = 30.0
    """Seconds to wait for each SMTP reply (the policy's timeouts cap it)."""

    @property
    def domain(self) -> str:
        """The sender's domain: the right-hand side of Message-IDs and the EHLO name."""
        return self.from_address.rsplit("@", 1)[1].lower()


CONFIG_SCHEMA: dict[str, Any] = msgspec.json.schema(SmtpConfig)
SECRET_SCHEMA: dict[str, Any] = {
    "type": "object",
    "description": "AUTH credentials, both or neither; only ever sent over TLS.",
    "properties": {"username": {"type": "string"}, "password": {"type": "string"}},
    "additionalProperties": False,
    "dependentRequired": {"username": ["password"], "password": ["username"]},
}


def parse_config(config: Mapping[str, Any] | SmtpConfig, *, prefix: str = "/config") -> SmtpConfig:
    """The config as an ``SmtpConfig``, or ``ValidationFailed`` listing every problem."""
    return parse_struct(config, SmtpConfig, CONFIG_SCHEMA, prefix=prefix)


def check_network(config: SmtpConfig, network: NetworkPolicy, *, prefix: str = "/config") -> None:
    """Refuse (422) a ``host`` the deployment's address policy forbids."""
    refuse_address(network.host_problem(config.host), "host", prefix=prefix)
