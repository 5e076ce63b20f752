from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Self, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

if TYPE_CHECKING:
    from ..models.resource_change import ResourceChange


T = TypeVar("T", bound="VersionDiff")


@_attrs_define
class VersionDiff:
    """
    Attributes:
        after (int):
        before (int):
        changes (list[ResourceChange]):
    """

    after: int
    before: int
    changes: list[ResourceChange]
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        after = self.after

        before = self.before

        changes = []
        for changes_item_data in self.changes:
            changes_item = changes_item_data.to_dict()
            changes.append(changes_item)

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "after": after,
                "before": before,
                "changes": changes,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        from ..models.resource_change import ResourceChange

        d = dict(src_dict)
        after = d.pop("after")

        before = d.pop("before")

        changes = []
        _changes = d.pop("changes")
        for changes_item_data in _changes:
            changes_item = ResourceChange.from_dict(changes_item_data)

            changes.append(changes_item)

        version_diff = cls(
            after=after,
            before=before,
            changes=changes,
        )

        version_diff.additional_properties = d
        return version_diff

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
