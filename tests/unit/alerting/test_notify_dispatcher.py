"""The dispatcher: per-notifier queues, retries with backoff, max age, heartbeats, health."""

from __future__ import annotations

import asyncio
import itertools
import time
from collections.abc import Callable, Sequence

from noc.alerting.model import Notification
from noc.alerting.notify import Dispatcher, NotifyError, build_dispatcher
from noc.alerting.notify_settings import NotifySettings, RetrySettings, WebhookSettings
from noc.alerting.notify_webhook import WebhookNotifier
from tests.peers.webhook_sink import WebhookSink

FAST = RetrySettings(first_delay=0.05, max_delay=0.4, max_age=3600)


def _n(incident: str) -> Notification:
    return Notification(incident=incident, status="firing", labels={"alertname": "x"},
                        annotations={}, starts_at=1.0)


async def until(what: str, check: Callable[[], object], within: float = 5.0) -> None:
    deadline = time.monotonic() + within
    while not check():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        await asyncio.sleep(0.01)


class Fake:
    """A notifier that records batches; fails ``fail`` times; may hang or deliver partly."""

    kind = "webhook"

    def __init__(self, name: str, fail: int = 0, hang: bool = False, delivered: int = 0,
                 heartbeat_interval: float = 0.0, beat_fail: int = 0) -> None:
        self.name = name
        self.fail = fail
        self.hang = hang
        self.delivered = delivered
        self.heartbeat_interval = heartbeat_interval
        self.beat_fail = beat_fail
        self.batches: list[list[str]] = []
        self.beats: list[float] = []
        self.closed = False

    async def send(self, batch: Sequence[Notification]) -> None:
        self.batches.append([n.incident for n in batch])
        if self.hang:
            await asyncio.sleep(30)
        if self.fail:
            self.fail -= 1
            raise NotifyError(f"{self.name} refused", delivered=self.delivered)

    async def heartbeat(self, now: float) -> None:
        self.beats.append(now)
        if self.beat_fail:
            self.beat_fail -= 1
            raise NotifyError("beat refused")

    async def aclose(self) -> None:
        self.closed = True


def test_backoff_doubles_and_is_capped() -> None:
    dispatcher = Dispatcher([], RetrySettings(first_delay=1, max_delay=60))
    assert [dispatcher.backoff(n) for n in range(1, 9)] == [1, 2, 4, 8, 16, 32, 60, 60]
    assert dispatcher.backoff(10_000) == 60


async def test_retries_with_backoff_against_http_server_keep_order() -> None:
    with WebhookSink(fail_first=3) as sink:
        hook = WebhookNotifier(WebhookSettings(name="ops", url=sink.url))
        dispatcher = Dispatcher([hook], FAST)
        await dispatcher.start()
        dispatcher.submit(_n("first"))
        await until("a failure", lambda: dispatcher.health()[0].consecutive_failures >= 1)
        failing = dispatcher.health()[0]
        dispatcher.submit(_n("second"))
        await until("delivery", lambda: len(sink.accepted()) >= 1)
        await until("health ok", lambda: dispatcher.health()[0].sent == 2)
        healed = dispatcher.health()[0]
        await dispatcher.stop()
    assert not failing.ok and "HTTP 500" in failing.last_error and failing.queued >= 1
    assert healed.ok and healed.consecutive_failures == 0 and healed.queued == 0
    assert healed.last_success is not None and healed.failed == 0
    delivered = [n["incident"] for r in sink.accepted() for n in r.body["notifications"]]
    assert delivered == ["first", "second"]
    times = [r.at for r in sink.received]
    assert len(times) == 4
    gaps = [b - a for a, b in itertools.pairwise(times)]
    for gap, expected in zip(gaps, (0.05, 0.1, 0.2), strict=True):
        assert gap >= expected * 0.8, gaps


async def test_notifications_older_than_max_age_are_dropped_and_counted() -> None:
    now = [1000.0]
    failing = Fake("down", fail=10**6)
    retry = RetrySettings(first_delay=0.01, max_delay=0.02, max_age=100)
    dispatcher = Dispatcher([failing], retry, clock=lambda: now[0])
    await dispatcher.start()
    dispatcher.submit(_n("old"))
    await until("a failed attempt", lambda: dispatcher.health()[0].consecutive_failures >= 1)
    now[0] += 101
    dispatcher.submit(_n("new"))
    await until("the drop", lambda: dispatcher.health()[0].failed == 1)
    await until("another attempt", lambda: failing.batches[-1] == ["new"])
    health = dispatcher.health()[0]
    await dispatcher.stop(flush=0)
    assert (health.failed, health.sent, health.queued, health.ok) == (1, 0, 1, False)


