from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Self, TypeVar

from attrs import define as _attrs_define

if TYPE_CHECKING:
    from ..models.bundle_workflow_steps_item import BundleWorkflowStepsItem


T = TypeVar("T", bound="BundleWorkflow")


@_attrs_define
class BundleWorkflow:
    """
    Attributes:
        name (str):
        steps (list[BundleWorkflowStepsItem]):
    """

    name: str
    steps: list[BundleWorkflowStepsItem]

    def to_dict(self) -> dict[str, Any]:
        name = self.name

        steps = []
        for steps_item_data in self.steps:
            steps_item = steps_item_data.to_dict()
            steps.append(steps_item)

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "name": name,
                "steps": steps,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        from ..models.bundle_workflow_steps_item import BundleWorkflowStepsItem

        d = dict(src_dict)
        name = d.pop("name")

        steps = []
        _steps = d.pop("steps")
        for steps_item_data in _steps:
            steps_item = BundleWorkflowStepsItem.from_dict(steps_item_data)

            steps.append(steps_item)

        bundle_workflow = cls(
            name=name,
            steps=steps,
        )

        return bundle_workflow
