"""The ``noc`` command line: run the NOC, drive the lab."""

from __future__ import annotations

import json
import logging
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from noc.cli_alerts import alerts_app, maintenance_app, oncall
from noc.cli_common import ConfigOpt, DataDirOpt, console, settings_or_exit
from noc.cli_config import config_app
from noc.cli_inventory import inventory_app
from noc.cli_reports import drift_app, report_app
from noc.cli_ssh import ssh_app
from noc.cli_users import users_app
from noc.lab import control
from noc.settings import Settings

app = typer.Typer(help="Metronet NOC: network operations center for the city WAN.",
                  no_args_is_help=True, add_completion=False)
lab_app = typer.Typer(help="The simulated city network (lab) on loopback addresses.",
                      no_args_is_help=True)
app.add_typer(lab_app, name="lab")
app.add_typer(inventory_app, name="inventory")
inventory_app.add_typer(report_app, name="report",
                        help="Inventory reports: counts by class, status, funding; lifecycle.")
inventory_app.add_typer(drift_app, name="drift",
                        help="Where the network disagrees with the inventory; adopt or expect.")
app.add_typer(config_app, name="config")
app.add_typer(ssh_app, name="ssh")
app.add_typer(users_app, name="user")
app.add_typer(alerts_app, name="alerts")
app.add_typer(maintenance_app, name="maintenance")
app.command("oncall")(oncall)
ScaleOpt = Annotated[str | None, typer.Option("--scale", help="Lab size: small, medium, city.")]


def _settings(config: Path | None, **overrides: object) -> Settings:
    return settings_or_exit(config, **overrides)


def _logging(level: str) -> None:
    logging.basicConfig(level=level, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    # one INFO line per HTTP request (heartbeats, re-sends, Influx writes) would drown the log;
    # failures are logged by the callers
    logging.getLogger("httpx").setLevel(logging.DEBUG if level == "DEBUG" else logging.WARNING)


@app.command()
def run(
    config: ConfigOpt = None,
    lab: Annotated[bool | None, typer.Option("--lab/--no-lab",
                                             help="Poll the simulated city (default without "
                                                  "--config).")] = None,
    scale: ScaleOpt = None,
    listen: Annotated[str | None, typer.Option(help="HOST:PORT of the dashboard.")] = None,
    data_dir: DataDirOpt = None,
    interval: Annotated[float | None, typer.Option(help="Seconds between polls.")] = None,
    shard: Annotated[str | None, typer.Option(help="This poller's shard 'i/n'.")] = None,
) -> None:
    """Run the NOC: poller, state, /metrics, API and dashboard (Ctrl-C stops all)."""
    lab_opts: dict[str, object] = {}
    if lab is not None or config is None:
        lab_opts["enabled"] = True if lab is None else lab
    if scale:
        lab_opts["scale"] = scale
    overrides: dict[str, object] = {"listen": listen, "data_dir": data_dir, "shard": shard}
    if interval:
        overrides["poll"] = {"interval": interval}
    settings = _settings(config, **overrides, lab=lab_opts or None)
    _logging(settings.log_level)
    from noc.serve import serve  # imported late: keeps `noc --help` fast

    serve(settings)


@app.command()
def probe(
    host: Annotated[str, typer.Argument(help="HOST or HOST:PORT (default port 161).")],
    community: Annotated[str, typer.Option(help="v1/v2c community (default: public).",
                                           envvar="NOC_PROBE_COMMUNITY",
                                           show_default=False)] = "public",
    version: Annotated[str | None, typer.Option(help="SNMP version: 1, 2c or 3 (default 2c, "
                                                     "3 with --v3-user).")] = None,
    v3_user: Annotated[str, typer.Option(help="SNMPv3 user.")] = "",
    auth_proto: Annotated[str, typer.Option(help="v3 auth: MD5, SHA, SHA256...")] = "SHA",
    auth_key: Annotated[str, typer.Option(help="v3 auth key (none: noAuth).",
                                          envvar="NOC_PROBE_AUTH_KEY", show_default=False)] = "",
    priv_proto: Annotated[str, typer.Option(help="v3 privacy: DES, AES, AES256...")] = "AES",
    priv_key: Annotated[str, typer.Option(help="v3 privacy key (none: noPriv).",
                                          envvar="NOC_PROBE_PRIV_KEY", show_default=False)] = "",
    timeout: Annotated[float, typer.Option(help="Seconds per request attempt.")] = 1.0,
    retries: Annotated[int, typer.Option(help="Retries after a timeout.")] = 1,
    json_out: Annotated[bool, typer.Option("--json", help="Print JSON, not tables.")] = False,
) -> None:
    """Discover one device once over SNMP: identity, interfaces, neighbors, sensors."""
    from noc.probe import ProbeOptions, run_probe  # imported late: keeps `noc --help` fast

    raise typer.Exit(run_probe(ProbeOptions(
        host, version, community, v3_user, auth_proto, auth_key, priv_proto, priv_key,
        timeout=timeout, retries=retries, as_json=json_out)))


@lab_app.command("serve")
def lab_serve(
    scale: Annotated[str, typer.Option(help="small, medium or city.")] = "small",
    port: Annotated[int, typer.Option(help="UDP port every lab device answers on.")] = 16161,
    data_dir: Annotated[Path, typer.Option(help="Where the control file goes.")] = Path("var"),
    trap_target: Annotated[str, typer.Option(help="HOST:PORT the devices send link traps to "
                                             "(empty: no traps).")] = "",
) -> None:
    """Serve the lab in the foreground (``noc run --lab`` starts this for you)."""
    _logging("INFO")
    from noc.lab.runner import serve_lab

    serve_lab(scale, port, data_dir, trap_target)


@lab_app.command("break")
def lab_break(target: Annotated[str, typer.Argument(help="Device, link, site or agency.")],
              data_dir: DataDirOpt = None, config: ConfigOpt = None) -> None:
    """Break a device, link, site or agency of the running lab."""
    _send(config, data_dir, {"op": "break", "target": target})


@lab_app.command("heal")
def lab_heal(target: Annotated[str | None, typer.Argument(help="What to heal; all if omitted.")]
             = None, data_dir: DataDirOpt = None, config: ConfigOpt = None) -> None:
    """Heal one broken thing of the running lab, or everything."""
    _send(config, data_dir, {"op": "heal", "target": target})


@lab_app.command("status")
def lab_status(data_dir: DataDirOpt = None, config: ConfigOpt = None) -> None:
    """Show what is broken in the running lab."""
    _send(config, data_dir, {"op": "status"})


@lab_app.command("show")
def lab_show(scale: Annotated[str, typer.Option(help="small, medium or city.")] = "city") -> None:
    """Print the lab topology's size (no lab needs to run)."""
    from noc.lab.topology import build_topology, lab_summary

    table = Table("what", "count", title=f"lab '{scale}'")
    for key, value in lab_summary(build_topology(scale)).items():
        table.add_row(key, str(value))
    console.print(table)


def _send(config: Path | None, data_dir: Path | None, payload: dict[str, object]) -> None:
    settings = _settings(config, data_dir=data_dir)
    try:
        reply = control.request(settings.data_dir, payload)
    except control.LabNotRunningError as exc:
        console.print(f"[red]{exc}[/red]")
        raise typer.Exit(1) from None
    if not reply.get("ok"):
        console.print(f"[red]{reply.get('error', 'failed')}[/red]")
        raise typer.Exit(1)
    console.print_json(json.dumps(reply, ensure_ascii=False))


def main() -> None:
    """Entry point of the ``noc`` command."""
    app()
