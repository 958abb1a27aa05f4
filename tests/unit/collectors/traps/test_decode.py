"""Decoding trap datagrams: v1 (RFC 3584 conversion), v2c, informs, v3 USM, bad input."""

from __future__ import annotations

import contextlib
import dataclasses

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from collectors.snmp import ber
from collectors.snmp.ber import PduType, Tag
from collectors.snmp.v3 import V3Credentials
from collectors.traps import Decoded, TrapAuthError, TrapDecodeError, TrapDecoder
from noc.lab.traps import encode_v2c_trap, link_trap_varbinds
from tests.unit.collectors.traps import recorded

COMMUNITY = b"s3cret-comm"


def decoder(users: list[V3Credentials] | None = None) -> TrapDecoder:
    return TrapDecoder([COMMUNITY, b"public"], recorded.USERS if users is None else users)


def v1_trap(enterprise: str, generic: int, specific: int, varbinds: bytes = b"",
            community: bytes = COMMUNITY, agent: bytes = bytes((10, 0, 0, 9))) -> bytes:
    oid = tuple(int(a) for a in enterprise.split("."))
    pdu = (ber.encode_oid(oid) + ber.tlv(Tag.IPADDRESS, agent) + ber.encode_integer(generic)
           + ber.encode_integer(specific) + ber.encode_integer(4242, Tag.TIMETICKS)
           + ber.tlv(0x30, varbinds))
    return ber.tlv(0x30, ber.encode_integer(0) + ber.tlv(Tag.OCTET_STRING, community)
                   + ber.tlv(PduType.TRAP_V1, pdu))


def decode(data: bytes, users: list[V3Credentials] | None = None) -> Decoded:
    return decoder(users).decode(data, "127.0.0.9", 40000, 1_700_000_000.0)


# --------------------------------------------------------------------------- v1


@pytest.mark.parametrize(("generic", "oid", "kind"), [
    (0, "1.3.6.1.6.3.1.1.5.1", "cold_start"), (1, "1.3.6.1.6.3.1.1.5.2", "warm_start"),
    (2, "1.3.6.1.6.3.1.1.5.3", "link_down"), (3, "1.3.6.1.6.3.1.1.5.4", "link_up"),
    (4, "1.3.6.1.6.3.1.1.5.5", "auth_failure"), (5, "1.3.6.1.6.3.1.1.5.6", "unknown"),
])
def test_v1_generic_traps_become_snmpv2_trap_oids(generic: int, oid: str, kind: str) -> None:
    trap = decode(v1_trap("1.3.6.1.4.1.9.1.1", generic, 0)).trap
    assert (trap.version, trap.trap_oid, trap.kind) == ("1", oid, kind)
    assert trap.enterprise == "1.3.6.1.4.1.9.1.1"
    assert trap.agent_address == "10.0.0.9"
    assert trap.uptime_ticks == 4242


def test_v1_enterprise_specific_trap_is_enterprise_zero_specific() -> None:
    trap = decode(v1_trap("1.3.6.1.4.1.318", 6, 5)).trap
    assert trap.trap_oid == "1.3.6.1.4.1.318.0.5"
    assert (trap.kind, trap.name, trap.severity) == ("vendor", "upsOnBattery", "major")


def test_recorded_v1_juniper_fan_failure_from_net_snmp() -> None:
    trap = decode(recorded.V1_JNX_FAN).trap
    assert trap.trap_oid == "1.3.6.1.4.1.2636.4.1.0.2"
    assert trap.name == "jnxFanFailure"  # found through the SMIv2 OID ...4.1.2
    assert trap.agent_address == "127.0.0.9"
    assert trap.uptime_ticks == 5000
    assert trap.varbinds == (("1.3.6.1.4.1.2636.3.1.13.1.5.4.1.1.0", "Fan Tray 0"),)


def test_recorded_v1_link_down_carries_if_index() -> None:
    trap = decode(recorded.V1_LINKDOWN).trap
    assert (trap.kind, trap.if_index, trap.uptime_ticks) == ("link_down", 5, 77)
    assert trap.summary() == "linkDown ifIndex 5"


