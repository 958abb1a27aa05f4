"""Secrets are masked per platform: a corpus per platform, every secret listed beside it."""

from __future__ import annotations

from pathlib import Path

import pytest

from noc.configs.mask import MASK, RULES, mask_secrets

CORPUS = Path(__file__).parent / "corpus"
PLATFORMS = sorted(RULES)


def _corpus(platform: str) -> tuple[str, list[str]]:
    text = (CORPUS / f"{platform}.cfg").read_text()
    secrets = (CORPUS / f"{platform}.secrets").read_text().split()
    return text, secrets


def test_every_platform_has_a_corpus() -> None:
    assert {p.stem for p in CORPUS.glob("*.cfg")} == set(RULES)
    for platform in RULES:
        assert (CORPUS / f"{platform}.secrets").is_file(), platform


@pytest.mark.parametrize("platform", PLATFORMS)
def test_every_secret_of_the_corpus_is_masked(platform: str) -> None:
    text, secrets = _corpus(platform)
    assert all(secret in text for secret in secrets)  # the corpus lists real values
    masked = mask_secrets(text, platform)
    leaked = [secret for secret in secrets if secret in masked]
    assert leaked == []


@pytest.mark.parametrize("platform", PLATFORMS)
def test_only_the_secret_values_change(platform: str) -> None:
    text, secrets = _corpus(platform)
    before, after = text.split("\n"), mask_secrets(text, platform).split("\n")
    assert len(after) == len(before)
    for original, masked in zip(before, after, strict=True):
        expected = original
        for secret in sorted(secrets, key=len, reverse=True):
            expected = expected.replace(secret, MASK)
        assert masked == expected  # the value is gone, the rest of the line is kept


@pytest.mark.parametrize("platform", PLATFORMS)
def test_unknown_platform_applies_every_rule_set(platform: str) -> None:
    text, secrets = _corpus(platform)
    for unknown in ("", "mikrotik_routeros"):
        masked = mask_secrets(text, unknown)
        assert [s for s in secrets if s in masked] == []


@pytest.mark.parametrize("platform", PLATFORMS)
def test_masking_twice_changes_nothing_more(platform: str) -> None:
    once = mask_secrets(_corpus(platform)[0], platform)
    assert mask_secrets(once, platform) == once


def test_cisco_line_shapes() -> None:
    cases = {
        "enable secret 9 $9$abcdef": "enable secret 9 <masked>",
        "snmp-server community Q1-ro RO 10": "snmp-server community <masked> RO 10",
        " key 7 0822455D0A16": " key 7 0822455D0A16",  # not under a tacacs/radius server
        "service password-encryption": "service password-encryption",
        "password encryption aes": "password encryption aes",
        "username noc privilege 15 secret 9 $9$xyz": "username noc privilege 15 secret 9 <masked>",
    }
    for line, expected in cases.items():
        assert mask_secrets(line, "cisco_ios") == expected


def test_key_is_masked_only_inside_a_tacacs_or_radius_server_block() -> None:
    text = "key chain EIGRP\n key 1\n  key-string 7 AAA1\ntacacs server t1\n key 7 BBB2\n"
    assert mask_secrets(text, "cisco_ios").split("\n") == [
        "key chain EIGRP", " key 1", "  key-string 7 <masked>", "tacacs server t1",
        " key 7 <masked>", ""]


def test_junos_quoted_values_keep_their_quotes_and_comment() -> None:
    line = '        encrypted-password "$6$salt$hash"; ## SECRET-DATA'
    assert mask_secrets(line, "juniper_junos") == \
        '        encrypted-password "<masked>"; ## SECRET-DATA'


def test_junos_community_outside_snmp_is_not_a_secret() -> None:
    text = "policy-options {\n    community CITY members 65001:100;\n}\n"
    assert mask_secrets(text, "juniper_junos") == text


def test_huawei_ssh_cipher_list_is_not_a_secret() -> None:
    line = "ssh server cipher aes256_ctr aes128_ctr"
    assert mask_secrets(line, "huawei") == line


def test_private_key_blocks_are_masked_line_by_line() -> None:
    text = ("ssl_cert = /etc/noc/cert.pem\n-----BEGIN OPENSSH PRIVATE KEY-----\n"
            "b3BlbnNzaC1rZXktdjEAAAAABG5vbmUAAAAEbm9uZQ\nQyNTUxOQAAACDLxKeyMaterial\n"
            "-----END OPENSSH PRIVATE KEY-----\nafter = 1\n")
    masked = mask_secrets(text, "linux")
    assert "b3BlbnNzaC1" not in masked and "KeyMaterial" not in masked
    assert masked.split("\n") == [
        "ssl_cert = /etc/noc/cert.pem", "-----BEGIN OPENSSH PRIVATE KEY-----", MASK, MASK,
        "-----END OPENSSH PRIVATE KEY-----", "after = 1", ""]
