"""SQLAlchemy 2 models of the inventory: agencies, sites, devices, interfaces, links.

Field by field, these are what a technician records about the city's network
(see ``inventory/FIELDS.md`` for the meaning of every field). Closed choice
sets (agency kind, site role, device class, status, monitoring method,
network) live in :mod:`inventory.enums` and are stored as their string values,
so the database stays readable. All timestamps are naive UTC
(:func:`utcnow`), identical on SQLite and PostgreSQL.

Operational tables (audit log, discovered facts, drift acknowledgements,
status changes, configuration versions) are in :mod:`inventory.records`.
"""

from __future__ import annotations

from datetime import UTC, date, datetime

from sqlalchemy import ForeignKey, Index, String, UniqueConstraint, text
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

from inventory.enums import DeviceStatus, Monitoring

__all__ = ["Agency", "Base", "Device", "DeviceStatus", "Interface", "Link", "Monitoring",
           "Site", "utcnow"]


def utcnow() -> datetime:
    """The current time as naive UTC, the form every inventory timestamp takes."""
    return datetime.now(UTC).replace(tzinfo=None)


class Base(DeclarativeBase):
    """Declarative base of every inventory table."""


class Agency(Base):
    """A department (Sở/ngành), district (Quận/huyện), ward (Phường/xã) or the city IT."""

    __tablename__ = "agency"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(32), unique=True)  # stable ASCII id, e.g. "Q1-BN"
    kind: Mapped[str] = mapped_column(String(16), index=True)  # AgencyKind
    name_vi: Mapped[str] = mapped_column(String(200))  # "Phường Bến Nghé"
    name_en: Mapped[str] = mapped_column(String(200))  # "Ben Nghe Ward"
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("agency.id"))  # ward -> district
    contact_name: Mapped[str] = mapped_column(String(120), default="")
    contact_phone: Mapped[str] = mapped_column(String(40), default="")
    contact_email: Mapped[str] = mapped_column(String(120), default="")

    parent: Mapped[Agency | None] = relationship(remote_side=[id])
    sites: Mapped[list[Site]] = relationship(back_populates="agency")


class Site(Base):
    """A physical place of an agency: office, one-stop service desk, data center."""

    __tablename__ = "site"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(32), unique=True)
    agency_id: Mapped[int] = mapped_column(ForeignKey("agency.id"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    address: Mapped[str] = mapped_column(String(300), default="")
    role: Mapped[str] = mapped_column(String(32), default="agency_office")  # SiteRole
    latitude: Mapped[float | None]
    longitude: Mapped[float | None]

    agency: Mapped[Agency] = relationship(back_populates="sites")
    devices: Mapped[list[Device]] = relationship(back_populates="site")


class Device(Base):
    """Anything the city owns with a network presence, or an asset worth tracking.

    ``serial`` and ``asset_tag`` are unique when not empty (partial unique
    indexes), so two assets can both be "not recorded yet".
    """

    __tablename__ = "device"
    __table_args__ = (
        Index("uq_device_serial", "serial", unique=True,
              sqlite_where=text("serial != ''"), postgresql_where=text("serial != ''")),
        Index("uq_device_asset_tag", "asset_tag", unique=True,
              sqlite_where=text("asset_tag != ''"), postgresql_where=text("asset_tag != ''")),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(100), unique=True)  # hostname or asset name
    site_id: Mapped[int] = mapped_column(ForeignKey("site.id"), index=True)
    device_class: Mapped[str] = mapped_column(String(32), index=True)  # DeviceClass
    vendor: Mapped[str] = mapped_column(String(80), default="")
    model: Mapped[str] = mapped_column(String(120), default="")
    serial: Mapped[str] = mapped_column(String(80), default="")
    asset_tag: Mapped[str] = mapped_column(String(80), default="")
    firmware: Mapped[str] = mapped_column(String(120), default="")
    mgmt_address: Mapped[str | None] = mapped_column(String(45), index=True)
    snmp_port: Mapped[int] = mapped_column(default=161)
    credentials: Mapped[str | None] = mapped_column(String(64))  # profile *name*, never a secret
    monitoring: Mapped[str] = mapped_column(String(8), default=Monitoring.SNMP.value)
    platform: Mapped[str] = mapped_column(String(32), default="")  # SSH CLI type: cisco_ios...
    ssh_port: Mapped[int] = mapped_column(default=22)
    status: Mapped[str] = mapped_column(String(16), default=DeviceStatus.ACTIVE.value,
                                        index=True)
    purchase_date: Mapped[date | None]
    funding_program: Mapped[str] = mapped_column(String(80), default="")
    warranty_end: Mapped[date | None]
    end_of_life: Mapped[date | None]
    custodian: Mapped[str] = mapped_column(String(120), default="")  # person responsible
    notes: Mapped[str] = mapped_column(String(500), default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    site: Mapped[Site] = relationship(back_populates="devices")
    interfaces: Mapped[list[Interface]] = relationship(back_populates="device")


class Interface(Base):
    """A network interface of a device, as recorded (discovery fills ifIndex)."""

    __tablename__ = "interface"
    __table_args__ = (UniqueConstraint("device_id", "name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    device_id: Mapped[int] = mapped_column(ForeignKey("device.id"), index=True)
    name: Mapped[str] = mapped_column(String(100))  # ifName, e.g. "GigabitEthernet1/0/1"
    if_index: Mapped[int | None]
    description: Mapped[str] = mapped_column(String(200), default="")
    mac: Mapped[str] = mapped_column(String(17), default="")  # aa:bb:cc:dd:ee:ff
    speed_mbps: Mapped[int | None]

    device: Mapped[Device] = relationship(back_populates="interfaces")


class Link(Base):
    """A link or circuit with an A end (upstream) and a B end (downstream)."""

    __tablename__ = "link"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(100), unique=True)
    a_interface_id: Mapped[int] = mapped_column(ForeignKey("interface.id"))
    b_interface_id: Mapped[int] = mapped_column(ForeignKey("interface.id"))
    network: Mapped[str] = mapped_column(String(16), index=True)  # Network
    bandwidth_mbps: Mapped[int] = mapped_column(default=1000)
    provider: Mapped[str] = mapped_column(String(80), default="")
    circuit_id: Mapped[str] = mapped_column(String(80), default="")

    a_interface: Mapped[Interface] = relationship(foreign_keys=[a_interface_id])
    b_interface: Mapped[Interface] = relationship(foreign_keys=[b_interface_id])
