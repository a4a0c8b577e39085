"""One keep-alive HTTP/1.1 client connection that POSTs pre-serialised requests:
:class:`WireConnection`, and :func:`request_bytes` that builds such a request.

Owned here because the callback sender (:mod:`worker.adapters.http_callbacks`) sends
thousands of small POSTs a second from one process: measured against the 5 ms receiver of
``bench/callbacks.py``, ``http.client`` cost about 200 µs of CPU per request (header
objects, the ``email`` parser for the answer, two ``send`` calls per request), this
connection about 50 µs (one ``sendall`` of bytes built once, TCP_NODELAY, a few byte
searches for the answer). Only what a callback needs: a POST with a body, the status code
of the answer; the answer's body is read and dropped so the connection can be reused.

Answers it understands (RFC 9112): interim 1xx answers are skipped; the body is delimited
by ``Transfer-Encoding: chunked``, ``Content-Length`` or the end of the connection; 204
and 304 have none. ``Connection: close`` (or an HTTP/1.0 answer without keep-alive) closes
the connection after the answer. Anything else malformed raises :class:`ProtocolError`.
"""

from __future__ import annotations

import socket
import ssl
from collections.abc import Mapping

#: The longest status line plus headers accepted (http.client allows 100 headers of 64 KiB).
MAX_HEAD = 256 * 1024
_READ = 65536


class ProtocolError(Exception):
    """The answer is not HTTP/1.x as RFC 9112 frames it."""


def request_bytes(target: str, host: str, headers: Mapping[str, str], body: bytes) -> bytes:
    """``POST target`` with ``headers``, ``content-length`` and ``body``, ready to send.
    Refuses a header that would split the request (CR or LF in a name or value)."""
    lines = [f"POST {target} HTTP/1.1", f"host: {host}"]
    for name, value in headers.items():
        if any(ch in name or ch in value for ch in "\r\n\0") or ":" in name:
            raise ValueError(f"invalid header {name!r}")
        lines.append(f"{name}: {value}")
    lines.append(f"content-length: {len(body)}")
    return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1") + body


class WireConnection:
    """Not thread-safe: one per thread. Raises ``TimeoutError`` when the receiver takes
    longer than ``timeout`` for one socket operation, ``OSError`` (``ConnectionError``
    when it closed the connection) and :class:`ProtocolError`; after any of these the
    connection is closed and the next :meth:`post` opens a new one."""

    def __init__(
        self,
        host: str,
        port: int,
        *,
        timeout: float,
        ssl_context: ssl.SSLContext | None = None,
    ) -> None:
        self._address = (host, port)
        self._timeout = timeout
        self._ssl = ssl_context
        self._sock: socket.socket | None = None
        self._buffer = bytearray()

    @property
    def is_open(self) -> bool:
        return self._sock is not None

    def close(self) -> None:
        if self._sock is not None:
            try:
                self._sock.close()
            finally:
                self._sock = None
                self._buffer.clear()

    def post(self, message: bytes) -> int:
        """Send a request built by :func:`request_bytes`; the status code of its answer."""
        try:
            if self._sock is None:
                self._sock = self._open()
            self._sock.sendall(message)
            return self._read_answer()
        except BaseException:
            self.close()
            raise

    def _open(self) -> socket.socket:
        sock = socket.create_connection(self._address, timeout=self._timeout)
        try:
            # One write per request: no Nagle delay waiting for the receiver's ACK.
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            if self._ssl is not None:
                return self._ssl.wrap_socket(sock, server_hostname=self._address[0])
        except BaseException:
            sock.close()
            raise
        return sock

    def _fill(self) -> bool:
        """Read what the socket has; False at the end of the connection."""
        assert self._sock is not None
        data = self._sock.recv(_READ)
        if not data:
            return False
        self._buffer += data
        return True

    def _line(self, limit: int) -> bytes:
        while True:
            end = self._buffer.find(b"\r\n")
            if end >= 0:
                line = bytes(self._buffer[:end])
                del self._buffer[: end + 2]
                return line
            if len(self._buffer) > limit:
                raise ProtocolError("line too long")
            if not self._fill():
                raise ConnectionError("connection closed by the receiver")

    def _head(self) -> bytes:
        while True:
            end = self._buffer.find(b"\r\n\r\n")
            if end >= 0:
                head = bytes(self._buffer[:end])
                del self._buffer[: end + 4]
                return head
            if len(self._buffer) > MAX_HEAD:
                raise ProtocolError("answer head too long")
            if not self._fill():
                raise ConnectionError("connection closed by the receiver")

    def _read_answer(self) -> int:
        while True:
            head = self._head()
            status_line, _, header_block = head.partition(b"\r\n")
            version, _, rest = status_line.partition(b" ")
            code_text = rest[:3]
            if not version.startswith(b"HTTP/1.") or not code_text.isdigit():
                raise ProtocolError("not an HTTP/1.x status line")
            code = int(code_text)
            headers = _headers(header_block)
            if 100 <= code < 200 and code != 101:
                continue  # interim (100 Continue, 103 Early Hints): the answer follows
            keep = _keeps_alive(version, headers)
            if not self._skip_body(code, headers):
                keep = False  # delimited by the end of the connection
            if not keep:
                self.close()
            return code

    def _skip_body(self, code: int, headers: dict[bytes, bytes]) -> bool:
        """Read and drop the body; False when it ran to the end of the connection."""
        if code in (101, 204, 304):
            return True
        if b"chunked" in headers.get(b"transfer-encoding", b"").lower():
            self._skip_chunks()
            return True
        length_text = headers.get(b"content-length")
        if length_text is not None:
            if not length_text.strip().isdigit():
                raise ProtocolError("bad content-length")
            self._skip(int(length_text))
            return True
        while self._fill():
            self._buffer.clear()
        return False

    def _skip(self, count: int) -> None:
        while len(self._buffer) < count:
            count -= len(self._buffer)
            self._buffer.clear()
            if not self._fill():
                raise ConnectionError("connection closed mid-body")
        del self._buffer[:count]

    def _skip_chunks(self) -> None:
        while True:
            size_text = self._line(_READ).partition(b";")[0].strip()
            try:
                size = int(size_text, 16)
            except ValueError as exc:
                raise ProtocolError("bad chunk size") from exc
            if size == 0:
                while self._line(MAX_HEAD):  # trailer fields, up to the empty line
                    pass
                return
            self._skip(size + 2)  # the chunk and its CRLF


def _headers(block: bytes) -> dict[bytes, bytes]:
    headers: dict[bytes, bytes] = {}
    for line in block.split(b"\r\n"):
        name, sep, value = line.partition(b":")
        if not sep:
            continue
        key = name.strip().lower()
        value = value.strip()
        headers[key] = headers[key] + b"," + value if key in headers else value
    return headers


def _keeps_alive(version: bytes, headers: dict[bytes, bytes]) -> bool:
    tokens = {t.strip() for t in headers.get(b"connection", b"").lower().split(b",")}
    if b"close" in tokens:
        return False
    return version != b"HTTP/1.0" or b"keep-alive" in tokens
