from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Self, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..models.resource_change_change import ResourceChangeChange
from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.field_change import FieldChange


T = TypeVar("T", bound="ResourceChange")


@_attrs_define
class ResourceChange:
    """
    Attributes:
        change (ResourceChangeChange):
        kind (str):
        name (str):
        fields (list[FieldChange] | Unset):
    """

    change: ResourceChangeChange
    kind: str
    name: str
    fields: list[FieldChange] | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        change = self.change.value

        kind = self.kind

        name = self.name

        fields: list[dict[str, Any]] | Unset = UNSET
        if not isinstance(self.fields, Unset):
            fields = []
            for fields_item_data in self.fields:
                fields_item = fields_item_data.to_dict()
                fields.append(fields_item)

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "change": change,
                "kind": kind,
                "name": name,
            }
        )
        if fields is not UNSET:
            field_dict["fields"] = fields

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        from ..models.field_change import FieldChange

        d = dict(src_dict)
        change = ResourceChangeChange(d.pop("change"))

        kind = d.pop("kind")

        name = d.pop("name")

        _fields = d.pop("fields", UNSET)
        fields: list[FieldChange] | Unset = UNSET
        if _fields is not UNSET:
            fields = []
            for fields_item_data in _fields:
                fields_item = FieldChange.from_dict(fields_item_data)

                fields.append(fields_item)

        resource_change = cls(
            change=change,
            kind=kind,
            name=name,
            fields=fields,
        )

        resource_change.additional_properties = d
        return resource_change

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
