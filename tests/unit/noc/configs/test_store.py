"""ConfigStore: content-addressed compressed versions, dedup, numbering, masked diffs, errors."""

from __future__ import annotations

import gzip
import hashlib
import stat
from collections.abc import Iterator
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
from sqlalchemy.orm import Session, sessionmaker

from noc.configs.store import ConfigObjectError, ConfigStore, VersionInfo, resolve_rev
from noc.db import init_schema, make_engine, session_factory

BASE = """Building configuration...

Current configuration : 512 bytes
! Last configuration change at 10:12:33 ICT Fri Mar 1 2024 by noc
hostname q1-dist-sw1
!
enable secret 9 $9$Base-Enable-Secret
snmp-server community Old-Comm-Q1 RO
!
interface GigabitEthernet0/1
 description uplink q2-core
 ip address 127.0.1.1 255.255.255.0
!
end
"""
T0 = datetime(2024, 3, 1, 3, 0, 0)


@pytest.fixture
def sessions(tmp_path: Path) -> Iterator[sessionmaker[Session]]:
    engine = make_engine(f"sqlite:///{tmp_path / 'noc.sqlite3'}")
    init_schema(engine)
    yield session_factory(engine)
    engine.dispose()


@pytest.fixture
def store(tmp_path: Path, sessions: sessionmaker[Session]) -> ConfigStore:
    return ConfigStore(tmp_path / "configs", sessions)


def _object(store: ConfigStore, digest: str) -> Path:
    return store.root / "objects" / digest[:2] / f"{digest[2:]}.gz"


def test_first_save_is_rev_1_and_counts_every_line(store: ConfigStore) -> None:
    saved = store.save("q1-dist-sw1", BASE, at=T0)
    assert saved is not None and saved.first and saved.device == "q1-dist-sw1"
    assert saved.version.rev == 1 and saved.version.fetched_at == T0
    assert saved.version.lines_added == 10 and saved.version.lines_removed == 0


def test_identical_and_volatile_only_fetches_store_nothing(store: ConfigStore) -> None:
    assert store.save("q1-dist-sw1", BASE) is not None
    assert store.save("q1-dist-sw1", BASE) is None
    volatile = BASE.replace("512 bytes", "530 bytes").replace("10:12:33", "12:00:01")
    assert store.save("q1-dist-sw1", volatile.replace("\n", "\r\n")) is None
    assert len(store.versions("q1-dist-sw1")) == 1


def test_versions_are_numbered_oldest_first_with_changes(store: ConfigStore) -> None:
    second = BASE.replace("uplink q2-core", "uplink q2-core via fiber 2")
    third = second.replace(" ip address 127.0.1.1 255.255.255.0\n", "")
    for i, text in enumerate((BASE, second, third)):
        store.save("q1-dist-sw1", text, at=T0 + timedelta(hours=i))
    versions = store.versions("q1-dist-sw1")
    assert [v.rev for v in versions] == [1, 2, 3]
    assert [v.fetched_at for v in versions] == [T0 + timedelta(hours=i) for i in range(3)]
    assert [(v.lines_added, v.lines_removed) for v in versions[1:]] == [(1, 1), (0, 1)]
    assert versions[2].size == len(third.encode()) - len(
        "Building configuration...\n\nCurrent configuration : 512 bytes\n"
        "! Last configuration change at 10:12:33 ICT Fri Mar 1 2024 by noc\n")


def test_aware_timestamps_are_stored_as_naive_utc(store: ConfigStore) -> None:
    at = datetime(2024, 3, 1, 17, 0, tzinfo=timezone(timedelta(hours=7)))
    saved = store.save("q1-dist-sw1", BASE, at=at)
    assert saved is not None and saved.version.fetched_at == datetime(2024, 3, 1, 10, 0)


def test_object_is_compressed_content_addressed_and_private(store: ConfigStore) -> None:
    big = BASE + "".join(f"interface Vlan{i}\n description ward {i}\n!\n" for i in range(300))
    saved = store.save("q1-dist-sw1", big)
    assert saved is not None
    path = _object(store, saved.version.digest)
    raw = gzip.decompress(path.read_bytes())
    assert hashlib.sha256(raw).hexdigest() == saved.version.digest
    assert raw.decode() == store.text("q1-dist-sw1", masked=False)
    assert path.stat().st_size < len(raw) / 3
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    for directory in (path.parent, path.parent.parent, store.root):
        assert stat.S_IMODE(directory.stat().st_mode) == 0o700
    assert [p.name for p in path.parent.iterdir()] == [path.name]  # no temp file left


def test_identical_configurations_share_one_object(store: ConfigStore) -> None:
    a = store.save("q1-dist-sw1", BASE)
    b = store.save("q1-dist-sw2", BASE)
    assert a is not None and b is not None and a.version.digest == b.version.digest
    assert len(list((store.root / "objects").rglob("*.gz"))) == 1


def test_going_back_to_an_old_configuration_is_a_new_revision(store: ConfigStore) -> None:
    changed = BASE.replace("RO", "RW")
    for text in (BASE, changed, BASE):
        store.save("q1-dist-sw1", text)
    versions = store.versions("q1-dist-sw1")
    assert [v.rev for v in versions] == [1, 2, 3]
    assert versions[0].digest == versions[2].digest
    assert store.version("q1-dist-sw1", versions[0].digest[:8]).rev == 3


def test_text_is_masked_unless_asked_raw(store: ConfigStore) -> None:
    store.save("q1-dist-sw1", BASE)
    masked = store.text("q1-dist-sw1", platform="cisco_ios")
    assert "Old-Comm-Q1" not in masked and "Base-Enable-Secret" not in masked
    assert "snmp-server community <masked> RO" in masked
    assert "Old-Comm-Q1" in store.text("q1-dist-sw1", 1, masked=False)
    assert "Old-Comm-Q1" not in store.text("q1-dist-sw1")  # unknown platform: all rules


