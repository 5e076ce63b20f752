from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Self, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

if TYPE_CHECKING:
    from ..models.config_out_document import ConfigOutDocument


T = TypeVar("T", bound="ConfigOut")


@_attrs_define
class ConfigOut:
    """
    Attributes:
        active_version (int):
        created_at (datetime.datetime):
        created_by (str):
        document (ConfigOutDocument):
        latest_version (int):
        name (str):
        version (int):
    """

    active_version: int
    created_at: datetime.datetime
    created_by: str
    document: ConfigOutDocument
    latest_version: int
    name: str
    version: int
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        active_version = self.active_version

        created_at = self.created_at.isoformat()

        created_by = self.created_by

        document = self.document.to_dict()

        latest_version = self.latest_version

        name = self.name

        version = self.version

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "active_version": active_version,
                "created_at": created_at,
                "created_by": created_by,
                "document": document,
                "latest_version": latest_version,
                "name": name,
                "version": version,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        from ..models.config_out_document import ConfigOutDocument

        d = dict(src_dict)
        active_version = d.pop("active_version")

        created_at = datetime.datetime.fromisoformat(d.pop("created_at"))

        created_by = d.pop("created_by")

        document = ConfigOutDocument.from_dict(d.pop("document"))

        latest_version = d.pop("latest_version")

        name = d.pop("name")

        version = d.pop("version")

        config_out = cls(
            active_version=active_version,
            created_at=created_at,
            created_by=created_by,
            document=document,
            latest_version=latest_version,
            name=name,
            version=version,
        )

        config_out.additional_properties = d
        return config_out

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
