from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Self, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..models.bundle_change_action import BundleChangeAction
from ..models.bundle_change_kind import BundleChangeKind

T = TypeVar("T", bound="BundleChange")


@_attrs_define
class BundleChange:
    """
    Attributes:
        action (BundleChangeAction):
        fields (list[str]):
        kind (BundleChangeKind):
        name (str):
    """

    action: BundleChangeAction
    fields: list[str]
    kind: BundleChangeKind
    name: str
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        action = self.action.value

        fields = self.fields

        kind = self.kind.value

        name = self.name

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "action": action,
                "fields": fields,
                "kind": kind,
                "name": name,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)
        action = BundleChangeAction(d.pop("action"))

        fields = cast(list[str], d.pop("fields"))

        kind = BundleChangeKind(d.pop("kind"))

        name = d.pop("name")

        bundle_change = cls(
            action=action,
            fields=fields,
            kind=kind,
            name=name,
        )

        bundle_change.additional_properties = d
        return bundle_change

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