def test_diff_shows_changes_but_never_secrets(store: ConfigStore) -> None:
    store.save("q1-dist-sw1", BASE, at=T0)
    changed = BASE.replace("Old-Comm-Q1", "N3w-Comm-Q1").replace("uplink q2-core", "uplink q3")
    store.save("q1-dist-sw1", changed, at=T0 + timedelta(hours=1))
    diff = store.diff("q1-dist-sw1", platform="cisco_ios")
    assert "Old-Comm-Q1" not in diff and "N3w-Comm-Q1" not in diff
    assert "Base-Enable-Secret" not in diff
    assert "-snmp-server community <masked> RO\n" in diff
    assert "+snmp-server community <masked> RO\n" in diff
    assert "- description uplink q2-core\n+ description uplink q3\n" in diff
    assert diff.startswith("--- q1-dist-sw1 rev 1 (")
    assert "+++ q1-dist-sw1 rev 2 (" in diff and "2024-03-01 04:00:00 UTC" in diff


def test_diff_revision_selection(store: ConfigStore) -> None:
    texts = [BASE.replace("uplink q2-core", f"uplink {n}") for n in ("a1", "b2", "c3")]
    for text in texts:
        store.save("q1-dist-sw1", text)
    assert "-  description" not in store.diff("q1-dist-sw1")
    assert "- description uplink b2\n+ description uplink c3" in store.diff("q1-dist-sw1")
    assert "- description uplink a1\n+ description uplink c3" in store.diff("q1-dist-sw1", 1)
    assert "- description uplink a1\n+ description uplink b2" in store.diff(
        "q1-dist-sw1", "1", "2")
    assert "- description uplink c3\n+ description uplink a1" in store.diff(
        "q1-dist-sw1", "latest", 1)
    assert store.diff("q1-dist-sw1", 2, 2) == ""


def test_diff_of_the_first_version_adds_everything(store: ConfigStore) -> None:
    store.save("q1-dist-sw1", BASE)
    diff = store.diff("q1-dist-sw1", platform="cisco_ios")
    assert diff.startswith("--- q1-dist-sw1 (nothing stored before)\n+++ q1-dist-sw1 rev 1")
    assert "+hostname q1-dist-sw1\n" in diff and "Old-Comm-Q1" not in diff


def test_unknown_device_and_revisions_are_lookup_errors_naming_them(store: ConfigStore) -> None:
    with pytest.raises(LookupError, match="q9-nowhere"):
        store.versions("q9-nowhere")
    with pytest.raises(LookupError, match="q9-nowhere"):
        store.diff("q9-nowhere")
    store.save("q1-dist-sw1", BASE)
    with pytest.raises(LookupError, match=r"q1-dist-sw1.*no revision 5 \(revisions 1\.\.1\)"):
        store.text("q1-dist-sw1", 5)
    with pytest.raises(LookupError, match="no revision with digest 'ffffffff'"):
        store.text("q1-dist-sw1", "ffffffff")
    with pytest.raises(LookupError, match="'newest'"):
        store.diff("q1-dist-sw1", "newest")


def test_short_and_ambiguous_digest_prefixes_are_refused(store: ConfigStore) -> None:
    store.save("q1-dist-sw1", BASE)
    with pytest.raises(LookupError, match="at least 4 hex digits"):
        store.text("q1-dist-sw1", "abc")
    versions = [VersionInfo(n, digest, T0, 1, 1, 0)
                for n, digest in enumerate(("abcd01" + "0" * 58, "abcd02" + "0" * 58), 1)]
    with pytest.raises(LookupError, match="'abcd' is ambiguous for device 'q1-dist-sw1'"):
        resolve_rev("q1-dist-sw1", versions, "abcd")
    assert resolve_rev("q1-dist-sw1", versions, "ABCD02").rev == 2


def test_missing_and_corrupt_objects_name_the_digest(store: ConfigStore) -> None:
    saved = store.save("q1-dist-sw1", BASE)
    assert saved is not None
    digest, path = saved.version.digest, _object(store, saved.version.digest)
    path.write_bytes(gzip.compress(b"hostname q1-impostor\n"))
    with pytest.raises(ConfigObjectError, match=f"{digest} is corrupt.*does not match"):
        store.text("q1-dist-sw1")
    path.write_bytes(b"\x1f\x8b not gzip at all")
    with pytest.raises(ConfigObjectError, match=f"{digest} is corrupt") as bad:
        store.diff("q1-dist-sw1")
    assert bad.value.digest == digest
    path.unlink()
    with pytest.raises(ConfigObjectError, match=f"{digest} is missing"):
        store.text("q1-dist-sw1", masked=False)


def test_saving_the_same_content_again_repairs_a_damaged_object(store: ConfigStore) -> None:
    saved = store.save("q1-dist-sw1", BASE)
    assert saved is not None
    _object(store, saved.version.digest).write_bytes(b"garbage")
    assert store.save("q1-dist-sw2", BASE) is not None  # same content, another device
    assert "hostname q1-dist-sw1" in store.text("q1-dist-sw1")


def test_empty_configuration_is_refused(store: ConfigStore) -> None:
    with pytest.raises(ValueError, match="q1-dist-sw1"):
        store.save("q1-dist-sw1", "Building configuration...\n\n")


def test_devices_lists_names_with_versions(store: ConfigStore) -> None:
    store.save("q2-core-r1", BASE)
    store.save("q1-dist-sw1", BASE)
    assert store.devices() == ["q1-dist-sw1", "q2-core-r1"]
