"""Pushing incidents to Alertmanager (API v2), with re-sends and the NocWatchdog heartbeat.

Each notification becomes one alert in ``POST {url}/api/v2/alerts``::

    [{"labels": {"alertname": "DeviceUnreachable", "incident": "3f2a...", ...},
      "annotations": {"summary": "...", ...},
      "startsAt": "2024-05-01T07:00:00.000Z", "endsAt": "...", "generatorURL": "..."}]

Labels are the notification's labels plus ``incident`` (``alertname``
defaults to ``NocIncident``); they stay the same for the incident's life,
so Alertmanager groups and dedupes by them. A firing alert has no
``endsAt``; a resolve sends the same labels with ``endsAt`` set. Alertmanager
resolves alerts it has not heard of for ``resolve_timeout``, so firing
incidents are re-sent every ``resend_interval`` (it dedupes: no new page).

The dead man's switch: every ``heartbeat_interval`` the always-firing alert
``{alertname="NocWatchdog", severity="none", source="metronet-noc"}`` is
posted with ``endsAt = now + 3 * heartbeat_interval``. When the NOC or its
alert pipeline stops, the alert ends in Alertmanager; an external dead
man's switch (routed on ``alertname="NocWatchdog"``) then pages.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable, Mapping, Sequence
from datetime import UTC, datetime
from typing import Any

import httpx

from noc.alerting.model import Notification
from noc.alerting.notify import NotifyError, redact, safe_url, url_secrets
from noc.alerting.notify_settings import AlertmanagerSettings

WATCHDOG_LABELS = {"alertname": "NocWatchdog", "severity": "none", "source": "metronet-noc"}
_LABEL_NAME = re.compile(r"[^A-Za-z0-9_]")
_SECRET_WORDS = ("password", "passwd", "secret", "token", "community", "key", "auth")


def rfc3339(at: float) -> str:
    """UNIX seconds as an RFC 3339 UTC timestamp with milliseconds (``...Z``)."""
    stamp = datetime.fromtimestamp(at, UTC)
    return stamp.strftime("%Y-%m-%dT%H:%M:%S.") + f"{stamp.microsecond // 1000:03d}Z"


def _label_name(name: str) -> str:
    cleaned = _LABEL_NAME.sub("_", name)
    return f"_{cleaned}" if not cleaned or cleaned[0].isdigit() else cleaned


def alert_labels(notification: Notification) -> dict[str, str]:
    """The labels Alertmanager sees: ours plus ``incident``; no empty values, no secret keys."""
    labels = {"alertname": "NocIncident"}
    for name, value in notification.labels.items():
        if value and not any(word in name.lower() for word in _SECRET_WORDS):
            labels[_label_name(name)] = str(value)
    labels["incident"] = notification.incident
    return labels


def alert_payload(notification: Notification, generator_url: str = "") -> dict[str, Any]:
    """One API v2 alert for ``notification`` (``endsAt`` only when resolved)."""
    alert: dict[str, Any] = {
        "labels": alert_labels(notification),
        "annotations": {str(k): str(v) for k, v in notification.annotations.items() if v},
        "startsAt": rfc3339(notification.starts_at),
    }
    url = notification.generator_url or generator_url
    if url:
        alert["generatorURL"] = url
    if notification.status == "resolved":
        ends = notification.ends_at if notification.ends_at is not None else time.time()
        alert["endsAt"] = rfc3339(max(ends, notification.starts_at + 0.001))
    return alert


class AlertmanagerNotifier:
    """Sends incidents to one Alertmanager; re-sends firing ones; posts the watchdog."""

    kind = "alertmanager"

    def __init__(self, settings: AlertmanagerSettings, external_url: str = "",
                 clock: Callable[[], float] = time.time,
                 transport: httpx.AsyncBaseTransport | None = None) -> None:
        self.name = "alertmanager"
        self.settings = settings
        self.clock = clock
        self.endpoint = settings.url.rstrip("/") + "/api/v2/alerts"
        self.generator_url = f"{external_url.rstrip('/')}/alerts" if external_url else ""
        positive = [i for i in (settings.heartbeat_interval, settings.resend_interval) if i > 0]
        self.heartbeat_interval = min(positive)  # one tick drives the watchdog and re-sends
        self.firing: dict[str, dict[str, Any]] = {}  # incident id -> last firing payload
        self._last_resend = clock()
        self._watchdog_since: float | None = None
        self.alive: Callable[[], bool] = lambda: True  # the alert pipeline still evaluates
        self._secrets = [settings.password.get_secret_value(), *url_secrets(settings.url)]
        auth = (httpx.BasicAuth(settings.username, self._secrets[0])
                if settings.username or self._secrets[0] else None)
        self._client = httpx.AsyncClient(timeout=settings.timeout, auth=auth,
                                         transport=transport)

    def __repr__(self) -> str:
        return f"AlertmanagerNotifier({safe_url(self.settings.url)!r})"

    async def send(self, batch: Sequence[Notification]) -> None:
        """Post ``batch`` as alerts; remember firing incidents for re-sends."""
        alerts = []
        for notification in batch:
            alert = alert_payload(notification, self.generator_url)
            if notification.status == "resolved":
                self.firing.pop(notification.incident, None)
            else:
                self.firing[notification.incident] = alert
            alerts.append(alert)
        await self.post(alerts)

    def watchdog(self, now: float) -> dict[str, Any]:
        """The NocWatchdog alert as of ``now``: ends three heartbeat intervals later."""
        if self._watchdog_since is None:
            self._watchdog_since = now
        return {"labels": dict(WATCHDOG_LABELS),
                "annotations": {"summary": "Metronet NOC alert pipeline is alive",
                                "description": "Always firing while the NOC runs; page "
                                               "when it stops (dead man's switch)."},
                "startsAt": rfc3339(self._watchdog_since),
                "endsAt": rfc3339(now + 3 * self.settings.heartbeat_interval),
                **({"generatorURL": self.generator_url} if self.generator_url else {})}

    async def heartbeat(self, now: float) -> None:
        """Post the watchdog, and re-send firing incidents when ``resend_interval`` is due."""
        alerts = []
        if self.settings.heartbeat_interval > 0 and self.alive():
            alerts.append(self.watchdog(now))  # a stalled pipeline lets the watchdog expire
        if self.firing and now - self._last_resend >= self.settings.resend_interval * 0.99:
            alerts.extend(self.firing.values())
            self._last_resend = now
        if alerts:
            await self.post(alerts)

    async def post(self, alerts: Sequence[Mapping[str, Any]]) -> None:
        """``POST /api/v2/alerts``; NotifyError (secret-free) unless Alertmanager says 200."""
        where = safe_url(self.settings.url)
        try:
            reply = await self._client.post(self.endpoint, json=list(alerts))
        except httpx.HTTPError as exc:
            raise NotifyError(redact(f"Alertmanager {where} unreachable: "
                                     f"{type(exc).__name__}: {exc}", self._secrets)) from None
        if not 200 <= reply.status_code < 300:
            body = reply.text[:200].strip()
            raise NotifyError(redact(f"Alertmanager {where} answered HTTP {reply.status_code}: "
                                     f"{body}", self._secrets))

    async def aclose(self) -> None:
        """Close the HTTP client."""
        await self._client.aclose()
