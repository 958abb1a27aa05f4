"""Masking of secrets in device configurations: every view and diff goes through here.

:func:`mask_secrets` replaces each secret *value* (password, enable secret,
SNMP community, RADIUS/TACACS+ key, IKE pre-shared key, routing protocol
authentication key, Wi-Fi passphrase, private key block) with ``<masked>`` and
keeps the rest of the line, so an operator still sees *that* a secret is set
and where. The result has exactly as many lines as the input, which lets a
diff be computed on the raw text and shown masked (a changed secret then shows
as a changed line whose both sides read ``<masked>``).

Rules are grouped per platform (netmiko device type: ``cisco_ios``,
``huawei``, ``juniper_junos``, ``hp_procurve``, ``linux``). An unknown or
empty platform gets every rule set: masking too much is the safe side. To add
a vendor, add a tuple of :class:`Rule` to ``RULES`` and a corpus of real-looking
lines to ``tests/unit/noc/configs/test_mask.py``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

__all__ = ["MASK", "RULES", "Rule", "mask_secrets", "rules_for"]

MASK = "<masked>"

_I = re.IGNORECASE
_T = r"(?:\d\s+)?"  # Cisco/HP encryption type digit before the value (0, 5, 6, 7, 8, 9)
_V = r'(?P<s>"[^"]*"|[^\s;]+)'  # a value: quoted, or up to whitespace / Junos ";"
_PEM_BEGIN = re.compile(r"-----BEGIN [A-Z0-9 ]*PRIVATE KEY-----")
_PEM_END = re.compile(r"-----END [A-Z0-9 ]*PRIVATE KEY-----")


@dataclass(frozen=True, slots=True)
class Rule:
    """A pattern whose group ``s`` is a secret; optionally only under a matching parent line.

    ``parent`` is matched against the nearest preceding line indented less than
    this one (the block the line belongs to: ``tacacs server X``, ``snmp {``).
    """

    pattern: re.Pattern[str]
    parent: re.Pattern[str] | None = None


def _r(pattern: str, parent: str | None = None) -> Rule:
    return Rule(re.compile(pattern, _I), re.compile(parent, _I) if parent else None)


CISCO: tuple[Rule, ...] = (
    _r(r"\bpassword\s+(?!(?:encryption|manager|operator|port-access|cipher|simple|"
       r"irreversible-cipher)\b)" + _T + _V),
    _r(r"\bsecret\s+(?:level\s+\d+\s+)?" + _T + _V),
    _r(r"^\s*snmp-server\s+community\s+" + _V),
    _r(r"^\s*snmp-server\s+host\s+\S+\s+(?:(?:traps|informs)\s+)?"
       r"(?:version\s+(?:1|2c|3\s+(?:auth|noauth|priv))\s+)?" + _V),
    _r(r"\b(?:auth\s+(?:md5|sha)|priv\s+(?:des|3des|aes(?:\s+\d+)?))\s+" + _V),
    _r(r"\bkey-string\s+" + _T + _V),
    _r(r"^\s*(?:tacacs-server|radius-server)\b.*?\bkey\s+" + _T + _V),
    _r(r"^\s*key\s+" + _T + _V, parent=r"^\s*(?:tacacs|radius)\s+server\s"),
    _r(r"\bserver-key\s+" + _T + _V),
    _r(r"^\s*crypto\s+isakmp\s+key\s+" + _T + _V),
    _r(r"\bpre-shared-key\s+(?:address|hostname)\s+.*?\bkey\s+" + _T + _V),
    _r(r"\bpre-shared-key\s+(?!address\b|hostname\b)(?:(?:local|remote)\s+)?" + _T + _V),
    _r(r"\bwpa-psk\s+(?:ascii|hex)\s+" + _T + _V),
    _r(r"\bauthentication-key\s+(?:\d+\s+md5\s+)?" + _T + _V),
    _r(r"\bmessage-digest-key\s+\d+\s+md5\s+" + _T + _V),
    _r(r"^\s*standby\s+\d+\s+authentication\s+(?!md5\b)(?:text\s+)?" + _V),
    _r(r"\bpassword-encrypt\s+" + _V),
)

HUAWEI: tuple[Rule, ...] = (
    _r(r"(?<!server )(?<!client )\b(?:irreversible-cipher|cipher)\s+" + _V),
    _r(r"\bpassword\s+(?:simple|plain)\s+" + _V),
    _r(r"^\s*local-user\s+\S+\s+password\s+(?!(?:irreversible-cipher|cipher|simple)\b)" + _V),
    _r(r"^\s*snmp-agent\s+community\s+(?:read|write)\s+(?!cipher\b)(?:simple\s+)?" + _V),
    _r(r"\bpre-shared-key\s+(?:simple\s+)?(?!cipher\b)" + _V),
    _r(r"\bshared-key\s+(?:simple\s+)?(?!cipher\b)" + _V),
)

JUNOS: tuple[Rule, ...] = (
    _r(r"\bencrypted-password\s+" + _V),
    _r(r"\bsecret\s+" + _V),
    _r(r"\b(?:authentication|privacy)-(?:key|password)\s+(?!\d+\s+type\b)" + _V),
    _r(r"\bauthentication-key\s+\d+\s+type\s+\S+\s+value\s+" + _V),
    _r(r"\b(?:ascii-text|hexadecimal)\s+" + _V),
    _r(r"\bmd5\s+\d+\s+key\s+" + _V),
    _r(r"^\s*set\s+snmp\s+community\s+" + _V),
    _r(r"^\s*community\s+" + _V, parent=r"^\s*snmp\s*\{"),
)

PROCURVE: tuple[Rule, ...] = (
    _r(r"^\s*password\s+(?:manager|operator|port-access)\b.*?\b(?:sha1|sha256|plaintext)\s+"
       + _V),
    _r(r"^\s*snmp-server\s+community\s+" + _V),
    _r(r"^\s*(?:tacacs-server|radius-server)\b.*?\bkey\s+" + _V),
    _r(r"^\s*snmpv3\s+user\b.*?\b(?:auth\s+(?:md5|sha)|priv\s+(?:des|aes))\s+" + _V),
    _r(r"\bpriv\s+(?:des|aes)\s+" + _V),
)

LINUX: tuple[Rule, ...] = (
    _r(r"^\s*(?:export\s+)?[\w.-]*?(?<![a-z])"
       r"(?:password|passwd|pass|secret|key|token|psk|community)s?\s*[=:]\s*(?P<s>\S.*?)\s*$"),
    _r(r"^\s*(?:ro|rw)community6?\s+" + _V),
    _r(r"^\s*com2sec6?\s+\S+\s+\S+\s+" + _V),
    _r(r"^\s*createUser\s+\S+\s+(?:MD5|SHA\S*)\s+" + _V),
    _r(r"^\s*createUser\s+\S+\s+(?:MD5|SHA\S*)\s+\S+\s+(?:DES|AES\S*)\s+" + _V),
    _r(r"^\s*(?:machine\s+\S+\s+)?(?:login\s+\S+\s+)?password\s+(?![=:])" + _V),
)

RULES: dict[str, tuple[Rule, ...]] = {
    "cisco_ios": CISCO,
    "huawei": HUAWEI,
    "juniper_junos": JUNOS,
    "hp_procurve": PROCURVE,
    "linux": LINUX,
}
_ALL: tuple[Rule, ...] = tuple(rule for rules in RULES.values() for rule in rules)
_ALIASES = {"cisco_xe": "cisco_ios", "cisco_nxos": "cisco_ios", "juniper": "juniper_junos",
            "huawei_vrp": "huawei", "hp_procurve_telnet": "hp_procurve"}


def rules_for(platform: str) -> tuple[Rule, ...]:
    """The rule set of ``platform``; every rule set when the platform is unknown or empty."""
    key = _ALIASES.get(platform, platform)
    return RULES.get(key, _ALL)


def mask_secrets(text: str, platform: str = "") -> str:
    """``text`` with every secret value replaced by ``<masked>``; same number of lines."""
    rules = rules_for(platform)
    lines = text.split("\n")
    out: list[str] = []
    blocks: list[tuple[int, str]] = []  # (indent, line) of the enclosing blocks
    in_pem = False
    for line in lines:
        if in_pem:
            in_pem = not _PEM_END.search(line)
            out.append(MASK if in_pem else line)
            continue
        if _PEM_BEGIN.search(line):
            in_pem = not _PEM_END.search(line)
            out.append(line)
            continue
        stripped = line.lstrip()
        indent = len(line) - len(stripped)
        while blocks and blocks[-1][0] >= indent:
            blocks.pop()
        parent = blocks[-1][1] if blocks else ""
        out.append(_mask_line(line, parent, rules))
        if stripped:
            blocks.append((indent, line))
    return "\n".join(out)


def _mask_line(line: str, parent: str, rules: tuple[Rule, ...]) -> str:
    """One line with the spans of every matching rule's secret group replaced."""
    spans: list[tuple[int, int]] = []
    for rule in rules:
        if rule.parent is not None and not rule.parent.search(parent):
            continue
        spans.extend(m.span("s") for m in rule.pattern.finditer(line) if m.group("s"))
    if not spans:
        return line
    result: list[str] = []
    last = 0
    for start, end in _merge(spans):
        value = line[start:end]
        quoted = len(value) >= 2 and value[0] == value[-1] == '"'
        result.append(line[last:start])
        result.append(f'"{MASK}"' if quoted else MASK)
        last = end
    result.append(line[last:])
    return "".join(result)


def _merge(spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """Sorted spans with overlapping ones joined."""
    merged: list[tuple[int, int]] = []
    for start, end in sorted(spans):
        if merged and start < merged[-1][1]:
            merged[-1] = (merged[-1][0], max(end, merged[-1][1]))
        else:
            merged.append((start, end))
    return merged
