from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Self, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

if TYPE_CHECKING:
    from ..models.bundle_change import BundleChange


T = TypeVar("T", bound="ImportReport")


@_attrs_define
class ImportReport:
    """
    Attributes:
        changed (int):
        changes (list[BundleChange]):
        dry_run (bool):
        unchanged (int):
    """

    changed: int
    changes: list[BundleChange]
    dry_run: bool
    unchanged: int
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        changed = self.changed

        changes = []
        for changes_item_data in self.changes:
            changes_item = changes_item_data.to_dict()
            changes.append(changes_item)

        dry_run = self.dry_run

        unchanged = self.unchanged

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "changed": changed,
                "changes": changes,
                "dry_run": dry_run,
                "unchanged": unchanged,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        from ..models.bundle_change import BundleChange

        d = dict(src_dict)
        changed = d.pop("changed")

        changes = []
        _changes = d.pop("changes")
        for changes_item_data in _changes:
            changes_item = BundleChange.from_dict(changes_item_data)

            changes.append(changes_item)

        dry_run = d.pop("dry_run")

        unchanged = d.pop("unchanged")

        import_report = cls(
            changed=changed,
            changes=changes,
            dry_run=dry_run,
            unchanged=unchanged,
        )

        import_report.additional_properties = d
        return import_report

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
