"""POST status callbacks over HTTP: :class:`HttpCallbackSender` (an httpx client).

Keep-alive connections in a small pool, and a bounded number of requests in flight (one
thread each): a slow receiver holds at most ``max_in_flight`` connections, and one pass
never opens more. The handler gives the sender at most one row per notification per call,
so sending them concurrently never reorders the callbacks of a notification.
"""

from __future__ import annotations

from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor

import httpx

from worker.handlers.callback_ports import OutgoingCallback, SendOutcome

DEFAULT_TIMEOUT = 10.0
DEFAULT_IN_FLIGHT = 16


class HttpCallbackSender:
    """Implements :class:`~worker.handlers.callback_ports.CallbackSender`."""

    def __init__(
        self,
        url: str,
        *,
        timeout: float = DEFAULT_TIMEOUT,
        max_in_flight: int = DEFAULT_IN_FLIGHT,
        client: httpx.Client | None = None,
    ) -> None:
        self.url = url
        self.max_in_flight = max(1, max_in_flight)
        self.client = client or httpx.Client(
            timeout=httpx.Timeout(timeout),
            limits=httpx.Limits(
                max_connections=self.max_in_flight,
                max_keepalive_connections=self.max_in_flight,
            ),
            # A receiver's redirect is an answer (3xx: failed at once), never followed.
            follow_redirects=False,
            headers={"user-agent": "inboxgap-callbacks"},
        )
        self._pool = ThreadPoolExecutor(
            max_workers=self.max_in_flight, thread_name_prefix="callbacks"
        )

    def _post(self, request: OutgoingCallback) -> SendOutcome:
        try:
            response = self.client.post(self.url, content=request.body, headers=request.headers)
        except httpx.TimeoutException:
            return SendOutcome(request.id, None, "timeout")
        except httpx.HTTPError as exc:
            return SendOutcome(request.id, None, f"connection error ({type(exc).__name__})")
        # The body is read (and dropped) so the connection goes back to the pool.
        response.read()
        return SendOutcome(request.id, response.status_code)

    def send_all(self, requests: Sequence[OutgoingCallback]) -> list[SendOutcome]:
        if not requests:
            return []
        if len(requests) == 1:
            return [self._post(requests[0])]
        return list(self._pool.map(self._post, requests))

    def close(self) -> None:
        self._pool.shutdown(wait=True)
        self.client.close()
