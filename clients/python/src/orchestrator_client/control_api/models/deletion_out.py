from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Self, TypeVar, cast
from uuid import UUID

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..models.deletion_out_kind import DeletionOutKind
from ..models.deletion_out_status import DeletionOutStatus

if TYPE_CHECKING:
    from ..models.deletion_out_progress import DeletionOutProgress


T = TypeVar("T", bound="DeletionOut")


@_attrs_define
class DeletionOut:
    """
    Attributes:
        attempts (int):
        failure (None | str):
        finished_at (datetime.datetime | None):
        force (bool):
        id (UUID):
        kind (DeletionOutKind):
        operation_id (str):
        organization_id (UUID):
        progress (DeletionOutProgress):
        started_at (datetime.datetime):
        status (DeletionOutStatus):
        step (str):
        updated_at (datetime.datetime):
        workspace_id (None | UUID):
    """

    attempts: int
    failure: None | str
    finished_at: datetime.datetime | None
    force: bool
    id: UUID
    kind: DeletionOutKind
    operation_id: str
    organization_id: UUID
    progress: DeletionOutProgress
    started_at: datetime.datetime
    status: DeletionOutStatus
    step: str
    updated_at: datetime.datetime
    workspace_id: None | UUID
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        attempts = self.attempts

        failure: None | str
        failure = self.failure

        finished_at: None | str
        if isinstance(self.finished_at, datetime.datetime):
            finished_at = self.finished_at.isoformat()
        else:
            finished_at = self.finished_at

        force = self.force

        id = str(self.id)

        kind = self.kind.value

        operation_id = self.operation_id

        organization_id = str(self.organization_id)

        progress = self.progress.to_dict()

        started_at = self.started_at.isoformat()

        status = self.status.value

        step = self.step

        updated_at = self.updated_at.isoformat()

        workspace_id: None | str
        if isinstance(self.workspace_id, UUID):
            workspace_id = str(self.workspace_id)
        else:
            workspace_id = self.workspace_id

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "attempts": attempts,
                "failure": failure,
                "finished_at": finished_at,
                "force": force,
                "id": id,
                "kind": kind,
                "operation_id": operation_id,
                "organization_id": organization_id,
                "progress": progress,
                "started_at": started_at,
                "status": status,
                "step": step,
                "updated_at": updated_at,
                "workspace_id": workspace_id,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        from ..models.deletion_out_progress import DeletionOutProgress

        d = dict(src_dict)
        attempts = d.pop("attempts")

        def _parse_failure(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        failure = _parse_failure(d.pop("failure"))

        def _parse_finished_at(data: object) -> datetime.datetime | None:
            if data is None:
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                finished_at_type_0 = datetime.datetime.fromisoformat(data)

                return finished_at_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(datetime.datetime | None, data)

        finished_at = _parse_finished_at(d.pop("finished_at"))

        force = d.pop("force")

        id = UUID(d.pop("id"))

        kind = DeletionOutKind(d.pop("kind"))

        operation_id = d.pop("operation_id")

        organization_id = UUID(d.pop("organization_id"))

        progress = DeletionOutProgress.from_dict(d.pop("progress"))

        started_at = datetime.datetime.fromisoformat(d.pop("started_at"))

        status = DeletionOutStatus(d.pop("status"))

        step = d.pop("step")

        updated_at = datetime.datetime.fromisoformat(d.pop("updated_at"))

        def _parse_workspace_id(data: object) -> None | UUID:
            if data is None:
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                workspace_id_type_0 = UUID(data)

                return workspace_id_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(None | UUID, data)

        workspace_id = _parse_workspace_id(d.pop("workspace_id"))

        deletion_out = cls(
            attempts=attempts,
            failure=failure,
            finished_at=finished_at,
            force=force,
            id=id,
            kind=kind,
            operation_id=operation_id,
            organization_id=organization_id,
            progress=progress,
            started_at=started_at,
            status=status,
            step=step,
            updated_at=updated_at,
            workspace_id=workspace_id,
        )

        deletion_out.additional_properties = d
        return deletion_out

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
