from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Self, TypeVar
from uuid import UUID

from attrs import define as _attrs_define
from attrs import field as _attrs_field

T = TypeVar("T", bound="GuestToken")


@_attrs_define
class GuestToken:
    """
    Attributes:
        access_token (str):
        expires_at (int):
        expires_in (int):
        scope (str):
        session_ends_at (int):
        subject (str):
        token_type (str):
        workspace_id (UUID):
    """

    access_token: str
    expires_at: int
    expires_in: int
    scope: str
    session_ends_at: int
    subject: str
    token_type: str
    workspace_id: UUID
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        access_token = self.access_token

        expires_at = self.expires_at

        expires_in = self.expires_in

        scope = self.scope

        session_ends_at = self.session_ends_at

        subject = self.subject

        token_type = self.token_type

        workspace_id = str(self.workspace_id)

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "access_token": access_token,
                "expires_at": expires_at,
                "expires_in": expires_in,
                "scope": scope,
                "session_ends_at": session_ends_at,
                "subject": subject,
                "token_type": token_type,
                "workspace_id": workspace_id,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)
        access_token = d.pop("access_token")

        expires_at = d.pop("expires_at")

        expires_in = d.pop("expires_in")

        scope = d.pop("scope")

        session_ends_at = d.pop("session_ends_at")

        subject = d.pop("subject")

        token_type = d.pop("token_type")

        workspace_id = UUID(d.pop("workspace_id"))

        guest_token = cls(
            access_token=access_token,
            expires_at=expires_at,
            expires_in=expires_in,
            scope=scope,
            session_ends_at=session_ends_at,
            subject=subject,
            token_type=token_type,
            workspace_id=workspace_id,
        )

        guest_token.additional_properties = d
        return guest_token

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
