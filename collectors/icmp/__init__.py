"""ICMP reachability: fping in batch mode, a pure output parser, up/down confirmation.

* :mod:`collectors.icmp.fping` — :class:`FpingRunner` pings thousands of
  addresses per cycle with one fping process per chunk, from asyncio, under a
  hard deadline.
* :mod:`collectors.icmp.parse` — fping's ``-C``/``-c`` output to
  :class:`IcmpSample` (sent, received, loss, RTT min/avg/max).
* :mod:`collectors.icmp.tracker` — :class:`ReachabilityTracker` turns samples
  into confirmed up/down/unknown :class:`Transition` events.

Availability over time windows is computed from those transitions by
:mod:`noc.availability`.
"""

from collectors.icmp.fping import (
    CycleStats,
    FpingNotFoundError,
    FpingOptions,
    FpingRunner,
    InvalidAddressError,
    check_addresses,
)
from collectors.icmp.parse import IcmpSample, ParseResult, parse_output
from collectors.icmp.tracker import ReachabilityTracker, Transition

__all__ = [
    "CycleStats",
    "FpingNotFoundError",
    "FpingOptions",
    "FpingRunner",
    "IcmpSample",
    "InvalidAddressError",
    "ParseResult",
    "ReachabilityTracker",
    "Transition",
    "check_addresses",
    "parse_output",
]
