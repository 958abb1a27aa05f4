"""Pure parser of fping's batch output.

fping (5.x) prints one result line per target at the end of a run:

* ``-C N -q`` (what :mod:`collectors.icmp.fping` uses), per probe::

      127.0.0.1   : 0.042 0.018 -

  one token per probe *sent*: a round-trip time in ms, or ``-`` when no reply
  came. A run interrupted by SIGINT prints only the probes it sent, so a
  target that got no probe at all prints ``127.0.0.9 :`` (``sent == 0``).
* ``-c N -q``, a summary::

      127.0.0.1    : xmt/rcv/%loss = 3/3/0%, min/avg/max = 0.011/0.015/0.019
      10.0.0.1     : xmt/rcv/%loss = 3/0/100%

Both go to stderr with ``-q``; the runner merges stderr into stdout. Anything
else is either an fping message (``fping: ...``, ``ICMP Host Unreachable
from ...``, ``name: Name or service not known``) or a malformed line; both
are counted and a few kept for diagnostics, never raised. A target printed
twice (given twice) is merged into one sample. Targets are kept exactly as
fping printed them: an address, or a name if a name was given.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable
from dataclasses import dataclass, field

KEEP_MESSAGES = 20  # diagnostic lines kept per parse

_SUMMARY = re.compile(
    r"^xmt/rcv/%loss = (\d+)/(\d+)/\d+%"
    r"(?:, min/avg/max = ([0-9.]+)/([0-9.]+)/([0-9.]+))?(?:,.*)?$")
_RESULT = re.compile(r"^(\S+)\s+:(?:\s(.*))?$")
_MESSAGE = re.compile(r"^(?:fping: |ICMP |\S+: )")


@dataclass(frozen=True, slots=True)
class IcmpSample:
    """ICMP echo results of one target in one cycle.

    ``rtts_ms`` holds one entry per probe sent (None: no reply) when fping ran
    in per-probe mode; it is empty for summary lines. ``complete`` is False
    when the cycle's deadline stopped fping before every probe was sent and
    answered or timed out: the losses of such a sample prove nothing.
    """

    address: str
    sent: int
    received: int
    rtt_min_ms: float | None = None
    rtt_avg_ms: float | None = None
    rtt_max_ms: float | None = None
    rtts_ms: tuple[float | None, ...] = ()
    complete: bool = True

    @property
    def loss_percent(self) -> float | None:
        """Lost probes in percent of those sent; None when nothing was sent."""
        if self.sent <= 0:
            return None
        return 100.0 * (self.sent - self.received) / self.sent

    @property
    def replied(self) -> bool:
        """At least one probe was answered."""
        return self.received > 0


@dataclass(slots=True)
class ParseResult:
    """Samples by target, plus what could not be used."""

    samples: dict[str, IcmpSample] = field(default_factory=dict)
    malformed: int = 0  # lines that are neither a result nor an fping message
    messages: int = 0  # fping's own messages (errors, ICMP unreachable notices)
    duplicates: int = 0  # result lines for a target already seen (merged)
    kept: list[str] = field(default_factory=list)  # first malformed/message lines, verbatim


def _rtt(token: str) -> float | None:
    """One per-probe token: RTT in ms, None for ``-``; ValueError when neither."""
    if token == "-":
        return None
    value = float(token)
    if not math.isfinite(value) or value < 0:
        raise ValueError(token)
    return value


def from_rtts(address: str, rtts: Iterable[float | None]) -> IcmpSample:
    """A sample from per-probe round-trip times (None: lost)."""
    probes = tuple(rtts)
    got = [r for r in probes if r is not None]
    if not got:
        return IcmpSample(address, len(probes), 0, rtts_ms=probes)
    return IcmpSample(address, len(probes), len(got), min(got), sum(got) / len(got), max(got),
                      probes)


def _summary(address: str, text: str) -> IcmpSample | None:
    match = _SUMMARY.match(text)
    if match is None:
        return None
    sent, received = int(match[1]), int(match[2])
    received = min(received, sent)  # duplicate replies never count as extra
    if match[3] is None:
        return IcmpSample(address, sent, received)
    low, avg, high = (float(match[i]) for i in (3, 4, 5))
    return IcmpSample(address, sent, received, low, avg, high)


def parse_line(line: str) -> IcmpSample | None:
    """One result line (per-probe or summary); None when the line is not one."""
    match = _RESULT.match(line.strip())
    if match is None:
        return None
    target, rest = match[1], (match[2] or "").strip()
    if rest.startswith("xmt/"):
        return _summary(target, rest)
    try:
        return from_rtts(target, (_rtt(tok) for tok in rest.split()))
    except ValueError:
        return None


def merge(first: IcmpSample, second: IcmpSample) -> IcmpSample:
    """Two samples of one target as one (the target was given, and pinged, twice)."""
    if all(len(s.rtts_ms) == s.sent for s in (first, second)):  # both per-probe
        return from_rtts(first.address, first.rtts_ms + second.rtts_ms)
    sent, received = first.sent + second.sent, first.received + second.received
    timed = [(s.received, s.rtt_min_ms, s.rtt_avg_ms, s.rtt_max_ms) for s in (first, second)
             if s.received and s.rtt_min_ms is not None and s.rtt_avg_ms is not None
             and s.rtt_max_ms is not None]
    if not timed:
        return IcmpSample(first.address, sent, received)
    weight = sum(t[0] for t in timed)
    return IcmpSample(first.address, sent, received, min(t[1] for t in timed),
                      sum(t[0] * t[2] for t in timed) / weight, max(t[3] for t in timed))


def parse_output(text: str | Iterable[str]) -> ParseResult:
    """Every result line of one fping run; other lines are counted, never raised."""
    lines = text.splitlines() if isinstance(text, str) else text
    result = ParseResult()
    for raw in lines:
        line = raw.rstrip("\r\n")
        if not line.strip():
            continue
        sample = parse_line(line)
        if sample is None:
            if _MESSAGE.match(line):
                result.messages += 1
            else:
                result.malformed += 1
            if len(result.kept) < KEEP_MESSAGES:
                result.kept.append(line)
            continue
        seen = result.samples.get(sample.address)
        if seen is not None:
            result.duplicates += 1
            sample = merge(seen, sample)
        result.samples[sample.address] = sample
    return result
