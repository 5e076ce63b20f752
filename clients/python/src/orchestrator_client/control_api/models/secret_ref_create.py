from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Self, TypeVar

from attrs import define as _attrs_define

T = TypeVar("T", bound="SecretRefCreate")


@_attrs_define
class SecretRefCreate:
    """
    Attributes:
        name (str):
        ref (str): `env://NAME` (a variable of the executing process's environment whose name starts with the
            deployment's tenant prefix, by default `ORCH_TENANT_SECRET_`; any other name is refused with 422), `db://` (the
            value is stored here, encrypted; set it with PUT …/value) or `vault://path#field` (a field of a Vault KV v2
            secret under the workspace's prefix). See docs/secrets.md.
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

        secret_ref_create = cls(
            name=name,
            ref=ref,
        )

        return secret_ref_create
