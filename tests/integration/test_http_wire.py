"""The keep-alive HTTP/1.1 connection of the callback sender (worker/adapters/http_wire.py)
against a scripted TCP server on 127.0.0.1: each request it reads gets the next raw answer
of the script, so the framings the connection must understand are written out byte for byte.
"""

from __future__ import annotations

import datetime
import socket
import ssl
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from worker.adapters.http_callbacks import HttpCallbackSender
from worker.adapters.http_wire import ProtocolError, WireConnection, request_bytes
from worker.handlers.ports.callbacks import OutgoingCallback

OK = b"HTTP/1.1 200 OK\r\ncontent-length: 2\r\n\r\nok"


@dataclass
class Step:
    answer: bytes
    close: bool = False  # close the connection after writing the answer
    silent: bool = False  # read the request, answer nothing, keep the connection


@dataclass
class ScriptedServer:
    script: list[Step]
    requests: list[bytes] = field(default_factory=list)
    connections: int = 0
    tls: ssl.SSLContext | None = None

    def __post_init__(self) -> None:
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.port = self.listener.getsockname()[1]
        self.lock = threading.Lock()
        self.stop = threading.Event()
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        while not self.stop.is_set():
            try:
                conn, _ = self.listener.accept()
            except OSError:
                return
            with self.lock:
                self.connections += 1
            threading.Thread(target=self._serve, args=(conn,), daemon=True).start()

    def _serve(self, conn: socket.socket) -> None:
        buffer = b""
        if self.tls is not None:
            try:
                conn = self.tls.wrap_socket(conn, server_side=True)
            except ssl.SSLError:  # the client refused the certificate
                conn.close()
                return
        with conn:
            while True:
                while b"\r\n\r\n" not in buffer:
                    data = conn.recv(65536)
                    if not data:
                        return
                    buffer += data
                head, _, buffer = buffer.partition(b"\r\n\r\n")
                length = next(
                    int(line.split(b":", 1)[1])
                    for line in head.split(b"\r\n")
                    if line.lower().startswith(b"content-length:")
                )
                while len(buffer) < length:
                    buffer += conn.recv(65536)
                with self.lock:
                    self.requests.append(head + b"\r\n\r\n" + buffer[:length])
                    step = self.script.pop(0) if self.script else Step(b"", close=True)
                buffer = buffer[length:]
                if step.silent:
                    self.stop.wait(10)
                    return
                conn.sendall(step.answer)
                if step.close:
                    return

    def close(self) -> None:
        self.stop.set()
        self.listener.close()


@pytest.fixture
def server() -> Iterator[ScriptedServer]:
    s = ScriptedServer([])
    yield s
    s.close()


def connect(server: ScriptedServer, timeout: float = 5) -> WireConnection:
    return WireConnection("127.0.0.1", server.port, timeout=timeout)


def message(body: bytes = b'{"a":1}') -> bytes:
    return request_bytes("/hook?x=1", "127.0.0.1:1234", {"webhook-id": "msg_1"}, body)


def test_the_request_is_one_well_formed_post_and_the_connection_is_kept(
    server: ScriptedServer,
) -> None:
    server.script += [Step(OK), Step(b"HTTP/1.1 503 Busy\r\nContent-Length: 0\r\n\r\n")]
    conn = connect(server)
    assert conn.post(message()) == 200
    assert conn.post(message(b"{}")) == 503
    assert server.connections == 1
    first = server.requests[0]
    assert first.startswith(b"POST /hook?x=1 HTTP/1.1\r\n")
    assert b"\r\nhost: 127.0.0.1:1234\r\n" in first
    assert b"\r\nwebhook-id: msg_1\r\n" in first
    assert first.endswith(b"content-length: 7\r\n\r\n" + b'{"a":1}')
    conn.close()


def test_chunked_answers_with_trailers_are_read_to_their_end(server: ScriptedServer) -> None:
    chunked = (
        b"HTTP/1.1 202 Accepted\r\nTransfer-Encoding: chunked\r\n\r\n"
        b"5;ext=1\r\nhello\r\n1A\r\n" + b"x" * 26 + b"\r\n0\r\nx-trailer: yes\r\n\r\n"
    )
    server.script += [Step(chunked), Step(OK)]
    conn = connect(server)
    assert conn.post(message()) == 202
    assert conn.post(message()) == 200  # the chunks left nothing behind on the connection
    assert server.connections == 1


def test_interim_answers_are_skipped_and_204_has_no_body(server: ScriptedServer) -> None:
    server.script += [
        Step(b"HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 204 No Content\r\n\r\n"),
        Step(OK),
    ]
    conn = connect(server)
    assert conn.post(message()) == 204
    assert conn.post(message()) == 200
    assert server.connections == 1


@pytest.mark.parametrize(
    "answer",
    [
        b"HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Length: 0\r\n\r\n",
        b"HTTP/1.0 200 OK\r\nContent-Length: 0\r\n\r\n",
        b"HTTP/1.1 200 OK\r\n\r\nbody until the end of the connection",
    ],
    ids=["connection-close", "http-1.0", "read-until-close"],
)
def test_an_answer_that_ends_the_connection_gets_a_new_one_next_time(
    server: ScriptedServer, answer: bytes
) -> None:
    server.script += [Step(answer, close=True), Step(OK)]
    conn = connect(server)
    assert conn.post(message()) == 200
    assert not conn.is_open
    assert conn.post(message()) == 200
    assert server.connections == 2


