"""A real PostgreSQL 15 for tests: a private cluster in a temp dir, loopback only.

``initdb`` and ``pg_ctl`` run as the ``postgres`` user (PostgreSQL refuses to
run as root) on a free port, with the socket in the temp dir and
``listen_addresses=127.0.0.1``; trust authentication, UTF-8 encoding.
:meth:`PostgresPeer.close` stops the cluster with ``pg_ctl stop`` (then by the
postmaster's PID if that fails) and deletes the dir. A cluster that does not
come up raises :class:`RuntimeError` with its log: tests fail, they never skip.
"""

from __future__ import annotations

import contextlib
import os
import pwd
import shutil
import signal
import subprocess
import tempfile
import time
from pathlib import Path
from types import TracebackType

from tests.helpers import free_tcp_port

PG_BIN = Path("/usr/lib/postgresql/15/bin")
PG_USER = "postgres"


class PostgresPeer:
    """A private PostgreSQL cluster; :meth:`create_database` gives a fresh SQLAlchemy URL."""

    def __init__(self) -> None:
        self.dir = Path(tempfile.mkdtemp(prefix="noc-postgres-"))
        self.data = self.dir / "db"
        self.port = free_tcp_port()
        self._log = self.dir / "postgres.log"
        self._started = False

    def log(self) -> str:
        """The output of initdb and the server so far (last 3000 characters)."""
        return self._log.read_text(errors="replace")[-3000:] if self._log.exists() else ""

    def _run(self, *args: str, timeout: float = 60) -> subprocess.CompletedProcess[bytes]:
        with self._log.open("ab") as log:
            return subprocess.run(list(args), stdout=log, stderr=subprocess.STDOUT,
                                  cwd=self.dir, user=PG_USER, timeout=timeout, check=False)

    def start(self) -> PostgresPeer:
        """initdb, start, and wait until the server accepts connections."""
        if not (PG_BIN / "pg_ctl").exists():
            raise RuntimeError(f"PostgreSQL 15 is not installed ({PG_BIN}): "
                               "apt-get install postgresql")
        entry = pwd.getpwnam(PG_USER)
        os.chown(self.dir, entry.pw_uid, entry.pw_gid)
        self._log.touch()
        os.chown(self._log, entry.pw_uid, entry.pw_gid)
        done = self._run(str(PG_BIN / "initdb"), "-D", str(self.data), "-A", "trust",
                         "-U", PG_USER, "-E", "UTF8", "--no-locale")
        if done.returncode != 0:
            raise RuntimeError(f"initdb failed ({done.returncode}):\n{self.log()}")
        options = (f"-p {self.port} -k {self.dir} -c listen_addresses=127.0.0.1 "
                   "-c fsync=off -c full_page_writes=off")
        done = self._run(str(PG_BIN / "pg_ctl"), "-D", str(self.data), "-o", options,
                         "-l", str(self._log), "-w", "-t", "30", "start")
        self._started = True
        if done.returncode != 0 or not self._ready():
            self.stop()
            raise RuntimeError(f"PostgreSQL did not start on port {self.port}:\n{self.log()}")
        return self

    def _ready(self) -> bool:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            done = subprocess.run([str(PG_BIN / "pg_isready"), "-h", "127.0.0.1",
                                   "-p", str(self.port)], capture_output=True, check=False)
            if done.returncode == 0:
                return True
            time.sleep(0.1)
        return False

    def url(self, database: str = "postgres") -> str:
        """SQLAlchemy URL (psycopg 3) of ``database``."""
        return f"postgresql+psycopg://{PG_USER}@127.0.0.1:{self.port}/{database}"

    def create_database(self, name: str, template: str = "template0") -> str:
        """Create a UTF-8 database (a copy of ``template``) and return its URL."""
        import psycopg

        with psycopg.connect(host="127.0.0.1", port=self.port, user=PG_USER,
                             dbname="postgres", autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{name}" ENCODING \'UTF8\' TEMPLATE "{template}"')
        return self.url(name)

    def drop_database(self, name: str) -> None:
        """Drop a database (closing its remaining connections)."""
        import psycopg

        with psycopg.connect(host="127.0.0.1", port=self.port, user=PG_USER,
                             dbname="postgres", autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

    def _postmaster_pid(self) -> int | None:
        pidfile = self.data / "postmaster.pid"
        try:
            return int(pidfile.read_text().split()[0])
        except (OSError, ValueError, IndexError):
            return None

    def stop(self) -> None:
        """``pg_ctl stop -m fast``; if the postmaster is still there, SIGKILL it by PID."""
        if not self._started:
            return
        pid = self._postmaster_pid()
        done = self._run(str(PG_BIN / "pg_ctl"), "-D", str(self.data), "-m", "fast",
                         "-w", "-t", "20", "stop", timeout=30)
        if done.returncode != 0 and pid is not None:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
        self._started = False

    def close(self) -> None:
        """Stop and delete the temp dir."""
        self.stop()
        shutil.rmtree(self.dir, ignore_errors=True)

    def __enter__(self) -> PostgresPeer:
        return self.start()

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.close()
