"""SSH sessions to many devices at once, in a bounded thread pool, off the event loop.

netmiko is blocking, so every session runs in a worker of one
:class:`~concurrent.futures.ThreadPoolExecutor` (``max_workers`` sessions at a
time, the rest queue); :meth:`SshPool.run` is a coroutine that awaits it.

Each session has its own deadline (``SshTarget.timeout``, counted from when a
worker picks it up): a watchdog shuts the session's socket down when it
passes, so a device that accepts TCP but never speaks SSH costs one worker for
``timeout`` seconds and never blocks the others or the loop. Host keys are
checked against :class:`~collectors.ssh.hostkeys.KnownHosts` on every
connection; unknown and changed keys are refused (see that module).

Secrets (password, private key, passphrase, enable secret) stay out of
``repr``, logs, errors and results: errors are built from the device's name,
address and user, and any library text is passed through :func:`redact`.
"""

from __future__ import annotations

import asyncio
import contextlib
import io
import logging
import socket
import threading
import time
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

import paramiko  # type: ignore[import-untyped]
from netmiko import ConnectHandler, NetmikoAuthenticationException

from collectors.ssh.errors import (
    HostKeyError,
    SshAuthError,
    SshConnectError,
    SshError,
    SshTimeoutError,
    redact,
)
from collectors.ssh.hostkeys import KnownHosts

__all__ = ["SessionOutput", "SshCredentials", "SshPool", "SshTarget"]

log = logging.getLogger(__name__)
_KEY_CLASSES = ("Ed25519Key", "ECDSAKey", "RSAKey")


@dataclass(frozen=True, slots=True)
class SshCredentials:
    """Login of one device: a password, a private key (OpenSSH/PEM text), or both."""

    username: str
    password: str = field(default="", repr=False)
    private_key: str = field(default="", repr=False)
    key_passphrase: str = field(default="", repr=False)
    enable_secret: str = field(default="", repr=False)

    def secrets(self) -> list[str]:
        """Every secret value, for redaction."""
        return [s for s in (self.password, self.private_key, self.key_passphrase,
                            self.enable_secret) if s]


@dataclass(frozen=True, slots=True)
class SshTarget:
    """One device to open a session to; ``device_type`` is netmiko's (linux, cisco_ios...)."""

    name: str
    host: str
    device_type: str
    credentials: SshCredentials
    port: int = 22
    timeout: float = 30.0  # seconds for the whole session: connect, login, every command
    enable: bool = False  # enter privileged mode (Cisco-like ``enable``) before the commands


@dataclass(frozen=True, slots=True)
class SessionOutput:
    """What one session returned: each command's output (by command) and the prompt."""

    target: str
    outputs: dict[str, str]
    prompt: str = ""
    duration: float = 0.0  # seconds, connect to disconnect


def load_private_key(text: str, passphrase: str = "") -> Any:
    """A paramiko key from OpenSSH/PEM private key text; SshAuthError if none fits."""
    for class_name in _KEY_CLASSES:
        try:
            return getattr(paramiko, class_name).from_private_key(
                io.StringIO(text), password=passphrase or None)
        except (paramiko.SSHException, ValueError):
            continue
    raise SshAuthError("private key could not be loaded (wrong passphrase or unsupported type)")


