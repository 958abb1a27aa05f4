"""SNMPv3 (USM) for :mod:`collectors.snmp.client`, through pysnmp 7's asyncio API.

The results have the same shapes as the lean v1/v2c path: ``(oid tuple,
ber.Tag int, python value)`` varbinds, and failures raise the same
:class:`~collectors.snmp.errors.SnmpError` family. Walks reuse the client's
walk loop (:func:`collectors.snmp.client.walk_columns_with`) over GETBULK.

One pysnmp ``SnmpEngine`` is shared per event loop (in the NOC process: one per
process), created lazily; pysnmp binds its socket and timers to the loop that
created them, so a second loop (tests) gets its own engine.
:func:`close_v3_engine` releases the current loop's engine.

Protocol names follow net-snmp: ``AES192``/``AES256`` are the key extension
net-snmp uses (Blumenthal draft); ``AES192C``/``AES256C`` are the Cisco
(Reeder) variants. Limitation: pysnmp keeps one USM entry per user name, so
two targets that use the same user name with different keys should not be
polled concurrently.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from pysnmp.error import PySnmpError
from pysnmp.hlapi.v3arch.asyncio import (
    USM_AUTH_HMAC96_MD5,
    USM_AUTH_HMAC96_SHA,
    USM_AUTH_HMAC128_SHA224,
    USM_AUTH_HMAC192_SHA256,
    USM_AUTH_HMAC256_SHA384,
    USM_AUTH_HMAC384_SHA512,
    USM_PRIV_CBC56_DES,
    USM_PRIV_CBC168_3DES,
    USM_PRIV_CFB128_AES,
    USM_PRIV_CFB192_AES,
    USM_PRIV_CFB192_AES_BLUMENTHAL,
    USM_PRIV_CFB256_AES,
    USM_PRIV_CFB256_AES_BLUMENTHAL,
    ContextData,
    ObjectIdentity,
    ObjectType,
    SnmpEngine,
    UdpTransportTarget,
    UsmUserData,
    bulk_cmd,
    get_cmd,
)
from pysnmp.proto import errind

from collectors.snmp.ber import Oid, Tag, VarBind
from collectors.snmp.client import SnmpTarget, status_error, walk_columns_with
from collectors.snmp.errors import SnmpError, SnmpProtocolError, SnmpTimeout

_AUTH: dict[str, Any] = {
    "MD5": USM_AUTH_HMAC96_MD5, "SHA": USM_AUTH_HMAC96_SHA, "SHA1": USM_AUTH_HMAC96_SHA,
    "SHA224": USM_AUTH_HMAC128_SHA224, "SHA256": USM_AUTH_HMAC192_SHA256,
    "SHA384": USM_AUTH_HMAC256_SHA384, "SHA512": USM_AUTH_HMAC384_SHA512,
}
_PRIV: dict[str, Any] = {
    "DES": USM_PRIV_CBC56_DES, "3DES": USM_PRIV_CBC168_3DES,
    "AES": USM_PRIV_CFB128_AES, "AES128": USM_PRIV_CFB128_AES,
    "AES192": USM_PRIV_CFB192_AES_BLUMENTHAL, "AES256": USM_PRIV_CFB256_AES_BLUMENTHAL,
    "AES192C": USM_PRIV_CFB192_AES, "AES256C": USM_PRIV_CFB256_AES,
}
_INTS = frozenset({Tag.INTEGER, Tag.COUNTER32, Tag.GAUGE32, Tag.TIMETICKS, Tag.COUNTER64})
_OCTETS = frozenset({Tag.OCTET_STRING, Tag.IPADDRESS, Tag.OPAQUE})
_SLACK = 1.0  # seconds beyond pysnmp's own timeout*(retries+1) before we give up on it


def _norm(protocol: str) -> str:
    return protocol.upper().replace("-", "").replace("_", "")


@dataclass(frozen=True, slots=True)
class V3Credentials:
    """USM credentials. An empty protocol *or* key means noAuth / noPriv."""

    user: str
    auth_protocol: str = "SHA"
    auth_key: str = field(default="", repr=False)
    priv_protocol: str = "AES"
    priv_key: str = field(default="", repr=False)

    def __post_init__(self) -> None:
        if self.has_auth and _norm(self.auth_protocol) not in _AUTH:
            raise ValueError(f"unsupported auth protocol {self.auth_protocol!r}")
        if self.has_priv and _norm(self.priv_protocol) not in _PRIV:
            raise ValueError(f"unsupported privacy protocol {self.priv_protocol!r}")
        if self.has_priv and not self.has_auth:
            raise ValueError("privacy needs authentication")

    @property
    def has_auth(self) -> bool:
        """True for authNoPriv and authPriv."""
        return bool(self.auth_protocol and self.auth_key)

    @property
    def has_priv(self) -> bool:
        """True for authPriv."""
        return bool(self.priv_protocol and self.priv_key)

    def usm_user_data(self) -> Any:
        """The pysnmp ``UsmUserData`` for these credentials."""
        if not self.has_auth:
            return UsmUserData(self.user)
        if not self.has_priv:
            return UsmUserData(self.user, self.auth_key,
                               authProtocol=_AUTH[_norm(self.auth_protocol)])
        return UsmUserData(self.user, self.auth_key, self.priv_key,
                           authProtocol=_AUTH[_norm(self.auth_protocol)],
                           privProtocol=_PRIV[_norm(self.priv_protocol)])


@dataclass(slots=True)
class _EngineState:
    engine: Any
    targets: dict[tuple[str, int, float, int], Any] = field(default_factory=dict)

    async def transport(self, target: SnmpTarget) -> Any:
        key = (target.address, target.port, target.timeout, target.retries)
        transport = self.targets.get(key)
        if transport is None:
            transport = await UdpTransportTarget.create(
                (target.address, target.port), timeout=target.timeout, retries=target.retries)
            self.targets[key] = transport
        return transport


_engines: dict[asyncio.AbstractEventLoop, _EngineState] = {}


def _state() -> _EngineState:
    loop = asyncio.get_running_loop()
    state = _engines.get(loop)
    if state is None:
        for old in [old for old in _engines if old.is_closed()]:  # loops that ended unclosed
            with contextlib.suppress(Exception):
                _engines[old].engine.close_dispatcher()
            del _engines[old]
        state = _engines[loop] = _EngineState(SnmpEngine())
    return state


def close_v3_engine() -> None:
    """Close the current loop's pysnmp engine (socket, timers); the next call makes a new one."""
    state = _engines.pop(asyncio.get_running_loop(), None)
    if state is not None:
        state.engine.close_dispatcher()


