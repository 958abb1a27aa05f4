"""The lab's control channel: JSON lines over TCP on 127.0.0.1.

A running lab writes ``<data_dir>/lab/control.json`` (its PID, control port,
SNMP port and scale). ``noc lab break|heal|status`` reads that file, sends one
request line and prints the one-line reply. Only loopback, only this host.
"""

from __future__ import annotations

import asyncio
import json
import socket
from collections.abc import Callable
from pathlib import Path
from typing import Any

Handler = Callable[[dict[str, Any]], dict[str, Any]]


def control_file(data_dir: Path) -> Path:
    """Where a running lab describes itself."""
    return data_dir / "lab" / "control.json"


async def serve_control(handler: Handler) -> asyncio.Server:
    """Start the control server on a free loopback port (``server.sockets[0]`` has it)."""

    async def on_client(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            line = await asyncio.wait_for(reader.readline(), 10)
            try:
                reply = handler(json.loads(line))
            except (ValueError, KeyError, TypeError) as exc:
                reply = {"ok": False, "error": str(exc)}
            writer.write(json.dumps(reply, ensure_ascii=False).encode() + b"\n")
            await writer.drain()
        except (TimeoutError, ConnectionError):
            pass
        finally:
            writer.close()

    return await asyncio.start_server(on_client, "127.0.0.1", 0)


class LabNotRunningError(RuntimeError):
    """No lab answers at the address its control file gives."""


def request(data_dir: Path, payload: dict[str, Any], timeout: float = 15.0) -> dict[str, Any]:
    """Send one request to the running lab and return its reply."""
    path = control_file(data_dir)
    try:
        info = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        msg = f"no running lab found ({path}): start one with 'noc run'"
        raise LabNotRunningError(msg) from exc
    try:
        with socket.create_connection(("127.0.0.1", int(info["control_port"])), timeout) as sock:
            sock.sendall(json.dumps(payload).encode() + b"\n")
            data = sock.makefile("rb").readline()
    except OSError as exc:
        raise LabNotRunningError(f"the lab in {path} does not answer: {exc}") from exc
    reply: dict[str, Any] = json.loads(data)
    return reply
