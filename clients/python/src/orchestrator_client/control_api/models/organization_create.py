from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Self, TypeVar, cast

from attrs import define as _attrs_define

from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.admin_spec import AdminSpec
    from ..models.first_workspace import FirstWorkspace


T = TypeVar("T", bound="OrganizationCreate")


@_attrs_define
class OrganizationCreate:
    """
    Attributes:
        admin (AdminSpec):
        name (str):
        operation_id (None | str | Unset):
        workspace (FirstWorkspace | None | Unset):
    """

    admin: AdminSpec
    name: str
    operation_id: None | str | Unset = UNSET
    workspace: FirstWorkspace | None | Unset = UNSET

    def to_dict(self) -> dict[str, Any]:
        from ..models.first_workspace import FirstWorkspace

        admin = self.admin.to_dict()

        name = self.name

        operation_id: None | str | Unset
        if isinstance(self.operation_id, Unset):
            operation_id = UNSET
        else:
            operation_id = self.operation_id

        workspace: dict[str, Any] | None | Unset
        if isinstance(self.workspace, Unset):
            workspace = UNSET
        elif isinstance(self.workspace, FirstWorkspace):
            workspace = self.workspace.to_dict()
        else:
            workspace = self.workspace

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "admin": admin,
                "name": name,
            }
        )
        if operation_id is not UNSET:
            field_dict["operation_id"] = operation_id
        if workspace is not UNSET:
            field_dict["workspace"] = workspace

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        from ..models.admin_spec import AdminSpec
        from ..models.first_workspace import FirstWorkspace

        d = dict(src_dict)
        admin = AdminSpec.from_dict(d.pop("admin"))

        name = d.pop("name")

        def _parse_operation_id(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        operation_id = _parse_operation_id(d.pop("operation_id", UNSET))

        def _parse_workspace(data: object) -> FirstWorkspace | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                workspace_type_0 = FirstWorkspace.from_dict(data)

                return workspace_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(FirstWorkspace | None | Unset, data)

        workspace = _parse_workspace(d.pop("workspace", UNSET))

        organization_create = cls(
            admin=admin,
            name=name,
            operation_id=operation_id,
            workspace=workspace,
        )

        return organization_create
