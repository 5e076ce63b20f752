from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import Any, Self, TypeVar
from uuid import UUID

from attrs import define as _attrs_define
from attrs import field as _attrs_field

T = TypeVar("T", bound="InviteCreated")


@_attrs_define
class InviteCreated:
    """
    Attributes:
        expires_at (datetime.datetime):
        guest (str):
        id (UUID):
        invite (str):
        workspace_id (UUID):
    """

    expires_at: datetime.datetime
    guest: str
    id: UUID
    invite: str
    workspace_id: UUID
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        expires_at = self.expires_at.isoformat()

        guest = self.guest

        id = str(self.id)

        invite = self.invite

        workspace_id = str(self.workspace_id)

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "expires_at": expires_at,
                "guest": guest,
                "id": id,
                "invite": invite,
                "workspace_id": workspace_id,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)
        expires_at = datetime.datetime.fromisoformat(d.pop("expires_at"))

        guest = d.pop("guest")

        id = UUID(d.pop("id"))

        invite = d.pop("invite")

        workspace_id = UUID(d.pop("workspace_id"))

        invite_created = cls(
            expires_at=expires_at,
            guest=guest,
            id=id,
            invite=invite,
            workspace_id=workspace_id,
        )

        invite_created.additional_properties = d
        return invite_created

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
