"""Sending notifications: the :class:`Notifier` protocol and the :class:`Dispatcher`.

The alerting service calls :meth:`Dispatcher.submit` for every
:class:`~noc.alerting.model.Notification` (firing, resolved, re-page). Each
notifier has its own bounded queue and its own task, so a slow or failing
notifier never delays another. A task sends whatever is queued as one batch,
in order; on failure it retries the whole batch (plus anything queued
meanwhile) after ``first_delay * 2**n`` seconds, capped at ``max_delay``.
Notifications queued longer than ``max_age`` are dropped; so is the oldest
one when the queue is full. Notifiers with a ``heartbeat_interval`` also
get :meth:`Notifier.heartbeat` calls (the Alertmanager dead man's switch).

Counters in :meth:`Dispatcher.health`: ``sent`` notifications delivered,
``failed`` notifications given up on (too old, queue full), ``queued`` still
waiting; ``ok`` is whether the last send and the last heartbeat succeeded,
``consecutive_failures`` counts failed attempts (sends and heartbeats) since.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections import deque
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Protocol
from urllib.parse import urlsplit

from noc.alerting.model import Notification
from noc.alerting.view import NotifierHealth

if TYPE_CHECKING:
    from noc.alerting.notify_settings import NotifySettings, RetrySettings

log = logging.getLogger(__name__)

DEFAULT_QUEUE_SIZE = 1000


class NotifyError(Exception):
    """A send or heartbeat failed; the message never contains a secret.

    ``delivered`` is how many leading notifications of the batch did go out
    (an e-mail notifier sends one message per notification), so a retry does
    not page twice.
    """

    def __init__(self, message: str, delivered: int = 0) -> None:
        super().__init__(message)
        self.delivered = delivered


def redact(message: str, secrets: Iterable[str]) -> str:
    """``message`` with every non-empty secret replaced by ``***``."""
    for secret in secrets:
        if secret:
            message = message.replace(secret, "***")
    return message


def safe_url(url: str) -> str:
    """``scheme://host:port`` of ``url``: no user info, path or query (they may hold secrets)."""
    try:
        parts = urlsplit(url)
        port = f":{parts.port}" if parts.port else ""
    except ValueError:
        return "(invalid URL)"
    return f"{parts.scheme}://{parts.hostname}{port}"


def url_secrets(url: str) -> list[str]:
    """The parts of ``url`` that may be secret: its password and query string."""
    try:
        parts = urlsplit(url)
    except ValueError:
        return [url]
    return [s for s in (parts.password, parts.query) if s]


class Notifier(Protocol):
    """One way of paging: Alertmanager, a webhook, e-mail."""

    name: str  # unique, e.g. "alertmanager", "webhook:ops-chat", "email"
    kind: str  # alertmanager | webhook | email
    heartbeat_interval: float  # seconds between heartbeat() calls; 0: never

    async def send(self, batch: Sequence[Notification]) -> None:
        """Deliver ``batch`` in order; raise :class:`NotifyError` on failure."""
        ...

    async def heartbeat(self, now: float) -> None:
        """Tell the receiver the NOC is alive (may do nothing); NotifyError on failure."""
        ...

    async def aclose(self) -> None:
        """Release connections."""
        ...


@dataclass(slots=True)
class _Lane:
    """One notifier's queue, task state and counters."""

    notifier: Notifier
    queue: deque[tuple[float, Notification]] = field(default_factory=deque)
    wakeup: asyncio.Event = field(default_factory=asyncio.Event)
    sent: int = 0
    failed: int = 0
    send_failures: int = 0
    beat_failures: int = 0
    last_error: str = ""
    last_success: float | None = None


