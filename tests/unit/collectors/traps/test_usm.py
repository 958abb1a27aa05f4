"""USM key derivation: RFC 3414 test vectors and pysnmp's key extensions as the reference."""

from __future__ import annotations

import pysnmp.proto.secmod.rfc3414.service  # noqa: F401  (imports pysnmp's privacy modules in order)
import pytest
from pysnmp.proto import rfc1902
from pysnmp.proto.secmod.eso.priv import aes192, aes256, des3
from pysnmp.proto.secmod.rfc3414 import localkey
from pysnmp.proto.secmod.rfc3414.auth import hmacsha

from collectors.traps.usm import _extend, localize_key, password_to_key

ENGINE = bytes.fromhex("000000000000000000000002")


@pytest.mark.parametrize(("hash_name", "ku", "kul"), [
    ("md5", "9faf3283884e92834ebc9847d8edd963", "526f5eed9fcce26f8964c2930787d82b"),
    ("sha1", "9fb5cc0381497b3793528939ff788d5d79145211",
     "6695febc9288e36282235fc7151f128497b38f3f"),
])
def test_rfc3414_appendix_a3_vectors(hash_name: str, ku: str, kul: str) -> None:
    assert password_to_key(b"maplesyrup", hash_name).hex() == ku
    assert localize_key(bytes.fromhex(ku), ENGINE, hash_name).hex() == kul


@pytest.mark.parametrize(("cls", "size", "how"), [
    (aes192.Aes192, 24, "reeder"), (aes256.Aes256, 32, "reeder"), (des3.Des3, 32, "reeder"),
    (aes192.AesBlumenthal192, 24, "blumenthal"), (aes256.AesBlumenthal256, 32, "blumenthal"),
])
def test_key_extension_matches_pysnmp(cls: type, size: int, how: str) -> None:
    engine = bytes.fromhex("80001f8880aabbccdd")
    ku = localkey.hash_passphrase_sha(rfc1902.OctetString(b"trappriv123"))
    theirs = bytes(cls().localize_key(hmacsha.HmacSha.SERVICE_ID, ku,
                                      rfc1902.OctetString(engine)))
    mine = _extend(localize_key(bytes(ku), engine, "sha1"), size, how, engine, "sha1")
    assert mine == theirs[:size]


def test_empty_password_is_refused() -> None:
    with pytest.raises(ValueError, match="empty"):
        password_to_key(b"", "sha1")
