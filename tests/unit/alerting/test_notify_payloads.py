"""What the Alertmanager and webhook notifiers put on the wire."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

import httpx
import pytest

from noc.alerting.model import Notification
from noc.alerting.notify import NotifyError
from noc.alerting.notify_am import WATCHDOG_LABELS, AlertmanagerNotifier, alert_payload, rfc3339
from noc.alerting.notify_settings import AlertmanagerSettings, WebhookSettings
from noc.alerting.notify_webhook import WebhookNotifier

T0 = datetime(2024, 5, 1, 7, 0, 0, tzinfo=UTC).timestamp()


def _firing(incident: str = "abc123", **kw: Any) -> Notification:
    base: dict[str, Any] = {
        "incident": incident, "status": "firing",
        "labels": {"alertname": "device_unreachable", "severity": "critical",
                   "device": "q7-core", "incident": incident},
        "annotations": {"summary": "Quận 7 isolated: uplink down", "contacts": ""},
        "starts_at": T0 + 0.25}
    return Notification(**(base | kw))


class Capture:
    """An httpx transport that records requests and answers ``status``."""

    def __init__(self, status: int = 200) -> None:
        self.requests: list[httpx.Request] = []
        self.status = status

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        return httpx.Response(self.status, text="nope" if self.status >= 300 else "")

    def bodies(self) -> list[Any]:
        return [json.loads(r.content) for r in self.requests]


def _am(capture: Capture, clock: list[float] | None = None,
        **kw: Any) -> AlertmanagerNotifier:
    now = clock if clock is not None else [T0]
    settings = AlertmanagerSettings(url="http://127.0.0.1:9093/", **kw)
    return AlertmanagerNotifier(settings, "https://noc.example.org/", clock=lambda: now[0],
                                transport=httpx.MockTransport(capture))


def test_rfc3339_is_utc_with_milliseconds() -> None:
    assert rfc3339(T0 + 0.25) == "2024-05-01T07:00:00.250Z"


def test_firing_alert_has_labels_annotations_and_no_end() -> None:
    alert = alert_payload(_firing(), "https://noc/alerts")
    assert alert["labels"] == {"alertname": "device_unreachable", "severity": "critical",
                               "device": "q7-core", "incident": "abc123"}
    assert alert["annotations"] == {"summary": "Quận 7 isolated: uplink down"}  # empty dropped
    assert alert["startsAt"] == "2024-05-01T07:00:00.250Z"
    assert alert["generatorURL"] == "https://noc/alerts"
    assert "endsAt" not in alert


def test_labels_get_default_alertname_and_lose_secret_keys() -> None:
    alert = alert_payload(_firing(labels={"snmp_community": "s3cret", "odd-name": "x"}))
    assert alert["labels"] == {"alertname": "NocIncident", "odd_name": "x",
                               "incident": "abc123"}
    assert "s3cret" not in json.dumps(alert)


def test_resolve_keeps_labels_and_sets_end() -> None:
    firing = alert_payload(_firing())
    resolved = alert_payload(_firing(status="resolved", ends_at=T0 + 60))
    assert resolved["labels"] == firing["labels"]
    assert resolved["endsAt"] == "2024-05-01T07:01:00.000Z"


async def test_send_posts_list_to_api_v2() -> None:
    capture = Capture()
    am = _am(capture)
    await am.send([_firing("a"), _firing("b", status="resolved", ends_at=T0 + 5)])
    await am.aclose()
    request = capture.requests[0]
    assert (request.method, str(request.url)) == ("POST", "http://127.0.0.1:9093/api/v2/alerts")
    body = capture.bodies()[0]
    assert [a["labels"]["incident"] for a in body] == ["a", "b"]
    assert body[0]["generatorURL"] == "https://noc.example.org/alerts"
    assert "endsAt" not in body[0] and body[1]["endsAt"] == "2024-05-01T07:00:05.000Z"
    assert set(am.firing) == {"a"}


async def test_firing_incidents_are_resent_until_resolved() -> None:
    capture, clock = Capture(), [T0]
    am = _am(capture, clock, resend_interval=60, heartbeat_interval=0)
    assert am.heartbeat_interval == 60
    await am.send([_firing("a"), _firing("b")])
    await am.heartbeat(T0 + 30)  # not due yet: nothing posted
    assert len(capture.requests) == 1
    await am.heartbeat(T0 + 60)
    assert sorted(a["labels"]["incident"] for a in capture.bodies()[1]) == ["a", "b"]
    assert all("endsAt" not in a for a in capture.bodies()[1])
    await am.send([_firing("a", status="resolved", ends_at=T0 + 90)])
    await am.heartbeat(T0 + 120)
    assert [a["labels"]["incident"] for a in capture.bodies()[3]] == ["b"]
    await am.aclose()


async def test_watchdog_ends_three_intervals_ahead_and_keeps_start() -> None:
    capture = Capture()
    am = _am(capture, heartbeat_interval=10, resend_interval=60)
    assert am.heartbeat_interval == 10
    await am.heartbeat(T0)
    await am.heartbeat(T0 + 10)
    await am.aclose()
    first, second = (body[0] for body in capture.bodies())
    assert first["labels"] == WATCHDOG_LABELS == {
        "alertname": "NocWatchdog", "severity": "none", "source": "metronet-noc"}
    assert first["endsAt"] == "2024-05-01T07:00:30.000Z"
    assert second["endsAt"] == "2024-05-01T07:00:40.000Z"
    assert second["startsAt"] == first["startsAt"] == "2024-05-01T07:00:00.000Z"


async def test_basic_auth_is_sent_but_never_shown() -> None:
    capture = Capture(status=401)
    am = _am(capture, username="noc", password="Am-Pa55word")
    assert "Am-Pa55word" not in repr(am) and "Am-Pa55word" not in repr(am.settings)
    with pytest.raises(NotifyError) as caught:
        await am.send([_firing()])
    await am.aclose()
    assert capture.requests[0].headers["Authorization"].startswith("Basic ")
    assert "HTTP 401" in str(caught.value)
    assert "Am-Pa55word" not in str(caught.value)


async def test_webhook_batch_document_and_bearer_token() -> None:
    capture = Capture()
    hook = WebhookNotifier(WebhookSettings(name="ops", url="http://127.0.0.1:1/h",
                                           token="tok-XYZ"), "https://noc.example.org",
                           transport=httpx.MockTransport(capture))
    await hook.send([_firing(recipients=("a@example.org",), level=1, repeat=True),
                     _firing(status="resolved", ends_at=T0 + 1)])
    await hook.heartbeat(T0)  # heartbeat_interval 0: nothing
    await hook.aclose()
    assert len(capture.requests) == 1
    assert capture.requests[0].headers["Authorization"] == "Bearer tok-XYZ"
    body = capture.bodies()[0]
    assert body["version"] == "1"
    first, second = body["notifications"]
    assert first == {
        "status": "firing", "incident": "abc123", "labels": dict(_firing().labels),
        "annotations": dict(_firing().annotations), "startsAt": "2024-05-01T07:00:00.250Z",
        "endsAt": None, "level": 1, "repeat": True, "recipients": ["a@example.org"],
        "url": "https://noc.example.org/alerts"}
    assert (second["status"], second["endsAt"]) == ("resolved", "2024-05-01T07:00:01.000Z")


async def test_webhook_heartbeat_and_non_2xx_failure_without_secrets() -> None:
    capture = Capture(status=503)
    hook = WebhookNotifier(WebhookSettings(name="ops", url="http://127.0.0.1:1/h?key=QS-SECRET",
                                           token="tok-XYZ", heartbeat_interval=5),
                           transport=httpx.MockTransport(capture))
    with pytest.raises(NotifyError) as caught:
        await hook.heartbeat(T0)
    await hook.aclose()
    assert capture.bodies()[0] == {"version": "1", "status": "heartbeat",
                                   "at": "2024-05-01T07:00:00.000Z"}
    message = str(caught.value)
    assert "HTTP 503" in message and "webhook ops" in message
    for secret in ("tok-XYZ", "QS-SECRET"):
        assert secret not in message and secret not in repr(hook)


async def test_the_watchdog_stops_when_the_pipeline_stalls() -> None:
    posted: list[list[dict[str, object]]] = []

    async def handler(request: httpx.Request) -> httpx.Response:
        posted.append(json.loads(request.content))
        return httpx.Response(200)

    notifier = AlertmanagerNotifier(AlertmanagerSettings(url="http://127.0.0.1:9093",
                                                         heartbeat_interval=5),
                                    transport=httpx.MockTransport(handler))
    evaluating = [True]
    notifier.alive = lambda: evaluating[0]
    await notifier.heartbeat(1000.0)
    evaluating[0] = False
    await notifier.heartbeat(1005.0)
    await notifier.aclose()
    assert [a["labels"]["alertname"] for a in posted[0]] == ["NocWatchdog"]  # type: ignore[index]
    assert len(posted) == 1  # nothing posted while stalled: the watchdog expires at AM
