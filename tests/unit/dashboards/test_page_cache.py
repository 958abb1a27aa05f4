"""The one-second cache of rendered pages."""

from __future__ import annotations

import asyncio
import threading
import time

import pytest

from dashboards.page_cache import PageCache, serve


class Clock:
    """A clock the test moves by hand."""

    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def test_a_fresh_page_is_served_without_rendering_again() -> None:
    clock = Clock()
    cache = PageCache(ttl=1.0, clock=clock)
    renders: list[int] = []
    assert cache.get("k", lambda: renders.append(1) or "one") == "one"
    clock.now += 0.5
    assert cache.get("k", lambda: "two") == "one"
    assert cache.peek("k") == "one"
    assert renders == [1]


def test_an_expired_page_is_rendered_again() -> None:
    clock = Clock()
    cache = PageCache(ttl=1.0, clock=clock)
    cache.get("k", lambda: "one")
    clock.now += 1.5
    assert cache.peek("k") is None
    assert cache.get("k", lambda: "two") == "two"


def test_keys_are_kept_apart() -> None:
    cache = PageCache()
    cache.get(("vi", None), lambda: "vietnamese")
    assert cache.get(("en", None), lambda: "english") == "english"
    assert cache.peek(("vi", None)) == "vietnamese"


def test_concurrent_misses_render_once() -> None:
    cache = PageCache(ttl=60.0)
    calls: list[int] = []

    def slow() -> str:
        calls.append(1)
        time.sleep(0.2)
        return "page"

    got: list[str] = []
    threads = [threading.Thread(target=lambda: got.append(cache.get("k", slow)))
               for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert got == ["page"] * 8
    assert calls == [1]


def test_the_oldest_entries_make_room() -> None:
    cache = PageCache(ttl=60.0, max_entries=3)
    for key in "abcd":
        cache.get(key, lambda key=key: key)
    assert cache.peek("a") is None
    assert [cache.peek(k) for k in "bcd"] == ["b", "c", "d"]


def test_a_failed_render_is_not_cached() -> None:
    cache = PageCache()

    def broken() -> str:
        raise LookupError("gone")

    with pytest.raises(LookupError):
        cache.get("k", broken)
    assert cache.get("k", lambda: "back") == "back"


async def test_serve_gives_the_previous_page_while_one_re_render_runs():
    clock = [0.0]
    cache = PageCache(ttl=1.0, clock=lambda: clock[0])
    renders: list[int] = []

    def render() -> str:
        renders.append(1)
        return f"v{len(renders)}"

    first = await serve(cache, "k", render)
    assert first.body == b"v1"  # nothing cached yet: the first viewer waits for it
    clock[0] = 5.0  # expired
    stale = [await serve(cache, "k", render) for _ in range(5)]
    assert {r.body for r in stale} == {b"v1"}  # nobody waits behind the re-render
    await asyncio.gather(*cache.tasks)
    assert len(renders) == 2  # one background re-render for the whole burst
    assert (await serve(cache, "k", render)).body == b"v2"


async def test_a_failed_re_render_drops_the_old_page_so_the_error_shows():
    clock = [0.0]
    cache = PageCache(ttl=1.0, clock=lambda: clock[0])
    await serve(cache, "k", lambda: "v1")
    clock[0] = 5.0

    def broken() -> str:
        raise RuntimeError("backend down")

    assert (await serve(cache, "k", broken)).body == b"v1"  # this one still gets the old page
    await asyncio.gather(*cache.tasks, return_exceptions=True)
    with pytest.raises(RuntimeError, match="backend down"):
        await serve(cache, "k", broken)  # then the failure is visible
