from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Self, TypeVar

from attrs import define as _attrs_define

if TYPE_CHECKING:
    from ..models.config_put_document import ConfigPutDocument


T = TypeVar("T", bound="ConfigPut")


@_attrs_define
class ConfigPut:
    """
    Attributes:
        document (ConfigPutDocument):
    """

    document: ConfigPutDocument

    def to_dict(self) -> dict[str, Any]:
        document = self.document.to_dict()

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "document": document,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        from ..models.config_put_document import ConfigPutDocument

        d = dict(src_dict)
        document = ConfigPutDocument.from_dict(d.pop("document"))

        config_put = cls(
            document=document,
        )

        return config_put
