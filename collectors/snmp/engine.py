"""SNMPv3 engine discovery (RFC 3414 section 4) on the lean BER codec, and an engine registry.

A USM manager must learn an agent's snmpEngineID (keys are localized to it),
snmpEngineBoots and snmpEngineTime. :func:`discover_engine` sends the probe (a
reportable noAuthNoPriv GET, empty USM fields, no varbinds) and decodes the
REPORT (usmStatsUnknownEngineIDs.0) with the pure :func:`decode_report`, which
raises :class:`MalformedReportError` for anything malformed. Agents that leave
boots and time at 0 there need an authenticated round trip (not done here).

:class:`EngineRegistry` keeps what was learnt per target, extrapolates engine
time on the local monotonic clock, applies RFC 3414's 150-second window,
reports reboots (boots went up) and engine IDs shared by several targets:
cloned configurations break key localization and must be fixed on the devices.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from dataclasses import dataclass

from collectors.snmp import ber
from collectors.snmp.ber import BerError, Oid, PduType, Tag, VarBind, encode_integer, tlv
from collectors.snmp.client import next_request_id
from collectors.snmp.errors import SnmpError, SnmpProtocolError, SnmpTimeout

__all__ = [
    "MAX_BOOTS", "TIME_WINDOW", "USM_STATS_UNKNOWN_ENGINE_IDS", "EngineInfo", "EngineRegistry",
    "MalformedReportError", "Report", "Resync", "decode_report", "discover_engine",
    "encode_discovery",
]

USM_STATS_UNKNOWN_ENGINE_IDS: Oid = (1, 3, 6, 1, 6, 3, 15, 1, 1, 4, 0)
TIME_WINDOW = 150  # seconds (RFC 3414 section 3.2 step 7)
MAX_BOOTS = 2**31 - 1  # snmpEngineBoots latched there: the engine must be reconfigured
MAX_MESSAGE_SIZE = 65507
_MAX_INT = 2**31 - 1
_REPORTABLE = 0x04
_PRIV_FLAG = 0x02
_VERSION_V3 = _USM = 3  # msgVersion; msgSecurityModel
_SEQ = Tag.SEQUENCE
_OCTETS = Tag.OCTET_STRING


class MalformedReportError(SnmpProtocolError):
    """The bytes are not a well-formed SNMPv3 discovery REPORT."""


@dataclass(frozen=True, slots=True)
class Report:
    """A decoded discovery REPORT: the USM header fields and the PDU's varbinds."""

    msg_id: int
    engine_id: bytes
    boots: int
    time: int
    request_id: int
    varbinds: list[VarBind]

    @property
    def unknown_engine_ids(self) -> int | None:
        """The usmStatsUnknownEngineIDs.0 counter, if the report carries it."""
        for oid, _, value in self.varbinds:
            if oid == USM_STATS_UNKNOWN_ENGINE_IDS and isinstance(value, int):
                return value
        return None


@dataclass(frozen=True, slots=True)
class EngineInfo:
    """An agent's authoritative engine as discovered at ``discovered_at`` (local monotonic s)."""

    engine_id: bytes
    boots: int
    time: int
    discovered_at: float
    unknown_engine_ids: int | None = None


# --------------------------------------------------------------------------- codec

def encode_discovery(msg_id: int, request_id: int | None = None) -> bytes:
    """The discovery probe: noAuthNoPriv, reportable, empty USM fields, GET without varbinds."""
    if not 0 <= msg_id <= _MAX_INT:
        raise ValueError(f"msgID {msg_id} out of range 0..2^31-1")
    empty = tlv(_OCTETS, b"")
    usm = tlv(_SEQ, empty + encode_integer(0) + encode_integer(0) + empty * 3)
    header = tlv(_SEQ, encode_integer(msg_id) + encode_integer(MAX_MESSAGE_SIZE)
                 + tlv(_OCTETS, bytes((_REPORTABLE,))) + encode_integer(_USM))
    rid = msg_id if request_id is None else request_id
    pdu = tlv(PduType.GET, encode_integer(rid) + encode_integer(0) + encode_integer(0)
              + tlv(_SEQ, b""))
    return tlv(_SEQ, encode_integer(_VERSION_V3) + header + tlv(_OCTETS, usm)
               + tlv(_SEQ, empty + empty + pdu))


def _expect(data: bytes, pos: int, end: int, tag: int, what: str) -> tuple[int, int]:
    """The content span of the TLV at ``pos``, which must carry ``tag``."""
    got, start, stop = ber.read_header(data, pos, end)  # shared with the v1/v2c decoder
    if got != tag:
        raise BerError(f"{what}: expected tag 0x{tag:02x}, got 0x{got:02x} at offset {pos}")
    return start, stop


