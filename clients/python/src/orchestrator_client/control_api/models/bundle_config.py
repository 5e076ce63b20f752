from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Self, TypeVar

from attrs import define as _attrs_define

if TYPE_CHECKING:
    from ..models.bundle_config_document import BundleConfigDocument


T = TypeVar("T", bound="BundleConfig")


@_attrs_define
class BundleConfig:
    """
    Attributes:
        document (BundleConfigDocument):
        name (str):
    """

    document: BundleConfigDocument
    name: str

    def to_dict(self) -> dict[str, Any]:
        document = self.document.to_dict()

        name = self.name

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "document": document,
                "name": name,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        from ..models.bundle_config_document import BundleConfigDocument

        d = dict(src_dict)
        document = BundleConfigDocument.from_dict(d.pop("document"))

        name = d.pop("name")

        bundle_config = cls(
            document=document,
            name=name,
        )

        return bundle_config