def test_an_http_1_0_keep_alive_answer_keeps_the_connection(server: ScriptedServer) -> None:
    server.script += [
        Step(b"HTTP/1.0 200 OK\r\nConnection: keep-alive\r\nContent-Length: 0\r\n\r\n"),
        Step(OK),
    ]
    conn = connect(server)
    assert conn.post(message()) == 200 and conn.is_open
    assert conn.post(message()) == 200
    assert server.connections == 1


@pytest.mark.parametrize(
    "answer",
    [
        b"SMTP 220 hello\r\n\r\n",
        b"HTTP/1.1 abc OK\r\n\r\n",
        b"HTTP/1.1 200 OK\r\nContent-Length: many\r\n\r\n",
        b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n",
    ],
)
def test_a_malformed_answer_is_a_protocol_error_and_closes(
    server: ScriptedServer, answer: bytes
) -> None:
    server.script += [Step(answer)]
    conn = connect(server)
    with pytest.raises(ProtocolError):
        conn.post(message())
    assert not conn.is_open


def test_a_receiver_that_closes_mid_answer_is_a_connection_error(server: ScriptedServer) -> None:
    server.script += [Step(b"HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nabc", close=True)]
    conn = connect(server)
    with pytest.raises(ConnectionError):
        conn.post(message())
    assert not conn.is_open


def test_no_answer_within_the_timeout_is_a_timeout(server: ScriptedServer) -> None:
    server.script += [Step(b"", silent=True)]
    conn = connect(server, timeout=0.3)
    with pytest.raises(TimeoutError):
        conn.post(message())
    assert not conn.is_open


def test_headers_that_would_split_the_request_are_refused() -> None:
    with pytest.raises(ValueError, match="invalid header"):
        request_bytes("/", "h", {"authorization": "Bearer x\r\nx-evil: 1"}, b"")
    with pytest.raises(ValueError, match="invalid header"):
        request_bytes("/", "h", {"bad:name": "v"}, b"")


def test_the_sender_retries_once_on_a_fresh_connection_when_a_kept_one_was_closed(
    server: ScriptedServer,
) -> None:
    # The first answer keeps the connection open, then the receiver drops it while idle.
    server.script += [Step(OK, close=True), Step(OK)]
    sender = HttpCallbackSender(f"http://127.0.0.1:{server.port}/hook", max_in_flight=1)
    try:
        first = sender.send_all([OutgoingCallback(1, b"{}", {"webhook-id": "msg_1"})])
        second = sender.send_all([OutgoingCallback(2, b"{}", {"webhook-id": "msg_2"})])
    finally:
        sender.close()
    assert [o.status_code for o in first + second] == [200, 200]
    assert server.connections == 2
    assert [r.split(b"\r\n")[0] for r in server.requests] == [b"POST /hook HTTP/1.1"] * 2


def self_signed(tmp_path: Path) -> tuple[ssl.SSLContext, ssl.SSLContext]:
    """A server context with a certificate for 127.0.0.1, and a client context trusting it."""
    import ipaddress

    from cryptography import x509
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import ec

    from worker.demo import self_signed_pem

    key = ec.generate_private_key(ec.SECP256R1())
    now = datetime.datetime.now(datetime.UTC)
    pem = self_signed_pem(
        key,
        "127.0.0.1",
        not_before=now - datetime.timedelta(minutes=5),
        not_after=now + datetime.timedelta(hours=1),
        extensions=[
            (
                x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]),
                False,
            ),
            (x509.BasicConstraints(ca=True, path_length=None), True),
        ],
    )
    cert_file, key_file = tmp_path / "cert.pem", tmp_path / "key.pem"
    cert_file.write_bytes(pem)
    key_file.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    server_side = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    server_side.load_cert_chain(cert_file, key_file)
    client_side = ssl.create_default_context(cafile=str(cert_file))
    return server_side, client_side


def test_https_posts_over_one_kept_tls_connection_verified_against_its_certificate(
    server: ScriptedServer, tmp_path: Path
) -> None:
    server.tls, client_side = self_signed(tmp_path)
    server.script += [Step(OK), Step(OK)]
    conn = WireConnection("127.0.0.1", server.port, timeout=5, ssl_context=client_side)
    assert conn.post(message()) == 200
    assert conn.post(message()) == 200
    assert server.connections == 1
    conn.close()
    # The default context does not trust a self-signed certificate: no request is sent.
    server.script += [Step(OK)]
    untrusting = WireConnection(
        "127.0.0.1", server.port, timeout=5, ssl_context=ssl.create_default_context()
    )
    with pytest.raises(ssl.SSLCertVerificationError):
        untrusting.post(message())
    assert len(server.requests) == 2


def test_the_sender_keeps_at_most_its_window_of_connections_and_answers_in_order(
    server: ScriptedServer,
) -> None:
    busy = Step(b"HTTP/1.1 503 Busy\r\ncontent-length: 0\r\n\r\n")
    server.script += [Step(OK)] * 30 + [busy] * 10 + [Step(OK)] * 8
    sender = HttpCallbackSender(f"http://127.0.0.1:{server.port}/", max_in_flight=4)
    requests = [OutgoingCallback(i, b"{}", {"webhook-id": f"msg_{i}"}) for i in range(40)]
    try:
        outcomes = sender.send_all(requests) + sender.send_all(requests[:8])
    finally:
        sender.close()
    assert [o.id for o in outcomes] == list(range(40)) + list(range(8))
    codes = [o.status_code for o in outcomes]
    assert codes.count(200) == 38 and codes.count(503) == 10
    assert server.connections <= 4  # kept alive across both calls, never more than the window
    sent = [r.split(b"webhook-id: ")[1].split(b"\r\n")[0] for r in server.requests]
    assert sorted(sent) == sorted(f"msg_{i}".encode() for i in [*range(40), *range(8)])
