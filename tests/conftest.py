"""Shared test fixtures: real PostgreSQL, Redis and a moto server, one availability policy.

Fixtures
    postgres_url        session: a fresh database ``inboxgap_test_<hex>`` on the server named by
                        INBOXGAP_TEST_POSTGRES_URL; yields its ``postgresql+psycopg://`` URL and
                        drops it (WITH (FORCE)) at the end of the session.
    redis_server_url    session: INBOXGAP_TEST_REDIS_URL, checked once, flushed at start and end.
    redis_url           function: the same URL, database flushed before and after the test.
    broker_url          function: a Celery broker no other test run can reach: database 0 of
                        a private ``redis-server`` this session started on a free port
                        (flushed before and after the test), or ``redis_url`` when there is
                        no ``redis-server`` binary (e.g. Redis in docker compose).
    moto_server         session: ``python -m moto.server`` on a free port; yields the endpoint.
    moto_reset          function: POSTs /moto-api/reset, then returns the endpoint.
    sqs_client          session: a boto3 SQS client bound to the moto server.
    sqs_queue           function: a unique queue plus DLQ (RedrivePolicy maxReceiveCount 5).
    aws_credentials     session, autouse: dummy AWS credentials and region for every test.

Availability policy (``service_unavailable``): a service that cannot be reached fails the test
when CI is set (CI must never skip silently) and skips it with a hint otherwise.

Markers are added at collection: ``integration`` / ``e2e`` by directory, and ``postgres`` /
``redis`` / ``sqs`` by the fixtures a test uses, so ``-m "not postgres"`` works.
"""

from __future__ import annotations

import json
import os
import secrets
import shutil
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import suppress
from dataclasses import dataclass
from pathlib import Path
from typing import Any, NoReturn

import pytest
from hypothesis import settings as hypothesis_settings

from tests.support.processes import terminate

TESTS_DIR = Path(__file__).resolve().parent

DEFAULT_POSTGRES_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/test"
DEFAULT_REDIS_URL = "redis://127.0.0.1:6379/15"
AWS_REGION = "us-east-1"
SERVICE_HINT = "start PostgreSQL and Redis with `make services`"


def in_ci() -> bool:
    """True when the CI variable is set to anything but an explicit "off" value."""
    return os.environ.get("CI", "").strip().lower() not in {"", "0", "false", "no", "off"}


# --------------------------------------------------------------------------- hypothesis

hypothesis_settings.register_profile(
    "ci", deadline=None, derandomize=True, max_examples=200, print_blob=True
)
hypothesis_settings.register_profile("dev", deadline=None, max_examples=100)
hypothesis_settings.load_profile(
    os.environ.get("HYPOTHESIS_PROFILE") or ("ci" if in_ci() else "dev")
)


# --------------------------------------------------------------------------- policy


def service_unavailable(service: str, detail: str, hint: str = SERVICE_HINT) -> NoReturn:
    """Fail (CI) or skip (local run) because ``service`` cannot be used."""
    if in_ci():
        pytest.fail(
            f"{service} is unavailable: {detail}. CI={os.environ.get('CI')!r}: services are "
            "required in CI and tests never skip there.",
            pytrace=False,
        )
    pytest.skip(f"{service} is unavailable: {detail} ({hint}; with CI=true this fails)")


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()
    return f"{type(exc).__name__}: {text[0] if text else ''}"


# --------------------------------------------------------------------------- markers

_DIRECTORY_MARKERS = {"integration": "integration", "e2e": "e2e"}
_FIXTURE_MARKERS = {
    "postgres_url": "postgres",
    "redis_server_url": "redis",
    "broker_url": "redis",
    "moto_server": "sqs",
}


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    for item in items:
        names: list[str] = []
        try:
            relative = Path(item.path).resolve().relative_to(TESTS_DIR)
        except ValueError:
            relative = None
        if relative is not None and relative.parts:
            marker = _DIRECTORY_MARKERS.get(relative.parts[0])
            if marker:
                names.append(marker)
        # fixturenames is the transitive closure, so sqs_queue implies moto_server etc.
        fixturenames = getattr(item, "fixturenames", ())
        names += [m for fixture, m in _FIXTURE_MARKERS.items() if fixture in fixturenames]
        for name in names:
            if item.get_closest_marker(name) is None:
                item.add_marker(name)


# --------------------------------------------------------------------------- AWS env

_DUMMY_AWS_ENV = {
    "AWS_ACCESS_KEY_ID": "testing",
    "AWS_SECRET_ACCESS_KEY": "testing",
    "AWS_SECURITY_TOKEN": "testing",
    "AWS_SESSION_TOKEN": "testing",
    "AWS_DEFAULT_REGION": AWS_REGION,
    "AWS_REGION": AWS_REGION,
    # Never read a developer's real profile or credentials.
    "AWS_CONFIG_FILE": os.devnull,
    "AWS_SHARED_CREDENTIALS_FILE": os.devnull,
}


