"""The Alertmanager notifier against a real Alertmanager that pages a webhook sink."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable, Iterator
from typing import Any

import pytest

from noc.alerting.model import Notification
from noc.alerting.notify import Dispatcher
from noc.alerting.notify_am import AlertmanagerNotifier
from noc.alerting.notify_settings import AlertmanagerSettings, RetrySettings
from tests.peers.alertmanager import AlertmanagerPeer
from tests.peers.webhook_sink import Received, WebhookSink

pytestmark = pytest.mark.integration

RETRY = RetrySettings(first_delay=0.2, max_delay=1, max_age=600)


@pytest.fixture
def sink() -> Iterator[WebhookSink]:
    with WebhookSink() as running:
        yield running


@pytest.fixture
def alertmanager(sink: WebhookSink) -> Iterator[AlertmanagerPeer]:
    with AlertmanagerPeer(sink.url) as peer:
        yield peer


async def until(what: str, check: Callable[[], Any], within: float) -> Any:
    """Poll ``check`` (run in a thread) until truthy; AssertionError after ``within`` s."""
    deadline = time.monotonic() + within
    while True:
        result = await asyncio.to_thread(check)
        if result:
            return result
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {within:g} s waiting for {what}")
        await asyncio.sleep(0.1)


def _notification(status: str = "firing", **kw: Any) -> Notification:
    base: dict[str, Any] = {
        "incident": "7e1d2c3b4a5f6e7d", "status": status,
        "labels": {"alertname": "link_down", "severity": "critical", "device": "q7-core",
                   "source": "metronet-noc"},
        "annotations": {"summary": "Quận 7 isolated: uplink q7-uplink down",
                        "affected_agencies": "UBND Quận 7"},
        "starts_at": time.time() - 5}
    return Notification(**(base | kw))


def _pages(sink: WebhookSink, incident: str) -> list[Received]:
    return [r for r in sink.accepted()
            if any(a["labels"].get("incident") == incident for a in r.body["alerts"])]


def _dispatcher(url: str, **settings: Any) -> tuple[Dispatcher, AlertmanagerNotifier]:
    notifier = AlertmanagerNotifier(AlertmanagerSettings(url=url, **settings),
                                    "http://127.0.0.1:8080")
    return Dispatcher([notifier], RETRY), notifier


async def test_fire_resend_resolve_pages_once_each(alertmanager: AlertmanagerPeer,
                                                   sink: WebhookSink) -> None:
    dispatcher, notifier = _dispatcher(alertmanager.url, resend_interval=0.5,
                                       heartbeat_interval=0)
    await dispatcher.start()
    firing = _notification()
    dispatcher.submit(firing)
    pages = await until("the firing page", lambda: _pages(sink, firing.incident), 15)
    page = pages[0].body
    assert page["status"] == "firing" and len(page["alerts"]) == 1
    alert = page["alerts"][0]
    assert alert["labels"] == {"alertname": "link_down", "severity": "critical",
                               "device": "q7-core", "source": "metronet-noc",
                               "incident": firing.incident}
    assert alert["annotations"]["summary"] == "Quận 7 isolated: uplink q7-uplink down"
    assert alert["generatorURL"] == "http://127.0.0.1:8080/alerts"
    # several re-sends and more than one group_interval: Alertmanager must not page again
    await asyncio.sleep(4.5)
    assert len(_pages(sink, firing.incident)) == 1
    assert dispatcher.health()[0].ok
    dispatcher.submit(_notification("resolved", ends_at=time.time()))
    pages = await until("the resolved page",
                        lambda: [p for p in _pages(sink, firing.incident)
                                 if p.body["status"] == "resolved"], 15)
    await dispatcher.stop()
    assert pages[0].body["alerts"][0]["labels"]["incident"] == firing.incident
    assert notifier.firing == {}


async def test_watchdog_visible_while_beating_then_expires(alertmanager: AlertmanagerPeer
                                                           ) -> None:
    dispatcher, _ = _dispatcher(alertmanager.url, heartbeat_interval=1, resend_interval=60)
    await dispatcher.start()
    alerts = await until("NocWatchdog",
                         lambda: alertmanager.alerts(alertname="NocWatchdog"), 10)
    assert alerts[0]["labels"] == {"alertname": "NocWatchdog", "severity": "none",
                                   "source": "metronet-noc"}
    await asyncio.sleep(2.5)  # beats keep pushing endsAt forward: still there
    assert await asyncio.to_thread(alertmanager.alerts, alertname="NocWatchdog")
    await dispatcher.stop()
    stopped = time.monotonic()
    await until("NocWatchdog to end",
                lambda: not alertmanager.alerts(alertname="NocWatchdog"), 10)
    assert time.monotonic() - stopped >= 1.0  # it ended by its endsAt, not at once


async def test_outage_shows_in_health_and_queued_page_arrives_after_restart(
        alertmanager: AlertmanagerPeer, sink: WebhookSink) -> None:
    alertmanager.halt()
    dispatcher, _ = _dispatcher(alertmanager.url, heartbeat_interval=0, resend_interval=60)
    await dispatcher.start()
    firing = _notification()
    dispatcher.submit(firing)
    await until("a failure in health", lambda: dispatcher.health()[0].consecutive_failures >= 2,
                10)
    down = dispatcher.health()[0]
    assert not down.ok and down.queued == 1 and down.sent == 0
    assert f"Alertmanager {alertmanager.url} unreachable" in down.last_error
    await asyncio.to_thread(alertmanager.start)  # same port, same storage
    pages = await until("the page after the restart", lambda: _pages(sink, firing.incident), 20)
    health = dispatcher.health()[0]
    await dispatcher.stop()
    assert pages[0].body["status"] == "firing"
    assert health.ok and health.sent == 1 and health.queued == 0
