from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Self, TypeVar, cast
from uuid import UUID

from attrs import define as _attrs_define
from attrs import field as _attrs_field

if TYPE_CHECKING:
    from ..models.step_out import StepOut


T = TypeVar("T", bound="RunOut")


@_attrs_define
class RunOut:
    """
    Attributes:
        created_at (datetime.datetime):
        current_step (str):
        error (None | str):
        finished_at (datetime.datetime | None):
        id (UUID):
        input_ (Any):
        status (str):
        steps (list[StepOut]):
        updated_at (datetime.datetime):
        workflow (str):
        workflow_version (int):
    """

    created_at: datetime.datetime
    current_step: str
    error: None | str
    finished_at: datetime.datetime | None
    id: UUID
    input_: Any
    status: str
    steps: list[StepOut]
    updated_at: datetime.datetime
    workflow: str
    workflow_version: int
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        created_at = self.created_at.isoformat()

        current_step = self.current_step

        error: None | str
        error = self.error

        finished_at: None | str
        if isinstance(self.finished_at, datetime.datetime):
            finished_at = self.finished_at.isoformat()
        else:
            finished_at = self.finished_at

        id = str(self.id)

        input_ = self.input_

        status = self.status

        steps = []
        for steps_item_data in self.steps:
            steps_item = steps_item_data.to_dict()
            steps.append(steps_item)

        updated_at = self.updated_at.isoformat()

        workflow = self.workflow

        workflow_version = self.workflow_version

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "created_at": created_at,
                "current_step": current_step,
                "error": error,
                "finished_at": finished_at,
                "id": id,
                "input": input_,
                "status": status,
                "steps": steps,
                "updated_at": updated_at,
                "workflow": workflow,
                "workflow_version": workflow_version,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        from ..models.step_out import StepOut

        d = dict(src_dict)
        created_at = datetime.datetime.fromisoformat(d.pop("created_at"))

        current_step = d.pop("current_step")

        def _parse_error(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        error = _parse_error(d.pop("error"))

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

        id = UUID(d.pop("id"))

        input_ = d.pop("input")

        status = d.pop("status")

        steps = []
        _steps = d.pop("steps")
        for steps_item_data in _steps:
            steps_item = StepOut.from_dict(steps_item_data)

            steps.append(steps_item)

        updated_at = datetime.datetime.fromisoformat(d.pop("updated_at"))

        workflow = d.pop("workflow")

        workflow_version = d.pop("workflow_version")

        run_out = cls(
            created_at=created_at,
            current_step=current_step,
            error=error,
            finished_at=finished_at,
            id=id,
            input_=input_,
            status=status,
            steps=steps,
            updated_at=updated_at,
            workflow=workflow,
            workflow_version=workflow_version,
        )

        run_out.additional_properties = d
        return run_out

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
