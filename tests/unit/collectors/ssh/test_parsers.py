"""Pure parsers and helpers of the SSH collectors, on literal edge cases."""

from __future__ import annotations

from pathlib import Path

import paramiko  # type: ignore[import-untyped]
import pytest

from collectors.base import DeviceFacts, InterfaceSample, SystemInfo
from collectors.ssh.cli import hostname_from_prompt, merge_facts, parse_command, uptime_seconds
from collectors.ssh.errors import HostKeyChangedError, HostKeyUnknownError, SshCommandError, redact
from collectors.ssh.hostkeys import KnownHosts, fingerprint, host_id
from collectors.ssh.linux import parse_df, parse_linux, parse_meminfo, parse_ps, parse_uptime_load
from collectors.ssh.pool import SshCredentials, SshTarget


def test_df_keeps_mount_points_with_spaces_and_drops_pseudo_filesystems() -> None:
    disks = parse_df("Filesystem 1024-blocks Used Available Capacity Mounted on\n"
                     "tmpfs 100 1 99 1% /run\n/dev/sdb1 2000 500 1500 25% /srv/sao luu\n")
    assert [(d.name, d.total_bytes, d.used_bytes) for d in disks] == [
        ("/srv/sao luu", 2000 * 1024, 500 * 1024)]


def test_meminfo_without_memavailable_falls_back_to_free_buffers_cached() -> None:
    mem = parse_meminfo("MemTotal: 1000 kB\nMemFree: 200 kB\nBuffers: 50 kB\nCached: 250 kB\n")
    assert (mem.total_bytes, mem.used_bytes) == (1000 * 1024, 500 * 1024)


@pytest.mark.parametrize("bad", ["", "bash: cat: command not found", "1.0 2.0\n0.1 0.2 0.3\n"])
def test_uptime_load_rejects_foreign_output(bad: str) -> None:
    with pytest.raises(ValueError, match="expected"):
        parse_uptime_load(bad)


def test_ps_without_header_is_an_error() -> None:
    with pytest.raises(ValueError, match="PID USER header"):
        parse_ps("123 root 1.0 0.1 sshd\n")


def test_one_failed_linux_command_leaves_the_others() -> None:
    facts = parse_linux({"cat /proc/meminfo": "MemTotal: 10 kB\nMemAvailable: 5 kB\n",
                         "df -P -k": "Permission denied"})
    assert facts.memory is not None and facts.memory.used_bytes == 5 * 1024
    assert any("df -P -k" in e for e in facts.errors)
    assert any("no output" in e for e in facts.errors)


@pytest.mark.parametrize(("text", "seconds"), [
    ("1 year, 2 weeks, 3 days, 4 hours, 5 minutes", 31536000 + 1209600 + 259200 + 14400 + 300),
    ("0 week, 41 days, 6 hours, 18 minutes", 41 * 86400 + 6 * 3600 + 18 * 60),
    ("126 days", 126 * 86400), ("25 mins", 1500), ("never", None)])
def test_uptime_text(text: str, seconds: int | None) -> None:
    assert uptime_seconds(text) == seconds


@pytest.mark.parametrize(("prompt", "name"), [("q1-dist-sw1#", "q1-dist-sw1"),
                                              ("<q3-core-r1>", "q3-core-r1"),
                                              ("noc@q7-edge-r1>", "q7-edge-r1")])
def test_hostname_from_prompt(prompt: str, name: str) -> None:
    assert hostname_from_prompt(prompt) == name


def test_unparseable_cli_output_is_a_command_error() -> None:
    with pytest.raises(SshCommandError, match="show version"):
        parse_command("cisco_ios", "show version", "% Invalid input detected at '^' marker.")
    with pytest.raises(SshCommandError, match="no parser"):
        parse_command("cisco_ios", "show running-config", "")


def test_merge_joins_interfaces_by_name_and_keeps_first_values() -> None:
    merged = merge_facts([
        DeviceFacts(system=SystemInfo(name="q5-access-sw3"), serial="A",
                    interfaces=[InterfaceSample(0, name="1", admin_status=1, oper_status=1)]),
        DeviceFacts(serial="B", interfaces=[InterfaceSample(0, name="1",
                                                            counters={"in_errors": 3})]),
    ])
    assert merged.system.name == "q5-access-sw3" and merged.serial == "A"
    assert len(merged.interfaces) == 1
    assert merged.interfaces[0].oper_status == 1
    assert merged.interfaces[0].counters == {"in_errors": 3}


def test_redact_removes_every_secret_and_its_lines() -> None:
    key = "-----BEGIN KEY-----\nAAAAsecretline\n-----END KEY-----"
    text = redact("bad pass hunter2 and key line AAAAsecretline", ["hunter2", key, ""])
    assert "hunter2" not in text and "AAAAsecretline" not in text


def test_credentials_never_show_secrets_in_repr() -> None:
    target = SshTarget("q1", "127.0.0.1", "linux",
                       SshCredentials("noc", password="p4ss", private_key="KEYTEXT",
                                      enable_secret="en4ble"))
    assert not {"p4ss", "KEYTEXT", "en4ble"} & set(repr(target).replace("'", " ").split())
    assert "p4ss" not in repr(target) and "en4ble" not in repr(target)


def test_known_hosts_verify_unknown_then_changed(tmp_path: Path) -> None:
    store = KnownHosts(tmp_path / "known_hosts")
    trusted, other = paramiko.ECDSAKey.generate(), paramiko.ECDSAKey.generate()
    with pytest.raises(HostKeyUnknownError):
        store.verify("127.0.0.9", 2222, trusted)
    keys = paramiko.HostKeys()
    keys.add(host_id("127.0.0.9", 2222), trusted.get_name(), trusted)
    keys.save(str(store.path))
    store.verify("127.0.0.9", 2222, trusted)
    with pytest.raises(HostKeyChangedError) as changed:
        store.verify("127.0.0.9", 2222, other, name="q9-r1")
    assert fingerprint(trusted) in str(changed.value)
    assert fingerprint(other) in str(changed.value)
    assert "127.0.0.9:2222" in str(changed.value)
    assert store.fingerprints("127.0.0.9", 2222) == [fingerprint(trusted)]
    assert store.forget("127.0.0.9", 2222) and not store.fingerprints("127.0.0.9", 2222)
    assert host_id("127.0.0.9", 22) == "127.0.0.9"
