"""SSH collection helpers shared by the SSH job and the ``noc ssh`` commands.

Targets and credentials from a profile, one facts collection (Linux or a
network CLI), and the operator-facing text of a failed session (never a
secret; the next step when one is known).
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from pydantic import SecretStr

from collectors.base import DeviceFacts
from collectors.ssh import (
    HostKeyChangedError,
    HostKeyUnknownError,
    KnownHosts,
    SshCredentials,
    SshPool,
    SshTarget,
    SshTimeoutError,
    collect_cli,
)
from collectors.ssh.cli import PARSERS
from collectors.ssh.errors import (
    HostKeyError,
    SshAuthError,
    SshCommandError,
    SshConnectError,
    redact,
)
from collectors.ssh.linux import COMMANDS as LINUX_COMMANDS
from collectors.ssh.linux import LinuxFacts, parse_linux
from noc.settings import CredentialProfile, Settings

__all__ = ["FACT_PLATFORMS", "Collected", "collect_facts", "error_text", "failure_kind",
           "known_hosts", "ssh_credentials", "ssh_target"]

#: Platforms whose facts the job collects: Linux servers and the CLI parsers' device types.
FACT_PLATFORMS = frozenset({"linux", *PARSERS})
UNAME = "uname -snrm"  # kernel, host name, release, machine: the Linux "sysDescr"


def known_hosts(settings: Settings) -> KnownHosts:
    """The NOC's known-hosts store (``DATA_DIR/ssh/known_hosts``)."""
    return KnownHosts(settings.data_dir / "ssh" / "known_hosts")


def _plain(value: SecretStr | None) -> str:
    return value.get_secret_value() if value is not None else ""


def ssh_credentials(profile: CredentialProfile) -> SshCredentials:
    """The SSH login of a credentials profile (secrets unwrapped only here)."""
    return SshCredentials(profile.ssh_username or "", _plain(profile.ssh_password),
                          _plain(profile.ssh_private_key), _plain(profile.ssh_key_passphrase),
                          _plain(profile.ssh_enable_secret))


def ssh_target(name: str, host: str, platform: str, port: int, profile: CredentialProfile,
               timeout: float) -> SshTarget:
    """The session target of one device; network CLIs enter privileged mode first."""
    return SshTarget(name, host, platform, ssh_credentials(profile), port=port, timeout=timeout,
                     enable=platform != "linux")


@dataclass(frozen=True, slots=True)
class Collected:
    """One facts session: the facts for the state, and Linux extras (top processes)."""

    facts: DeviceFacts
    linux: LinuxFacts | None = None


async def collect_facts(pool: SshPool, target: SshTarget) -> Collected:
    """Facts of one device over SSH (Linux or a network CLI); SshError on failure."""
    if target.device_type != "linux":
        facts = await collect_cli(pool, target)
        descr = " ".join(p for p in (facts.vendor, facts.model, facts.firmware) if p)
        facts.system = replace(facts.system, descr=facts.system.descr or descr)
        return Collected(facts)
    session = await pool.run(target, [*LINUX_COMMANDS, UNAME])
    linux = parse_linux(session.outputs)
    uname = session.outputs.get(UNAME, "").strip()
    words = uname.split()
    facts = linux.to_device_facts(target.host, words[1] if len(words) > 1 else "")
    facts.system = replace(facts.system, descr=uname)
    facts.duration = session.duration
    return Collected(facts, linux)


_FAILURE_KINDS: dict[type[Exception], str] = {
    HostKeyError: "host_key", SshTimeoutError: "timeout", SshAuthError: "auth",
    SshConnectError: "connect", SshCommandError: "command"}


def failure_kind(exc: Exception) -> str:
    """The failure class of a session error, for the self-metrics."""
    return next((kind for cls, kind in _FAILURE_KINDS.items() if isinstance(exc, cls)), "other")


def error_text(name: str, target: SshTarget, exc: Exception) -> str:
    """What the operator reads about a failed session: no secret, the next step if known."""
    text = redact(str(exc) or type(exc).__name__, target.credentials.secrets())
    if isinstance(exc, HostKeyUnknownError):
        return f"{text}; run `noc ssh trust {name}`"
    if isinstance(exc, HostKeyChangedError):
        return f"{text}; once verified: `noc ssh trust {name} --replace`"
    return text


