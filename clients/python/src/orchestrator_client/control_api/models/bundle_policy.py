from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Self, TypeVar

from attrs import define as _attrs_define

if TYPE_CHECKING:
    from ..models.bundle_policy_spec import BundlePolicySpec


T = TypeVar("T", bound="BundlePolicy")


@_attrs_define
class BundlePolicy:
    """
    Attributes:
        name (str):
        spec (BundlePolicySpec):
    """

    name: str
    spec: BundlePolicySpec

    def to_dict(self) -> dict[str, Any]:
        name = self.name

        spec = self.spec.to_dict()

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "name": name,
                "spec": spec,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        from ..models.bundle_policy_spec import BundlePolicySpec

        d = dict(src_dict)
        name = d.pop("name")

        spec = BundlePolicySpec.from_dict(d.pop("spec"))

        bundle_policy = cls(
            name=name,
            spec=spec,
        )

        return bundle_policy
