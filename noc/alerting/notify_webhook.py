"""A generic JSON webhook: one POST per batch of notifications.

Payload of a batch (``Content-Type: application/json``)::

    {"version": "1",
     "notifications": [
        {"status": "firing" | "resolved", "incident": "3f2a...",
         "labels": {...}, "annotations": {...},
         "startsAt": "2024-05-01T07:00:00.000Z", "endsAt": null | "...",
         "level": 0, "repeat": false, "recipients": ["oncall@example.org"],
         "url": "https://noc.example.org/alerts"}]}

Heartbeats (when ``heartbeat_interval > 0``) post
``{"version": "1", "status": "heartbeat", "at": "<RFC 3339>"}``. A token is
sent as ``Authorization: Bearer <token>``. Any answer other than 2xx is a
failure; error messages name only ``scheme://host:port`` of the URL.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import httpx

from noc.alerting.model import Notification
from noc.alerting.notify import NotifyError, redact, safe_url, url_secrets
from noc.alerting.notify_am import rfc3339
from noc.alerting.notify_settings import WebhookSettings

PAYLOAD_VERSION = "1"


def notification_json(notification: Notification, alerts_url: str = "") -> dict[str, Any]:
    """One notification as the webhook payload carries it."""
    return {
        "status": notification.status,
        "incident": notification.incident,
        "labels": dict(notification.labels),
        "annotations": dict(notification.annotations),
        "startsAt": rfc3339(notification.starts_at),
        "endsAt": rfc3339(notification.ends_at) if notification.ends_at is not None else None,
        "level": notification.level,
        "repeat": notification.repeat,
        "recipients": list(notification.recipients),
        "url": notification.generator_url or alerts_url,
    }


class WebhookNotifier:
    """Posts notification batches (and optional heartbeats) to one URL."""

    kind = "webhook"

    def __init__(self, settings: WebhookSettings, external_url: str = "",
                 transport: httpx.AsyncBaseTransport | None = None) -> None:
        self.name = f"webhook:{settings.name}"
        self.settings = settings
        self.heartbeat_interval = settings.heartbeat_interval
        self.alive: Callable[[], bool] = lambda: True  # the alert pipeline still evaluates
        self.alerts_url = f"{external_url.rstrip('/')}/alerts" if external_url else ""
        token = settings.token.get_secret_value() if settings.token is not None else ""
        self._secrets = [token, *url_secrets(settings.url)]
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        self._client = httpx.AsyncClient(timeout=settings.timeout, headers=headers,
                                         transport=transport)

    def __repr__(self) -> str:
        return f"WebhookNotifier({self.settings.name!r}, {safe_url(self.settings.url)!r})"

    async def send(self, batch: Sequence[Notification]) -> None:
        """Post the batch as one JSON document."""
        await self._post({"version": PAYLOAD_VERSION,
                          "notifications": [notification_json(n, self.alerts_url)
                                            for n in batch]})

    async def heartbeat(self, now: float) -> None:
        """Post a heartbeat when configured."""
        if self.heartbeat_interval > 0 and self.alive():
            await self._post({"version": PAYLOAD_VERSION, "status": "heartbeat",
                              "at": rfc3339(now)})

    async def _post(self, document: dict[str, Any]) -> None:
        where = f"webhook {self.settings.name} ({safe_url(self.settings.url)})"
        try:
            reply = await self._client.post(self.settings.url, json=document)
        except httpx.HTTPError as exc:
            raise NotifyError(redact(f"{where} unreachable: {type(exc).__name__}: {exc}",
                                     self._secrets)) from None
        if not 200 <= reply.status_code < 300:
            raise NotifyError(redact(f"{where} answered HTTP {reply.status_code}: "
                                     f"{reply.text[:200].strip()}", self._secrets))

    async def aclose(self) -> None:
        """Close the HTTP client."""
        await self._client.aclose()
