from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Self, TypeVar

from attrs import define as _attrs_define

T = TypeVar("T", bound="RevokeRequest")


@_attrs_define
class RevokeRequest:
    """
    Attributes:
        reason (str):
        token (str):
    """

    reason: str
    token: str

    def to_dict(self) -> dict[str, Any]:
        reason = self.reason

        token = self.token

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "reason": reason,
                "token": token,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)
        reason = d.pop("reason")

        token = d.pop("token")

        revoke_request = cls(
            reason=reason,
            token=token,
        )

        return revoke_request
