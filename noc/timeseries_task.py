"""The runtime's series task: agencies and links recorded each step, the store saved regularly.

Polls feed the store as they finish (:func:`noc.timeseries_feed.feed_poll`);
agency status and link loads are whole-network views, recorded here once per
``step``. Every ``save_every`` seconds the store is written in a worker
thread (a failed write is logged; polling goes on).
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable
from pathlib import Path

from noc.status import AgencyStatus, LinkLoad
from noc.timeseries import SeriesStore
from noc.timeseries_feed import feed_agencies, feed_links

log = logging.getLogger(__name__)


async def save_quietly(store: SeriesStore, path: Path, now: float | None = None) -> bool:
    """Prune series silent for 30 days, then save in a worker thread; False (logged) on failure."""
    try:
        store.prune(time.time() if now is None else now)
        await asyncio.to_thread(store.save, path)
    except Exception:
        log.exception("series store not saved to %s", path)
        return False
    return True


async def run_series(store: SeriesStore, path: Path,
                     views: Callable[[], tuple[list[AgencyStatus], list[LinkLoad]]],
                     step: float, save_every: float = 300.0,
                     clock: Callable[[], float] = time.time) -> None:
    """Record agencies and links every ``step`` s, save every ``save_every`` s; until cancelled."""
    last_save = clock()
    while True:
        await asyncio.sleep(step)
        now = clock()
        try:
            agencies, loads = views()
            feed_agencies(store, agencies, now)
            feed_links(store, loads, now)
        except Exception:
            log.exception("agency/link series not recorded")
        if now - last_save >= save_every:
            last_save = now
            await save_quietly(store, path, now)