def _int(data: bytes, pos: int, end: int, what: str) -> tuple[int, int]:
    """A non-negative INTEGER no larger than 2^31-1, and the offset after it."""
    start, stop = _expect(data, pos, end, Tag.INTEGER, what)
    if start == stop:
        raise BerError(f"{what}: empty INTEGER")
    value = int.from_bytes(data[start:stop], "big", signed=True)
    if not 0 <= value <= _MAX_INT:
        raise BerError(f"{what} {value} out of range 0..2^31-1")
    return value, stop


def _octets(data: bytes, pos: int, end: int, what: str) -> tuple[bytes, int]:
    start, stop = _expect(data, pos, end, _OCTETS, what)
    return bytes(data[start:stop]), stop


def _usm(params: bytes) -> tuple[bytes, int, int]:
    """(engine ID, boots, time) from the msgSecurityParameters content."""
    start, end = _expect(params, 0, len(params), _SEQ, "UsmSecurityParameters")
    if end != len(params):
        raise BerError("trailing octets after UsmSecurityParameters")
    engine_id, pos = _octets(params, start, end, "msgAuthoritativeEngineID")
    boots, pos = _int(params, pos, end, "msgAuthoritativeEngineBoots")
    engine_time, pos = _int(params, pos, end, "msgAuthoritativeEngineTime")
    for what in ("msgUserName", "msgAuthenticationParameters", "msgPrivacyParameters"):
        _, pos = _octets(params, pos, end, what)
    if not 5 <= len(engine_id) <= 32:
        raise BerError(f"engine ID of {len(engine_id)} octets (RFC 3411: 5..32)")
    return engine_id, boots, engine_time


def _decode(data: bytes) -> Report:
    pos, end = _expect(data, 0, len(data), _SEQ, "SNMPv3Message")
    if end != len(data):
        raise BerError("trailing octets after the message")
    version, pos = _int(data, pos, end, "msgVersion")
    if version != _VERSION_V3:
        raise BerError(f"msgVersion {version} is not SNMPv3")
    gpos, pos = _expect(data, pos, end, _SEQ, "msgGlobalData")
    msg_id, gpos = _int(data, gpos, pos, "msgID")
    _, gpos = _int(data, gpos, pos, "msgMaxSize")
    flags, gpos = _octets(data, gpos, pos, "msgFlags")
    model, _ = _int(data, gpos, pos, "msgSecurityModel")
    if len(flags) != 1 or flags[0] & _PRIV_FLAG or model != _USM:
        raise BerError(f"not a plaintext USM message (flags {flags.hex()}, model {model})")
    params, pos = _octets(data, pos, end, "msgSecurityParameters")
    engine_id, boots, engine_time = _usm(params)
    spos, send = _expect(data, pos, end, _SEQ, "ScopedPDU")
    _, spos = _octets(data, spos, send, "contextEngineID")
    _, spos = _octets(data, spos, send, "contextName")
    ppos, pend = _expect(data, spos, send, PduType.REPORT, "REPORT PDU")
    request_id, ppos = ber._read_int(data, ppos, pend, "request-id")
    for what in ("error-status", "error-index"):
        _, ppos = ber._read_int(data, ppos, pend, what)
    vpos, vend = _expect(data, ppos, pend, _SEQ, "VarBindList")
    varbinds = ber.decode_varbinds(data, vpos, vend)
    return Report(msg_id, engine_id, boots, engine_time, request_id, varbinds)


def decode_report(data: bytes) -> Report:
    """Decode a discovery REPORT; raise :class:`MalformedReportError` for anything else."""
    try:
        return _decode(data)
    except BerError as exc:
        raise MalformedReportError(f"malformed SNMPv3 report: {exc}") from None


# --------------------------------------------------------------------------- transport

class _Receiver(asyncio.DatagramProtocol):
    """Resolves ``future`` with the first REPORT whose msgID matches; never raises."""

    def __init__(self, msg_id: int, clock: Callable[[], float]) -> None:
        self.msg_id = msg_id
        self.clock = clock
        self.future: asyncio.Future[tuple[Report, float]] = (
            asyncio.get_running_loop().create_future())
        self.malformed: MalformedReportError | None = None

    def datagram_received(self, data: bytes, addr: tuple[str | int, ...]) -> None:
        if self.future.done():
            return
        try:
            report = decode_report(data)
        except MalformedReportError as exc:
            self.malformed = exc
            return
        if report.msg_id == self.msg_id:
            self.future.set_result((report, self.clock()))


