from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Self, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

if TYPE_CHECKING:
    from ..models.connector_out_config import ConnectorOutConfig
    from ..models.connector_out_secrets import ConnectorOutSecrets


T = TypeVar("T", bound="ConnectorOut")


@_attrs_define
class ConnectorOut:
    """
    Attributes:
        config (ConnectorOutConfig):
        created_at (datetime.datetime):
        enabled (bool):
        name (str):
        policy (None | str):
        secrets (ConnectorOutSecrets):
        type_ (str):
        updated_at (datetime.datetime):
        version (int):
    """

    config: ConnectorOutConfig
    created_at: datetime.datetime
    enabled: bool
    name: str
    policy: None | str
    secrets: ConnectorOutSecrets
    type_: str
    updated_at: datetime.datetime
    version: int
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        config = self.config.to_dict()

        created_at = self.created_at.isoformat()

        enabled = self.enabled

        name = self.name

        policy: None | str
        policy = self.policy

        secrets = self.secrets.to_dict()

        type_ = self.type_

        updated_at = self.updated_at.isoformat()

        version = self.version

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "config": config,
                "created_at": created_at,
                "enabled": enabled,
                "name": name,
                "policy": policy,
                "secrets": secrets,
                "type": type_,
                "updated_at": updated_at,
                "version": version,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        from ..models.connector_out_config import ConnectorOutConfig
        from ..models.connector_out_secrets import ConnectorOutSecrets

        d = dict(src_dict)
        config = ConnectorOutConfig.from_dict(d.pop("config"))

        created_at = datetime.datetime.fromisoformat(d.pop("created_at"))

        enabled = d.pop("enabled")

        name = d.pop("name")

        def _parse_policy(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        policy = _parse_policy(d.pop("policy"))

        secrets = ConnectorOutSecrets.from_dict(d.pop("secrets"))

        type_ = d.pop("type")

        updated_at = datetime.datetime.fromisoformat(d.pop("updated_at"))

        version = d.pop("version")

        connector_out = cls(
            config=config,
            created_at=created_at,
            enabled=enabled,
            name=name,
            policy=policy,
            secrets=secrets,
            type_=type_,
            updated_at=updated_at,
            version=version,
        )

        connector_out.additional_properties = d
        return connector_out

    @property
    def additional_keys(self) -> list[str]:
        return list(self.additional_properties.keys())

    def __getitem__(self, key: str) -> Any:
        return self.additional_properties[key]

    def __setitem__(self, key: str, value: Any) -> None:
        self.additional_properties[key] = value

    def __delitem__(self, key: str) -> None:
        del self.additional_properties[key]

    def __contains__(self, key: str) -> bool:
        return key in self.additional_properties
