from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Self, TypeVar

from attrs import define as _attrs_define

if TYPE_CHECKING:
    from ..models.step_in import StepIn


T = TypeVar("T", bound="WorkflowReplace")


@_attrs_define
class WorkflowReplace:
    """
    Attributes:
        steps (list[StepIn]):
    """

    steps: list[StepIn]

    def to_dict(self) -> dict[str, Any]:
        steps = []
        for steps_item_data in self.steps:
            steps_item = steps_item_data.to_dict()
            steps.append(steps_item)

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "steps": steps,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        from ..models.step_in import StepIn

        d = dict(src_dict)
        steps = []
        _steps = d.pop("steps")
        for steps_item_data in _steps:
            steps_item = StepIn.from_dict(steps_item_data)

            steps.append(steps_item)

        workflow_replace = cls(
            steps=steps,
        )

        return workflow_replace
