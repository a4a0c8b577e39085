"""POST status callbacks over HTTP(S): :class:`HttpCallbackSender`.

A bounded pool of ``max_in_flight`` threads, each with its own keep-alive connection
(:class:`~worker.adapters.http_wire.WireConnection`): a slow receiver holds at most that
many connections, and one pass never opens more. The handler gives the sender at most one
row per notification per call, so sending them concurrently never reorders the callbacks
of a notification.

Why not httpx (a dependency already) nor ``http.client``: measured with
``bench/callbacks.py`` on the 2-core CI machine, httpx's synchronous client shared by 32
threads managed about 350 requests/s against a 5 ms receiver (its pool's locking was the
limit); one ``http.client`` connection per thread about 2,600/s at ~200 µs of CPU per
request, which left too little of two shared cores to keep 2,000/s under other load; the
wire connection costs ~50 µs per request. Each request is serialised once, in one buffer.
"""

from __future__ import annotations

import ssl
import threading
from collections.abc import Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from urllib.parse import urlsplit

from worker.adapters.http_wire import ProtocolError, WireConnection, request_bytes
from worker.handlers.ports.callbacks import OutgoingCallback, SendOutcome

DEFAULT_TIMEOUT = 10.0
DEFAULT_IN_FLIGHT = 64
USER_AGENT = "inboxgap-callbacks"


class _Breaker:
    """Per call of ``send_all``: once a whole pool's worth of requests in a row got no
    answer (timeouts, refused connections) and none got one, the rest of the batch is not
    tried (retried later like the others), so a hanging receiver costs a batch about two
    timeouts, not one per row."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._failures = 0
        self._answered = False

    def open(self, limit: int) -> bool:
        with self._lock:
            return not self._answered and self._failures >= limit

    def record(self, answered: bool) -> None:
        with self._lock:
            if answered:
                self._answered = True
            else:
                self._failures += 1


class HttpCallbackSender:
    """Implements :class:`~worker.handlers.ports.callbacks.CallbackSender`."""

    def __init__(
        self,
        url: str,
        *,
        timeout: float = DEFAULT_TIMEOUT,
        max_in_flight: int = DEFAULT_IN_FLIGHT,
    ) -> None:
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise ValueError("the callback URL must be http:// or https:// with a host")
        self.url = url
        https = parts.scheme == "https"
        self._host = parts.hostname
        self._port = parts.port or (443 if https else 80)
        # The Host header as the URL writes it (port and IPv6 brackets kept, no userinfo).
        self._host_header = parts.netloc.rpartition("@")[2]
        self._target = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
        self._timeout = timeout
        self._ssl = ssl.create_default_context() if https else None
        self.max_in_flight = max(1, max_in_flight)
        self._local = threading.local()
        self._connections: list[WireConnection] = []
        self._lock = threading.Lock()
        self._pool = ThreadPoolExecutor(
            max_workers=self.max_in_flight, thread_name_prefix="callbacks"
        )

    def _connection(self) -> WireConnection:
        conn: WireConnection | None = getattr(self._local, "conn", None)
        if conn is None:
            conn = WireConnection(
                self._host, self._port, timeout=self._timeout, ssl_context=self._ssl
            )
            self._local.conn = conn
            with self._lock:
                self._connections.append(conn)
        return conn

    def _post(self, request: OutgoingCallback, breaker: _Breaker) -> SendOutcome:
        if breaker.open(self.max_in_flight):
            return SendOutcome(request.id, None, "skipped: receiver not answering")
        outcome = self._post_once(request)
        breaker.record(outcome.status_code is not None)
        return outcome

    def _post_once(self, request: OutgoingCallback) -> SendOutcome:
        message = request_bytes(
            self._target,
            self._host_header,
            {"user-agent": USER_AGENT, **request.headers},
            request.body,
        )
        conn = self._connection()
        for attempt in (1, 2):
            reused = conn.is_open
            try:
                return SendOutcome(request.id, conn.post(message))
            except TimeoutError:
                return SendOutcome(request.id, None, "timeout")
            except (OSError, ProtocolError) as exc:
                # The connection is closed now. A kept-alive one the receiver closed
                # meanwhile: once more at once on a fresh one (same webhook-id: a receiver
                # that did get the first one dedupes it) rather than waiting for the backoff.
                if attempt == 1 and reused:
                    continue
                return SendOutcome(request.id, None, f"connection error ({type(exc).__name__})")
        raise AssertionError("unreachable")  # pragma: no cover

    def send_all(self, requests: Sequence[OutgoingCallback]) -> list[SendOutcome]:
        """POST every request, at most ``max_in_flight`` at once; outcomes in order.
        ``max_in_flight`` pool tasks each take the next request until none is left (not
        one task per request: fewer futures and thread hand-offs per callback)."""
        if not requests:
            return []
        breaker = _Breaker()
        outcomes: list[SendOutcome | None] = [None] * len(requests)
        work: Iterator[tuple[int, OutgoingCallback]] = enumerate(requests)
        take = threading.Lock()

        def drain() -> None:
            while True:
                with take:
                    index, request = next(work, (-1, None))
                if request is None:
                    return
                outcomes[index] = self._post(request, breaker)

        tasks = [self._pool.submit(drain) for _ in range(min(self.max_in_flight, len(requests)))]
        for task in tasks:
            task.result()
        return [outcome for outcome in outcomes if outcome is not None]

    def close(self) -> None:
        self._pool.shutdown(wait=True)
        with self._lock:
            for conn in self._connections:
                conn.close()
            self._connections.clear()