class Dispatcher:
    """Fans notifications out to notifiers, each with its own queue, retries and heartbeat."""

    def __init__(self, notifiers: Sequence[Notifier], retry: RetrySettings,
                 clock: Callable[[], float] = time.time,
                 queue_size: int = DEFAULT_QUEUE_SIZE) -> None:
        names = [n.name for n in notifiers]
        if len(set(names)) != len(names):
            raise ValueError(f"duplicate notifier names: {names}")
        self.retry = retry
        self.clock = clock
        self.queue_size = queue_size
        self._lanes = [_Lane(n) for n in notifiers]
        self._tasks: list[asyncio.Task[None]] = []

    @property
    def notifiers(self) -> list[Notifier]:
        """The notifiers, in the order given."""
        return [lane.notifier for lane in self._lanes]

    def submit(self, notification: Notification) -> None:
        """Queue ``notification`` for every notifier; never blocks (call from the loop)."""
        now = self.clock()
        for lane in self._lanes:
            if notification.refresh and lane.notifier.kind != "alertmanager":
                continue  # a re-announcement after a restart pages nobody
            if len(lane.queue) >= self.queue_size:
                lane.queue.popleft()
                lane.failed += 1
                lane.last_error = f"queue full ({self.queue_size}): dropped the oldest"
                log.warning("notifier %s: %s", lane.notifier.name, lane.last_error)
            lane.queue.append((now, notification))
            lane.wakeup.set()

    async def start(self) -> None:
        """Start one sender task per notifier, plus a heartbeat task where it has one."""
        if self._tasks:
            return
        for lane in self._lanes:
            name = lane.notifier.name
            self._tasks.append(asyncio.create_task(self._send_loop(lane), name=f"notify:{name}"))
            if lane.notifier.heartbeat_interval > 0:
                self._tasks.append(asyncio.create_task(self._beat_loop(lane),
                                                       name=f"heartbeat:{name}"))

    async def stop(self, flush: float = 5.0) -> None:
        """Give queued notifications up to ``flush`` seconds to go out, then stop and close.

        A page decided just before a shutdown is still delivered when its
        receiver answers; whatever is left after ``flush`` stays counted as queued.
        """
        deadline = time.monotonic() + flush
        for _ in range(int(flush / 0.05) + 1):  # bounded: at most ``flush`` seconds
            if not (self._tasks and any(lane.queue for lane in self._lanes)):
                break
            if time.monotonic() >= deadline:
                break
            await asyncio.sleep(0.05)
        tasks, self._tasks = self._tasks, []
        for task in tasks:
            task.cancel()
        for task in tasks:
            with contextlib.suppress(asyncio.CancelledError):
                await task
        for lane in self._lanes:
            try:
                await lane.notifier.aclose()
            except Exception as exc:
                log.warning("notifier %s: close failed: %s", lane.notifier.name,
                            type(exc).__name__)

    def set_alive(self, alive: Callable[[], bool]) -> None:
        """Heartbeats (the NocWatchdog, webhook beats) go out only while ``alive()`` is true.

        The service passes "rules were evaluated recently": a NOC whose
        evaluation loop is stuck stops its heartbeat even though it still runs.
        """
        for lane in self._lanes:
            if hasattr(lane.notifier, "alive"):
                lane.notifier.alive = alive

    def health(self) -> list[NotifierHealth]:
        """How each notifier is doing, in the order given."""
        return [NotifierHealth(
            name=lane.notifier.name, kind=lane.notifier.kind,
            ok=lane.send_failures == 0 and lane.beat_failures == 0,
            sent=lane.sent, failed=lane.failed,
            consecutive_failures=lane.send_failures + lane.beat_failures,
            last_error=lane.last_error, last_success=lane.last_success,
            queued=len(lane.queue)) for lane in self._lanes]

    def backoff(self, failures: int) -> float:
        """Seconds to wait after ``failures`` (>= 1) failed attempts in a row."""
        exponent = min(failures - 1, 62)
        return float(min(self.retry.first_delay * 2.0 ** exponent, self.retry.max_delay))

    def _drop_expired(self, lane: _Lane) -> None:
        oldest_allowed = self.clock() - self.retry.max_age
        dropped = 0
        while lane.queue and lane.queue[0][0] < oldest_allowed:
            lane.queue.popleft()
            dropped += 1
        if dropped:
            lane.failed += dropped
            lane.last_error = (f"gave up on {dropped} notification(s) older than "
                               f"{self.retry.max_age:g} s")
            log.warning("notifier %s: %s", lane.notifier.name, lane.last_error)

    async def _send_loop(self, lane: _Lane) -> None:
        while True:
            await lane.wakeup.wait()
            lane.wakeup.clear()
            while lane.queue:
                self._drop_expired(lane)
                if not lane.queue:
                    break
                if not await self._attempt(lane):
                    await asyncio.sleep(self.backoff(lane.send_failures))

    async def _attempt(self, lane: _Lane) -> bool:
        """Send everything queued as one batch; True on success."""
        batch = [n for _, n in lane.queue]
        delivered = 0
        try:
            await lane.notifier.send(batch)
            delivered = len(batch)
        except NotifyError as exc:
            delivered = max(0, min(exc.delivered, len(batch)))
            self._failure(lane, str(exc), beat=False)
        except Exception as exc:
            self._failure(lane, f"unexpected {type(exc).__name__}", beat=False)
        for _ in range(delivered):
            lane.queue.popleft()
        lane.sent += delivered
        if delivered == len(batch):
            lane.send_failures = 0
            lane.last_success = self.clock()
            return True
        return False

    def _failure(self, lane: _Lane, message: str, beat: bool) -> None:
        if beat:
            lane.beat_failures += 1
        else:
            lane.send_failures += 1
        lane.last_error = message
        log.warning("notifier %s: %s", lane.notifier.name, message)

    async def _beat_loop(self, lane: _Lane) -> None:
        interval = lane.notifier.heartbeat_interval
        while True:
            try:
                await lane.notifier.heartbeat(self.clock())
                lane.beat_failures = 0
            except NotifyError as exc:
                self._failure(lane, f"heartbeat: {exc}", beat=True)
            except Exception as exc:
                self._failure(lane, f"heartbeat: unexpected {type(exc).__name__}", beat=True)
            await asyncio.sleep(interval)


def build_notifiers(settings: NotifySettings) -> list[Notifier]:
    """The notifiers ``settings`` configures: Alertmanager, each webhook, e-mail."""
    # imported here: these modules import this one
    from noc.alerting.notify_am import AlertmanagerNotifier
    from noc.alerting.notify_email import EmailNotifier
    from noc.alerting.notify_webhook import WebhookNotifier

    notifiers: list[Notifier] = []
    if settings.alertmanager is not None:
        notifiers.append(AlertmanagerNotifier(settings.alertmanager, settings.external_url))
    notifiers.extend(WebhookNotifier(w, settings.external_url) for w in settings.webhooks)
    if settings.email is not None:
        notifiers.append(EmailNotifier(settings.email, settings.external_url))
    return notifiers


def build_dispatcher(settings: NotifySettings, clock: Callable[[], float] = time.time
                     ) -> Dispatcher:
    """A dispatcher over the notifiers ``settings`` configures (not started)."""
    return Dispatcher(build_notifiers(settings), settings.retry, clock)
