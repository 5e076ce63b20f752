from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Self, TypeVar

from attrs import define as _attrs_define

T = TypeVar("T", bound="BundleSecretRef")


@_attrs_define
class BundleSecretRef:
    """
    Attributes:
        name (str):
        ref (str):
    """

    name: str
    ref: str

    def to_dict(self) -> dict[str, Any]:
        name = self.name

        ref = self.ref

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "name": name,
                "ref": ref,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)
        name = d.pop("name")

        ref = d.pop("ref")

        bundle_secret_ref = cls(
            name=name,
            ref=ref,
        )

        return bundle_secret_ref
