from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import Any, Self, TypeVar, cast
from uuid import UUID

from attrs import define as _attrs_define
from attrs import field as _attrs_field

T = TypeVar("T", bound="ServiceIdentityOut")


@_attrs_define
class ServiceIdentityOut:
    """
    Attributes:
        client_id (str):
        created_at (datetime.datetime):
        disabled_at (datetime.datetime | None):
        enabled (bool):
        id (UUID):
        name (str):
        scopes (list[str]):
        workspace_id (UUID):
    """

    client_id: str
    created_at: datetime.datetime
    disabled_at: datetime.datetime | None
    enabled: bool
    id: UUID
    name: str
    scopes: list[str]
    workspace_id: UUID
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        client_id = self.client_id

        created_at = self.created_at.isoformat()

        disabled_at: None | str
        if isinstance(self.disabled_at, datetime.datetime):
            disabled_at = self.disabled_at.isoformat()
        else:
            disabled_at = self.disabled_at

        enabled = self.enabled

        id = str(self.id)

        name = self.name

        scopes = self.scopes

        workspace_id = str(self.workspace_id)

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "client_id": client_id,
                "created_at": created_at,
                "disabled_at": disabled_at,
                "enabled": enabled,
                "id": id,
                "name": name,
                "scopes": scopes,
                "workspace_id": workspace_id,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)
        client_id = d.pop("client_id")

        created_at = datetime.datetime.fromisoformat(d.pop("created_at"))

        def _parse_disabled_at(data: object) -> datetime.datetime | None:
            if data is None:
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                disabled_at_type_0 = datetime.datetime.fromisoformat(data)

                return disabled_at_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(datetime.datetime | None, data)

        disabled_at = _parse_disabled_at(d.pop("disabled_at"))

        enabled = d.pop("enabled")

        id = UUID(d.pop("id"))

        name = d.pop("name")

        scopes = cast(list[str], d.pop("scopes"))

        workspace_id = UUID(d.pop("workspace_id"))

        service_identity_out = cls(
            client_id=client_id,
            created_at=created_at,
            disabled_at=disabled_at,
            enabled=enabled,
            id=id,
            name=name,
            scopes=scopes,
            workspace_id=workspace_id,
        )

        service_identity_out.additional_properties = d
        return service_identity_out

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
