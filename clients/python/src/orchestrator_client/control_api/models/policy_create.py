from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Self, TypeVar

from attrs import define as _attrs_define

from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.policy_create_spec import PolicyCreateSpec


T = TypeVar("T", bound="PolicyCreate")


@_attrs_define
class PolicyCreate:
    """
    Attributes:
        name (str):
        spec (PolicyCreateSpec | Unset): A PolicySpec (its schema: PolicyOut.spec): `timeout`, `retry`, `breaker`,
            `rate_limit`, `degradation`; omitted members take their defaults. An invalid member is a 422 naming the field.
    """

    name: str
    spec: PolicyCreateSpec | Unset = UNSET

    def to_dict(self) -> dict[str, Any]:
        name = self.name

        spec: dict[str, Any] | Unset = UNSET
        if not isinstance(self.spec, Unset):
            spec = self.spec.to_dict()

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "name": name,
            }
        )
        if spec is not UNSET:
            field_dict["spec"] = spec

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        from ..models.policy_create_spec import PolicyCreateSpec

        d = dict(src_dict)
        name = d.pop("name")

        _spec = d.pop("spec", UNSET)
        spec: PolicyCreateSpec | Unset
        if isinstance(_spec, Unset):
            spec = UNSET
        else:
            spec = PolicyCreateSpec.from_dict(_spec)

        policy_create = cls(
            name=name,
            spec=spec,
        )

        return policy_create
