from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Self, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

if TYPE_CHECKING:
    from ..models.issued_client import IssuedClient
    from ..models.organization_out import OrganizationOut
    from ..models.workspace_out import WorkspaceOut


T = TypeVar("T", bound="OrganizationCreated")


@_attrs_define
class OrganizationCreated:
    """
    Attributes:
        admin (IssuedClient):
        exec_ (IssuedClient):
        organization (OrganizationOut):
        workspace (WorkspaceOut):
    """

    admin: IssuedClient
    exec_: IssuedClient
    organization: OrganizationOut
    workspace: WorkspaceOut
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        admin = self.admin.to_dict()

        exec_ = self.exec_.to_dict()

        organization = self.organization.to_dict()

        workspace = self.workspace.to_dict()

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "admin": admin,
                "exec": exec_,
                "organization": organization,
                "workspace": workspace,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        from ..models.issued_client import IssuedClient
        from ..models.organization_out import OrganizationOut
        from ..models.workspace_out import WorkspaceOut

        d = dict(src_dict)
        admin = IssuedClient.from_dict(d.pop("admin"))

        exec_ = IssuedClient.from_dict(d.pop("exec"))

        organization = OrganizationOut.from_dict(d.pop("organization"))

        workspace = WorkspaceOut.from_dict(d.pop("workspace"))

        organization_created = cls(
            admin=admin,
            exec_=exec_,
            organization=organization,
            workspace=workspace,
        )

        organization_created.additional_properties = d
        return organization_created

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
