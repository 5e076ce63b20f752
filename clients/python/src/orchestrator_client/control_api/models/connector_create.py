from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Self, TypeVar, cast

from attrs import define as _attrs_define

from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.connector_create_config import ConnectorCreateConfig
    from ..models.connector_create_secrets import ConnectorCreateSecrets


T = TypeVar("T", bound="ConnectorCreate")


@_attrs_define
class ConnectorCreate:
    """
    Attributes:
        name (str):
        type_ (str): A type of GET /api/v1/connector-types.
        config (ConnectorCreateConfig | Unset): Checked against the type's `config_schema` (422).
        enabled (bool | Unset):  Default: True.
        policy (None | str | Unset):
        secrets (ConnectorCreateSecrets | Unset): Each secret the type needs (its `secret_schema`) → a secret ref's
            name; a missing one is a 422.
    """

    name: str
    type_: str
    config: ConnectorCreateConfig | Unset = UNSET
    enabled: bool | Unset = True
    policy: None | str | Unset = UNSET
    secrets: ConnectorCreateSecrets | Unset = UNSET

    def to_dict(self) -> dict[str, Any]:
        name = self.name

        type_ = self.type_

        config: dict[str, Any] | Unset = UNSET
        if not isinstance(self.config, Unset):
            config = self.config.to_dict()

        enabled = self.enabled

        policy: None | str | Unset
        if isinstance(self.policy, Unset):
            policy = UNSET
        else:
            policy = self.policy

        secrets: dict[str, Any] | Unset = UNSET
        if not isinstance(self.secrets, Unset):
            secrets = self.secrets.to_dict()

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "name": name,
                "type": type_,
            }
        )
        if config is not UNSET:
            field_dict["config"] = config
        if enabled is not UNSET:
            field_dict["enabled"] = enabled
        if policy is not UNSET:
            field_dict["policy"] = policy
        if secrets is not UNSET:
            field_dict["secrets"] = secrets

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        from ..models.connector_create_config import ConnectorCreateConfig
        from ..models.connector_create_secrets import ConnectorCreateSecrets

        d = dict(src_dict)
        name = d.pop("name")

        type_ = d.pop("type")

        _config = d.pop("config", UNSET)
        config: ConnectorCreateConfig | Unset
        if isinstance(_config, Unset):
            config = UNSET
        else:
            config = ConnectorCreateConfig.from_dict(_config)

        enabled = d.pop("enabled", UNSET)

        def _parse_policy(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        policy = _parse_policy(d.pop("policy", UNSET))

        _secrets = d.pop("secrets", UNSET)
        secrets: ConnectorCreateSecrets | Unset
        if isinstance(_secrets, Unset):
            secrets = UNSET
        else:
            secrets = ConnectorCreateSecrets.from_dict(_secrets)

        connector_create = cls(
            name=name,
            type_=type_,
            config=config,
            enabled=enabled,
            policy=policy,
            secrets=secrets,
        )

        return connector_create
