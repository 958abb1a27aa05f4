"""Request and response shapes of the inventory REST API that are not records themselves.

The records (:mod:`inventory.schemas`) are the request and response bodies of
every entity. Here are the rest: the list envelope :class:`Page`, the query
parameters of each list (paging, search and sort in :class:`ListQuery`, one
subclass per entity with its filters; unknown parameters are refused so a
misspelt filter never silently returns everything), the partial body of a
PATCH (every record field optional) and the audit-log entry.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any, Generic, Literal, TypeVar

from pydantic import BaseModel, ConfigDict, Field, create_model, field_validator

from inventory.enums import (
    Action,
    AgencyKind,
    DeviceClass,
    DeviceStatus,
    Monitoring,
    Network,
    SiteRole,
    Via,
)

T = TypeVar("T")

MAX_LIMIT = 1000


class Page(BaseModel, Generic[T]):
    """One page of a list: ``total`` counts every match, ``items`` holds at most ``limit``."""

    items: list[T]
    total: int = Field(description="number of matches over all pages")
    limit: int
    offset: int


class ListQuery(BaseModel):
    """Paging, search and sort, common to every list."""

    model_config = ConfigDict(extra="forbid", use_enum_values=True)

    q: str | None = Field(None, max_length=200, description=(
        "case-insensitive search in the text identity fields; letters without "
        "diacritics also find those with them ('Ben Nghe' finds 'Bến Nghé')"))
    sort: str | None = Field(None, max_length=64, description=(
        "a record field, '-field' for descending; nulls come last"))
    limit: int = Field(100, ge=1, le=MAX_LIMIT, description=f"page size (at most {MAX_LIMIT})")
    offset: int = Field(0, ge=0, description="number of matches skipped")


class AgencyQuery(ListQuery):
    """Agency filters."""

    kind: AgencyKind | None = None
    parent: str | None = Field(None, description="code of the parent agency")


class SiteQuery(ListQuery):
    """Site filters."""

    agency: str | None = Field(None, description="code of the agency")
    role: SiteRole | None = None


class DeviceQuery(ListQuery):
    """Device filters."""

    agency: str | None = Field(None, description="code of the agency of the device's site")
    site: str | None = Field(None, description="code of the site")
    device_class: DeviceClass | None = None
    status: DeviceStatus | None = None
    monitoring: Monitoring | None = None
    vendor: str | None = None
    funding_program: str | None = None
    warranty_before: date | None = Field(None, description=(
        "only devices whose warranty ends before this date (no warranty_end: not listed)"))


class InterfaceQuery(ListQuery):
    """Interface filters."""

    device: str | None = Field(None, description="name of the device")


class LinkQuery(ListQuery):
    """Link filters."""

    network: Network | None = None
    device: str | None = Field(None, description="name of a device at either end")
    provider: str | None = None


Entity = Literal["agency", "site", "device", "interface", "link"]


class AuditQuery(BaseModel):
    """Audit-log filters and paging (newest first)."""

    model_config = ConfigDict(extra="forbid", use_enum_values=True)

    entity: Entity | None = None
    key: str | None = Field(None, description="natural key: code, name or device/interface")
    actor: str | None = None
    via: Via | None = None
    since: datetime | None = Field(None, description="at or after (UTC when no zone is given)")
    until: datetime | None = Field(None, description="before (UTC when no zone is given)")
    limit: int = Field(100, ge=1, le=MAX_LIMIT)
    offset: int = Field(0, ge=0)

    @field_validator("since", "until")
    @classmethod
    def _naive_utc(cls, value: datetime | None) -> datetime | None:
        """A time with a zone becomes naive UTC, the form of every inventory timestamp."""
        if value is None or value.tzinfo is None:
            return value
        return value.astimezone(UTC).replace(tzinfo=None)


class AuditOut(BaseModel):
    """One audited change: ``changes`` maps each changed field to ``[before, after]``."""

    model_config = ConfigDict(from_attributes=True)

    id: int
    at: datetime
    actor: str
    via: Via
    entity: str
    key: str
    action: Action
    changes: dict[str, Any]
    note: str


def partial_model(record: type[BaseModel]) -> type[BaseModel]:
    """The PATCH body of ``record``: the same fields, each optional, unknown ones refused."""
    fields: dict[str, Any] = {}
    for name, info in record.model_fields.items():
        annotation: Any = info.annotation
        fields[name] = (annotation | None, Field(None, description=info.description))
    name = record.__name__.removesuffix("Record") + "Patch"
    return create_model(name, __config__=ConfigDict(extra="forbid"),
                        __doc__=f"Some fields of a {record.__name__}; the merged record is "
                                "validated whole.", **fields)
