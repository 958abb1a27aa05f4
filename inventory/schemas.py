"""Validated records of the inventory: one pydantic model per entity, keyed by natural keys.

A *record* is what a technician reads and writes: the same field names in the
CSV and YAML files, in the REST API and in the audit log. References are by
natural key (a site names its agency by ``code``, a link names its ends by
device name and interface name), never by database id, so files move between
databases unchanged. Validation here is per record (types, closed sets,
addresses, dates); references and uniqueness are checked by
:mod:`inventory.service` against the database.
"""

from __future__ import annotations

import ipaddress
import re
from datetime import date
from typing import Annotated, Any, Self

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from inventory.enums import (
    AgencyKind,
    DeviceClass,
    DeviceStatus,
    Monitoring,
    Network,
    SiteRole,
)

Code = Annotated[str, Field(min_length=1, max_length=32, pattern=r"^[A-Za-z0-9][A-Za-z0-9_.\-]*$")]
Name = Annotated[str, Field(min_length=1, max_length=100, pattern=r"^[^\s/][^/]*$")]
Text80 = Annotated[str, Field(max_length=80)]
Text120 = Annotated[str, Field(max_length=120)]
Text200 = Annotated[str, Field(max_length=200)]

_PHONE = re.compile(r"^[0-9+()\-. ]*$")
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
_MAC = re.compile(r"^[0-9a-f]{2}([:\-.]?[0-9a-f]{2}){5}$")
_PROFILE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.\-]{0,63}$")


class _Record(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True, frozen=True,
                              use_enum_values=True)


class AgencyRecord(_Record):
    """An agency: ``parent`` is the code of the agency it belongs to (a ward's district)."""

    code: Code
    kind: AgencyKind
    name_vi: Annotated[str, Field(min_length=1, max_length=200)]
    name_en: Text200 = ""
    parent: Code | None = None
    contact_name: Text120 = ""
    contact_phone: Annotated[str, Field(max_length=40)] = ""
    contact_email: Text120 = ""

    @field_validator("contact_phone")
    @classmethod
    def _phone(cls, value: str) -> str:
        if not _PHONE.match(value):
            raise ValueError("a phone number has digits, spaces and + ( ) - . only")
        return value

    @field_validator("contact_email")
    @classmethod
    def _email(cls, value: str) -> str:
        if value and not _EMAIL.match(value):
            raise ValueError(f"{value!r} is not an e-mail address")
        return value

    @model_validator(mode="after")
    def _not_own_parent(self) -> Self:
        if self.parent == self.code:
            raise ValueError("an agency cannot be its own parent")
        return self


class SiteRecord(_Record):
    """A site of an agency (``agency`` is the agency's code)."""

    code: Code
    agency: Code
    name: Annotated[str, Field(min_length=1, max_length=200)]
    address: Annotated[str, Field(max_length=300)] = ""
    role: SiteRole = SiteRole.AGENCY_OFFICE
    latitude: Annotated[float, Field(ge=-90, le=90)] | None = None
    longitude: Annotated[float, Field(ge=-180, le=180)] | None = None


class DeviceRecord(_Record):
    """A device or asset at a site (``site`` is the site's code)."""

    name: Name
    site: Code
    device_class: DeviceClass
    vendor: Text80 = ""
    model: Text120 = ""
    serial: Text80 = ""
    asset_tag: Text80 = ""
    firmware: Text120 = ""
    mgmt_address: str | None = None
    snmp_port: Annotated[int, Field(ge=1, le=65535)] = 161
    credentials: str | None = None  # name of a credentials profile, never a secret
    monitoring: Monitoring = Monitoring.SNMP
    platform: Annotated[str, Field(max_length=32, pattern=r"^[a-z0-9_]*$")] = ""
    ssh_port: Annotated[int, Field(ge=1, le=65535)] = 22
    status: DeviceStatus = DeviceStatus.ACTIVE
    purchase_date: date | None = None
    funding_program: Text80 = ""
    warranty_end: date | None = None
    end_of_life: date | None = None
    custodian: Text120 = ""
    notes: Annotated[str, Field(max_length=500)] = ""

    @field_validator("mgmt_address", mode="before")
    @classmethod
    def _address(cls, value: Any) -> str | None:
        if value is None or (isinstance(value, str) and not value.strip()):
            return None
        try:
            return str(ipaddress.ip_address(str(value).strip()))
        except ValueError:
            raise ValueError(f"{value!r} is not an IPv4 or IPv6 address") from None

    @field_validator("credentials", mode="before")
    @classmethod
    def _profile(cls, value: Any) -> str | None:
        if value is None or (isinstance(value, str) and not value.strip()):
            return None
        if not isinstance(value, str) or not _PROFILE.match(value.strip()):
            raise ValueError("a credentials profile name is letters, digits, _ . - "
                             "(the name of a profile in the config, not a secret)")
        return value.strip()

    @model_validator(mode="after")
    def _consistent(self) -> Self:
        if self.monitoring != Monitoring.NONE and self.mgmt_address is None:
            raise ValueError(f"monitoring {self.monitoring!s} needs a mgmt_address "
                             "(or set monitoring to 'none')")
        if self.monitoring == Monitoring.SNMP and self.credentials is None:
            raise ValueError("SNMP monitoring needs a credentials profile")
        if self.purchase_date and self.warranty_end and self.warranty_end < self.purchase_date:
            raise ValueError("warranty_end is before purchase_date")
        return self


class InterfaceRecord(_Record):
    """An interface of a device (``device`` is the device's name)."""

    device: Name
    name: Annotated[str, Field(min_length=1, max_length=100)]
    if_index: Annotated[int, Field(ge=1)] | None = None
    description: Text200 = ""
    mac: str = ""
    speed_mbps: Annotated[int, Field(ge=0)] | None = None

    @field_validator("mac")
    @classmethod
    def _mac(cls, value: str) -> str:
        if not value:
            return ""
        low = value.lower()
        if not _MAC.match(low):
            raise ValueError(f"{value!r} is not a MAC address")
        digits = re.sub(r"[^0-9a-f]", "", low)
        return ":".join(digits[i:i + 2] for i in range(0, 12, 2))


class LinkRecord(_Record):
    """A link or circuit from the A end (upstream) to the B end, by device and interface."""

    name: Name
    a_device: Name
    a_interface: Annotated[str, Field(min_length=1, max_length=100)]
    b_device: Name
    b_interface: Annotated[str, Field(min_length=1, max_length=100)]
    network: Network
    bandwidth_mbps: Annotated[int, Field(ge=1)] = 1000
    provider: Text80 = ""
    circuit_id: Text80 = ""

    @model_validator(mode="after")
    def _two_ends(self) -> Self:
        if (self.a_device, self.a_interface) == (self.b_device, self.b_interface):
            raise ValueError("the A and B ends of a link are the same interface")
        return self


RECORDS: dict[str, type[_Record]] = {
    "agency": AgencyRecord, "site": SiteRecord, "device": DeviceRecord,
    "interface": InterfaceRecord, "link": LinkRecord,
}
"""Record model of each entity, in dependency order (an entity refers only to earlier ones)."""


def record_key(entity: str, record: BaseModel | dict[str, Any]) -> str:
    """The natural key of a record: code, name, or ``device/interface`` for interfaces."""
    data = record if isinstance(record, dict) else record.model_dump()
    if entity in ("agency", "site"):
        return str(data["code"])
    if entity == "interface":
        return f"{data['device']}/{data['name']}"
    return str(data["name"])