@pytest.fixture(scope="session", autouse=True)
def aws_credentials() -> Iterator[None]:
    """Dummy AWS credentials/region for the whole session (inherited by moto_server)."""
    with pytest.MonkeyPatch.context() as mp:
        for key, value in _DUMMY_AWS_ENV.items():
            mp.setenv(key, value)
        for key in ("AWS_PROFILE", "AWS_DEFAULT_PROFILE"):
            mp.delenv(key, raising=False)
        yield


# --------------------------------------------------------------------------- PostgreSQL


@pytest.fixture(scope="session")
def postgres_url() -> Iterator[str]:
    """A fresh, empty database for this test session; yields its SQLAlchemy URL."""
    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url
    from sqlalchemy.exc import SQLAlchemyError
    from sqlalchemy.pool import NullPool

    base = make_url(os.environ.get("INBOXGAP_TEST_POSTGRES_URL") or DEFAULT_POSTGRES_URL)
    if base.drivername in {"postgresql", "postgres"}:
        base = base.set(drivername="postgresql+psycopg")
    name = f"inboxgap_test_{secrets.token_hex(4)}"
    admin = create_engine(
        base, isolation_level="AUTOCOMMIT", poolclass=NullPool, connect_args={"connect_timeout": 5}
    )
    error = None
    try:
        with admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
    except SQLAlchemyError as exc:
        error = _first_line(exc)
    if error is not None:  # outside the except block: no chained traceback in the report
        admin.dispose()
        where = base.render_as_string(hide_password=True)
        service_unavailable("PostgreSQL", f"cannot create a database via {where} ({error})")
    try:
        yield base.set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


# --------------------------------------------------------------------------- Redis


def _flush_redis(url: str) -> None:
    import redis

    client = redis.Redis.from_url(url, socket_connect_timeout=2, socket_timeout=5)
    try:
        client.flushdb()
    finally:
        client.close()


@pytest.fixture
def postgres_schema_url(postgres_url: str) -> Iterator[str]:
    """A fresh PostgreSQL schema only (tests that need real row locks or a real server)."""
    from tests.pg_schemas import postgres_schema

    with postgres_schema(postgres_url) as url:
        yield url


def redis_database_of_this_process(url: str, worker: str | None) -> str:
    """``url`` for a lone session; for pytest-xdist's worker ``gwN`` the database N below
    it (wrapping at 0..15): each worker flushes its own database, never another's."""
    if not worker or not worker.startswith("gw"):
        return url
    from redis.connection import ConnectionPool

    # The pool parses the URL as redis-py does (its parse_url is unannotated); no connection.
    base = int(ConnectionPool.from_url(url).connection_kwargs.get("db", 0))
    database = (base - int(worker[2:])) % 16
    head, _, tail = url.partition("?")
    path_start = head.find("/", head.find("//") + 2)
    head = head if path_start < 0 else head[:path_start]
    return f"{head}/{database}" + (f"?{tail}" if tail else "")


@pytest.fixture(scope="session")
def redis_server_url() -> Iterator[str]:
    """INBOXGAP_TEST_REDIS_URL after a ping; its database is flushed at start and end.
    Under pytest-xdist each worker has a database of its own (see above)."""
    import redis

    url = redis_database_of_this_process(
        os.environ.get("INBOXGAP_TEST_REDIS_URL") or DEFAULT_REDIS_URL,
        os.environ.get("PYTEST_XDIST_WORKER"),
    )
    error = None
    try:
        _flush_redis(url)
    except redis.RedisError as exc:
        error = _first_line(exc)
    if error is not None:
        service_unavailable("Redis", f"cannot reach {url} ({error})")
    yield url
    _flush_redis(url)


@pytest.fixture
def redis_url(redis_server_url: str) -> Iterator[str]:
    """The test Redis URL with its database flushed before and after the test."""
    _flush_redis(redis_server_url)
    yield redis_server_url
    _flush_redis(redis_server_url)


# Why a private server for the Celery broker: the queue names (``inboxgap``,
# ``inboxgap.drain``) are fixed, so every worker and every ``send_task`` on one Redis database
# share them. Another test run on the same machine using INBOXGAP_TEST_REDIS_URL at the same
# time (another checkout, another engineer) took this run's ``inboxgap.record_sent`` task
# into its own database, or flushed it away: the sends were then recorded elsewhere and
# every event stayed parked (tests/e2e/test_worker_e2e.py failed only in busy full runs).
# Within one session tests run one after another, so flushing the private database per test
# keeps them independent.


def _redis_answers(url: str) -> bool:
    import redis

    client = redis.Redis.from_url(url, socket_connect_timeout=1, socket_timeout=2)
    try:
        return bool(client.ping())
    except redis.RedisError:
        return False
    finally:
        client.close()


