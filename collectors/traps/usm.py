"""SNMPv3 user-based security for received traps: digest check and decryption.

A trap's sender is the authoritative engine (RFC 3414 1.5.2), so keys are
localized with the engine ID carried in the message itself; localized keys
are cached per (user, engine ID). Digests: HMAC-MD5-96, HMAC-SHA-96 (RFC
3414) and HMAC-SHA-2 (RFC 7860). Privacy: DES-CBC (RFC 3414), AES-128-CFB
(RFC 3826), AES-192/256 with Blumenthal key extension (``AES192``/``AES256``,
as net-snmp) or Reeder key extension (``AES192C``/``AES256C``, as Cisco) and
3DES-EDE (Reeder). The time window is not checked: a trap receiver does not
synchronise engine time with its senders, but the digest must verify, and
the privacy key is only derived for messages whose digest verified.
"""

from __future__ import annotations

import hashlib
import hmac
from collections import OrderedDict
from collections.abc import Sequence
from dataclasses import dataclass

from cryptography.hazmat.decrepit.ciphers.algorithms import TripleDES
from cryptography.hazmat.decrepit.ciphers.modes import CFB
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes

from collectors.snmp.v3 import V3Credentials
from collectors.traps.wire import (
    OCTET_STRING,
    SEQUENCE,
    TrapAuthError,
    TrapDecodeError,
    expect,
    read_int,
    read_octets,
)

_AUTH = {"MD5": ("md5", 12), "SHA": ("sha1", 12), "SHA1": ("sha1", 12),
         "SHA224": ("sha224", 16), "SHA256": ("sha256", 24), "SHA384": ("sha384", 32),
         "SHA512": ("sha512", 48)}
# privacy protocol -> (localized key octets needed, key extension: "" | blumenthal | reeder)
_PRIV = {"DES": (16, ""), "3DES": (32, "reeder"), "AES": (16, ""), "AES128": (16, ""),
         "AES192": (24, "blumenthal"), "AES256": (32, "blumenthal"),
         "AES192C": (24, "reeder"), "AES256C": (32, "reeder")}
_USM = 3
_FLAG_AUTH, _FLAG_PRIV = 0x01, 0x02
_MEGABYTE = 1_048_576


def _norm(protocol: str) -> str:
    return protocol.upper().replace("-", "").replace("_", "")


