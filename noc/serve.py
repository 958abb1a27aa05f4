"""``noc run``: start the lab (if asked), the poller and the web server; stop them all."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
from collections.abc import Iterator

import uvicorn

from noc.app import create_app
from noc.runtime import Runtime
from noc.settings import CredentialProfile, Settings

log = logging.getLogger(__name__)


def serve(settings: Settings) -> None:
    """Run until Ctrl-C or SIGTERM; everything started here is stopped here."""
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    lab_proc = None
    profiles: dict[str, CredentialProfile] = {}
    if settings.lab.enabled:
        from noc.lab.process import LabProcess, lab_port, lab_profiles

        port = lab_port(settings.lab.port)
        profiles = lab_profiles(settings.data_dir, settings.lab.community)
        lab_proc = LabProcess(settings.lab.scale, port, settings.data_dir, _trap_target(settings))
        log.info("starting the lab (%s scale) on port %d", settings.lab.scale, port)
    try:
        if lab_proc is not None:
            lab_proc.start()
        asyncio.run(_serve(settings, profiles, lab_proc is not None))
    finally:
        if lab_proc is not None:
            lab_proc.stop()
            log.info("lab stopped")


def _trap_target(settings: Settings) -> str:
    """Where the lab's devices send traps: the NOC's receiver, on loopback."""
    traps = settings.alerting.traps
    if not (settings.alerting.enabled and traps.enabled):
        return ""
    host, _, port = traps.listen.rpartition(":")
    if host in ("0.0.0.0", "", "[::]", "::") or not host.startswith("127."):
        host = "127.0.0.1"
    return f"{host}:{port}"


async def _serve(settings: Settings, profiles: dict[str, CredentialProfile], lab: bool) -> None:
    runtime = Runtime(settings, profiles, lab=lab)
    from noc.auth.bootstrap import announce_first_admin

    announce_first_admin(runtime.sessions)  # a one-time password, printed once, if no admin
    if lab:
        from noc.lab.inventory import write_lab_inventory
        from noc.lab.process import lab_port
        from noc.lab.topology import build_topology

        with runtime.sessions() as session:
            write_lab_inventory(session, build_topology(settings.lab.scale),
                                lab_port(settings.lab.port))
    await runtime.start()
    host, port = settings.listen_host_port
    server = _Server(uvicorn.Config(create_app(runtime), host=host, port=port,
                                    log_level="warning", lifespan="off"))
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, server.request_exit, sig)
    log.info("dashboard on http://%s:%d/", host, port)
    try:
        await server.serve()
    finally:
        await runtime.stop()


class _Server(uvicorn.Server):
    """uvicorn without its own signal handling: we stop it, then clean up and exit 0.

    (uvicorn re-raises the signal it caught after shutting down, which for
    SIGTERM kills the process before the lab and the poller are stopped.)
    """

    @contextlib.contextmanager
    def capture_signals(self) -> Iterator[None]:
        yield

    def request_exit(self, sig: int) -> None:
        """Ask the server to stop (from a signal handler)."""
        log.info("%s received: stopping", signal.Signals(sig).name)
        self.should_exit = True
