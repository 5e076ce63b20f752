from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import Any, Self, TypeVar, cast
from uuid import UUID

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..models.workspace_out_status import WorkspaceOutStatus

T = TypeVar("T", bound="WorkspaceOut")


@_attrs_define
class WorkspaceOut:
    """
    Attributes:
        created_at (datetime.datetime):
        environment (str):
        failure_reason (None | str):
        id (UUID):
        name (str):
        operation_id (str):
        organization_id (UUID):
        status (WorkspaceOutStatus):
    """

    created_at: datetime.datetime
    environment: str
    failure_reason: None | str
    id: UUID
    name: str
    operation_id: str
    organization_id: UUID
    status: WorkspaceOutStatus
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        created_at = self.created_at.isoformat()

        environment = self.environment

        failure_reason: None | str
        failure_reason = self.failure_reason

        id = str(self.id)

        name = self.name

        operation_id = self.operation_id

        organization_id = str(self.organization_id)

        status = self.status.value

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "created_at": created_at,
                "environment": environment,
                "failure_reason": failure_reason,
                "id": id,
                "name": name,
                "operation_id": operation_id,
                "organization_id": organization_id,
                "status": status,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)
        created_at = datetime.datetime.fromisoformat(d.pop("created_at"))

        environment = d.pop("environment")

        def _parse_failure_reason(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        failure_reason = _parse_failure_reason(d.pop("failure_reason"))

        id = UUID(d.pop("id"))

        name = d.pop("name")

        operation_id = d.pop("operation_id")

        organization_id = UUID(d.pop("organization_id"))

        status = WorkspaceOutStatus(d.pop("status"))

        workspace_out = cls(
            created_at=created_at,
            environment=environment,
            failure_reason=failure_reason,
            id=id,
            name=name,
            operation_id=operation_id,
            organization_id=organization_id,
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
