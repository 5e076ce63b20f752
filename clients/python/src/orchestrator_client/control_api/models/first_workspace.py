from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Self, TypeVar, cast

from attrs import define as _attrs_define

from ..models.first_workspace_environment_type_1 import FirstWorkspaceEnvironmentType1
from ..models.first_workspace_environment_type_2_type_1 import (
    FirstWorkspaceEnvironmentType2Type1,
)
from ..models.first_workspace_environment_type_3_type_1 import (
    FirstWorkspaceEnvironmentType3Type1,
)
from ..types import UNSET, Unset

T = TypeVar("T", bound="FirstWorkspace")


@_attrs_define
class FirstWorkspace:
    """
    Attributes:
        name (str):
        environment (FirstWorkspaceEnvironmentType1 | FirstWorkspaceEnvironmentType2Type1 |
            FirstWorkspaceEnvironmentType3Type1 | None | Unset):
    """

    name: str
    environment: (
        FirstWorkspaceEnvironmentType1
        | FirstWorkspaceEnvironmentType2Type1
        | FirstWorkspaceEnvironmentType3Type1
        | None
        | Unset
    ) = UNSET

    def to_dict(self) -> dict[str, Any]:
        name = self.name

        environment: None | str | Unset
        if isinstance(self.environment, Unset):
            environment = UNSET
        elif (
            isinstance(self.environment, FirstWorkspaceEnvironmentType1)
            or isinstance(self.environment, FirstWorkspaceEnvironmentType2Type1)
            or isinstance(self.environment, FirstWorkspaceEnvironmentType3Type1)
        ):
            environment = self.environment.value
        else:
            environment = self.environment

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "name": name,
            }
        )
        if environment is not UNSET:
            field_dict["environment"] = environment

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)
        name = d.pop("name")

        def _parse_environment(
            data: object,
        ) -> (
            FirstWorkspaceEnvironmentType1
            | FirstWorkspaceEnvironmentType2Type1
            | FirstWorkspaceEnvironmentType3Type1
            | None
            | Unset
        ):
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                environment_type_1 = FirstWorkspaceEnvironmentType1(data)

                return environment_type_1
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            try:
                if not isinstance(data, str):
                    raise TypeError()
                environment_type_2_type_1 = FirstWorkspaceEnvironmentType2Type1(data)

                return environment_type_2_type_1
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            try:
                if not isinstance(data, str):
                    raise TypeError()
                environment_type_3_type_1 = FirstWorkspaceEnvironmentType3Type1(data)

                return environment_type_3_type_1
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(
                FirstWorkspaceEnvironmentType1
                | FirstWorkspaceEnvironmentType2Type1
                | FirstWorkspaceEnvironmentType3Type1
                | None
                | Unset,
                data,
            )

        environment = _parse_environment(d.pop("environment", UNSET))

        first_workspace = cls(
            name=name,
            environment=environment,
        )

        return first_workspace
