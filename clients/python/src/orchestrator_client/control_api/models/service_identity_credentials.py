from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Self, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

if TYPE_CHECKING:
    from ..models.service_identity_out import ServiceIdentityOut


T = TypeVar("T", bound="ServiceIdentityCredentials")


@_attrs_define
class ServiceIdentityCredentials:
    """
    Attributes:
        client_id (str):
        client_secret (str):
        service_identity (ServiceIdentityOut):
    """

    client_id: str
    client_secret: str
    service_identity: ServiceIdentityOut
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        client_id = self.client_id

        client_secret = self.client_secret

        service_identity = self.service_identity.to_dict()

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "client_id": client_id,
                "client_secret": client_secret,
                "service_identity": service_identity,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        from ..models.service_identity_out import ServiceIdentityOut

        d = dict(src_dict)
        client_id = d.pop("client_id")

        client_secret = d.pop("client_secret")

        service_identity = ServiceIdentityOut.from_dict(d.pop("service_identity"))

        service_identity_credentials = cls(
            client_id=client_id,
            client_secret=client_secret,
            service_identity=service_identity,
        )

        service_identity_credentials.additional_properties = d
        return service_identity_credentials

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
