from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Self, TypeVar
from uuid import UUID

from attrs import define as _attrs_define

from ..models.operator_role import OperatorRole

T = TypeVar("T", bound="OperatorCreate")


@_attrs_define
class OperatorCreate:
    """
    Attributes:
        home_workspace_id (UUID):
        name (str):
        role (OperatorRole): Control-plane roles.
    """

    home_workspace_id: UUID
    name: str
    role: OperatorRole

    def to_dict(self) -> dict[str, Any]:
        home_workspace_id = str(self.home_workspace_id)

        name = self.name

        role = self.role.value

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "home_workspace_id": home_workspace_id,
                "name": name,
                "role": role,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)
        home_workspace_id = UUID(d.pop("home_workspace_id"))

        name = d.pop("name")

        role = OperatorRole(d.pop("role"))

        operator_create = cls(
            home_workspace_id=home_workspace_id,
            name=name,
            role=role,
        )

        return operator_create
