"""Errors of the SSH collectors, each saying which device failed and why, never with a secret.

Every error carries the device ``name``, ``host`` and ``port``. Messages are
built by this package from known facts (user name, fingerprints, timeouts);
text coming from netmiko or paramiko is passed through :func:`redact` first.
"""

from __future__ import annotations

from collections.abc import Iterable


def redact(text: str, secrets: Iterable[str]) -> str:
    """``text`` with every non-empty secret (and each of its lines) replaced by ``***``."""
    pieces = {line for secret in secrets if secret for line in (secret, *secret.splitlines())}
    for piece in sorted((p for p in pieces if p.strip()), key=len, reverse=True):
        text = text.replace(piece, "***")
    return text


class SshError(Exception):
    """Something went wrong talking SSH to one device."""

    def __init__(self, message: str, *, name: str = "", host: str = "", port: int = 0) -> None:
        super().__init__(message)
        self.name = name
        self.host = host
        self.port = port


class SshConnectError(SshError):
    """The TCP connection or the SSH handshake failed (refused, reset, not SSH)."""


class SshTimeoutError(SshError):
    """The device did not finish within its per-device timeout."""


class SshAuthError(SshError):
    """The device refused the credentials (wrong password, unknown key, unknown user)."""


class SshCommandError(SshError):
    """A command ran but its output could not be used (unknown platform, parse failure)."""


class HostKeyError(SshError):
    """Base of host key verification failures (the session is never opened)."""


class HostKeyUnknownError(HostKeyError):
    """The device offered a host key that the NOC has never trusted.

    Trust it explicitly (``KnownHosts.trust(host, port)``) after checking the
    fingerprint out of band; polling never accepts a key on its own.
    """

    def __init__(self, host: str, port: int, fingerprint: str, *, name: str = "") -> None:
        super().__init__(
            f"host key of {host}:{port} is not trusted yet (offered {fingerprint}); "
            f"check the fingerprint and trust it explicitly before polling",
            name=name, host=host, port=port)
        self.fingerprint = fingerprint


class HostKeyChangedError(HostKeyError):
    """The device offered a host key different from the one trusted: possible impostor."""

    def __init__(self, host: str, port: int, expected: str, offered: str, *,
                 name: str = "") -> None:
        super().__init__(
            f"HOST KEY CHANGED for {host}:{port}: trusted {expected}, offered {offered}; "
            f"refusing to connect (if the device was really re-keyed, forget the old key "
            f"and trust the new one)",
            name=name, host=host, port=port)
        self.expected = expected
        self.offered = offered
