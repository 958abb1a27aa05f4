"""The NOC's SSH known-hosts file: trust on first use, as an explicit operator action.

Polling never accepts a key by itself. A device whose key is not in the file
is refused with :class:`~collectors.ssh.errors.HostKeyUnknownError`; an operator
checks the fingerprint (``SHA256:...``, the same form ``ssh-keygen -l`` prints)
and calls :meth:`KnownHosts.trust`, which fetches the key over a bare SSH
handshake (no login) and stores it. A key different from the trusted one is
refused with :class:`~collectors.ssh.errors.HostKeyChangedError` naming the host
and both fingerprints; re-keying a device means :meth:`KnownHosts.forget` then
``trust`` (or ``trust(..., replace=True)``).

The file uses OpenSSH's known_hosts format (``[host]:port`` for ports other
than 22), e.g. ``data_dir/ssh/known_hosts``; ``ssh -o UserKnownHostsFile=...``
can read it too.
"""

from __future__ import annotations

import base64
import hashlib
import socket
import threading
from pathlib import Path
from typing import Any

import paramiko  # type: ignore[import-untyped]

from collectors.ssh.errors import (
    HostKeyChangedError,
    HostKeyUnknownError,
    SshConnectError,
    SshTimeoutError,
)

__all__ = ["KnownHosts", "StorePolicy", "fingerprint", "host_id"]


def host_id(host: str, port: int) -> str:
    """The known_hosts name of ``host:port`` (``host`` for 22, ``[host]:port`` otherwise)."""
    return host if port == 22 else f"[{host}]:{port}"


def fingerprint(key: Any) -> str:
    """OpenSSH-style ``SHA256:<base64>`` fingerprint of a paramiko public key."""
    digest = hashlib.sha256(key.asbytes()).digest()
    return "SHA256:" + base64.b64encode(digest).decode("ascii").rstrip("=")


class KnownHosts:
    """A known-hosts file shared by every SSH session of the NOC (thread-safe)."""

    def __init__(self, path: Path | str) -> None:
        self.path = Path(path)
        self._lock = threading.Lock()

    def _load(self) -> Any:
        keys = paramiko.HostKeys()
        if self.path.exists():
            keys.load(str(self.path))
        return keys

    def _save(self, keys: Any) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        tmp = self.path.with_name(self.path.name + ".tmp")
        keys.save(str(tmp))
        tmp.replace(self.path)

    def fingerprints(self, host: str, port: int) -> list[str]:
        """Fingerprints of the keys trusted for ``host:port`` (empty when unknown)."""
        with self._lock:
            entry = self._load().lookup(host_id(host, port))
        return sorted(fingerprint(key) for key in (entry or {}).values())

    def verify(self, host: str, port: int, key: Any, *, name: str = "") -> None:
        """Accept ``key`` for ``host:port`` if trusted; raise HostKeyUnknown/ChangedError."""
        with self._lock:
            entry = self._load().lookup(host_id(host, port))
        offered = fingerprint(key)
        if not entry:
            raise HostKeyUnknownError(host, port, offered, name=name)
        if any(stored == key for stored in entry.values()):
            return
        expected = ", ".join(sorted(fingerprint(stored) for stored in entry.values()))
        raise HostKeyChangedError(host, port, expected, offered, name=name)

    def trust(self, host: str, port: int = 22, *, timeout: float = 10.0,
              replace: bool = False) -> str:
        """Fetch the key ``host:port`` offers now, store it, return its fingerprint.

        A different key already trusted raises HostKeyChangedError unless ``replace``.
        """
        key = fetch_host_key(host, port, timeout)
        with self._lock:
            keys = self._load()
            name = host_id(host, port)
            entry = keys.lookup(name)
            if entry and not any(stored == key for stored in entry.values()):
                if not replace:
                    expected = ", ".join(sorted(fingerprint(k) for k in entry.values()))
                    raise HostKeyChangedError(host, port, expected, fingerprint(key))
                del keys[name]
            keys.add(name, key.get_name(), key)
            self._save(keys)
        return fingerprint(key)

    def forget(self, host: str, port: int = 22) -> bool:
        """Remove every key trusted for ``host:port``; True if there was one."""
        with self._lock:
            keys = self._load()
            name = host_id(host, port)
            if keys.lookup(name) is None:
                return False
            del keys[name]
            self._save(keys)
        return True

    def policy(self, host: str, port: int, name: str = "") -> StorePolicy:
        """A paramiko host key policy checking this store for one connection."""
        return StorePolicy(self, host, port, name)


class StorePolicy(paramiko.MissingHostKeyPolicy):  # type: ignore[misc]
    """Paramiko policy: accept only the key the store trusts for this host and port.

    Sessions load no host keys into paramiko, so every key reaches this policy.
    """

    def __init__(self, store: KnownHosts, host: str, port: int, name: str = "") -> None:
        self.store = store
        self.host = host
        self.port = port
        self.name = name

    def missing_host_key(self, client: Any, hostname: str, key: Any) -> None:
        """Paramiko hook: verify against the store (raises on unknown or changed keys)."""
        self.store.verify(self.host, self.port, key, name=self.name)


def fetch_host_key(host: str, port: int, timeout: float) -> Any:
    """The host key ``host:port`` offers, from a bare SSH key exchange (no login)."""
    try:
        sock = socket.create_connection((host, port), timeout=timeout)
    except TimeoutError as exc:
        raise SshTimeoutError(f"{host}:{port}: no TCP connection within {timeout:g} s",
                              host=host, port=port) from exc
    except OSError as exc:
        raise SshConnectError(f"{host}:{port}: cannot connect: {exc.strerror or exc}",
                              host=host, port=port) from exc
    transport = paramiko.Transport(sock)
    try:
        transport.banner_timeout = timeout
        transport.start_client(timeout=timeout)
        return transport.get_remote_server_key()
    except (paramiko.SSHException, OSError, EOFError) as exc:
        raise SshConnectError(f"{host}:{port}: SSH key exchange failed: {exc}",
                              host=host, port=port) from exc
    finally:
        transport.close()
        sock.close()
