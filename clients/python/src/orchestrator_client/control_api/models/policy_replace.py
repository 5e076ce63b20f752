from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Self, TypeVar

from attrs import define as _attrs_define

if TYPE_CHECKING:
    from ..models.policy_replace_spec import PolicyReplaceSpec


T = TypeVar("T", bound="PolicyReplace")


@_attrs_define
class PolicyReplace:
    """
    Attributes:
        spec (PolicyReplaceSpec): A PolicySpec (its schema: PolicyOut.spec): `timeout`, `retry`, `breaker`,
            `rate_limit`, `degradation`; omitted members take their defaults. An invalid member is a 422 naming the field.
    """

    spec: PolicyReplaceSpec

    def to_dict(self) -> dict[str, Any]:
        spec = self.spec.to_dict()

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "spec": spec,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        from ..models.policy_replace_spec import PolicyReplaceSpec

        d = dict(src_dict)
        spec = PolicyReplaceSpec.from_dict(d.pop("spec"))

        policy_replace = cls(
            spec=spec,
        )

        return policy_replace