class _Session:
    """One blocking netmiko session, run by a pool worker; abortable from any thread."""

    def __init__(self, target: SshTarget, known_hosts: KnownHosts) -> None:
        self.target = target
        self.known_hosts = known_hosts
        self.timed_out = False
        self._sock: socket.socket | None = None
        self._lock = threading.Lock()
        self._aborted = False

    def abort(self, *, timed_out: bool = False) -> None:
        """Shut the socket down so that whatever the worker waits for fails now."""
        with self._lock:
            self.timed_out = self.timed_out or timed_out
            self._aborted = True
            if self._sock is not None:
                with contextlib.suppress(OSError):
                    self._sock.shutdown(socket.SHUT_RDWR)

    def run(self, commands: Sequence[str]) -> SessionOutput:
        """Connect, run ``commands`` in order, disconnect (in the calling worker thread)."""
        target = self.target
        started = time.monotonic()
        watchdog = threading.Timer(target.timeout, self.abort, kwargs={"timed_out": True})
        watchdog.daemon = True
        watchdog.start()
        try:
            return self._run(commands, started)
        except SshError as exc:
            if self.timed_out and not isinstance(exc, HostKeyError | SshAuthError):
                raise self._error(SshTimeoutError, self._timeout_text()) from None
            raise
        except Exception as exc:
            if self.timed_out:
                raise self._error(SshTimeoutError, self._timeout_text()) from None
            raise self._translate(exc) from None
        finally:
            watchdog.cancel()
            if self._sock is not None:
                self._sock.close()

    def _timeout_text(self) -> str:
        return f"no complete answer within {self.target.timeout:g} s"

    def _run(self, commands: Sequence[str], started: float) -> SessionOutput:
        target = self.target
        conn = self._connect(started)
        try:
            if target.enable:
                conn.enable()
            prompt = conn.find_prompt()
            outputs: dict[str, str] = {}
            for command in commands:
                remaining = max(1.0, target.timeout - (time.monotonic() - started))
                outputs[command] = str(conn.send_command(command, read_timeout=remaining))
        finally:
            try:
                conn.disconnect()
            except Exception:  # the session is being dropped anyway
                log.debug("ssh %s: disconnect failed", target.name)
        return SessionOutput(target.name, outputs, prompt.strip(), time.monotonic() - started)

    def _connect(self, started: float) -> Any:
        target, creds = self.target, self.target.credentials
        sock = socket.create_connection((target.host, target.port), timeout=target.timeout)
        with self._lock:
            self._sock = sock
            if self._aborted:
                raise self._error(SshTimeoutError, self._timeout_text())
        try:
            pkey = (load_private_key(creds.private_key, creds.key_passphrase)
                    if creds.private_key else None)
        except SshAuthError as exc:
            raise self._error(SshAuthError, str(exc)) from None
        remaining = max(1.0, target.timeout - (time.monotonic() - started))
        conn = ConnectHandler(
            device_type=target.device_type, host=target.host, port=target.port,
            username=creds.username, password=creds.password or None,
            secret=creds.enable_secret, pkey=pkey, use_keys=pkey is not None,
            allow_agent=False, ssh_strict=True, system_host_keys=False, alt_host_keys=False,
            sock=sock, conn_timeout=remaining, auth_timeout=remaining,
            banner_timeout=remaining, auto_connect=False, fast_cli=True)
        conn.key_policy = self.known_hosts.policy(target.host, target.port, target.name)
        try:
            conn._open()
        except BaseException:
            conn.paramiko_cleanup()
            raise
        return conn

    def _error(self, kind: type[SshError], text: str) -> SshError:
        target = self.target
        return kind(f"{target.name} ({target.host}:{target.port}): {text}",
                    name=target.name, host=target.host, port=target.port)

    def _translate(self, exc: BaseException) -> SshError:
        """One of our errors for a netmiko/paramiko/socket failure (secrets redacted)."""
        user = self.target.credentials.username
        if isinstance(exc, NetmikoAuthenticationException | paramiko.AuthenticationException):
            return self._error(SshAuthError, f"authentication failed for user {user!r}")
        if isinstance(exc, TimeoutError | socket.timeout):
            return self._error(SshTimeoutError, self._timeout_text())
        if isinstance(exc, ConnectionRefusedError):
            return self._error(SshConnectError, "connection refused")
        first = redact(str(exc), self.target.credentials.secrets()).strip().splitlines()
        detail = f"{type(exc).__name__}: {first[0] if first else ''}".rstrip(": ")
        if isinstance(exc, OSError | EOFError | paramiko.SSHException):
            return self._error(SshConnectError, f"SSH session failed ({detail})")
        return self._error(SshError, f"unexpected failure ({detail})")


class SshPool:
    """A bounded pool of SSH sessions, awaited from asyncio.

    ``max_workers`` sessions run at once; use one pool per process and
    :meth:`close` it at shutdown (or ``async with``).
    """

    def __init__(self, known_hosts: KnownHosts, max_workers: int = 8) -> None:
        if max_workers < 1:
            raise ValueError("max_workers must be at least 1")
        self.known_hosts = known_hosts
        self.max_workers = max_workers
        self._executor = ThreadPoolExecutor(max_workers, thread_name_prefix="noc-ssh")

    async def run(self, target: SshTarget, commands: Sequence[str]) -> SessionOutput:
        """Run ``commands`` on ``target`` in one session; SshError subclasses on failure."""
        session = _Session(target, self.known_hosts)
        future = self._executor.submit(session.run, tuple(commands))
        try:
            result = await asyncio.wrap_future(future)
        except asyncio.CancelledError:
            future.cancel()
            session.abort()
            raise
        except SshError as exc:
            log.warning("ssh %s: %s", target.name, exc)
            raise
        log.debug("ssh %s: %d commands in %.2f s", target.name, len(commands), result.duration)
        return result

    def close(self, wait: bool = True) -> None:
        """Stop accepting sessions; ``wait`` for running ones to end."""
        self._executor.shutdown(wait=wait, cancel_futures=True)

    async def __aenter__(self) -> SshPool:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await asyncio.to_thread(self.close)
