from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Self, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

T = TypeVar("T", bound="RecentWindowOut")


@_attrs_define
class RecentWindowOut:
    """
    Attributes:
        attempts_read (int):
        limit (int):
        window_s (int):
    """

    attempts_read: int
    limit: int
    window_s: int
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        attempts_read = self.attempts_read

        limit = self.limit

        window_s = self.window_s

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "attempts_read": attempts_read,
                "limit": limit,
                "window_s": window_s,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)
        attempts_read = d.pop("attempts_read")

        limit = d.pop("limit")

        window_s = d.pop("window_s")

        recent_window_out = cls(
            attempts_read=attempts_read,
            limit=limit,
            window_s=window_s,
        )

        recent_window_out.additional_properties = d
        return recent_window_out

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