# --------------------------------------------------------------------------- v2c


def test_v2c_link_down_from_the_lab_encoder() -> None:
    data = encode_v2c_trap(COMMUNITY, "1.3.6.1.6.3.1.1.5.3", 1234,
                           link_trap_varbinds(False, 3, "Gi0/3"))
    decoded = decode(data)
    trap = decoded.trap
    assert decoded.reply is None
    assert (trap.version, trap.kind, trap.name, trap.if_index) == ("2c", "link_down",
                                                                   "linkDown", 3)
    assert trap.uptime_ticks == 1234
    assert trap.summary() == "linkDown ifIndex 3 (Gi0/3)"
    assert ("1.3.6.1.2.1.2.2.1.8.3", "2") in trap.varbinds
    assert not any(oid == "1.3.6.1.6.3.1.1.4.1.0" for oid, _ in trap.varbinds)


def test_community_is_never_kept_in_the_trap() -> None:
    trap = decode(encode_v2c_trap(COMMUNITY, "1.3.6.1.6.3.1.1.5.1", 1, [])).trap
    assert COMMUNITY.decode() not in repr(trap)
    assert all(COMMUNITY.decode() not in str(v) for v in dataclasses.astuple(trap))


def test_wrong_community_is_an_auth_error() -> None:
    with pytest.raises(TrapAuthError) as info:
        decode(encode_v2c_trap(b"guess", "1.3.6.1.6.3.1.1.5.1", 1, []))
    assert "guess" not in str(info.value)


def test_inform_gets_a_response_with_the_same_request_id() -> None:
    body = ber.encode_varbind(ber.encode_oid((1, 3, 6, 1, 2, 1, 1, 3, 0)),
                              ber.encode_integer(9, Tag.TIMETICKS))
    body += ber.encode_varbind(ber.encode_oid((1, 3, 6, 1, 6, 3, 1, 1, 4, 1, 0)),
                               ber.encode_oid((1, 3, 6, 1, 6, 3, 1, 1, 5, 2)))
    data = ber.encode_message(1, COMMUNITY, PduType.INFORM, 31337, 0, 0, body)
    decoded = decode(data)
    assert decoded.trap.kind == "warm_start"
    assert decoded.reply is not None
    reply = ber.decode_message(decoded.reply)
    assert (reply.pdu_type, reply.request_id, reply.error_status) == (PduType.RESPONSE, 31337, 0)
    assert [vb[0] for vb in reply.varbinds] == [(1, 3, 6, 1, 2, 1, 1, 3, 0),
                                                (1, 3, 6, 1, 6, 3, 1, 1, 4, 1, 0)]


def test_values_are_printable() -> None:
    data = encode_v2c_trap(COMMUNITY, "1.3.6.1.4.1.99.0.1", 5, [
        ("1.3.6.1.4.1.99.1", Tag.OCTET_STRING, b"\x00\x01\xff"),
        ("1.3.6.1.4.1.99.2", Tag.IPADDRESS, "192.0.2.7"),
        ("1.3.6.1.4.1.99.3", Tag.OID, "1.3.6.1.4.1.99"),
        ("1.3.6.1.4.1.99.4", Tag.OCTET_STRING, "Quận 7"),
        ("1.3.6.1.4.1.99.5", Tag.COUNTER64, 2**64 - 1)])
    trap = decode(data).trap
    assert [v for _, v in trap.varbinds] == ["0x0001ff", "192.0.2.7", "1.3.6.1.4.1.99",
                                            "Quận 7", str(2**64 - 1)]
    assert (trap.kind, trap.name) == ("unknown", "")
    assert trap.summary() == "trap 1.3.6.1.4.1.99.0.1: 0x0001ff"


# --------------------------------------------------------------------------- v3


