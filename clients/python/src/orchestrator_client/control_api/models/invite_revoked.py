from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Self, TypeVar
from uuid import UUID

from attrs import define as _attrs_define
from attrs import field as _attrs_field

T = TypeVar("T", bound="InviteRevoked")


@_attrs_define
class InviteRevoked:
    """
    Attributes:
        guest (str):
        id (UUID):
        token_revoked (bool):
    """

    guest: str
    id: UUID
    token_revoked: bool
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        guest = self.guest

        id = str(self.id)

        token_revoked = self.token_revoked

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "guest": guest,
                "id": id,
                "token_revoked": token_revoked,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)
        guest = d.pop("guest")

        id = UUID(d.pop("id"))

        token_revoked = d.pop("token_revoked")

        invite_revoked = cls(
            guest=guest,
            id=id,
            token_revoked=token_revoked,
        )

        invite_revoked.additional_properties = d
        return invite_revoked

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
