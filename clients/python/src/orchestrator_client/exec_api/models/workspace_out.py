from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Self, TypeVar
from uuid import UUID

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..models.workspace_out_status import WorkspaceOutStatus

T = TypeVar("T", bound="WorkspaceOut")


@_attrs_define
class WorkspaceOut:
    """
    Attributes:
        environment (str):
        id (UUID):
        name (str):
        status (WorkspaceOutStatus):
    """

    environment: str
    id: UUID
    name: str
    status: WorkspaceOutStatus
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        environment = self.environment

        id = str(self.id)

        name = self.name

        status = self.status.value

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "environment": environment,
                "id": id,
                "name": name,
                "status": status,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)
        environment = d.pop("environment")

        id = UUID(d.pop("id"))

        name = d.pop("name")

        status = WorkspaceOutStatus(d.pop("status"))

        workspace_out = cls(
            environment=environment,
            id=id,
            name=name,
            status=status,
        )

        workspace_out.additional_properties = d
        return workspace_out

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
