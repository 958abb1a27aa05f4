"""Rendered HTML kept for a second: every viewer of a page within that second gets the same.

A wall screen re-fetches the overview fragment every few seconds, and many
viewers may watch the same page; the data behind it changes once a second at
most (the overview) or once per poll. :class:`PageCache` keeps the rendered
HTML per key for ``ttl`` seconds. Only one thread renders a given key at a
time; the others wait for its result, or get the previous page while it is
re-rendered (see :func:`serve`).

The key must hold everything the HTML depends on besides the live data:
:func:`viewer_key` gives the viewer's part (language, user and, for a
logged-in user, the CSRF token the page embeds in its forms; a scoped user
sees only some agencies, and the user is in the key).
"""

from __future__ import annotations

import asyncio
import logging
import threading
import time
from collections.abc import Callable, Hashable

from fastapi import Request
from fastapi.responses import HTMLResponse
from starlette.concurrency import run_in_threadpool

from dashboards.i18n import LANGS
from noc.auth.roles import principal

TTL = 1.0
MAX_ENTRIES = 512


def viewer_key(request: Request, lang: str) -> Hashable:
    """What a page's HTML depends on about the viewer."""
    user = principal(request)
    csrf = getattr(request.state, "csrf_token", "") if user is not None else ""
    return (lang if lang in LANGS else "vi", user, csrf)


log = logging.getLogger(__name__)


class PageCache:
    """HTML by key, each kept ``ttl`` seconds; concurrent misses of one key render once."""

    def __init__(self, ttl: float = TTL, max_entries: int = MAX_ENTRIES,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.ttl = ttl
        self.max_entries = max_entries
        self._clock = clock
        self._lock = threading.Lock()
        self._done: dict[Hashable, tuple[float, str]] = {}
        self._gates: dict[Hashable, threading.Lock] = {}
        self._refreshing: set[Hashable] = set()
        self.tasks: set[asyncio.Task[None]] = set()  # background re-renders in flight

    def peek(self, key: Hashable) -> str | None:
        """The HTML of ``key`` if it is fresh (never blocks on a render)."""
        with self._lock:
            hit = self._done.get(key)
        if hit is not None and self._clock() - hit[0] <= self.ttl:
            return hit[1]
        return None

    def stale(self, key: Hashable) -> str | None:
        """The HTML of ``key`` however old (None if it was never rendered)."""
        with self._lock:
            hit = self._done.get(key)
        return hit[1] if hit is not None else None

    def claim(self, key: Hashable) -> bool:
        """Whether the caller should refresh ``key`` now (no one else is refreshing it)."""
        with self._lock:
            if key in self._refreshing:
                return False
            self._refreshing.add(key)
            return True

    def refresh(self, key: Hashable, render: Callable[[], str]) -> None:
        """Render ``key`` again (after :meth:`claim`).

        On failure the old page is dropped too: the next request renders in
        its own right and gets the error (a wall screen then shows
        "connection lost" instead of an old page that looks live).
        """
        try:
            html = render()
        except BaseException:
            with self._lock:
                self._done.pop(key, None)
            raise
        else:
            with self._lock:
                self._store(key, html)
        finally:
            with self._lock:
                self._refreshing.discard(key)

    def get(self, key: Hashable, render: Callable[[], str]) -> str:
        """The fresh HTML of ``key``, rendered by ``render`` if needed (once, whoever asks)."""
        done = self.peek(key)
        if done is not None:
            return done
        with self._lock:
            gate = self._gates.setdefault(key, threading.Lock())
        with gate:
            done = self.peek(key)  # rendered by another thread while this one waited
            if done is not None:
                return done
            html = render()
            with self._lock:
                self._store(key, html)
                self._gates.pop(key, None)
        return html

    def _store(self, key: Hashable, html: str) -> None:
        now = self._clock()
        if len(self._done) >= self.max_entries:
            for old in [k for k, (at, _) in self._done.items() if now - at > self.ttl]:
                del self._done[old]
            while len(self._done) >= self.max_entries:
                del self._done[next(iter(self._done))]
        self._done[key] = (now, html)


async def serve(cache: PageCache, key: Hashable, render: Callable[[], str]) -> HTMLResponse:
    """The page of ``key``: fresh from the cache; stale while one thread re-renders; else wait.

    Only the very first request of a key waits for a render. Later ones get
    the previous page (at most ``ttl`` plus one render old) while a single
    background render replaces it, so a burst of viewers never queues up on
    the thread pool behind a render.
    """
    html = cache.peek(key)
    if html is not None:
        return HTMLResponse(html)
    old = cache.stale(key)
    if old is None:
        return HTMLResponse(await run_in_threadpool(cache.get, key, render))
    if cache.claim(key):
        task = asyncio.create_task(run_in_threadpool(cache.refresh, key, render))
        cache.tasks.add(task)
        task.add_done_callback(_finished(cache))
    return HTMLResponse(old)


def _finished(cache: PageCache) -> Callable[[asyncio.Task[None]], None]:
    def done(task: asyncio.Task[None]) -> None:
        cache.tasks.discard(task)
        if not task.cancelled() and task.exception() is not None:
            log.warning("page re-render failed: %s", task.exception())

    return done
