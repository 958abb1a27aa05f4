"""Operational tables next to the inventory: audit log, discovered facts, drift, history.

* :class:`AuditEntry` — every change: who, when, through which path, and the
  before/after value of each field that changed.
* :class:`DiscoveredFact` — what polling found about a device (or about an
  address the inventory does not know), next to the recorded value.
* :class:`DriftAck` — a discovered difference a technician marked as expected.
* :class:`StatusChange` — up/down transitions of devices and agencies, the
  input of availability figures.
* :class:`ConfigVersion` — the index of stored device configurations (the
  content itself is a compressed file named by its digest).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from inventory.models import Base, utcnow


class AuditEntry(Base):
    """One audited change of one inventory record."""

    __tablename__ = "audit_entry"
    __table_args__ = (Index("ix_audit_entry_entity_key", "entity", "key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    actor: Mapped[str] = mapped_column(String(64))  # user name, token name, "lab", "discovery"
    via: Mapped[str] = mapped_column(String(16))  # Via
    entity: Mapped[str] = mapped_column(String(16))  # agency, site, device, interface, link
    key: Mapped[str] = mapped_column(String(200))  # natural key: code, name, "device/ifname"
    action: Mapped[str] = mapped_column(String(16))  # Action
    changes: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)  # field: [before, after]
    note: Mapped[str] = mapped_column(String(500), default="")


class DiscoveredFact(Base):
    """A value polling found: ``subject`` is a device name, or an address nobody recorded."""

    __tablename__ = "discovered_fact"
    __table_args__ = (UniqueConstraint("subject", "field"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    subject: Mapped[str] = mapped_column(String(120))
    device_id: Mapped[int | None] = mapped_column(
        ForeignKey("device.id", ondelete="CASCADE"), index=True)
    field: Mapped[str] = mapped_column(String(64))  # serial, model, neighbor:Gi0/1, seen...
    value: Mapped[str] = mapped_column(String(500), default="")
    source: Mapped[str] = mapped_column(String(16), default="snmp")  # snmp, lldp, cdp, arp...
    first_seen: Mapped[datetime] = mapped_column(default=utcnow)
    last_seen: Mapped[datetime] = mapped_column(default=utcnow)


class DriftAck(Base):
    """A difference between recorded and discovered that is expected (not reported)."""

    __tablename__ = "drift_ack"
    __table_args__ = (UniqueConstraint("subject", "field"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    subject: Mapped[str] = mapped_column(String(120))
    field: Mapped[str] = mapped_column(String(64))
    value: Mapped[str] = mapped_column(String(500), default="")  # the discovered value accepted
    actor: Mapped[str] = mapped_column(String(64))
    at: Mapped[datetime] = mapped_column(default=utcnow)
    note: Mapped[str] = mapped_column(String(500), default="")


class StatusChange(Base):
    """A device, agency or link changed status (up, down, degraded, unknown)."""

    __tablename__ = "status_change"
    __table_args__ = (Index("ix_status_change_subject", "kind", "subject", "at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(16))  # device, agency, link
    subject: Mapped[str] = mapped_column(String(120))
    status: Mapped[str] = mapped_column(String(16))
    at: Mapped[datetime] = mapped_column(default=utcnow)
    reason: Mapped[str] = mapped_column(String(300), default="")


class ConfigVersion(Base):
    """One fetched configuration of a device whose content differed from the one before."""

    __tablename__ = "config_version"
    __table_args__ = (Index("ix_config_version_device_at", "device", "fetched_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    device: Mapped[str] = mapped_column(String(100))
    digest: Mapped[str] = mapped_column(String(64))  # sha256 of the raw text
    fetched_at: Mapped[datetime] = mapped_column(default=utcnow)
    size: Mapped[int] = mapped_column(default=0)
    lines_added: Mapped[int] = mapped_column(default=0)
    lines_removed: Mapped[int] = mapped_column(default=0)
