"""Fixtures for the worker end-to-end tests: a migrated PostgreSQL schema and the
environment a real Celery worker needs (queue, broker, database, fast drain settings).

Import the fixtures into a test module (``from tests.support.worker_stack import ...``).
"""

from __future__ import annotations

import socket
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from sqlalchemy import Engine

from config.settings import Settings
from tests.conftest import AWS_REGION, SqsQueue
from tests.support.processes import worker_env
from worker import migrations
from worker.adapters.database import create_engine_from_url


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class Stack:
    database_url: str
    engine: Engine
    queue: SqsQueue
    broker_url: str
    workdir: Path

    def env(self, **extra: str) -> dict[str, str]:
        settings = {
            "INBOXGAP_DATABASE_URL": self.database_url,
            "INBOXGAP_BROKER_URL": self.broker_url,
            "INBOXGAP_SQS_QUEUE_URL": self.queue.url,
            "INBOXGAP_SQS_ENDPOINT_URL": self.queue.endpoint_url,
            "INBOXGAP_SQS_WAIT_TIME": "1",
            "INBOXGAP_SQS_BATCH_WAIT": "0.3",
            "INBOXGAP_SQS_BATCH_SIZE": "100",
            "INBOXGAP_SQS_VISIBILITY_TIMEOUT": "10",
            "INBOXGAP_DRAIN_INTERVAL": "1",
            "INBOXGAP_DRAIN_MAX_RUN_TIME": "20",
            "INBOXGAP_LOG_LEVEL": "INFO",
            "AWS_REGION": AWS_REGION,
            "AWS_DEFAULT_REGION": AWS_REGION,
        }
        settings.update(extra)
        return worker_env(**settings)

    def settings(self, **overrides: object) -> Settings:
        values: dict[str, object] = {
            "database_url": self.database_url,
            "sqs_queue_url": self.queue.url,
            "sqs_endpoint_url": self.queue.endpoint_url,
            "verify_sns_signatures": False,
        }
        values.update(overrides)
        return Settings(**values)  # type: ignore[arg-type]


@pytest.fixture
def stack(
    postgres_schema_url: str, broker_url: str, sqs_queue: SqsQueue, tmp_path: Path
) -> Iterator[Stack]:
    """The broker is this test's alone (``broker_url``): a worker of another test run on the
    machine must not take its tasks."""
    engine = create_engine_from_url(postgres_schema_url)
    migrations.upgrade(engine)
    try:
        yield Stack(postgres_schema_url, engine, sqs_queue, broker_url, tmp_path)
    finally:
        engine.dispose()
