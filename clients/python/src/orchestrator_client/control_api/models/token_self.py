from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Self, TypeVar, cast
from uuid import UUID

from attrs import define as _attrs_define
from attrs import field as _attrs_field

T = TypeVar("T", bound="TokenSelf")


@_attrs_define
class TokenSelf:
    """
    Attributes:
        expires_at (int):
        organization_id (UUID):
        permissions (list[str]):
        role (str):
        subject (str):
        workspace_id (UUID):
    """

    expires_at: int
    organization_id: UUID
    permissions: list[str]
    role: str
    subject: str
    workspace_id: UUID
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        expires_at = self.expires_at

        organization_id = str(self.organization_id)

        permissions = self.permissions

        role = self.role

        subject = self.subject

        workspace_id = str(self.workspace_id)

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "expires_at": expires_at,
                "organization_id": organization_id,
                "permissions": permissions,
                "role": role,
                "subject": subject,
                "workspace_id": workspace_id,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)
        expires_at = d.pop("expires_at")

        organization_id = UUID(d.pop("organization_id"))

        permissions = cast(list[str], d.pop("permissions"))

        role = d.pop("role")

        subject = d.pop("subject")

        workspace_id = UUID(d.pop("workspace_id"))

        token_self = cls(
            expires_at=expires_at,
            organization_id=organization_id,
            permissions=permissions,
            role=role,
            subject=subject,
            workspace_id=workspace_id,
        )

        token_self.additional_properties = d
        return token_self

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
