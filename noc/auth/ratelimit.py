"""Login throttling: too many failed logins from one address or for one name → wait.

Failures are counted in a sliding window, separately per client address and
per user name; once either reaches the limit, further attempts are refused
(HTTP 429 with ``Retry-After``) until the oldest failure leaves the window. A
successful login clears the user name's count (not the address's). Memory is
bounded: at most ``max_keys`` addresses and names are tracked.
"""

from __future__ import annotations

import math
import threading
import time
from collections import OrderedDict, deque
from collections.abc import Callable


class LoginLimiter:
    """Failed-login counters per address and per user name (thread-safe)."""

    def __init__(self, max_failures: int = 10, window: float = 15 * 60,
                 clock: Callable[[], float] = time.monotonic, max_keys: int = 10_000) -> None:
        self.max_failures = max_failures
        self.window = window
        self._clock = clock
        self._max_keys = max_keys
        self._failures: OrderedDict[str, deque[float]] = OrderedDict()
        self._lock = threading.Lock()

    def retry_after(self, ip: str, name: str) -> int:
        """Seconds to wait before trying again (0: allowed now)."""
        now = self._clock()
        with self._lock:
            waits = [self._wait(key, now) for key in _keys(ip, name)]
        return max(waits)

    def failure(self, ip: str, name: str) -> None:
        """Count one failed login."""
        now = self._clock()
        with self._lock:
            for key in _keys(ip, name):
                times = self._failures.pop(key, None) or deque()
                times.append(now)
                while len(times) > self.max_failures:
                    times.popleft()
                self._failures[key] = times
            while len(self._failures) > self._max_keys:
                self._failures.popitem(last=False)

    def success(self, name: str) -> None:
        """A successful login: forget the user name's failures."""
        with self._lock:
            self._failures.pop("name:" + name.strip().lower(), None)

    def _wait(self, key: str, now: float) -> int:
        times = self._failures.get(key)
        if not times:
            return 0
        while times and times[0] <= now - self.window:
            times.popleft()
        if len(times) < self.max_failures:
            return 0
        return max(1, math.ceil(times[0] + self.window - now))


def _keys(ip: str, name: str) -> tuple[str, str]:
    return "ip:" + ip, "name:" + name.strip().lower()
