from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import Any, Self, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..models.secret_ref_out_scheme import SecretRefOutScheme

T = TypeVar("T", bound="SecretRefOut")


@_attrs_define
class SecretRefOut:
    """
    Attributes:
        created_at (datetime.datetime):
        has_value (bool):
        name (str):
        ref (str):
        scheme (SecretRefOutScheme): `unknown`: a ref stored under older rules that names no scheme this version knows;
            replace it.
        updated_at (datetime.datetime):
        version (int):
    """

    created_at: datetime.datetime
    has_value: bool
    name: str
    ref: str
    scheme: SecretRefOutScheme
    updated_at: datetime.datetime
    version: int
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        created_at = self.created_at.isoformat()

        has_value = self.has_value

        name = self.name

        ref = self.ref

        scheme = self.scheme.value

        updated_at = self.updated_at.isoformat()

        version = self.version

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "created_at": created_at,
                "has_value": has_value,
                "name": name,
                "ref": ref,
                "scheme": scheme,
                "updated_at": updated_at,
                "version": version,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)
        created_at = datetime.datetime.fromisoformat(d.pop("created_at"))

        has_value = d.pop("has_value")

        name = d.pop("name")

        ref = d.pop("ref")

        scheme = SecretRefOutScheme(d.pop("scheme"))

        updated_at = datetime.datetime.fromisoformat(d.pop("updated_at"))

        version = d.pop("version")

        secret_ref_out = cls(
            created_at=created_at,
            has_value=has_value,
            name=name,
            ref=ref,
            scheme=scheme,
            updated_at=updated_at,
            version=version,
        )

        secret_ref_out.additional_properties = d
        return secret_ref_out

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
