from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Self, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

T = TypeVar("T", bound="VersionHead")


@_attrs_define
class VersionHead:
    """
    Attributes:
        active (int):
        latest (int):
        previous (int | None):
    """

    active: int
    latest: int
    previous: int | None
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        active = self.active

        latest = self.latest

        previous: int | None
        previous = self.previous

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "active": active,
                "latest": latest,
                "previous": previous,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)
        active = d.pop("active")

        latest = d.pop("latest")

        def _parse_previous(data: object) -> int | None:
            if data is None:
                return data
            return cast(int | None, data)

        previous = _parse_previous(d.pop("previous"))

        version_head = cls(
            active=active,
            latest=latest,
            previous=previous,
        )

        version_head.additional_properties = d
        return version_head

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
