"""A real ``snmpsim-command-responder`` serving snmpsim-data recordings, loopback only.

Use :class:`SnmpsimPeer` as a context manager, or the session-scoped
:func:`snmpsim_peer` fixture (it serves :data:`DEVICES`)::

    from tests.peers.snmpsim import snmpsim_peer  # noqa: F401

Each recording (a path under ``snmpsim_data/data``, ``.snmprec`` or
``.snmprec.bz2``) is served under the community named after its file
(``network/switch/cisco-c3560.snmprec.bz2`` -> ``cisco-c3560``); picking a
recording by listening address does not work with pysnmp 7.

How it runs (see ``shared/PEERS.md``): as root, snmpsim drops privileges to
``nobody``, so it runs from its own venv made from Debian's ``/usr/bin/python3``
(``scripts/ensure-snmpsim.sh``, run by ``make deps``), and everything it reads
must be readable by ``nobody``. The first start indexes every recording
(seconds each); snmpsim names an index after the recording's full path and
rebuilds it when the recording is newer, so recordings are decompressed once
into a *stable* data directory under :data:`CACHE_ROOT` and never rewritten,
and the world-writable index cache beside it is kept between runs. A
missing venv or a silent responder raises :class:`RuntimeError` with the
log: tests that need the peer fail, they never skip.
"""

from __future__ import annotations

import bz2
import hashlib
import importlib.metadata
import os
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator, Sequence
from pathlib import Path
from types import TracebackType

import pytest

from noc.lab.recordings import data_dir as snmpsim_data_dir
from noc.procs import stop_process
from tests.helpers import free_udp_port

REPO = Path(__file__).resolve().parents[2]
#: The snmpsim venv (``scripts/ensure-snmpsim.sh``); override with NOC_SNMPSIM_VENV.
SNMPSIM_VENV = Path(os.environ.get("NOC_SNMPSIM_VENV", REPO / ".venv-snmpsim"))
#: Decompressed recordings and snmpsim's index cache, kept between runs (NOC_SNMPSIM_CACHE).
CACHE_ROOT = Path(os.environ.get("NOC_SNMPSIM_CACHE", "/tmp/noc-snmpsim-cache"))
SYS_DESCR = "1.3.6.1.2.1.1.1.0"
#: Stops the responder (argv[2]) when the test process (argv[1]) dies without cleaning up.
_WATCHDOG = """
import os, signal, sys, time
parent, child = int(sys.argv[1]), int(sys.argv[2])
while True:
    time.sleep(1)
    try:
        os.kill(child, 0)
    except OSError:
        break
    try:
        os.kill(parent, 0)
    except OSError:
        os.kill(child, signal.SIGTERM)
        break
"""
_SEARCH_PATH = os.pathsep.join((os.environ.get("PATH", ""), "/usr/sbin", "/sbin", "/usr/bin"))

#: Real devices of many vendors and kinds (paths under ``snmpsim_data/data``).
DEVICES: tuple[str, ...] = (
    "network/switch/cisco-c3560.snmprec.bz2",
    "network/switch/cisco-c3750.snmprec.bz2",
    "network/switch/dlink-des3038.snmprec.bz2",
    "network/switch/h3c-e528-2.snmprec.bz2",
    "network/router/huawei-s5720.snmprec.bz2",
    "network/switch/ruijie-s5750-24gt12sfp.snmprec.bz2",
    "network/router/juniper-mx960-13-3r9-13.snmprec.bz2",
    "network/router/vyatta-unknown.snmprec.bz2",
    "network/firewall/paloalto-pa-5000.snmprec.bz2",
    "os/linux/unknown-002.snmprec.bz2",
    "os/linux/ibm-x3550-m3.snmprec.bz2",
    "UPS/apc-8641.snmprec",
)


def community_of(recording: str) -> str:
    """The community a recording is served under: its file name without extensions."""
    name = Path(recording).name
    for suffix in (".bz2", ".snmprec"):
        name = name.removesuffix(suffix)
    return name


