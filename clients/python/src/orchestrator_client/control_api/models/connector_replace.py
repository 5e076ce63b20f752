from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Self, TypeVar, cast

from attrs import define as _attrs_define

from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.connector_replace_config import ConnectorReplaceConfig
    from ..models.connector_replace_secrets import ConnectorReplaceSecrets


T = TypeVar("T", bound="ConnectorReplace")


@_attrs_define
class ConnectorReplace:
    """
    Attributes:
        type_ (str): A type of GET /api/v1/connector-types.
        config (ConnectorReplaceConfig | Unset): Checked against the type's `config_schema` (422).
        enabled (bool | Unset):  Default: True.
        policy (None | str | Unset):
        secrets (ConnectorReplaceSecrets | Unset): Each secret the type needs (its `secret_schema`) → a secret ref's
            name; a missing one is a 422.
    """

    type_: str
    config: ConnectorReplaceConfig | Unset = UNSET
    enabled: bool | Unset = True
    policy: None | str | Unset = UNSET
    secrets: ConnectorReplaceSecrets | Unset = UNSET

    def to_dict(self) -> dict[str, Any]:
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
        from ..models.connector_replace_config import ConnectorReplaceConfig
        from ..models.connector_replace_secrets import ConnectorReplaceSecrets

        d = dict(src_dict)
        type_ = d.pop("type")

        _config = d.pop("config", UNSET)
        config: ConnectorReplaceConfig | Unset
        if isinstance(_config, Unset):
            config = UNSET
        else:
            config = ConnectorReplaceConfig.from_dict(_config)

        enabled = d.pop("enabled", UNSET)

        def _parse_policy(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        policy = _parse_policy(d.pop("policy", UNSET))

        _secrets = d.pop("secrets", UNSET)
        secrets: ConnectorReplaceSecrets | Unset
        if isinstance(_secrets, Unset):
            secrets = UNSET
        else:
            secrets = ConnectorReplaceSecrets.from_dict(_secrets)

        connector_replace = cls(
            type_=type_,
            config=config,
            enabled=enabled,
            policy=policy,
            secrets=secrets,
        )

        return connector_replace
