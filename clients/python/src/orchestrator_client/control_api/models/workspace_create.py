from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Self, TypeVar, cast

from attrs import define as _attrs_define

from ..models.workspace_create_environment import WorkspaceCreateEnvironment
from ..types import UNSET, Unset

T = TypeVar("T", bound="WorkspaceCreate")


@_attrs_define
class WorkspaceCreate:
    """
    Attributes:
        environment (WorkspaceCreateEnvironment):
        name (str):
        reason (str):
        operation_id (None | str | Unset):
    """

    environment: WorkspaceCreateEnvironment
    name: str
    reason: str
    operation_id: None | str | Unset = UNSET

    def to_dict(self) -> dict[str, Any]:
        environment = self.environment.value

        name = self.name

        reason = self.reason

        operation_id: None | str | Unset
        if isinstance(self.operation_id, Unset):
            operation_id = UNSET
        else:
            operation_id = self.operation_id

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "environment": environment,
                "name": name,
                "reason": reason,
            }
        )
        if operation_id is not UNSET:
            field_dict["operation_id"] = operation_id

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)
        environment = WorkspaceCreateEnvironment(d.pop("environment"))

        name = d.pop("name")

        reason = d.pop("reason")

        def _parse_operation_id(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        operation_id = _parse_operation_id(d.pop("operation_id", UNSET))

        workspace_create = cls(
            environment=environment,
            name=name,
            reason=reason,
            operation_id=operation_id,
        )

        return workspace_create