@pytest.mark.parametrize(("data", "user", "kind", "uptime"), [
    (recorded.V3_SHA_AES, "noc-trap", "link_down", 123),
    (recorded.V3_MD5_NOPRIV, "noc-md5", "cold_start", 456),
    (recorded.V3_SHA256_DES, "noc-des", "warm_start", 789),
    (recorded.V3_SHA512_AES256, "noc-aes256", "vendor", 1000),
])
def test_recorded_v3_traps_verify_and_decrypt(data: bytes, user: str, kind: str,
                                               uptime: int) -> None:
    trap = decode(data).trap
    assert (trap.version, trap.user, trap.kind, trap.uptime_ticks) == ("3", user, kind, uptime)


def test_v3_aes_link_down_payload() -> None:
    trap = decode(recorded.V3_SHA_AES).trap
    assert trap.summary() == "linkDown ifIndex 3 (Gi0/3)"


def test_v3_wrong_auth_key_is_an_auth_error() -> None:
    users = [V3Credentials("noc-trap", "SHA", "not-the-key", "AES", "trappriv123")]
    with pytest.raises(TrapAuthError):
        decode(recorded.V3_SHA_AES, users)


def test_v3_tampered_message_fails_the_digest() -> None:
    data = bytearray(recorded.V3_SHA_AES)
    data[-3] ^= 0x01
    with pytest.raises(TrapAuthError):
        decode(bytes(data))


@pytest.mark.parametrize("users", [
    [],  # unknown user
    [V3Credentials("noc-md5", "MD5", "trapauth456", "DES", "privpriv1")],  # wants priv
    [V3Credentials("noc-md5")],  # noAuth user: an authenticated message is not its level
])
def test_v3_unknown_user_or_other_security_level_is_an_auth_error(
        users: list[V3Credentials]) -> None:
    with pytest.raises(TrapAuthError):
        decode(recorded.V3_MD5_NOPRIV, users)


def test_v3_same_user_name_twice_tries_each_key() -> None:
    users = [V3Credentials("noc-trap", "SHA", "old-key-1234", "AES", "trappriv123"),
             recorded.USERS[0]]
    assert decode(recorded.V3_SHA_AES, users).trap.user == "noc-trap"


def test_v3_wrong_priv_key_does_not_decode() -> None:
    users = [V3Credentials("noc-trap", "SHA", "trapauth123", "AES", "wrong-priv-key")]
    with pytest.raises((TrapAuthError, TrapDecodeError)):
        decode(recorded.V3_SHA_AES, users)


# --------------------------------------------------------------------------- malformed

GOOD = encode_v2c_trap(COMMUNITY, "1.3.6.1.6.3.1.1.5.3", 1, link_trap_varbinds(False, 1, "x"))


@pytest.mark.parametrize("data", [
    b"", b"\x30", b"\x30\x00", GOOD[:-1], GOOD[:10],
    b"\x04" + GOOD[1:],  # not a SEQUENCE
    b"\x30\x84\x7f\xff\xff\xff\x02\x01\x01",  # huge length
    b"\x30\x89" + bytes(9),  # length of length too long
    ber.encode_message(1, COMMUNITY, PduType.GET, 1, 0, 0, b""),  # not a notification
    ber.encode_message(1, COMMUNITY, PduType.TRAP_V2, 1, 0, 0, b""),  # no snmpTrapOID.0
    ber.tlv(0x30, ber.encode_integer(7) + ber.tlv(4, COMMUNITY)),  # unknown version
    v1_trap("1.3.6.1.4.1.9", 9, 0),  # generic out of range
    v1_trap("1.3.6.1.4.1.9", 0, 0, agent=b"\x01\x02"),  # short agent-addr
    b"\x30\x0b\x02\x01\x03\x30\x06\x02\x01\x01\x02\x01\x01",  # v3 without security model
])
def test_malformed_datagrams_raise_decode_errors(data: bytes) -> None:
    with pytest.raises(TrapDecodeError):
        decode(data)


@settings(max_examples=300, deadline=None)
@given(st.binary(max_size=200), st.integers(min_value=0, max_value=len(GOOD) - 1))
def test_fuzzed_datagrams_only_raise_trap_errors(noise: bytes, cut: int) -> None:
    for data in (noise, GOOD[:cut] + noise, recorded.V3_SHA_AES[:cut] + noise):
        with contextlib.suppress(TrapDecodeError, TrapAuthError):
            decode(data)