async def discover_engine(address: str, port: int = 161,
                          timeout: float = 1.0,  # noqa: ASYNC109 (per attempt, retransmits)
                          retries: int = 1, *,
                          clock: Callable[[], float] = time.monotonic) -> EngineInfo:
    """Discover the authoritative engine of the agent at ``address:port``.

    Raises :class:`SnmpTimeout` when nothing valid came back after ``retries``
    retransmissions, :class:`MalformedReportError` when only garbage did.
    """
    if timeout <= 0 or retries < 0:
        raise ValueError("timeout must be > 0 and retries >= 0")
    msg_id = next_request_id()
    data = encode_discovery(msg_id)
    loop = asyncio.get_running_loop()
    try:
        transport, receiver = await loop.create_datagram_endpoint(
            lambda: _Receiver(msg_id, clock), remote_addr=(address, port))
    except OSError as exc:
        raise SnmpError(f"{address}:{port}: cannot send SNMPv3 discovery ({exc})") from None
    try:
        for _ in range(retries + 1):
            transport.sendto(data)
            done, _ = await asyncio.wait((receiver.future,), timeout=timeout)
            if done:
                report, at = receiver.future.result()
                return EngineInfo(report.engine_id, report.boots, report.time, at,
                                  report.unknown_engine_ids)
    finally:
        transport.close()
        receiver.future.cancel()
    if receiver.malformed is not None:
        raise MalformedReportError(f"{address}:{port}: {receiver.malformed}")
    raise SnmpTimeout(f"no SNMPv3 discovery report from {address}:{port} after "
                      f"{retries + 1} attempt(s) of {timeout:g} s")


# --------------------------------------------------------------------------- registry

@dataclass(frozen=True, slots=True)
class Resync:
    """Whether a target's engine must be rediscovered, and why (true when needed)."""

    needed: bool
    reason: str = ""
    rebooted: bool = False

    def __bool__(self) -> bool:
        return self.needed


class EngineRegistry:
    """Per-target engine ID, boots and time, anchored to the local monotonic clock.

    ``clock`` (default :func:`time.monotonic`) supplies ``now`` when a method
    is not given one; it must be the clock :func:`discover_engine` used.
    """

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self.clock = clock
        self._engines: dict[str, EngineInfo] = {}

    def record(self, target: str, info: EngineInfo) -> Resync:
        """Remember a discovery; the verdict compares it with what was known before."""
        old = self._engines.get(target)
        self._engines[target] = info
        if old is None:
            return Resync(False, "first discovery")
        if old.engine_id != info.engine_id:
            return Resync(True, f"engine ID changed from {old.engine_id.hex()} "
                                f"to {info.engine_id.hex()}")
        return self.compare(old, info.boots, info.time, info.discovered_at)

    def targets(self) -> list[str]:
        """Every target with a discovered engine."""
        return sorted(self._engines)

    def get(self, target: str) -> EngineInfo | None:
        """What was last discovered for ``target``."""
        return self._engines.get(target)

    def forget(self, target: str) -> None:
        """Drop ``target`` (removed from the inventory)."""
        self._engines.pop(target, None)

    def estimated_time(self, target: str, now: float | None = None) -> int | None:
        """The agent's snmpEngineTime now, extrapolated from the discovery (None if unknown)."""
        info = self._engines.get(target)
        return None if info is None else _estimate(info, self._now(now))

    def needs_resync(self, target: str, reported_boots: int, reported_time: int,
                     now: float | None = None) -> Resync:
        """Check a message's boots/time against the known engine (RFC 3414 time window)."""
        info = self._engines.get(target)
        if info is None:
            return Resync(True, "engine never discovered")
        return self.compare(info, reported_boots, reported_time, self._now(now))

    @staticmethod
    def compare(info: EngineInfo, boots: int, engine_time: int, now: float) -> Resync:
        """The verdict for ``boots``/``engine_time`` seen at ``now`` against ``info``.

        RFC 3414 rejects a message more than 150 s older than the estimate; one
        more than 150 s ahead means the estimate itself is off: both resync.
        """
        if boots >= MAX_BOOTS:
            return Resync(True, "snmpEngineBoots latched at 2^31-1: reconfigure the agent")
        if boots > info.boots:
            return Resync(True, f"agent rebooted (boots {info.boots} -> {boots})", rebooted=True)
        if boots < info.boots:
            return Resync(True, f"boots went back ({info.boots} -> {boots}): agent lost its "
                                "state or another device answers with this engine ID")
        expected = _estimate(info, now)
        if abs(engine_time - expected) > TIME_WINDOW:
            return Resync(True, f"notInTimeWindow: engine time {engine_time} s, "
                                f"expected {expected} s")
        return Resync(False)

    def duplicates(self) -> dict[str, list[str]]:
        """Engine IDs (hex) answered by more than one target: cloned configurations."""
        by_id: dict[str, list[str]] = {}
        for target, info in self._engines.items():
            by_id.setdefault(info.engine_id.hex(), []).append(target)
        return {eid: sorted(targets) for eid, targets in sorted(by_id.items())
                if len(targets) > 1}

    def _now(self, now: float | None) -> float:
        return self.clock() if now is None else now


def _estimate(info: EngineInfo, now: float) -> int:
    """Engine time at local ``now``: the discovered time plus local seconds since."""
    return min(info.time + int(now - info.discovered_at), _MAX_INT)
