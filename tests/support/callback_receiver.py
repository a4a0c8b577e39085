"""A real HTTP receiver of status callbacks for tests and the benchmark: a threading
``http.server`` on 127.0.0.1 with keep-alive, scripted answers and an optional hold."""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


@dataclass(frozen=True)
class Received:
    webhook_id: str
    headers: dict[str, str]
    body: bytes


class CallbackReceiver:
    """``codes``: answers in order (then 200). ``hold``: while set, requests wait (after
    being recorded) until it is cleared, so a test can kill a deliverer mid-request."""

    def __init__(self, *, delay: float = 0.0) -> None:
        self.codes: list[int] = []
        self.received: list[Received] = []
        self.delay = delay
        self.lock = threading.Lock()
        self.arrived = threading.Event()
        self.release = threading.Event()
        self.release.set()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_POST(self) -> None:
                length = int(self.headers.get("content-length", "0"))
                body = self.rfile.read(length)
                headers = {k.lower(): v for k, v in self.headers.items()}
                with receiver.lock:
                    receiver.received.append(Received(headers.get("webhook-id", ""), headers, body))
                    code = receiver.codes.pop(0) if receiver.codes else 200
                receiver.arrived.set()
                receiver.release.wait(60)
                if receiver.delay:
                    time.sleep(receiver.delay)
                self.send_response(code)
                self.send_header("content-length", "0")
                self.end_headers()

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/callbacks"
        self._thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self) -> CallbackReceiver:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.release.set()
        self.server.shutdown()
        self.server.server_close()

    def webhook_ids(self) -> list[str]:
        with self.lock:
            return [r.webhook_id for r in self.received]
