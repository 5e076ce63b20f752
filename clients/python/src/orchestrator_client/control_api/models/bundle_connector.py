from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Self, TypeVar, cast

from attrs import define as _attrs_define

from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.bundle_connector_config import BundleConnectorConfig
    from ..models.bundle_connector_secrets import BundleConnectorSecrets


T = TypeVar("T", bound="BundleConnector")


@_attrs_define
class BundleConnector:
    """
    Attributes:
        name (str):
        type_ (str):
        config (BundleConnectorConfig | Unset):
        enabled (bool | Unset):  Default: True.
        policy (None | str | Unset):
        secrets (BundleConnectorSecrets | Unset):
    """

    name: str
    type_: str
    config: BundleConnectorConfig | Unset = UNSET
    enabled: bool | Unset = True
    policy: None | str | Unset = UNSET
    secrets: BundleConnectorSecrets | Unset = UNSET

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
        from ..models.bundle_connector_config import BundleConnectorConfig
        from ..models.bundle_connector_secrets import BundleConnectorSecrets

        d = dict(src_dict)
        name = d.pop("name")

        type_ = d.pop("type")

        _config = d.pop("config", UNSET)
        config: BundleConnectorConfig | Unset
        if isinstance(_config, Unset):
            config = UNSET
        else:
            config = BundleConnectorConfig.from_dict(_config)

        enabled = d.pop("enabled", UNSET)

        def _parse_policy(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        policy = _parse_policy(d.pop("policy", UNSET))

        _secrets = d.pop("secrets", UNSET)
        secrets: BundleConnectorSecrets | Unset
        if isinstance(_secrets, Unset):
            secrets = UNSET
        else:
            secrets = BundleConnectorSecrets.from_dict(_secrets)

        bundle_connector = cls(
            name=name,
            type_=type_,
            config=config,
            enabled=enabled,
            policy=policy,
            secrets=secrets,
        )

        return bundle_connector
