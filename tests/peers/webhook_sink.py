"""An HTTP receiver for tests: records every POST (time, path, headers, JSON body).

Runs a threaded :class:`http.server.ThreadingHTTPServer` on 127.0.0.1 and a
free port::

    with WebhookSink(fail_first=2) as sink:   # answers 500 twice, then 200
        ...post to sink.url...
        posts = sink.wait_for(3, timeout=5)

Failed answers are recorded too (``Received.status``), so tests can see the
retries.
"""

from __future__ import annotations

import json
import threading
import time
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from typing import Any


@dataclass(frozen=True)
class Received:
    """One POST as the sink got it."""

    at: float
    path: str
    headers: dict[str, str]
    body: Any  # parsed JSON, or the raw text when it is not JSON
    status: int  # what the sink answered


class _Handler(BaseHTTPRequestHandler):
    server: _Server

    def do_POST(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length).decode("utf-8", errors="replace")
        try:
            body: Any = json.loads(raw)
        except ValueError:
            body = raw
        sink = self.server.sink
        status = sink.next_status()
        sink.record(Received(time.time(), self.path, dict(self.headers.items()), body, status))
        self.send_response(status)
        self.send_header("Content-Type", "text/plain")
        self.send_header("Content-Length", "2")
        self.end_headers()
        self.wfile.write(b"ok" if status < 300 else b"no")

    def log_message(self, format: str, *args: Any) -> None:
        """Quiet: the records are the log."""


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    sink: WebhookSink


class WebhookSink:
    """Records POSTs on ``url``; the first ``fail_first`` get ``fail_status``."""

    def __init__(self, fail_first: int = 0, fail_status: int = 500) -> None:
        self.fail_first = fail_first
        self.fail_status = fail_status
        self._lock = threading.Lock()
        self._changed = threading.Condition(self._lock)
        self._received: list[Received] = []
        self._server: _Server | None = None
        self._thread: threading.Thread | None = None
        self.url = ""

    def start(self) -> WebhookSink:
        """Listen on 127.0.0.1 and a free port, serving from a daemon thread."""
        self._server = _Server(("127.0.0.1", 0), _Handler)
        self._server.sink = self
        self.url = f"http://127.0.0.1:{self._server.server_address[1]}/hook"
        self._thread = threading.Thread(target=self._server.serve_forever,
                                        kwargs={"poll_interval": 0.05}, daemon=True)
        self._thread.start()
        return self

    def next_status(self) -> int:
        """The status to answer the next POST with."""
        with self._lock:
            if self.fail_first > 0:
                self.fail_first -= 1
                return self.fail_status
            return 200

    def record(self, received: Received) -> None:
        """Remember one POST and wake waiters."""
        with self._changed:
            self._received.append(received)
            self._changed.notify_all()

    @property
    def received(self) -> list[Received]:
        """Every POST so far, oldest first."""
        with self._lock:
            return list(self._received)

    def accepted(self) -> list[Received]:
        """The POSTs answered with 2xx."""
        return [r for r in self.received if r.status < 300]

    def wait_for(self, count: int, timeout: float) -> list[Received]:
        """Wait until ``count`` POSTs were answered 2xx; return them (AssertionError on timeout)."""
        deadline = time.monotonic() + timeout
        with self._changed:
            while True:
                ok = [r for r in self._received if r.status < 300]
                if len(ok) >= count:
                    return ok
                left = deadline - time.monotonic()
                if left <= 0:
                    raise AssertionError(f"webhook sink: {len(ok)} of {count} POSTs after "
                                         f"{timeout:g} s: {[r.body for r in ok]}")
                self._changed.wait(min(left, 0.5))

    def stop(self) -> None:
        """Stop serving and close the socket."""
        server, self._server = self._server, None
        if server is not None:
            server.shutdown()
            server.server_close()
        if self._thread is not None:
            self._thread.join(5)
            self._thread = None

    def __enter__(self) -> WebhookSink:
        return self.start()

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.stop()
