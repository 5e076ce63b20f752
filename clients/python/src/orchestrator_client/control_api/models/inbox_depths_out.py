from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Self, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

T = TypeVar("T", bound="InboxDepthsOut")


@_attrs_define
class InboxDepthsOut:
    """
    Attributes:
        failed (int):
        received (int):
        unrouted (int):
    """

    failed: int
    received: int
    unrouted: int
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        failed = self.failed

        received = self.received

        unrouted = self.unrouted

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "failed": failed,
                "received": received,
                "unrouted": unrouted,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)
        failed = d.pop("failed")

        received = d.pop("received")

        unrouted = d.pop("unrouted")

        inbox_depths_out = cls(
            failed=failed,
            received=received,
            unrouted=unrouted,
        )

        inbox_depths_out.additional_properties = d
        return inbox_depths_out

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
