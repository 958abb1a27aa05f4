"""What one incident says to the notifiers: labels that never change, annotations that may.

Labels identify the page downstream (Alertmanager groups and deduplicates by
them), so they come from the root alert alone and are the same when the
incident fires, re-pages and resolves, and after a restart. Annotations carry
the human part: the title in English and Vietnamese, the affected agencies
with their contacts, and how many alerts the incident holds.
"""

from __future__ import annotations

from collections.abc import Mapping

from inventory.catalog import Catalog
from noc.alerting.model import Alert, Incident, Notification

WATCHDOG = "NocWatchdog"


def labels_of(root: Alert) -> dict[str, str]:
    """The stable labels of the incident whose root is ``root``."""
    labels = {"alertname": root.rule, "incident": root.fingerprint, "severity": root.severity,
              "subject": root.subject, "source": "metronet-noc"}
    if root.device:
        labels["device"] = root.device
    if root.agency:
        labels["agency"] = root.agency
    return labels


def annotations_of(incident: Incident, catalog: Catalog, title_vi: str) -> dict[str, str]:
    """The human part of a page about ``incident``."""
    names = []
    for code in incident.affected_agencies:
        agency = catalog.agencies.get(code)
        names.append(agency.name_vi if agency else code)
    contacts = "; ".join(
        " ".join(part for part in (c.name, c.phone, c.email) if part) + f" ({c.agency})"
        for c in incident.contacts)
    notes = {
        "summary": incident.title,
        "summary_vi": title_vi,
        "description": incident.root.summary,
        "affected_agencies": ", ".join(names),
        "affected_devices": str(incident.affected_devices),
        "related_alerts": str(len(incident.members)),
        "contacts": contacts,
    }
    return {key: value for key, value in notes.items() if value}


def firing(incident: Incident, catalog: Catalog, title_vi: str, url: str,
           recipients: tuple[str, ...] = (), level: int = 0,
           repeat: bool = False, refresh: bool = False) -> Notification:
    """The page announcing (or repeating) ``incident``."""
    root = incident.root
    return Notification(incident=incident.id, status="firing", labels=labels_of(root),
                        annotations=annotations_of(incident, catalog, title_vi),
                        starts_at=root.fired_at or root.active_since, generator_url=url,
                        recipients=recipients, level=level, repeat=repeat, refresh=refresh)


def resolved(root: Alert, at: float, url: str,
             annotations: Mapping[str, str] | None = None) -> Notification:
    """The page saying the incident of ``root`` is over."""
    notes = dict(annotations or {"summary": root.summary, "description": root.summary})
    return Notification(incident=root.fingerprint, status="resolved", labels=labels_of(root),
                        annotations=notes, starts_at=root.fired_at or root.active_since,
                        ends_at=at, generator_url=url)