def password_to_key(password: bytes, hash_name: str) -> bytes:
    """RFC 3414 A.2: hash of the password repeated over one megabyte (``Ku``)."""
    if not password:
        raise ValueError("empty password")
    repeated = password * (_MEGABYTE // len(password) + 1)
    return hashlib.new(hash_name, repeated[:_MEGABYTE]).digest()


def localize_key(ku: bytes, engine_id: bytes, hash_name: str) -> bytes:
    """RFC 3414 2.6: ``Kul = H(Ku || engineID || Ku)``."""
    return hashlib.new(hash_name, ku + engine_id + ku).digest()


def _extend(key: bytes, size: int, how: str, engine_id: bytes, hash_name: str) -> bytes:
    while len(key) < size:
        if how == "blumenthal":
            key += hashlib.new(hash_name, key).digest()
        else:  # reeder: repeat password-to-key and localization on the key itself
            key += localize_key(password_to_key(key, hash_name), engine_id, hash_name)
    return key[:size]


@dataclass(frozen=True, slots=True)
class Opened:
    """An authentic v3 message: its user, engine and plaintext ScopedPDU."""

    user: str
    engine_id: bytes
    scoped_pdu: bytes  # may carry cipher padding after the ScopedPDU


@dataclass(frozen=True, slots=True)
class _SecParams:
    engine_id: bytes
    boots: int
    time: int
    user: bytes
    auth_params: bytes
    auth_start: int  # offset of the auth parameters' content in the datagram
    priv_params: bytes


def _security_parameters(data: bytes, pos: int, end: int) -> tuple[_SecParams, int]:
    start, stop = expect(data, pos, end, OCTET_STRING, "msgSecurityParameters")
    pos, send = expect(data, start, stop, SEQUENCE, "UsmSecurityParameters")
    engine_id, pos = read_octets(data, pos, send, "msgAuthoritativeEngineID")
    boots, pos = read_int(data, pos, send, "msgAuthoritativeEngineBoots")
    time, pos = read_int(data, pos, send, "msgAuthoritativeEngineTime")
    user, pos = read_octets(data, pos, send, "msgUserName")
    auth_start, pos = expect(data, pos, send, OCTET_STRING, "msgAuthenticationParameters")
    auth_params = bytes(data[auth_start:pos])
    priv_params, _ = read_octets(data, pos, send, "msgPrivacyParameters")
    return _SecParams(engine_id, boots, time, user, auth_params, auth_start, priv_params), stop


class UsmTable:
    """The v3 users a trap receiver accepts, with their localized keys cached."""

    def __init__(self, users: Sequence[V3Credentials], cache_size: int = 1024) -> None:
        self._users = list(users)
        self._cache_size = cache_size
        self._ku: dict[tuple[int, str], bytes] = {}
        self._keys: OrderedDict[tuple[int, str, bytes], bytes] = OrderedDict()

    def _localized(self, index: int, which: str, engine_id: bytes) -> bytes:
        cred = self._users[index]
        hash_name = _AUTH[_norm(cred.auth_protocol)][0]
        key = (index, which, engine_id)
        found = self._keys.get(key)
        if found is not None:
            self._keys.move_to_end(key)
            return found
        ku = self._ku.get((index, which))
        if ku is None:
            secret = cred.auth_key if which == "auth" else cred.priv_key
            ku = self._ku[(index, which)] = password_to_key(secret.encode(), hash_name)
        local = localize_key(ku, engine_id, hash_name)
        if which == "priv":
            size, how = _PRIV[_norm(cred.priv_protocol)]
            local = _extend(local, size, how, engine_id, hash_name)
        self._keys[key] = local
        if len(self._keys) > self._cache_size:
            self._keys.popitem(last=False)
        return local

    def open(self, data: bytes, pos: int, end: int) -> Opened:
        """Check and decrypt the v3 message ``data[:end]`` whose header ends at ``pos``."""
        gpos, gend = expect(data, pos, end, SEQUENCE, "msgGlobalData")
        _, gpos = read_int(data, gpos, gend, "msgID")
        _, gpos = read_int(data, gpos, gend, "msgMaxSize")
        flags, gpos = read_octets(data, gpos, gend, "msgFlags")
        model, _ = read_int(data, gpos, gend, "msgSecurityModel")
        if len(flags) != 1 or model != _USM:
            raise TrapDecodeError("not a USM message")
        params, pos = _security_parameters(data, gend, end)
        if not params.engine_id:
            raise TrapDecodeError("no authoritative engine ID")
        level = flags[0] & (_FLAG_AUTH | _FLAG_PRIV)
        user = params.user.decode("utf-8", "replace")
        candidates = [i for i, c in enumerate(self._users) if c.user.encode() == params.user]
        if not candidates:
            raise TrapAuthError(f"unknown SNMPv3 user {user!r}")
        for index in candidates:
            cred = self._users[index]
            wanted = (_FLAG_AUTH if cred.has_auth else 0) | (_FLAG_PRIV if cred.has_priv else 0)
            if wanted != level or (cred.has_auth and not self._digest_ok(index, data, end,
                                                                         params)):
                continue
            return Opened(user, params.engine_id, self._plaintext(index, data, pos, end,
                                                                  params, level))
        raise TrapAuthError(f"SNMPv3 message of user {user!r} failed authentication")

    def _digest_ok(self, index: int, data: bytes, end: int, params: _SecParams) -> bool:
        hash_name, size = _AUTH[_norm(self._users[index].auth_protocol)]
        if len(params.auth_params) != size:
            return False
        key = self._localized(index, "auth", params.engine_id)
        whole = bytearray(data[:end])
        whole[params.auth_start:params.auth_start + size] = bytes(size)
        digest = hmac.new(key, bytes(whole), hash_name).digest()[:size]
        return hmac.compare_digest(digest, params.auth_params)

    def _plaintext(self, index: int, data: bytes, pos: int, end: int, params: _SecParams,
                   level: int) -> bytes:
        if not level & _FLAG_PRIV:
            return bytes(data[pos:end])
        cipher_text, _ = read_octets(data, pos, end, "encryptedPDU")
        if len(params.priv_params) != 8:
            raise TrapDecodeError("privacy parameters are not 8 octets")
        key = self._localized(index, "priv", params.engine_id)
        protocol = _norm(self._users[index].priv_protocol)
        if protocol in ("DES", "3DES"):
            size = 8 if protocol == "DES" else 24
            if len(cipher_text) % 8:
                raise TrapDecodeError("DES cipher text is not a multiple of 8 octets")
            iv = bytes(a ^ b for a, b in zip(key[size:size + 8], params.priv_params, strict=True))
            des_key = key[:8] * 3 if protocol == "DES" else key[:24]
            decryptor = Cipher(TripleDES(des_key), modes.CBC(iv)).decryptor()
        else:
            iv = ((params.boots & 0xFFFFFFFF).to_bytes(4, "big")
                  + (params.time & 0xFFFFFFFF).to_bytes(4, "big") + params.priv_params)
            decryptor = Cipher(algorithms.AES(key), CFB(iv)).decryptor()
        plain = decryptor.update(cipher_text) + decryptor.finalize()
        if not plain or plain[0] != SEQUENCE:
            raise TrapAuthError("SNMPv3 message does not decrypt with the configured key")
        return plain