def _chmod_tree_readable(path: Path) -> None:
    path.chmod(0o755)
    for child in path.iterdir():
        child.chmod(0o755 if child.is_dir() else 0o644)


class SnmpsimPeer:
    """One snmpsim-command-responder on 127.0.0.1 at a free UDP port, one community per file."""

    def __init__(self, recordings: Sequence[str] = DEVICES, *, cache_root: Path = CACHE_ROOT,
                 startup_timeout: float = 300.0) -> None:
        communities = [community_of(r) for r in recordings]
        if not recordings or len(set(communities)) != len(communities):
            raise ValueError("recordings must be given, with distinct file names")
        self.recordings = tuple(recordings)
        self.cache_root = cache_root
        self.startup_timeout = startup_timeout
        self.port = 0
        self.startup_seconds = 0.0
        self._tmp: tempfile.TemporaryDirectory[str] | None = None
        self._proc: subprocess.Popen[bytes] | None = None
        self._watchdog: subprocess.Popen[bytes] | None = None

    # ------------------------------------------------------------------ paths
    @property
    def communities(self) -> list[str]:
        """The communities served, one per recording, in the order given."""
        return [community_of(r) for r in self.recordings]

    @property
    def data_dir(self) -> Path:
        """The stable data directory of this set of recordings (under the cache root)."""
        key = "\n".join(sorted(self.recordings)) + _snmpsim_data_version()
        return self.cache_root / f"data-{hashlib.sha1(key.encode()).hexdigest()[:12]}"

    @property
    def index_dir(self) -> Path:
        """The index cache of snmpsim (world-writable, shared by every data directory)."""
        return self.cache_root / "index"

    def recording_path(self, community: str) -> Path:
        """The decompressed ``.snmprec`` file served under ``community``."""
        if community not in self.communities:
            raise KeyError(community)
        return self.data_dir / f"{community}.snmprec"

    @property
    def pid(self) -> int:
        """The responder's process id."""
        if self._proc is None:
            raise RuntimeError("snmpsim peer is not started")
        return self._proc.pid

    @property
    def log_path(self) -> Path:
        """The file the responder logs (stdout and stderr) to."""
        if self._tmp is None:
            raise RuntimeError("snmpsim peer is not started")
        return Path(self._tmp.name) / "snmpsim.log"

    def endpoint(self) -> str:
        """``127.0.0.1:PORT`` for the CLI tools and ``noc probe``."""
        return f"127.0.0.1:{self.port}"

    def log(self) -> str:
        """What the responder has logged so far."""
        try:
            return self.log_path.read_text(errors="replace")
        except (OSError, RuntimeError):
            return "(no log)"

    # ------------------------------------------------------------------ lifecycle
    def start(self) -> SnmpsimPeer:
        """Prepare the data, start the responder, wait until every community answers."""
        responder = SNMPSIM_VENV / "bin" / "snmpsim-command-responder"
        if not os.access(responder, os.X_OK):
            raise RuntimeError(f"{responder} is missing: run scripts/ensure-snmpsim.sh "
                               "(`make deps` runs it once)")
        if shutil.which("snmpget", path=_SEARCH_PATH) is None:
            raise RuntimeError("net-snmp's snmpget is missing: apt-get install snmp")
        self._prepare_dirs()
        self._tmp = tempfile.TemporaryDirectory(prefix="noc-snmpsim-")
        started = time.monotonic()
        for attempt in range(3):  # a port picked at run time can be taken before it binds
            self.port = free_udp_port()
            with self.log_path.open("wb") as log:
                self._proc = subprocess.Popen(
                    [str(responder), f"--data-dir={self.data_dir}",
                     f"--cache-dir={self.index_dir}",
                     f"--agent-udpv4-endpoint=127.0.0.1:{self.port}",
                     "--process-user=nobody", "--process-group=nogroup"],
                    stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT,
                    cwd=self.cache_root)
            self._watchdog = subprocess.Popen(
                [sys.executable, "-c", _WATCHDOG, str(os.getpid()), str(self._proc.pid)],
                stdin=subprocess.DEVNULL, start_new_session=True)
            if self._wait_ready():
                self.startup_seconds = time.monotonic() - started
                return self
            log_text = self.log()
            self._terminate()
            if attempt == 2 or "Address already in use" not in log_text:
                self._cleanup()
                raise RuntimeError(f"snmpsim did not come up on 127.0.0.1:{self.port} within "
                                   f"{self.startup_timeout:g} s; its log:\n{log_text}")
        raise AssertionError("unreachable")

    def stop(self) -> None:
        """Stop the responder (by PID) and remove its log dir; the cache stays.

        A watchdog process stops the responder should the test process die
        without calling this (killed, or interrupted twice).
        """
        self._terminate()
        self._cleanup()

    def __enter__(self) -> SnmpsimPeer:
        return self.start()

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.stop()

    def _prepare_dirs(self) -> None:
        """Decompress missing recordings into the data dir; make all readable by nobody."""
        self.cache_root.mkdir(parents=True, exist_ok=True)
        if self.cache_root.is_symlink() or not self.cache_root.is_dir():
            raise RuntimeError(f"{self.cache_root} must be a real directory")
        self.cache_root.chmod(0o755)
        self.index_dir.mkdir(exist_ok=True)
        self.index_dir.chmod(0o1777)
        self.data_dir.mkdir(exist_ok=True)
        source_dir = snmpsim_data_dir()
        for recording in self.recordings:
            dest = self.recording_path(community_of(recording))
            if dest.is_file():
                continue  # never rewrite: a newer file would make snmpsim re-index it
            source = source_dir / recording
            data = bz2.decompress(source.read_bytes()) if source.suffix == ".bz2" else (
                source.read_bytes())
            partial = dest.with_name(f".{dest.name}.{os.getpid()}.part")
            partial.write_bytes(data)
            # snmpsim keeps an index only while it is strictly newer (in whole seconds)
            # than its recording: date the recording back to the packaged file's time
            stamp = source.stat().st_mtime
            os.utime(partial, (stamp, stamp))
            os.replace(partial, dest)
        _chmod_tree_readable(self.data_dir)

    def _wait_ready(self) -> bool:
        deadline = time.monotonic() + self.startup_timeout
        pending = self.communities
        while pending and time.monotonic() < deadline:
            if self._proc is None or self._proc.poll() is not None:
                return False
            if self.snmpget(pending[0], SYS_DESCR, check=False).returncode == 0:
                pending.pop(0)
            else:
                time.sleep(0.1)
        return not pending

    def _terminate(self) -> None:
        watchdog, self._watchdog = self._watchdog, None
        if watchdog is not None:
            watchdog.kill()
            watchdog.wait(timeout=5)
        proc, self._proc = self._proc, None
        stop_process(proc, 10.0)

    def _cleanup(self) -> None:
        if self._tmp is not None:
            self._tmp.cleanup()
            self._tmp = None

    # ------------------------------------------------------------------ CLI tools
    def snmpget(self, community: str, *oids: str,
                check: bool = True) -> subprocess.CompletedProcess[str]:
        """``snmpget -v2c -c COMMUNITY -On -m ''`` against the responder."""
        path = shutil.which("snmpget", path=_SEARCH_PATH) or "snmpget"
        return subprocess.run([path, "-m", "", "-v2c", "-c", community, "-On", "-t", "0.5",
                               "-r", "0", self.endpoint(), *oids], capture_output=True,
                              text=True, check=check, timeout=30,
                              env={**os.environ, "MIBS": ""})


def _snmpsim_data_version() -> str:
    try:
        return importlib.metadata.version("snmpsim-data")
    except importlib.metadata.PackageNotFoundError:
        return "?"


@pytest.fixture(scope="session")
def snmpsim_peer() -> Iterator[SnmpsimPeer]:
    """A session-wide snmpsim on 127.0.0.1 serving :data:`DEVICES`."""
    with SnmpsimPeer(DEVICES) as peer:
        yield peer