@pytest.fixture(scope="session")
def private_redis_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str | None]:
    """A ``redis-server`` subprocess of this session on a free port (no persistence); yields
    ``redis://127.0.0.1:<port>/0``, or None when there is no ``redis-server`` binary."""
    binary = shutil.which("redis-server")
    if binary is None:
        yield None
        return
    log_path = tmp_path_factory.mktemp("redis") / "redis_server.log"
    for _attempt in range(3):  # retry if another process grabbed the port meanwhile
        port = _free_port()
        url = f"redis://127.0.0.1:{port}/0"
        proc = subprocess.Popen(
            [
                binary,
                "--bind",
                "127.0.0.1",
                "--port",
                str(port),
                "--save",
                "",
                "--appendonly",
                "no",
                "--logfile",
                str(log_path),
            ],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 15
        while proc.poll() is None and time.monotonic() < deadline:
            if _redis_answers(url):
                try:
                    yield url
                finally:
                    terminate(proc)
                return
            time.sleep(0.1)
        terminate(proc)
    tail = log_path.read_text(errors="replace")[-2000:] if log_path.exists() else ""
    service_unavailable("private redis-server", f"did not answer after 3 attempts:\n{tail}")


@pytest.fixture
def broker_url(private_redis_url: str | None, request: pytest.FixtureRequest) -> Iterator[str]:
    """The Celery broker of one test, out of reach of any other test run (see above)."""
    if private_redis_url is None:
        yield request.getfixturevalue("redis_url")
        return
    _flush_redis(private_redis_url)
    yield private_redis_url
    _flush_redis(private_redis_url)


# --------------------------------------------------------------------------- moto (SQS)


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _http_answers(url: str) -> bool:
    try:
        urllib.request.urlopen(url, timeout=1).close()
    except urllib.error.HTTPError:
        return True  # any HTTP status means the server is up
    except OSError:
        return False
    return True


@pytest.fixture(scope="session")
def moto_server(aws_credentials: None, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A ``moto.server`` subprocess on a free port; yields ``http://127.0.0.1:<port>``."""
    log_path = tmp_path_factory.mktemp("moto") / "moto_server.log"
    for _attempt in range(3):  # retry if another process grabbed the port meanwhile
        port = _free_port()
        endpoint = f"http://127.0.0.1:{port}"
        with log_path.open("ab") as log:
            proc = subprocess.Popen(
                [sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(port)],
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
            )
        deadline = time.monotonic() + 30
        while proc.poll() is None and time.monotonic() < deadline:
            if _http_answers(f"{endpoint}/moto-api/"):
                try:
                    yield endpoint
                finally:
                    terminate(proc)
                return
            time.sleep(0.1)
        terminate(proc)
    tail = log_path.read_text(errors="replace")[-2000:]
    service_unavailable(
        "moto server",
        f"did not answer after 3 attempts; log tail:\n{tail}",
        "is moto[server] installed?",
    )


@pytest.fixture
def moto_reset(moto_server: str) -> str:
    """Clear all moto state (POST /moto-api/reset) and return the endpoint."""
    request = urllib.request.Request(f"{moto_server}/moto-api/reset", data=b"", method="POST")
    urllib.request.urlopen(request, timeout=10).close()
    return moto_server


@pytest.fixture(scope="session")
def sqs_client(moto_server: str) -> Any:
    """A boto3 SQS client talking to the moto server."""
    import boto3
    from botocore.config import Config

    return boto3.session.Session().client(
        "sqs",
        endpoint_url=moto_server,
        region_name=AWS_REGION,
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
        config=Config(retries={"max_attempts": 2, "mode": "standard"}, connect_timeout=5),
    )


@dataclass(frozen=True)
class SqsQueue:
    """A test queue on the moto server and its dead-letter queue."""

    url: str
    dlq_url: str
    endpoint_url: str
    client: Any
    name: str
    arn: str
    dlq_arn: str
    max_receive_count: int


def _queue_arn(client: Any, url: str) -> str:
    attributes = client.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])
    return str(attributes["Attributes"]["QueueArn"])


@pytest.fixture
def sqs_queue(moto_server: str, sqs_client: Any) -> Iterator[SqsQueue]:
    """A unique queue whose RedrivePolicy sends a message to its DLQ after 5 receives."""
    from botocore.exceptions import ClientError

    max_receive_count = 5
    name = f"inboxgap-test-{secrets.token_hex(6)}"
    dlq_url = sqs_client.create_queue(
        QueueName=f"{name}-dlq", Attributes={"MessageRetentionPeriod": "1209600"}
    )["QueueUrl"]
    dlq_arn = _queue_arn(sqs_client, dlq_url)
    redrive = {"deadLetterTargetArn": dlq_arn, "maxReceiveCount": str(max_receive_count)}
    url = sqs_client.create_queue(
        QueueName=name, Attributes={"RedrivePolicy": json.dumps(redrive)}
    )["QueueUrl"]
    yield SqsQueue(
        url=url,
        dlq_url=dlq_url,
        endpoint_url=moto_server,
        client=sqs_client,
        name=name,
        arn=_queue_arn(sqs_client, url),
        dlq_arn=dlq_arn,
        max_receive_count=max_receive_count,
    )
    for queue_url in (url, dlq_url):
        with suppress(ClientError):  # already gone if the test reset moto
            sqs_client.delete_queue(QueueUrl=queue_url)