def _credentials(target: SnmpTarget) -> V3Credentials:
    if target.v3 is None:
        raise SnmpError(f"{target.address}:{target.port}: no v3 credentials")
    return target.v3


async def _call(target: SnmpTarget, command: Any, *args: Any) -> list[VarBind]:
    """Run one pysnmp command; map its outcome onto varbinds or our exceptions."""
    where = f"{target.address}:{target.port}"
    usm = _credentials(target).usm_user_data()
    state = _state()
    transport = await state.transport(target)
    budget = target.timeout * (target.retries + 1) + _SLACK
    try:
        async with asyncio.timeout(budget):
            indication, status, index, varbinds = await command(
                state.engine, usm, transport, ContextData(), *args, lookupMib=False)
    except TimeoutError:
        raise SnmpTimeout(f"no SNMPv3 response from {where} within {budget:g} s") from None
    except PySnmpError as exc:
        raise SnmpError(f"{where}: SNMPv3 request failed ({type(exc).__name__})") from None
    if isinstance(indication, errind.RequestTimedOut):
        raise SnmpTimeout(f"no SNMPv3 response from {where} after {target.retries + 1} "
                          f"attempt(s) of {target.timeout:g} s")
    if indication:
        raise SnmpError(f"{where}: SNMPv3 error: {indication}")
    if int(status):
        raise status_error(target, int(status), int(index))
    return [convert_varbind(name, value) for name, value in varbinds]


def convert_varbind(name: Any, value: Any) -> VarBind:
    """A pysnmp (ObjectName, value) pair as a lean ``(oid, tag, value)`` varbind."""
    outer = value.tagSet[-1]
    tag = outer.tagClass | outer.tagFormat | outer.tagId
    oid: Oid = tuple(int(arc) for arc in name)
    if tag in _INTS:
        return oid, tag, int(value)
    if tag in _OCTETS:
        return oid, tag, bytes(value.asOctets())
    if tag == Tag.OID:
        return oid, tag, tuple(int(arc) for arc in value)
    if tag == Tag.NULL or tag in (Tag.NO_SUCH_OBJECT, Tag.NO_SUCH_INSTANCE, Tag.END_OF_MIB_VIEW):
        return oid, tag, None
    raise SnmpProtocolError(f"unsupported value type {type(value).__name__} for {oid}")


def _objects(oids: Sequence[Oid]) -> list[Any]:
    return [ObjectType(ObjectIdentity(tuple(oid))) for oid in oids]


async def v3_get(target: SnmpTarget, oids: Sequence[Oid]) -> list[VarBind]:
    """SNMPv3 GET."""
    return await _call(target, get_cmd, *_objects(oids))


async def v3_walk_columns(target: SnmpTarget,
                          columns: Sequence[Oid]) -> dict[Oid, list[VarBind]]:
    """SNMPv3 walk of several columns side by side (GETBULK)."""
    async def step(oids: list[Oid], max_rep: int) -> tuple[int, int, list[VarBind]]:
        try:
            return 0, 0, await _call(target, bulk_cmd, 0, max_rep, *_objects(oids))
        except SnmpProtocolError as exc:
            if not exc.error_status:
                raise
            return exc.error_status, exc.error_index, []

    return await walk_columns_with(step, target, columns, bulk=True)


async def v3_walk(target: SnmpTarget, root: Oid) -> list[VarBind]:
    """SNMPv3 walk of one subtree (GETBULK)."""
    return (await v3_walk_columns(target, (root,)))[tuple(root)]