async def test_a_hanging_or_failing_notifier_does_not_delay_another() -> None:
    slow, broken, good = Fake("slow", hang=True), Fake("broken", fail=10**6), Fake("good")
    dispatcher = Dispatcher([slow, broken, good], FAST)
    await dispatcher.start()
    started = time.monotonic()
    for name in ("a", "b", "c"):
        dispatcher.submit(_n(name))
        await asyncio.sleep(0.01)
    await until("good got all", lambda: sum(map(len, good.batches)) == 3, within=2)
    elapsed = time.monotonic() - started
    health = {h.name: h for h in dispatcher.health()}
    await dispatcher.stop(flush=0)
    assert elapsed < 1.0
    assert [i for b in good.batches for i in b] == ["a", "b", "c"]
    assert health["good"].ok and health["good"].sent == 3
    assert health["slow"].queued == 3 and health["slow"].sent == 0
    assert not health["broken"].ok and health["broken"].last_error == "broken refused"
    assert slow.closed and broken.closed and good.closed


async def test_partial_delivery_is_not_sent_twice() -> None:
    partial = Fake("mail", fail=1, delivered=1)
    dispatcher = Dispatcher([partial], FAST)
    dispatcher.submit(_n("a"))
    dispatcher.submit(_n("b"))
    await dispatcher.start()
    await until("sent", lambda: dispatcher.health()[0].sent == 2)
    await dispatcher.stop()
    assert partial.batches == [["a", "b"], ["b"]]


async def test_heartbeats_run_at_interval_and_failures_show_in_health() -> None:
    beating = Fake("am", heartbeat_interval=0.05, beat_fail=1)
    dispatcher = Dispatcher([beating], FAST)
    await dispatcher.start()
    await until("first beat", lambda: beating.beats)
    failed = dispatcher.health()[0]
    await until("three beats", lambda: len(beating.beats) >= 3)
    await until("recovered", lambda: dispatcher.health()[0].ok)
    await dispatcher.stop()
    assert not failed.ok and failed.last_error == "heartbeat: beat refused"
    assert failed.consecutive_failures == 1


async def test_full_queue_drops_the_oldest() -> None:
    fake = Fake("q")
    dispatcher = Dispatcher([fake], FAST, queue_size=2)
    for name in ("a", "b", "c"):
        dispatcher.submit(_n(name))
    health = dispatcher.health()[0]
    assert (health.queued, health.failed) == (2, 1)
    assert "queue full" in health.last_error
    await dispatcher.start()
    await until("sent", lambda: dispatcher.health()[0].sent == 2)
    await dispatcher.stop()
    assert fake.batches == [["b", "c"]]


async def test_build_dispatcher_names_kinds_and_no_secrets() -> None:
    settings = NotifySettings.model_validate({
        "alertmanager": {"url": "http://127.0.0.1:9093", "username": "u",
                         "password": "AM-SECRET"},
        "webhooks": [{"name": "ops", "url": "http://127.0.0.1:8081/h", "token": "WH-SECRET"}],
        "email": {"host": "127.0.0.1", "sender": "noc@example.org", "username": "u",
                  "password": "SMTP-SECRET", "recipients": ["oncall@example.org"]},
    })
    dispatcher = build_dispatcher(settings)
    health = dispatcher.health()
    text = repr(health) + repr(dispatcher.notifiers) + repr(settings)
    await dispatcher.stop()
    assert [(h.name, h.kind, h.ok) for h in health] == [
        ("alertmanager", "alertmanager", True), ("webhook:ops", "webhook", True),
        ("email", "email", True)]
    for secret in ("AM-SECRET", "WH-SECRET", "SMTP-SECRET"):
        assert secret not in text


async def test_stop_delivers_what_was_queued_just_before() -> None:
    slow = Fake("slow", fail=2)  # two failures, then it takes the page
    dispatcher = Dispatcher([slow], FAST)
    await dispatcher.start()
    dispatcher.submit(_n("last-words"))
    await dispatcher.stop(flush=5)
    assert slow.batches[-1] == ["last-words"] and dispatcher.health()[0].sent == 1
    assert slow.closed


async def test_stop_gives_up_on_a_dead_receiver_after_the_flush_time() -> None:
    dead = Fake("dead", fail=10_000)
    dispatcher = Dispatcher([dead], FAST)
    await dispatcher.start()
    dispatcher.submit(_n("lost"))
    started = time.monotonic()
    await dispatcher.stop(flush=0.5)
    assert time.monotonic() - started < 3
    assert dispatcher.health()[0].queued == 1 and dead.closed


async def test_a_refresh_goes_to_alertmanager_only() -> None:
    from dataclasses import replace

    class FakeAm(Fake):
        kind = "alertmanager"

    am, hook = FakeAm("alertmanager"), Fake("hook")
    dispatcher = Dispatcher([am, hook], FAST)
    await dispatcher.start()
    dispatcher.submit(replace(_n("after-restart"), refresh=True))
    dispatcher.submit(_n("new"))
    await dispatcher.stop(flush=2)
    assert [i for b in am.batches for i in b] == ["after-restart", "new"]
    assert [i for b in hook.batches for i in b] == ["new"]  # people are not paged again
