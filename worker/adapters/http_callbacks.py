"""POST status callbacks over HTTP(S): :class:`HttpCallbackSender`.

A bounded pool of ``max_in_flight`` threads, each with its own keep-alive connection
(standard library ``http.client``): a slow receiver holds at most that many connections,
and one pass never opens more. The handler gives the sender at most one row per
notification per call, so sending them concurrently never reorders the callbacks of a
notification.

Why ``http.client`` and not httpx (a dependency already): measured with
``bench/callbacks.py`` on the 2-core CI machine, httpx's synchronous client shared by 32
threads managed about 350 requests/s against a 5 ms receiver, one ``http.client``
connection per thread about 2,600/s: the pool's locking, not the network, was the limit.
"""

from __future__ import annotations

import http.client
import ssl
import threading
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from urllib.parse import urlsplit

from worker.handlers.ports.callbacks import OutgoingCallback, SendOutcome

DEFAULT_TIMEOUT = 10.0
DEFAULT_IN_FLIGHT = 32
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
        self._https = parts.scheme == "https"
        self._host = parts.hostname
        self._port = parts.port
        self._target = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
        self._timeout = timeout
        self._ssl = ssl.create_default_context() if self._https else None
        self.max_in_flight = max(1, max_in_flight)
        self._local = threading.local()
        self._connections: list[http.client.HTTPConnection] = []
        self._lock = threading.Lock()
        self._pool = ThreadPoolExecutor(
            max_workers=self.max_in_flight, thread_name_prefix="callbacks"
        )

    def _connection(self) -> http.client.HTTPConnection:
        conn: http.client.HTTPConnection | None = getattr(self._local, "conn", None)
        if conn is None:
            if self._https:
                conn = http.client.HTTPSConnection(
                    self._host, self._port, timeout=self._timeout, context=self._ssl
                )
            else:
                conn = http.client.HTTPConnection(self._host, self._port, timeout=self._timeout)
            self._local.conn = conn
            with self._lock:
                self._connections.append(conn)
        return conn

    def _drop_connection(self) -> None:
        conn = getattr(self._local, "conn", None)
        if conn is not None:
            conn.close()  # the next request opens a fresh one
            self._local.conn = None
            with self._lock:
                if conn in self._connections:
                    self._connections.remove(conn)

    def _post(self, request: OutgoingCallback, breaker: _Breaker) -> SendOutcome:
        if breaker.open(self.max_in_flight):
            return SendOutcome(request.id, None, "skipped: receiver not answering")
        outcome = self._post_once(request)
        breaker.record(outcome.status_code is not None)
        return outcome

    def _post_once(self, request: OutgoingCallback) -> SendOutcome:
        headers = {"user-agent": USER_AGENT, **request.headers}
        for attempt in (1, 2):
            conn = self._connection()
            reused = conn.sock is not None
            try:
                conn.request("POST", self._target, body=request.body, headers=headers)
                response = conn.getresponse()
                response.read()  # drained, so the connection can be kept
                if response.will_close:
                    self._drop_connection()
                return SendOutcome(request.id, response.status)
            except TimeoutError:
                self._drop_connection()
                return SendOutcome(request.id, None, "timeout")
            except (OSError, http.client.HTTPException) as exc:
                self._drop_connection()
                # A kept-alive connection the receiver closed meanwhile: once more at once
                # on a fresh one (same webhook-id: a receiver that did get the first one
                # dedupes it) rather than waiting for the backoff.
                if attempt == 1 and reused:
                    continue
                return SendOutcome(request.id, None, f"connection error ({type(exc).__name__})")
        raise AssertionError("unreachable")  # pragma: no cover

    def send_all(self, requests: Sequence[OutgoingCallback]) -> list[SendOutcome]:
        if not requests:
            return []
        breaker = _Breaker()
        return list(self._pool.map(lambda request: self._post(request, breaker), requests))

    def close(self) -> None:
        self._pool.shutdown(wait=True)
        with self._lock:
            for conn in self._connections:
                conn.close()
            self._connections.clear()
